// PLACEHOLDER (owned by the portal work): routes are added here.
import { createRouter } from "../../router";

export const clientAccessRoutes = createRouter();
