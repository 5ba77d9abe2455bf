// `npm run bench:pdf [-- --iterations 15 --warmup 3 --quotes 20 --live --out FILE]`
// Quote PDFs: (1) the pipeline, GET /api/quotes/:id/pdf with the quote changed before each GET (PATCH notes
// while DRAFT, not timed) so every GET really prints, against (2) bare Chromium: Playwright launching the same
// Chromium binary once, then page.setContent(html) + page.pdf() of the same quote's HTML per iteration, one pair
// per iteration in ABBA order (pipeline first, then bare first, ...); a pair whose two PDFs differ in size fails
// the run (not the same HTML); the ratios pipeline / bare of medians and of minimums (target ≤ 1.5 with the
// browser kept open by PdfRenderer).
// (3) PDFs per minute for 20 different quotes in a row through the pipeline. Markdown on stdout and in
// bench/results/pdf-latest.md. See bench/README.md, "PDF".
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { chromium } from "playwright-core";
import { createReport, fmtMs, markdownTableRows, median, projectRoot, request, runningGroups, snapshotSources, startApp, stopAll } from "./lib.mjs";
import { launcherPath, pinnedChromeVersion, setupBrowser } from "../scripts/setup-browser.mjs";

const { values: args } = parseArgs({
  options: {
    iterations: { type: "string", default: "15" },
    warmup: { type: "string", default: "3" },
    quotes: { type: "string", default: "20" },
    live: { type: "boolean", default: false },
    out: { type: "string", default: join(projectRoot, "bench", "results", "pdf-latest.md") },
  },
});
const [iterations, warmup, quoteCount] = ["iterations", "warmup", "quotes"].map((k) => Number(args[k]));
if (!(iterations >= 1 && warmup >= 0 && quoteCount >= 1)) throw new Error("--iterations and --quotes must be ≥ 1, --warmup ≥ 0");
const log = (...parts) => console.error(...parts);
const loadAtStart = loadavg()[0];
const startedAt = new Date();
const RATIO_GOAL = 1.5;
/** A 1×1 PNG, uploaded as the studio's logo so the HTML embeds one as every real document does. */
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");
/** renderPdf's defaults (workers/modules/pdf/service.ts) plus what ensureDocumentPdf adds: the same print job
 *  (tagged, as Chromium prints through CDP for @cloudflare/puppeteer). */
const PRINT = { tagged: true, format: "A4", printBackground: true, margin: { top: "16mm", bottom: "18mm", left: "16mm", right: "16mm" }, displayHeaderFooter: true, headerTemplate: "<span></span>" };

const report = createReport({ log });
const { section } = report;
const found = {};

/** The quote template and its view, bundled for Node with wrangler's esbuild (as bench/lib/bundle.mjs does). */
async function loadTemplate() {
  const require = createRequire(import.meta.url);
  const esbuild = createRequire(require.resolve("wrangler/package.json"))("esbuild");
  const dir = await mkdtemp(join(tmpdir(), "lightbox-pdf-template-"));
  try {
    const outfile = join(dir, "template.mjs");
    await esbuild.build({
      absWorkingDir: projectRoot,
      stdin: {
        contents: 'export { billingView } from "./workers/modules/pdf/view.ts"; export { renderBillingDocument } from "./workers/templates/documents/billing.tsx";',
        resolveDir: projectRoot,
        loader: "ts",
      },
      bundle: true,
      format: "esm",
      platform: "node",
      target: "node20",
      outfile,
      logLevel: "silent",
    });
    return await import(pathToFileURL(outfile).href);
  } finally {
    await rm(dir, { recursive: true, force: true }).catch(() => {});
  }
}

/** The HTML the pipeline prints for this quote, from what the API answers about it, its owner and its client. */
async function quoteHtml(template, app, auth, quoteId) {
  const [quote, me] = await Promise.all([request(app.url, "GET", `/api/quotes/${quoteId}`, auth), request(app.url, "GET", "/api/users/me", auth)]);
  const contact = await request(app.url, "GET", `/api/contacts/${quote.contactId}`, auth);
  const address = (a) => ({ addressLine1: a.line1, addressLine2: a.line2, postalCode: a.postalCode, city: a.city, region: a.region, country: a.country });
  const view = template.billingView({
    kind: "QUOTE",
    document: { ...quote, createdAt: new Date(quote.createdAt), sentAt: quote.sentAt ? new Date(quote.sentAt) : null },
    owner: { ...me, ...address(me.companyAddress) },
    contact: { ...contact, ...address(contact.address) },
    session: null,
    logoDataUri: `data:image/png;base64,${PNG.toString("base64")}`,
  });
  return template.renderBillingDocument(view);
}

async function seed(app) {
  const registered = await request(app.url, "POST", "/api/auth/register", { body: { email: `bench-pdf-${Date.now()}@studio.example`, password: "correct horse battery staple", firstName: "Claire", lastName: "Morel" } });
  const auth = { headers: { authorization: `Bearer ${registered.accessToken}` } };
  await request(app.url, "PATCH", "/api/users/me", {
    ...auth,
    body: { companyName: "Studio Lumière", companyAddress: { line1: "12 rue des Lilas", postalCode: "69003", city: "Lyon", country: "FR" }, vatNumber: "FR12345678901", phone: "+33 4 78 00 00 00", timezone: "Europe/Paris", paymentDetails: "IBAN FR76 3000 6000 0112 3456 7890 189" },
  });
  const form = new FormData();
  form.append("file", new Blob([PNG], { type: "image/png" }), "logo.png");
  const logo = await fetch(`${app.url}/api/users/me/logo`, { method: "PUT", headers: auth.headers, body: form });
  if (logo.status !== 200) throw new Error(`logo upload answered ${logo.status}: ${await logo.text()}`);
  const contact = await request(app.url, "POST", "/api/contacts", { ...auth, body: { firstName: "Jeanne", lastName: "Dupont", company: "Maison Dupont", email: "jeanne@dupont.example", address: { line1: "3 place Bellecour", postalCode: "69002", city: "Lyon" } } });
  const items = [
    { description: "Wedding photography, full day", quantity: 1, unitPrice: 180000, taxRate: 20 },
    { description: "Engagement session", quantity: 1, unitPrice: 35000, taxRate: 20, discount: { type: "PERCENT", value: 10 } },
    { description: "Fine-art prints 30×45", quantity: 12, unitPrice: 2500, taxRate: 5.5 },
    { description: "Travel (km)", quantity: 84.5, unitPrice: 60, taxRate: 20 },
  ];
  const createQuote = (i) => request(app.url, "POST", "/api/quotes", { ...auth, body: { contactId: contact.id, currency: "EUR", locale: "fr-FR", items, notes: `Quote ${i}: 30 % deposit on signature.` } });
  const main = await createQuote(0);
  const others = [];
  for (let i = 1; i <= quoteCount; i++) others.push(await createQuote(i));
  return { auth, main, others };
}

/** One GET of a quote's PDF, timed to the last byte. */
async function getPdf(app, auth, quoteId) {
  const t0 = performance.now();
  const res = await fetch(`${app.url}/api/quotes/${quoteId}/pdf`, auth);
  const bytes = new Uint8Array(await res.arrayBuffer());
  const ms = performance.now() - t0;
  if (res.status !== 200 || Buffer.from(bytes.subarray(0, 5)).toString() !== "%PDF-") throw new Error(`GET pdf answered ${res.status}: ${Buffer.from(bytes.subarray(0, 300)).toString()}`);
  return { ms, bytes: bytes.byteLength };
}

async function bareRender(context, html, footerTemplate) {
  const t0 = performance.now();
  const page = await context.newPage();
  try {
    await page.setContent(html, { waitUntil: "load" });
    const pdf = await page.pdf({ ...PRINT, footerTemplate });
    return { ms: performance.now() - t0, bytes: pdf.byteLength };
  } finally {
    await page.close();
  }
}

async function pipelineVsBare({ app, template, seeded, browser }) {
  // One context for every page, like the default context puppeteer's browser.newPage() opens pages in.
  const context = await browser.newContext();
  const { auth, main } = seeded;
  const change = (i) => request(app.url, "PATCH", `/api/quotes/${main.id}`, { ...auth, body: { notes: `Iteration ${i}: 30 % deposit on signature.` } });
  const runs = { pipeline: [], bare: [] };
  for (let i = -warmup; i < iterations; i++) {
    await change(i);
    const { html, footerTemplate } = await quoteHtml(template, app, auth, main.id);
    // ABBA: whichever side runs second finds the machine as the first left it (caches, CPU frequency, GC).
    const pipelineFirst = Math.abs(i) % 2 === 0;
    let a;
    let b;
    if (pipelineFirst) {
      a = await getPdf(app, auth, main.id);
      b = await bareRender(context, html, footerTemplate);
    } else {
      b = await bareRender(context, html, footerTemplate);
      a = await getPdf(app, auth, main.id);
    }
    if (a.bytes !== b.bytes) throw new Error(`pair ${i}: the pipeline's PDF is ${a.bytes} B, the bare one ${b.bytes} B: not the same HTML`);
    if (i >= 0) {
      runs.pipeline.push(a);
      runs.bare.push(b);
    }
    log(`  ${i < 0 ? "warm-up" : `iteration ${i + 1}/${iterations}`} (${pipelineFirst ? "pipeline first" : "bare first"}): pipeline ${fmtMs(a.ms)} ms (${a.bytes} B), bare ${fmtMs(b.ms)} ms (${b.bytes} B), HTML ${html.length} chars`);
  }
  // The same quote served again without a change: the stored PDF, no print.
  const cached = [];
  for (let i = 0; i < iterations; i++) cached.push((await getPdf(app, auth, main.id)).ms);
  const p = median(runs.pipeline.map((r) => r.ms));
  const b = median(runs.bare.map((r) => r.ms));
  const pMin = Math.min(...runs.pipeline.map((r) => r.ms));
  const bMin = Math.min(...runs.bare.map((r) => r.ms));
  found.ratio = p / b;
  found.ratioMin = pMin / bMin;
  found.pipeline = p;
  found.bare = b;
  found.cached = median(cached);
  const sizes = (rs) => `${Math.min(...rs.map((r) => r.bytes))}–${Math.max(...rs.map((r) => r.bytes))}`;
  return [
    markdownTableRows(
      ["Target", "median ms", "min ms", "max ms", "PDF bytes"],
      [
        ["pipeline: `GET /api/quotes/:id/pdf` after a change (D1 batch, template, hash, PdfRenderer page + print, R2 put, audited insert, stream)", fmtMs(p), fmtMs(pMin), fmtMs(Math.max(...runs.pipeline.map((r) => r.ms))), sizes(runs.pipeline)],
        ["bare Chromium: `newPage` + `setContent(html)` + `pdf()` + `close` (Playwright, browser launched once, one context)", fmtMs(b), fmtMs(bMin), fmtMs(Math.max(...runs.bare.map((r) => r.ms))), sizes(runs.bare)],
        ["pipeline, unchanged quote (the stored PDF streamed from R2)", fmtMs(found.cached), fmtMs(Math.min(...cached)), fmtMs(Math.max(...cached)), ""],
      ],
    ),
    "",
    `${iterations} iterations after ${warmup} warm-up ones, one pair per iteration on the same quote in ABBA order (pipeline first, then bare first; its notes changed before each pair, untimed); ` +
      "the two PDFs of every pair were the same size to the byte (checked: a difference fails the run). " +
      `Ratio pipeline / bare (medians): **${found.ratio.toFixed(2)}×** (goal ≤ ${RATIO_GOAL}: ${found.ratio <= RATIO_GOAL ? "met" : "**not met**"}); of minimums: ${found.ratioMin.toFixed(2)}×. ` +
      "The bare HTML is the pipeline's: the same template and view code bundled for Node, fed with what the API answers about the quote, the studio and the client.",
  ].join("\n");
}

async function throughput({ app, seeded }) {
  const { auth, others } = seeded;
  const times = [];
  const t0 = performance.now();
  for (const quote of others) times.push((await getPdf(app, auth, quote.id)).ms);
  const totalS = (performance.now() - t0) / 1000;
  found.perMinute = (others.length / totalS) * 60;
  return [
    markdownTableRows(
      ["Quotes", "total s", "PDFs / minute", "median ms", "max ms"],
      [[String(others.length), totalS.toFixed(2), found.perMinute.toFixed(0), fmtMs(median(times)), fmtMs(Math.max(...times))]],
    ),
    "",
    `${others.length} different quotes, never printed before, one \`GET /api/quotes/:id/pdf\` after the other (one client).`,
  ].join("\n");
}

await report.run(
  async () => {
    setupBrowser();
    const template = await loadTemplate();
    const source = args.live ? { dir: projectRoot, config: "wrangler.toml" } : await snapshotSources();
    log(args.live ? "serving the working tree (--live)" : `sources snapshot: ${source.dir}`);
    log("\n== Starting the app (wrangler dev on 127.0.0.1)");
    const app = await startApp({ config: source.config, vars: { ACCESS_TOKEN_TTL_SECONDS: "3600" } });
    log(`  app ${app.url} (process group ${app.pid})`);
    const browser = await chromium.launch({ executablePath: launcherPath(pinnedChromeVersion()), headless: true });
    try {
      log(`\n== Seeding: one studio, ${quoteCount + 1} quotes`);
      const seeded = await seed(app);
      await section(`Pipeline vs bare Chromium, same quote HTML (${iterations} iterations)`, () => pipelineVsBare({ app, template, seeded, browser }));
      await section(`PDFs per minute: ${quoteCount} different quotes in a row`, () => throughput({ app, seeded }));
    } catch (error) {
      log(`  wrangler's last output:\n${app.output().slice(-4000)}`);
      throw error;
    } finally {
      await browser.close();
    }
  },
  { stopAll, runningGroups },
);

const goals = [];
if (found.ratio) goals.push(`- Pipeline / bare Chromium ≤ ${RATIO_GOAL}: ${found.ratio <= RATIO_GOAL ? "met" : "**not met**"} (medians ${found.ratio.toFixed(2)}×: ${fmtMs(found.pipeline)} vs ${fmtMs(found.bare)} ms; minimums ${found.ratioMin.toFixed(2)}×)`);
if (found.perMinute) goals.push(`- PDFs per minute (${quoteCount} quotes in a row): ${found.perMinute.toFixed(0)}`);
const cpu = cpus();
await report.write(
  [
    "# Lightbox benchmarks: quote PDFs",
    "",
    `- Date: ${startedAt.toISOString()} – ${new Date().toISOString()}`,
    `- Machine: ${cpu.length} cores (${cpu[0]?.model?.trim() ?? "unknown CPU"}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`,
    `- Command: \`npm run bench:pdf -- --iterations ${iterations} --warmup ${warmup} --quotes ${quoteCount}${args.live ? " --live" : ""}\``,
    "- Data: one studio (profile, logo, payment details), one client, quotes of 4 lines (2 tax rates, a discount) in fr-FR / EUR",
    `- Load average (1 min) at start / end: ${loadAtStart.toFixed(2)} / ${loadavg()[0].toFixed(2)}`,
    ...(goals.length ? ["", ...goals] : []),
  ],
  args.out,
);
