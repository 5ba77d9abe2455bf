// PLACEHOLDER (owned by the documents work): routes are added here.
import { createRouter } from "../../router";

export const invoiceRoutes = createRouter();
