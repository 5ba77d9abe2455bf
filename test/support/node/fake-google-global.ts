// Global setup of the workers-pool project: the Worker's requests to Google's hosts are answered by the fake
// Google. vitest.config.ts gives miniflare an `outboundService` that starts the fake through the function put
// on globalThis here, on the first request that needs it, and forwards to it. Both run in vitest's process but
// are loaded by different module loaders (the config file is bundled on its own), hence the well-known symbol.
import { startFakeGoogle, type FakeGoogle, type FakeGoogleOptions } from "./fake-google";

export const FAKE_GOOGLE_STARTER = Symbol.for("lightbox.test.startFakeGoogle");

/** Provides the starter: the first call starts the fake, later ones (every outgoing request) get the same one. */
export default function setup() {
  let google: Promise<FakeGoogle> | undefined;
  const globals = globalThis as Record<symbol, unknown>;
  globals[FAKE_GOOGLE_STARTER] = (options: FakeGoogleOptions) => (google ??= startFakeGoogle(options));
  return async () => {
    delete globals[FAKE_GOOGLE_STARTER];
    await (await google)?.close();
  };
}
