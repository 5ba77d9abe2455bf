// PLACEHOLDER (owned by the scheduled emails work): routes are added here.
import { createRouter } from "../../router";

export const scheduledEmailRoutes = createRouter();
