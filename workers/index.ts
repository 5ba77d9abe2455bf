import type { JobMessage } from "@shared/contracts/jobs";
import type { Env } from "@shared/env";
import { createApp } from "./app";
import { handleScheduled } from "./cron";
import { handleQueue } from "./jobs";
import { handleSocketRequest, isSocketRequest } from "./modules/realtime/upgrade";

export { SocketConnection } from "../durable-objects/socket-connection";
export { UserHub } from "../durable-objects/user-hub";
export { BookingLock } from "../durable-objects/booking-lock";
export { PdfRenderer } from "../durable-objects/pdf-renderer";

const app = createApp();

export default {
  fetch: (request, env, ctx) => (isSocketRequest(new URL(request.url)) ? handleSocketRequest(request, env) : app.fetch(request, env, ctx)),
  queue: (batch, env, ctx) => handleQueue(batch, env, ctx),
  scheduled: (controller, env, ctx) => handleScheduled(controller, env, ctx),
} satisfies ExportedHandler<Env, JobMessage>;
