import type { JobMessage } from "@shared/contracts/jobs";
import type { Env } from "@shared/env";
import { createApp } from "./app";
import { handleScheduled } from "./cron";
import { handleQueue } from "./jobs";

const app = createApp();

export default {
  fetch: app.fetch,
  queue: (batch, env, ctx) => handleQueue(batch, env, ctx),
  scheduled: (controller, env, ctx) => handleScheduled(controller, env, ctx),
} satisfies ExportedHandler<Env, JobMessage>;
