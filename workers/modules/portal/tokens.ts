// INTERFACE STUB (owned by the portal work): replaced by the real implementation.
import type { NotificationDeps } from "../notifications/service";

export interface ClientLinkScope {
  contactId: string;
  quoteId?: string;
  invoiceId?: string;
}
export interface ClientLink {
  url: string;
  token: string;
  expiresAt: Date;
}

/** The live portal link for this contact and document, reused while it has at least a day left, else a new one. */
export async function getOrCreateClientLink(_deps: NotificationDeps, _ownerId: string, _scope: ClientLinkScope): Promise<ClientLink> {
  throw new Error("not implemented");
}
