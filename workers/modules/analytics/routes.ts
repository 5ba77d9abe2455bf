// PLACEHOLDER (owned by the analytics work): routes are added here.
import { createRouter } from "../../router";

export const analyticsRoutes = createRouter();
