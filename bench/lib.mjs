// Reusable benchmark pieces, imported from here: start the app and the floor Worker under `wrangler dev` on
// loopback, load one target with autocannon, alternate targets over rounds and take medians, format the
// results as markdown, measure the password hash and the bundle. Every feature's bench script builds on
// these; see bench/README.md.
//   lib/servers.mjs   startApp, startFloor, snapshotSources, stopWorker, stopAll, runningGroups, request
//   lib/load.mjs      runLoad, alternate, median
//   lib/report.mjs    formatTable, formatRounds, markdownTableRows, goalMet, fmtMs, kib
//   lib/hash-cpu.mjs  nodePbkdf2CpuMs
//   lib/bundle.mjs    wranglerBundleSize, esbuildContributors, bytesByPackage, packageOf
export { projectRoot } from "../scripts/dev-server.mjs";
export * from "./lib/servers.mjs";
export * from "./lib/load.mjs";
export * from "./lib/report.mjs";
export * from "./lib/hash-cpu.mjs";
export * from "./lib/bundle.mjs";
