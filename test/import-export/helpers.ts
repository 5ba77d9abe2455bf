import { expect } from "vitest";
import { api, type ApiResponse } from "../support/http";

/** POSTs `content` as the multipart field `file` of a CSV import. */
export function importCsv(token: string, content: string | Uint8Array, query = ""): Promise<ApiResponse> {
  const form = new FormData();
  form.set("file", new Blob([content], { type: "text/csv" }), "contacts.csv");
  return api(`/api/contacts/import${query}`, { token, method: "POST", body: form });
}

export async function contactsOf(token: string): Promise<any[]> {
  const res = await api("/api/contacts?limit=100&sort=created&order=asc", { token });
  expect(res.status, res.text).toBe(200);
  return res.body.items;
}
