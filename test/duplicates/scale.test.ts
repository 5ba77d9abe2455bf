import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { duplicatePairs } from "@shared/db/schema";
import { detectDuplicates } from "../../workers/modules/duplicates/service";
import { register } from "../support/http";
import { depsFor, insertContacts, pairBetween, type ContactInput } from "./helpers";

// A book of 3,000 contacts with common French and English names (so the name blocks are as crowded as a
// real book's), unique emails and phones, and planted duplicates of each kind. The times printed inform the
// report; they are never asserted (speed is measured in bench/, not by tests).

const FIRST = ["Marie","Jean","Pierre","Michel","André","Philippe","Nathalie","Isabelle","Sylvie","Catherine","Françoise","Martine","Christine","Nicolas","Julien","Thomas","Camille","Léa","Manon","Emma","Chloé","Sarah","Laura","Julie","Sophie","Anne","Lucas","Hugo","Louis","Gabriel","Arthur","Jules","Paul","Alice","Louise","Inès","Zoé","Élodie","Céline","Aurélie","Stéphanie","Sandrine","Valérie","Olivier","David","Éric","Laurent","Frédéric","Sébastien","Christophe","James","John","Robert","Michael","William","Mary","Patricia","Jennifer","Linda","Elizabeth"];
const LAST = ["Martin","Bernard","Thomas","Petit","Robert","Richard","Durand","Dubois","Moreau","Laurent","Simon","Michel","Lefebvre","Leroy","Roux","David","Bertrand","Morel","Fournier","Girard","Bonnet","Dupont","Lambert","Fontaine","Rousseau","Vincent","Muller","Lefèvre","Faure","André","Mercier","Blanc","Guérin","Boyer","Garnier","Chevalier","François","Legrand","Gauthier","Garcia","Perrin","Robin","Clément","Morin","Nicolas","Henry","Roussel","Mathieu","Gautier","Masson","Marchand","Duval","Denis","Dumont","Marie","Lemaire","Noël","Meyer","Dufour","Meunier","Brun","Blanchard","Giraud","Joly","Rivière","Lucas","Brunet","Gaillard","Barbier","Arnaud","Martinez","Gérard","Roche","Renard","Schmitt","Roy","Leroux","Colin","Vidal","Caron","Picard","Roger","Fabre","Aubert","Lemoine","Renaud","Dumas","Lacroix","Olivier","Philippe","Bourgeois","Pierre","Benoît","Rey","Leclerc","Payet","Rolland","Leclercq","Guillaume","Lecomte","Smith","Johnson","Williams","Brown","Jones","Miller","Davis","Wilson","Anderson","Taylor","Moore","Jackson","White","Harris","Clark","Lewis","Walker","Hall","Allen","Young","King","Wright","Scott","Green","Baker","Adams","Nelson","Hill","Campbell","Mitchell","Roberts","Carter","Phillips","Evans","Turner","Torres","Parker","Collins","Edwards","Stewart","Morris","Murphy","Cook","Rogers","Morgan","Peterson","Cooper","Reed","Bailey","Bell","Gomez","Kelly"];

let seed = 20_240_601;
const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)]!;
/** Two letters in the middle of the last name swapped: a typing slip. */
const slip = (name: string) => (name.length < 5 ? name + "e" : name.slice(0, 2) + name[3] + name[2] + name.slice(4));

function book(size: number, planted: number): { people: ContactInput[]; twins: [number, number, string][] } {
  const people: ContactInput[] = Array.from({ length: size }, (_, i) => ({
    firstName: pick(FIRST),
    lastName: pick(LAST),
    email: random() < 0.7 ? `person${i}@book.example` : null,
    phone: random() < 0.5 ? `+33 6 1${String(i).padStart(7, "0")}` : null,
  }));
  const twins: [number, number, string][] = [];
  for (let k = 0; k < planted; k++) {
    const original = people[k * 7]!;
    const kind = ["EMAIL", "PHONE", "NAME"][k % 3]!;
    const copy: ContactInput =
      kind === "EMAIL"
        ? { firstName: "Another", lastName: `Spelling${k}`, email: `twin${k}@book.example` }
        : kind === "PHONE"
          ? { firstName: "Phone", lastName: `Twin${k}`, phone: `07 20 ${String(k).padStart(6, "0").replace(/(\d\d)(?=\d)/g, "$1 ")}` }
          : { firstName: slip(original.lastName!), lastName: original.firstName };
    if (kind === "EMAIL") original.email = `twin${k}@book.example`;
    if (kind === "PHONE") original.phone = copy.phone!;
    people.push(copy);
    twins.push([k * 7, people.length - 1, kind]);
  }
  return { people, twins };
}

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const result = await work();
  return [result, Math.round(performance.now() - start)];
}

describe("detection at scale", () => {
  it("finds every planted duplicate in a book of 3,000 contacts, whole book and import alike", async () => {
    const { people, twins } = book(2_970, 30);
    const whole = await register();
    const ids = await insertContacts(whole.user.id, people);
    const [scan, scanMs] = await timed(() => detectDuplicates(depsFor(whole.user.id), whole.user.id, "all"));
    for (const [a, b, kind] of twins) {
      const pair = await pairBetween(ids[a]!, ids[b]!);
      expect(pair, `${kind} twin ${people[a]!.firstName} ${people[a]!.lastName} / ${people[b]!.firstName} ${people[b]!.lastName}`).toBeDefined();
      expect(pair!.reason === kind || (kind === "NAME" && pair!.reason !== "NAME")).toBe(true);
    }
    const [again, rescanMs] = await timed(() => detectDuplicates(depsFor(whole.user.id), whole.user.id, "all"));
    expect(again).toEqual({ created: 0 });

    // The same book, its second half arriving as an import: detection runs with the imported ids.
    const imported = await register();
    const half = Math.floor(people.length / 2);
    await insertContacts(imported.user.id, people.slice(0, half));
    const importedIds = await insertContacts(imported.user.id, people.slice(half));
    const [byImport, importMs] = await timed(() => detectDuplicates(depsFor(imported.user.id), imported.user.id, { contactIds: importedIds }));
    const [, oneMs] = await timed(() => detectDuplicates(depsFor(imported.user.id), imported.user.id, { contactIds: [importedIds[0]!] }));
    const stored = await depsFor(whole.user.id).db.select({ id: duplicatePairs.id }).from(duplicatePairs).where(eq(duplicatePairs.ownerId, whole.user.id));
    expect(stored).toHaveLength(scan.created);
    expect(byImport.created).toBeGreaterThan(0);
    expect(byImport.created).toBeLessThanOrEqual(scan.created);

    console.log(
      `duplicates at scale (${people.length} contacts): scan "all" ${scanMs} ms, ${scan.created} pairs; rescan ${rescanMs} ms; ` +
        `import of ${importedIds.length} ids ${importMs} ms, ${byImport.created} pairs; one new contact ${oneMs} ms`,
    );
  }, 120_000);
});
