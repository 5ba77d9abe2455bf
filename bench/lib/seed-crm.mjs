// Seed data for the CRM benchmark: one studio with N contacts (names with accents, emails, phones, tags),
// imported through the real CSV import, then M sessions created through the API, each linked to contacts.
import { request } from "./servers.mjs";

const FIRST = ["Élodie", "Chloé", "Léa", "Zoé", "Hélène", "Amélie", "Noémie", "Inès", "Jérôme", "François", "Loïc", "Noël", "Anaïs", "Maëlle", "Raphaël", "Benoît", "Céline", "Gaëlle", "Emma", "Olivia", "Liam", "Noah", "Ava", "Mia", "Lucas", "Hugo", "Jules", "Louise", "Alice", "Arthur", "Sofia", "Mateo", "Yasmine", "Kofi", "Ama", "Hiroshi", "Mei", "Priya", "Arjun", "Ines"];
const LAST = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "García", "Müller", "Smith", "Jones", "Brown", "Taylor", "Nguyen", "Rossi", "Kowalski", "Mensah", "Okafor", "Tanaka", "Sato", "Patel", "Sharma", "Fernández", "Lopez", "Gonzalez", "Bianchi", "Novak", "Jensen", "Andersson", "Dupré", "Girard", "Bonnet", "Faure"];
const TAGS = ["VIP", "Wedding 2027", "Wedding 2026", "Portrait", "Family", "Corporate", "Referral", "Instagram", "Newsletter", "Repeat client", "Album ordered", "Deposit paid", "Lead", "Venue partner", "Planner", "Press", "Friend", "Studio", "Outdoor", "Abroad"];

const csvCell = (value) => (/[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

/** A deterministic CSV of `count` contacts (the same every run, so runs compare). */
export function contactsCsv(count) {
  const lines = ["First name,Last name,Email,Phone,Company,City,Tags"];
  for (let i = 0; i < count; i++) {
    const first = FIRST[i % FIRST.length];
    const last = LAST[Math.floor(i / FIRST.length) % LAST.length];
    const email = `${first}.${last}.${i}@example.com`.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
    const phone = `+33 6 ${String(10_000_000 + i).slice(0, 2)} ${String(10_000_000 + i).slice(2, 4)} ${String(10_000_000 + i).slice(4, 6)} ${String(10_000_000 + i).slice(6, 8)}`;
    const tags = [TAGS[i % TAGS.length], ...(i % 3 === 0 ? [TAGS[(i * 7) % TAGS.length]] : [])].join("; ");
    lines.push([first, last, email, phone, i % 5 === 0 ? "Studio Lumière" : "", i % 2 ? "Paris" : "Lyon", tags].map(csvCell).join(","));
  }
  return lines.join("\n");
}

/** Imports the contacts (one request: the import is one D1 batch) and creates the sessions, `concurrency` at a time. */
export async function seedCrm(baseUrl, token, { contacts, sessions, concurrency = 8, log = console.error }) {
  const auth = { authorization: `Bearer ${token}` };
  const started = performance.now();
  const form = new FormData();
  form.set("file", new Blob([contactsCsv(contacts)], { type: "text/csv" }), "contacts.csv");
  const res = await fetch(`${baseUrl}/api/contacts/import`, { method: "POST", headers: auth, body: form });
  const imported = await res.json();
  if (res.status !== 201) throw new Error(`import answered ${res.status}: ${JSON.stringify(imported).slice(0, 500)}`);
  const importMs = performance.now() - started;
  log(`  imported ${imported.imported} contacts in ${(importMs / 1000).toFixed(1)} s (${imported.duplicatesFound} duplicate pairs found)`);

  // Contact ids for the sessions' links, a page at a time.
  const ids = [];
  for (let cursor = null; ; ) {
    const page = await request(baseUrl, "GET", `/api/contacts?limit=100&sort=created${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, { headers: auth });
    ids.push(...page.items.map((c) => c.id));
    if (!page.nextCursor || ids.length >= contacts) break;
    cursor = page.nextCursor;
  }
  const types = ["WEDDING", "PORTRAIT", "FAMILY", "CORPORATE", "EVENT", "OTHER"];
  const statuses = ["LEAD", "CONFIRMED", "COMPLETED", "CANCELLED"];
  const sessionsStarted = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < sessions) {
        const i = next++;
        const day = new Date(Date.UTC(2026, 0, 1) + (i % 730) * 86_400_000 + 14 * 3_600_000);
        await request(baseUrl, "POST", "/api/sessions", {
          headers: auth,
          body: {
            title: `${types[i % types.length].toLowerCase()} shoot ${i}`,
            type: types[i % types.length],
            status: statuses[i % statuses.length],
            startsAt: day.toISOString(),
            endsAt: new Date(day.getTime() + 3 * 3_600_000).toISOString(),
            price: { amount: 50_000 + (i % 40) * 2_500, currency: "EUR" },
            contactIds: [ids[(i * 5) % ids.length], ids[(i * 5 + 1) % ids.length]],
          },
          expect: [201],
        });
      }
    }),
  );
  log(`  created ${sessions} sessions in ${((performance.now() - sessionsStarted) / 1000).toFixed(1)} s`);
  return { importMs, imported: imported.imported };
}
