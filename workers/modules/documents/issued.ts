// The parties of an issued document. When a quote or invoice is first sent, the studio's details and the
// client's are copied onto it (`parties`), so its PDF keeps saying what the client received whatever the owner
// edits later: the profile, the VAT number, the logo, the contact (or a merge into another contact).
// The logo is copied too, to `<owner>/documents/logos/<sha256 of its bytes>`: the branding key is replaced in
// place by every upload. Content-addressed, one copy serves every document sent with that logo; deleting a
// document therefore never deletes it (another document may print it).
import { and, eq } from "drizzle-orm";
import type { Db } from "@shared/db/client";
import { contacts, users, type DocumentPartiesJson } from "@shared/db/schema";
import type { Env } from "@shared/env";
import { toHex } from "@shared/lib/crypto";
import { notFound } from "@shared/lib/errors";

type Address = Pick<DocumentPartiesJson["client"], "addressLine1" | "addressLine2" | "postalCode" | "city" | "region" | "country">;

const address = (row: Address): Address => ({
  addressLine1: row.addressLine1,
  addressLine2: row.addressLine2,
  postalCode: row.postalCode,
  city: row.city,
  region: row.region,
  country: row.country,
});

export const documentLogoKey = (ownerId: string, hash: string) => `${ownerId}/documents/logos/${hash}`;

/** Copies the owner's current logo to its content-addressed key (once per distinct image); null without a logo. */
async function freezeLogo(env: Env, ownerId: string, logoKey: string | null, contentType: string | null): Promise<string | null> {
  if (!logoKey || !contentType) return null;
  const object = await env.FILES.get(logoKey);
  if (!object) return null;
  const bytes = await object.arrayBuffer();
  const key = documentLogoKey(ownerId, toHex(await crypto.subtle.digest("SHA-256", bytes)));
  if (!(await env.FILES.head(key))) await env.FILES.put(key, bytes, { httpMetadata: { contentType }, customMetadata: { ownerId } });
  return key;
}

/**
 * The parties as they are now, to store in the send batch of a document's first send. Called before the batch:
 * a failed batch leaves at most an unused logo copy behind, never a document pointing at a missing one.
 */
export async function currentParties(env: Env, db: Db, ownerId: string, contactId: string): Promise<DocumentPartiesJson> {
  const [owners, clients] = await db.batch([
    db.select().from(users).where(eq(users.id, ownerId)).limit(1),
    db
      .select()
      .from(contacts)
      .where(and(eq(contacts.ownerId, ownerId), eq(contacts.id, contactId)))
      .limit(1),
  ]);
  const owner = owners[0];
  const contact = clients[0];
  if (!owner || !contact) throw notFound(owner ? "Contact" : "User");
  const logoKey = await freezeLogo(env, ownerId, owner.logoKey, owner.logoContentType);
  return {
    studio: {
      name: owner.companyName?.trim() || `${owner.firstName} ${owner.lastName}`.trim(),
      companyName: owner.companyName,
      firstName: owner.firstName,
      lastName: owner.lastName,
      email: owner.email,
      phone: owner.phone,
      ...address(owner),
      vatNumber: owner.vatNumber,
      paymentDetails: owner.paymentDetails,
      logoKey,
      logoContentType: logoKey ? owner.logoContentType : null,
    },
    client: {
      firstName: contact.firstName,
      lastName: contact.lastName,
      company: contact.company,
      email: contact.email,
      phone: contact.phone,
      ...address(contact),
    },
  };
}
