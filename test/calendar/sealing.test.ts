import { describe, expect, it } from "vitest";
import { randomToken, sealSecret, unsealSecret } from "@shared/lib/crypto";

const key = randomToken(32);

describe("sealed secrets", () => {
  it("open to what was sealed, with a fresh IV each time", async () => {
    const secret = "1//0g-refresh-token-as-google-issues-it";
    const a = await sealSecret(key, secret);
    const b = await sealSecret(key, secret);
    expect(a).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain(secret);
    expect(await unsealSecret(key, a)).toBe(secret);
    expect(await unsealSecret(key, b)).toBe(secret);
  });

  it("refuse an altered value, another key, an unknown version and a key of the wrong size", async () => {
    const sealed = await sealSecret(key, "secret");
    const [version, iv, data] = sealed.split(".");
    const flipped = `${data!.slice(0, -2)}${data!.slice(-2) === "AA" ? "AB" : "AA"}`;
    await expect(unsealSecret(key, `${version}.${iv}.${flipped}`)).rejects.toThrow();
    await expect(unsealSecret(randomToken(32), sealed)).rejects.toThrow();
    await expect(unsealSecret(key, `v2.${iv}.${data}`)).rejects.toThrow(/version/);
    await expect(sealSecret(randomToken(16), "secret")).rejects.toThrow(/32 bytes/);
  });
});
