// PLACEHOLDER (owned by the email templates work): routes are added here.
import { createRouter } from "../../router";

export const emailTemplateRoutes = createRouter();
