import { createRoute } from "@hono/zod-openapi";
import { requireAuth } from "../../middleware/auth";
import { bearerAuth, jsonBody, jsonResponse, problems } from "../../openapi";
import { createRouter, depsOf } from "../../router";
import { attachTag, contactHistory, detachTag } from "./links";
import {
  ContactDetailSchema,
  ContactIdParams,
  ContactListQuery,
  ContactListSchema,
  ContactSchema,
  ContactTagParams,
  CreateContactSchema,
  HistoryListSchema,
  PageQuery,
  UpdateContactSchema,
} from "./schemas";
import { createContact, deleteContact, getContactDetail, listContacts, updateContact } from "./service";

const tags = ["Contacts"];
const refusals = { 400: problems[400], 401: problems[401], 404: problems[404] };
export const contactRoutes = createRouter();
contactRoutes.use("*", requireAuth);

contactRoutes.openapi(
  createRoute({
    method: "post",
    path: "/",
    tags,
    security: bearerAuth,
    summary: "Create a contact",
    description: "`phone` is kept as typed and normalized to E.164 (`phoneE164`), read in the user's country when it has no country code.",
    request: { body: jsonBody(CreateContactSchema) },
    responses: { 201: jsonResponse(ContactSchema, "The new contact"), ...refusals },
  }),
  async (c) => c.json(await createContact(depsOf(c), c.get("auth").sub, c.req.valid("json")), 201),
);

contactRoutes.openapi(
  createRoute({
    method: "get",
    path: "/",
    tags,
    security: bearerAuth,
    summary: "List contacts: sorted, filtered by tag, searched by name, email, phone and company",
    request: { query: ContactListQuery },
    responses: { 200: jsonResponse(ContactListSchema, "A page of contacts"), 400: problems[400], 401: problems[401] },
  }),
  async (c) => c.json(await listContacts(depsOf(c), c.get("auth").sub, c.req.valid("query")), 200),
);

contactRoutes.openapi(
  createRoute({
    method: "get",
    path: "/{id}",
    tags,
    security: bearerAuth,
    summary: "A contact with its shoots, files and tags",
    request: { params: ContactIdParams },
    responses: { 200: jsonResponse(ContactDetailSchema, "The contact"), ...refusals },
  }),
  async (c) => c.json(await getContactDetail(depsOf(c), c.get("auth").sub, c.req.valid("param").id), 200),
);

contactRoutes.openapi(
  createRoute({
    method: "patch",
    path: "/{id}",
    tags,
    security: bearerAuth,
    summary: "Update a contact (`tagIds` replaces its tags)",
    request: { params: ContactIdParams, body: jsonBody(UpdateContactSchema) },
    responses: { 200: jsonResponse(ContactSchema, "The updated contact"), ...refusals },
  }),
  async (c) => c.json(await updateContact(depsOf(c), c.get("auth").sub, c.req.valid("param").id, c.req.valid("json")), 200),
);

contactRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/{id}",
    tags,
    security: bearerAuth,
    summary: "Delete a contact with its files",
    request: { params: ContactIdParams },
    responses: { 204: { description: "Deleted" }, ...refusals },
  }),
  async (c) => {
    await deleteContact(depsOf(c), c.get("auth").sub, c.req.valid("param").id);
    return c.body(null, 204);
  },
);

contactRoutes.openapi(
  createRoute({
    method: "get",
    path: "/{id}/history",
    tags,
    security: bearerAuth,
    summary: "The contact's audit trail, newest first (still readable after it is deleted)",
    request: { params: ContactIdParams, query: PageQuery },
    responses: { 200: jsonResponse(HistoryListSchema, "A page of changes"), ...refusals },
  }),
  async (c) => c.json(await contactHistory(depsOf(c), c.get("auth").sub, c.req.valid("param").id, c.req.valid("query")), 200),
);

contactRoutes.openapi(
  createRoute({
    method: "put",
    path: "/{id}/tags/{tagId}",
    tags,
    security: bearerAuth,
    summary: "Attach a tag (idempotent)",
    request: { params: ContactTagParams },
    responses: { 204: { description: "The tag is on the contact" }, ...refusals },
  }),
  async (c) => {
    const { id, tagId } = c.req.valid("param");
    await attachTag(depsOf(c), c.get("auth").sub, id, tagId);
    return c.body(null, 204);
  },
);

contactRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/{id}/tags/{tagId}",
    tags,
    security: bearerAuth,
    summary: "Detach a tag (idempotent)",
    request: { params: ContactTagParams },
    responses: { 204: { description: "The tag is not on the contact" }, ...refusals },
  }),
  async (c) => {
    const { id, tagId } = c.req.valid("param");
    await detachTag(depsOf(c), c.get("auth").sub, id, tagId);
    return c.body(null, 204);
  },
);
