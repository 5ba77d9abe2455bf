import { describe, expect, it } from "vitest";
import { fold } from "@shared/lib/text";
import { api, errorPaths, expectProblem, register } from "../support/http";
import { allPages, newContact, newTag } from "./helpers";

type Item = { id: string; firstName: string; lastName: string | null; createdAt: string; updatedAt: string };

const byKey = (key: (c: Item) => string, order: "asc" | "desc") => (a: Item, b: Item) => {
  const [x, y] = [key(a), key(b)];
  const cmp = x < y ? -1 : x > y ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  return order === "asc" ? cmp : -cmp;
};
const nameKey = (c: Item) => fold(`${c.lastName ?? ""} ${c.firstName}`);

describe("GET /api/contacts pagination", () => {
  it("every sort and order returns each of 45 contacts exactly once, in order, 7 at a time", async () => {
    const { accessToken: token } = await register();
    const lastNames = ["Martin", "martin", "Bernard", "Dubois", "Élie", null, "Zola", "Petit", "Durand"];
    const created: Item[] = [];
    for (let i = 0; i < 45; i++) {
      // Equal names (same first and last name, several times) test the id tiebreak.
      created.push((await newContact(token, { firstName: i % 3 === 0 ? "Jean" : `Contact ${i % 7}`, lastName: lastNames[i % lastNames.length] })) as Item);
    }
    // Touch some contacts so updated order differs from created order.
    for (const contact of created.filter((_, i) => i % 4 === 1)) {
      const res = await api(`/api/contacts/${contact.id}`, { method: "PATCH", token, json: { notes: "touched" } });
      Object.assign(contact, { updatedAt: res.body.updatedAt });
    }
    expect(new Set(created.map(nameKey)).size).toBeLessThan(45);

    const cases: [string, (a: Item, b: Item) => number][] = [
      ["", byKey(nameKey, "asc")],
      ["sort=name&order=asc", byKey(nameKey, "asc")],
      ["sort=name&order=desc", byKey(nameKey, "desc")],
      ["sort=created", byKey((c) => c.createdAt, "desc")],
      ["sort=created&order=asc", byKey((c) => c.createdAt, "asc")],
      ["sort=updated", byKey((c) => c.updatedAt, "desc")],
      ["sort=updated&order=asc", byKey((c) => c.updatedAt, "asc")],
    ];
    for (const [query, compare] of cases) {
      const first = await api(`/api/contacts?limit=7&${query}`, { token });
      expect(first.body.items).toHaveLength(7);
      const items = await allPages(token, `/api/contacts?limit=7&${query}`);
      expect(items.map((c) => c.id), query).toEqual([...created].sort(compare).map((c) => c.id));
    }
  });

  it("default page size is 20", async () => {
    const { accessToken: token } = await register();
    for (let i = 0; i < 21; i++) await newContact(token, { firstName: `P${i}` });
    const page = await api("/api/contacts", { token });
    expect(page.body.items).toHaveLength(20);
    expect(page.body.nextCursor).toEqual(expect.any(String));
    const rest = await api(`/api/contacts?cursor=${page.body.nextCursor}`, { token });
    expect(rest.body).toMatchObject({ items: [expect.any(Object)], nextCursor: null });
  });
});

describe("GET /api/contacts?search=", () => {
  const search = async (token: string, query: string) =>
    (await allPages(token, `/api/contacts?limit=2&search=${encodeURIComponent(query)}`)).map((c) => c.firstName as string).sort();

  it("ignores case and accents, matches prefixes of name, email, phone and company", async () => {
    const { accessToken: token } = await register();
    await newContact(token, { firstName: "Élodie", lastName: "Dupré", email: "contact@atelier-lumiere.example" });
    await newContact(token, { firstName: "elodie", lastName: "Martin", phone: "+33 6 12 34 56 78" });
    await newContact(token, { firstName: "Marc", lastName: "Élo", company: "Studio Zéphyr" });
    await newContact(token, { firstName: "Paul", email: "paul.henry@mail.example", phone: "07 98 76 54 32" });

    expect(await search(token, "elodie")).toEqual(["elodie", "Élodie"].sort());
    expect(await search(token, "ÉLODIE")).toEqual(["elodie", "Élodie"].sort());
    expect(await search(token, "ELO")).toEqual(["elodie", "Marc", "Élodie"].sort());
    expect(await search(token, "Élo")).toEqual(["elodie", "Marc", "Élodie"].sort());
    expect(await search(token, "élodie dupre")).toEqual(["Élodie"]);
    expect(await search(token, "dupre elo")).toEqual(["Élodie"]);
    expect(await search(token, "zephyr")).toEqual(["Marc"]);
    expect(await search(token, "atelier-lum")).toEqual(["Élodie"]);
    expect(await search(token, "paul.henry@mail")).toEqual(["Paul"]);
    expect(await search(token, "0612")).toEqual(["elodie"]);
    expect(await search(token, "06 12 34")).toEqual(["elodie"]);
    expect(await search(token, "+33 6 12")).toEqual(["elodie"]);
    expect(await search(token, "612345678")).toEqual(["elodie"]);
    expect(await search(token, "+33798")).toEqual(["Paul"]);
    expect(await search(token, "nobody")).toEqual([]);
    // FTS syntax typed by a user is searched as words, never parsed as a query.
    expect(await search(token, 'elodie OR "paul" NOT*')).toEqual([]);
    expect(await search(token, "martin AND")).toEqual([]);
  });

  it("a query with no letters or digits is a 400 on query.search", async () => {
    const { accessToken: token } = await register();
    for (const query of ["", "   ", "*", '"', "-+()"]) {
      const res = await api(`/api/contacts?search=${encodeURIComponent(query)}`, { token });
      expectProblem(res, 400, "VALIDATION_FAILED");
      expect(errorPaths(res), JSON.stringify(query)).toEqual(["query.search"]);
    }
  });

  it("search results paginate in every sort, each match exactly once", async () => {
    const { accessToken: token } = await register();
    const matches: Item[] = [];
    for (let i = 0; i < 17; i++) {
      matches.push((await newContact(token, { firstName: i % 2 ? "Anna" : "Annabelle", lastName: i % 3 ? "Smith" : null, company: "Annex" })) as Item);
      await newContact(token, { firstName: `Other ${i}` });
    }
    for (const [query, compare] of [
      ["sort=name", byKey(nameKey, "asc")],
      ["sort=name&order=desc", byKey(nameKey, "desc")],
      ["sort=created", byKey((c) => c.createdAt, "desc")],
      ["sort=updated&order=asc", byKey((c) => c.updatedAt, "asc")],
    ] as const) {
      const items = await allPages(token, `/api/contacts?search=ann&limit=4&${query}`);
      expect(items.map((c) => c.id), query).toEqual([...matches].sort(compare).map((c) => c.id));
    }
  });
});

describe("GET /api/contacts?tagId=", () => {
  it("returns only the tag's contacts, paginated, combinable with search", async () => {
    const { accessToken: token } = await register();
    const vip = await newTag(token, "VIP");
    const other = await newTag(token, "Other");
    const tagged: Item[] = [];
    for (let i = 0; i < 12; i++) {
      const contact = (await newContact(token, { firstName: `Guest ${String(i).padStart(2, "0")}`, tagIds: i % 2 ? [vip.id, other.id] : [other.id] })) as Item;
      if (i % 2) tagged.push(contact);
    }
    expect((await allPages(token, `/api/contacts?tagId=${vip.id}&limit=4`)).map((c) => c.id)).toEqual([...tagged].sort(byKey(nameKey, "asc")).map((c) => c.id));
    expect((await allPages(token, `/api/contacts?tagId=${vip.id}&limit=2&sort=created`)).map((c) => c.id)).toEqual(
      [...tagged].sort(byKey((c) => c.createdAt, "desc")).map((c) => c.id),
    );
    expect(await allPages(token, `/api/contacts?tagId=${other.id}`)).toHaveLength(12);
    const items = await allPages(token, `/api/contacts?tagId=${vip.id}&search=${encodeURIComponent("guest 0")}`);
    expect(items.map((c) => c.firstName)).toEqual(["Guest 01", "Guest 03", "Guest 05", "Guest 07", "Guest 09"]);
    expect(items[0].tags).toEqual([
      { id: other.id, name: "Other", color: null },
      { id: vip.id, name: "VIP", color: null },
    ]);
    expect(await allPages(token, "/api/contacts?tagId=unknown-tag")).toEqual([]);
  });
});
