// The client portal page (`/portal?token=`): server-rendered HTML over the same services as /api/client-access,
// without any script. Forms post to /portal/... and redirect back (POST-redirect-GET), so a reload never posts
// twice. The token travels as a hidden field of each form.
//
// No CSRF token on these forms, on purpose: every post needs the secret access token, which another site
// cannot know, and the page cannot be framed (frame-ancestors 'none').
import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ApiError } from "@shared/lib/errors";
import { apiErrorOf } from "../../../middleware/errors";
import type { AppEnv } from "../../../router";
import { portalAccess } from "../access";
import { respondToQuote } from "../decisions";
import { clientThread, MESSAGE_MAX_LENGTH, postClientMessage } from "../messages";
import type { ClientAccess } from "../tokens";
import { ownerOf, portalView } from "../views";
import { contentSecurityPolicy, ErrorPage } from "./layout";
import { PortalPage, withToken, type Notice } from "./views";

type Ctx = Context<AppEnv>;

export const portalPageRoutes = new Hono<AppEnv>();

portalPageRoutes.use("*", async (c, next) => {
  await next();
  c.res.headers.set("content-security-policy", await contentSecurityPolicy());
  c.res.headers.set("cache-control", "no-store");
  c.res.headers.set("referrer-policy", "no-referrer");
  c.res.headers.set("x-robots-tag", "noindex");
});
// A message is at most 5,000 characters: percent-encoded UTF-8 stays well under this.
portalPageRoutes.post(
  "*",
  bodyLimit({
    maxSize: 64 * 1024,
    onError: () => {
      throw new ApiError("PAYLOAD_TOO_LARGE", "That form is too large.");
    },
  }),
);

const DONE: Record<string, Notice> = {
  accepted: { kind: "good", text: "Thank you: you accepted this quote. The studio has been told." },
  rejected: { kind: "good", text: "You declined this quote. The studio has been told." },
  sent: { kind: "good", text: "Your message was sent." },
};

const deps = (c: Ctx) => ({ env: c.env, db: c.get("db"), config: c.get("config") });
const requestIdOf = (c: Ctx) => c.get("requestId") ?? null;

async function render(c: Ctx, access: ClientAccess, token: string, status: ContentfulStatusCode, notice: Notice, draft?: string) {
  const db = c.get("db");
  const [view, owner, thread] = await Promise.all([portalView(db, access), ownerOf(db, access), clientThread(deps(c), access, { limit: 50 }, requestIdOf(c))]);
  const page = await (<PortalPage view={view} thread={thread.items} token={token} timeZone={owner.timezone} notice={notice} draft={draft} />);
  return c.html(`<!doctype html>${page}`, status);
}

/** The posted form and its token; a body that is not a form is the client's 400, not a 500. */
async function formOf(c: Ctx) {
  let body: Record<string, string | File | (string | File)[]>;
  try {
    body = await c.req.parseBody();
  } catch {
    throw new ApiError("VALIDATION_FAILED", "This form could not be read: send it again from the page.");
  }
  const text = (key: string) => (typeof body[key] === "string" ? (body[key] as string) : "");
  const token = text("token") || c.req.query("token") || "";
  return { token, text, access: await portalAccess(c, token) };
}

const back = (c: Ctx, token: string, done: keyof typeof DONE, anchor = "") => c.redirect(`${withToken("/portal", token)}&done=${done}${anchor}`, 303);

portalPageRoutes.get("/", async (c) => {
  const token = c.req.query("token") ?? "";
  const access = await portalAccess(c, token);
  return render(c, access, token, 200, DONE[c.req.query("done") ?? ""] ?? null);
});

async function answer(c: Ctx, decision: "ACCEPTED" | "REJECTED") {
  const { token, text, access } = await formOf(c);
  const reason = text("reason").trim().slice(0, 1000) || null;
  try {
    await respondToQuote(deps(c), access, c.req.param("quoteId")!, decision === "ACCEPTED" ? { status: "ACCEPTED" } : { status: "REJECTED", reason }, requestIdOf(c));
  } catch (error) {
    // Already answered, expired or withdrawn: the page shows the quote as it now is, with why.
    if (!(error instanceof ApiError) || error.code !== "CONFLICT") throw error;
    return render(c, access, token, 409, { kind: "bad", text: `${error.detail}.` });
  }
  return back(c, token, decision === "ACCEPTED" ? "accepted" : "rejected");
}

portalPageRoutes.post("/quotes/:quoteId/accept", (c) => answer(c, "ACCEPTED"));
portalPageRoutes.post("/quotes/:quoteId/reject", (c) => answer(c, "REJECTED"));

portalPageRoutes.post("/messages", async (c) => {
  const { token, text, access } = await formOf(c);
  const body = text("body").trim();
  if (!body || body.length > MESSAGE_MAX_LENGTH) {
    const problem = body ? `Please keep your message under ${MESSAGE_MAX_LENGTH.toLocaleString("en")} characters.` : "Please write a message first.";
    return render(c, access, token, 400, { kind: "bad", text: problem }, text("body"));
  }
  await postClientMessage(deps(c), access, body, requestIdOf(c));
  return back(c, token, "sent", "#messages-title");
});

portalPageRoutes.all("*", () => {
  throw new ApiError("NOT_FOUND", "There is no page at this address.");
});

/** What a client reads for each failure: the API's wording is written for programs. */
const PAGES: Partial<Record<ApiError["code"], { title: string; message: string }>> = {
  UNAUTHORIZED: { title: "This link is not valid", message: "Please open the link from the studio's email again, or ask them for a new one." },
  GONE: { title: "This link has expired", message: "Links to the client portal work for a limited time. Please ask the studio for a new one." },
  NOT_FOUND: { title: "Page not found", message: "This link does not lead to that document." },
  PAYLOAD_TOO_LARGE: { title: "That form is too large", message: "Please shorten your message and try again." },
  RATE_LIMITED: { title: "Too many requests", message: "Please wait a minute and try again." },
  VALIDATION_FAILED: { title: "Something in that request is not right", message: "Please go back and try again." },
};

portalPageRoutes.onError(async (error, c) => {
  const apiError = apiErrorOf(error, c);
  const page = PAGES[apiError.code] ?? { title: "Something went wrong", message: "Please try again in a moment." };
  if (apiError.extras.retryAfterSeconds !== undefined) c.header("retry-after", String(apiError.extras.retryAfterSeconds));
  const html = await (<ErrorPage title={page.title} message={page.message} />);
  return c.html(`<!doctype html>${html}`, apiError.status);
});
