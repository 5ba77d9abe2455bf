import { Scalar } from "@scalar/hono-api-reference";
import { cors } from "hono/cors";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import { bodyGuard } from "./middleware/body";
import { onError, onNotFound } from "./middleware/errors";
import { requestContext, requestLog } from "./middleware/request-context";
import { auditRoutes } from "./modules/audit/routes";
import { calendarRoutes } from "./modules/calendar/routes";
import { availabilityRoutes, exceptionRoutes } from "./modules/booking/availability-routes";
import { publicBookingRoutes } from "./modules/booking/public-routes";
import { bookingPageRoutes } from "./modules/booking/page/routes";
import { bookingRoutes, bookingSettingsRoutes } from "./modules/booking/routes";
import { authRoutes } from "./modules/auth/routes";
import { contactRoutes } from "./modules/contacts/routes";
import { conversationRoutes } from "./modules/conversations/routes";
import { googleRoutes } from "./modules/auth/google-routes";
import { devMailboxRoutes } from "./modules/dev-mailbox/routes";
import { duplicateRoutes } from "./modules/duplicates/routes";
import { fileRoutes } from "./modules/files/routes";
import { healthRoutes } from "./modules/health/routes";
import { importExportRoutes } from "./modules/import-export/routes";
import { notificationRoutes } from "./modules/notifications/routes";
import { providerRoutes } from "./modules/providers/routes";
import { sessionRoutes } from "./modules/sessions/routes";
import { tagRoutes } from "./modules/tags/routes";
import { userRoutes } from "./modules/users/routes";
import { analyticsRoutes } from "./modules/analytics/routes";
import { emailTemplateRoutes } from "./modules/email-templates/routes";
import { invoiceRoutes } from "./modules/invoices/routes";
import { portalPageRoutes } from "./modules/portal/page/routes";
import { portalOwnerRoutes } from "./modules/portal/owner-routes";
import { clientAccessRoutes } from "./modules/portal/routes";
import { portalCaller } from "./modules/portal/access";
import { quoteRoutes } from "./modules/quotes/routes";
import { scheduledEmailRoutes } from "./modules/scheduled-emails/routes";
import { socketHandshakeDoc } from "./modules/realtime/upgrade";
import { createRouter } from "./router";

/** The whole HTTP API: global middleware, every module mounted under /api, the OpenAPI document. */
export function createApp() {
  const app = createRouter();

  app.use("*", requestId());
  app.use("*", requestLog);
  app.use("*", requestContext);
  app.use(
    "*",
    secureHeaders({
      // The API answers JSON; only the reference UI at /api/docs loads a script, from its CDN.
      contentSecurityPolicy: undefined,
      crossOriginResourcePolicy: "same-site",
    }),
  );
  app.use("/api/*", (c, next) =>
    cors({
      // Guests book from any site (a studio's own website may embed the booking flow); the public routes carry
      // no credentials, so any origin may call them. Everything else answers only the configured origins.
      origin: (origin) => (c.req.path.startsWith("/api/public/") || c.get("config").corsOrigins.includes(origin) || portalCaller(c, origin) ? origin : null),
      allowMethods: ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
      allowHeaders: ["Authorization", "Content-Type", "X-Request-Id", "Idempotency-Key"],
      exposeHeaders: ["X-Request-Id", "Retry-After", "Content-Disposition"],
      maxAge: 600,
    })(c, next),
  );
  app.use("/api/*", bodyGuard);

  app.route("/api", healthRoutes);
  app.route("/api/auth", authRoutes);
  app.route("/api/auth", googleRoutes);
  app.route("/api/users", userRoutes);
  app.route("/api/dev", devMailboxRoutes);
  // Before contacts and sessions: /contacts/import and /contacts/export are not contact ids.
  app.route("/api", importExportRoutes);
  app.route("/api/contacts", contactRoutes);
  app.route("/api/tags", tagRoutes);
  app.route("/api/sessions", sessionRoutes);
  app.route("/api/providers", providerRoutes);
  app.route("/api/duplicates", duplicateRoutes);
  app.route("/api/conversations", conversationRoutes);
  app.route("/api/notifications", notificationRoutes);
  app.route("/api", auditRoutes);
  app.route("/api", fileRoutes);
  // Before /api/availability: "exceptions" is not a slot id.
  app.route("/api/availability/exceptions", exceptionRoutes);
  app.route("/api/availability", availabilityRoutes);
  app.route("/api/booking", bookingSettingsRoutes);
  app.route("/api/bookings", bookingRoutes);
  app.route("/api/public/booking", publicBookingRoutes);
  app.route("/api/calendar", calendarRoutes);
  // Owner routes of the client portal (client links, a contact's client messages): full paths, per-route auth.
  app.route("/api", portalOwnerRoutes);
  app.route("/api/quotes", quoteRoutes);
  app.route("/api/invoices", invoiceRoutes);
  app.route("/api/email-templates", emailTemplateRoutes);
  app.route("/api/scheduled-emails", scheduledEmailRoutes);
  app.route("/api/analytics", analyticsRoutes);
  // The client portal's API: authenticated by the client access token, not a user's bearer token.
  app.route("/api/client-access", clientAccessRoutes);
  // The guest-facing HTML pages: outside /api, so neither its CORS nor its JSON-only body guard applies.
  app.route("/book", bookingPageRoutes);
  app.route("/portal", portalPageRoutes);

  app.openAPIRegistry.registerPath(socketHandshakeDoc);
  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description: "Access token from /api/auth/login, /register or /refresh (15 minutes)",
  });
  app.doc31("/api/openapi.json", (c) => ({
    openapi: "3.1.0",
    info: {
      title: "Lightbox API",
      version: "1.0.0",
      description:
        "The backend of Lightbox, for photographers and small studios. Errors are RFC 9457 problem details " +
        "(application/problem+json) with a stable `code` and the request's `requestId`.",
    },
    servers: [{ url: new URL(c.req.url).origin }],
  }));
  app.get("/api/docs", Scalar({ url: "/api/openapi.json", pageTitle: "Lightbox API reference" }));

  app.notFound(onNotFound);
  app.onError(onError);
  return app;
}

export type App = ReturnType<typeof createApp>;
