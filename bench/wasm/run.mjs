// The browser build's budgets, measured in headless Debian Chromium:
//   node bench/wasm/run.mjs
// Prints a markdown table and writes it to bench/results/wasm.md. Needs
// build/wasm/dist (./scripts/build wasm) and web/node_modules (npm ci in web/).
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { gzipSync } from "node:zlib";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { start } from "../../tests/browser/server.mjs";
import { launchOptions, loadPlaywright } from "../../tests/browser/browser.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const repoRoot = resolve(here, "..", "..");
const distDir = resolve(process.env.PLAB_WASM_DIST ?? join(repoRoot, "build", "wasm", "dist"));
const resultsFile = join(repoRoot, "bench", "results", "wasm.md");
const KB = 1000; // budgets are in kB (10^3 bytes): the stricter reading

/** @param {number[]} xs */
function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Nearest-rank percentile. @param {number[]} xs @param {number} p in (0, 100] */
function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)];
}

const rows = [];
/**
 * Adds a table row; `ok` null means "no budget".
 * @param {string} what
 * @param {string} value
 * @param {string} budget
 * @param {boolean|null} ok
 */
function row(what, value, budget, ok) {
  rows.push({ what, value, budget, verdict: ok === null ? "" : ok ? "met" : "**missed**" });
  console.error(`${what}: ${value}${budget ? ` (budget ${budget}: ${ok ? "met" : "missed"})` : ""}`);
}

const fmt = (n, digits = 1) => n.toFixed(digits);
const ms = (n) => `${fmt(n)} ms`;

/**
 * gzip -9 sizes of what a page downloads: plab_wasm.wasm and the bundle
 * persistlab.js (the JS API with the Emscripten glue inside), and of the
 * engine's own parts for reference.
 */
function measureSizes() {
  const gz = (f) => gzipSync(readFileSync(join(distDir, f)), { level: 9 }).length;
  const page = gz("plab_wasm.wasm") + gz("persistlab.js");
  row("size: plab_wasm.wasm + persistlab.js (bundle: API + glue), gzip -9", `${fmt(page / KB)} kB`,
    "<= 250 kB", page <= 250 * KB);
  row("size: plab_wasm.wasm alone, gzip -9", `${fmt(gz("plab_wasm.wasm") / KB)} kB`, "", null);
  row("size: plab_wasm.mjs (the unbundled glue), gzip -9", `${fmt(gz("plab_wasm.mjs") / KB)} kB`, "", null);
}

/** Waits for window[flag] in the page and returns it. */
async function pageValue(page, flag) {
  const handle = await page.waitForFunction((f) => window[f], flag, { timeout: 60_000 });
  return handle.jsonValue();
}

/** Loads ready.html (or another page) and returns its timings. */
async function loadReady(page, base, lab, file = "ready.html") {
  await page.goto(`${base}/${file}?lab=${lab}`);
  const r = await pageValue(page, "plabReady");
  if (r.error) throw new Error(`ready.html (${lab}): ${r.error}`);
  if (r.reply !== "PONG") throw new Error(`ready.html (${lab}): PING answered ${JSON.stringify(r.reply)}`);
  return r;
}

/** Cold: a new context (empty HTTP cache); warm: a second load in it. */
async function measureReady(browser, base) {
  const cold = [];
  const warm = [];
  const baseline = { cold: [], warm: [] };
  for (let i = 0; i < 5; i++) {
    for (const file of ["ready.html", "baseline.html"]) {
      const context = await browser.newContext();
      try {
        const into = file === "ready.html" ? { cold, warm } : baseline;
        const first = await context.newPage();
        into.cold.push(await loadReady(first, base, `ready-cold-${i}`, file));
        await first.close();
        const second = await context.newPage();
        into.warm.push(await loadReady(second, base, `ready-warm-${i}`, file));
      } finally {
        await context.close();
      }
    }
  }
  const med = (xs, k) => median(xs.map((x) => x[k]));
  row("ready baseline: navigation start -> an empty module runs, cold / warm (medians of 5)",
    `${ms(med(baseline.cold, "fromNavigation"))} / ${ms(med(baseline.warm, "fromNavigation"))}`, "", null);
  row("ready, cold: navigation start -> first PING (median of 5)", ms(med(cold, "fromNavigation")),
    "<= 300 ms", med(cold, "fromNavigation") <= 300);
  row("ready, cold: import() -> first PING (median of 5)", ms(med(cold, "fromImport")), "", null);
  row("ready, cold: of which import() / PersistLab.open (medians)",
    `${ms(med(cold, "importMs"))} / ${ms(med(cold, "openMs"))}`, "", null);
  row("ready, warm: navigation start -> first PING (median of 5)", ms(med(warm, "fromNavigation")),
    "<= 100 ms", med(warm, "fromNavigation") <= 100);
  row("ready, warm: import() -> first PING (median of 5)", ms(med(warm, "fromImport")), "", null);
  row("ready, warm: of which import() / PersistLab.open (medians)",
    `${ms(med(warm, "importMs"))} / ${ms(med(warm, "openMs"))}`, "", null);
}

/** Opens bench.html in a new page of context. */
async function benchPage(context, base) {
  const page = await context.newPage();
  page.on("pageerror", (e) => console.error(`page error: ${e.message}`));
  await page.goto(`${base}/bench.html`);
  await pageValue(page, "plabBenchReady");
  return page;
}

const THROUGHPUT_CONFIGS = [
  ["no persistence", { appendonly: "no", save: "" }],
  ["AOF everysec", { appendonly: "yes", appendfsync: "everysec", save: "" }],
];

async function measureThroughput(page) {
  for (const [label, config] of THROUGHPUT_CONFIGS) {
    for (const kind of ["set", "incr"]) {
      const runs = [];
      for (let i = 0; i < 5; i++) {
        runs.push(await page.evaluate(([c, k]) => window.plabBench.throughput("bench-throughput", c, k, 100_000, 1000),
          [config, kind]));
      }
      const perSecond = median(runs.map((r) => r.perSecond));
      const what = kind === "set" ? '"SET k<i> v"' : '"INCR counter"';
      row(`throughput, ${label}: 100k ${what} via execMany x1000 (median of 5)`,
        `${Math.round(perSecond).toLocaleString("en-US")} cmd/s`, ">= 250,000 cmd/s", perSecond >= 250_000);
    }
  }
}

async function measureDurableWrites(page) {
  const latencies = await page.evaluate(() => window.plabBench.durableWrites("bench-durable", 2000));
  const p50 = percentile(latencies, 50);
  const p99 = percentile(latencies, 99);
  row("durable write, appendfsync always, 2000 single execs: p50", ms(p50), "<= 2 ms", p50 <= 2);
  row("durable write, appendfsync always, 2000 single execs: p99", ms(p99), "", null);
}

async function measureRecovery(context, base) {
  const name = "bench-recovery";
  const config = { appendonly: "yes", appendfsync: "always", "aof-use-rdb-preamble": "yes", save: "" };
  let page = await benchPage(context, base);
  const built = await page.evaluate((n) => window.plabBench.buildRecoveryLab(n, 100_000, 10_000), name);
  if (built.rewriteStatus !== "ok") throw new Error(`BGREWRITEAOF ended with status ${built.rewriteStatus}`);
  if (built.dbsize !== 110_000) throw new Error(`the recovery lab has ${built.dbsize} keys, expected 110000`);
  console.error(`recovery lab files: ${JSON.stringify(built.files)}`);
  const footprint = await page.evaluate((n) => window.plabBench.idbFootprint(n), name);
  await page.close();
  // Each open in a fresh page (nothing of the lab in memory), once as the
  // page's first open, which also compiles the engine, and once after an
  // empty lab has compiled it: the latter is IndexedDB load + recovery alone.
  const opens = { first: [], compiled: [] };
  for (const warmUp of [false, true]) {
    for (let i = 0; i < 3; i++) {
      page = await benchPage(context, base);
      if (warmUp) await page.evaluate(() => window.plabBench.timedOpen("bench-warmup", { save: "" }));
      const r = await page.evaluate(([n, c]) => window.plabBench.timedOpen(n, c), [name, config]);
      if (r.dbsize !== 110_000) throw new Error(`reopened lab has ${r.dbsize} keys, expected 110000`);
      (warmUp ? opens.compiled : opens.first).push(r);
      if (warmUp) await page.evaluate(() => window.plabBench.destroy("bench-warmup"));
      await page.close();
    }
  }
  const mirrorLoads = [];
  for (let i = 0; i < 3; i++) {
    page = await benchPage(context, base);
    mirrorLoads.push(await page.evaluate((n) => window.plabBench.timedMirrorLoad(n), name));
    await page.close();
  }
  console.error(`recovery report: ${JSON.stringify(opens.first[0].report).slice(0, 600)}`);
  const first = median(opens.first.map((o) => o.ms));
  const compiled = median(opens.compiled.map((o) => o.ms));
  const lab = "100k-key RDB-preamble AOF + 10k-command tail";
  row(`recovery: PersistLab.open of a ${lab}, engine already compiled in the page (median of 3)`,
    ms(compiled), "<= 300 ms", compiled <= 300);
  row(`recovery: the same as the page's first open, engine compile included (median of 3)`,
    ms(first), "<= 300 ms", first <= 300);
  const mirrorMs = median(mirrorLoads.map((m) => m.ms));
  row("recovery: of which the IndexedDB load alone (idb_mirror openMirror, median of 3)",
    `${ms(mirrorMs)} (${mirrorLoads[0].files} files, ${fmt(mirrorLoads[0].bytes / 1e6, 2)} MB)`, "", null);
  row("recovery: IndexedDB loaded", `${footprint.records} records, ${fmt(footprint.bytes / 1e6, 2)} MB`, "", null);
  page = await benchPage(context, base);
  await page.evaluate((n) => window.plabBench.destroy(n), name);
  await page.close();
}

async function main() {
  const { chromium } = loadPlaywright();
  const server = await start({ distDir, pagesDir: join(here, "pages") });
  const browser = await chromium.launch(launchOptions());
  const version = browser.version();
  try {
    measureSizes();
    await measureReady(browser, server.url);
    const context = await browser.newContext();
    try {
      const page = await benchPage(context, server.url);
      await measureThroughput(page);
      await measureDurableWrites(page);
      await page.close();
      await measureRecovery(context, server.url);
    } finally {
      await context.close();
    }
  } finally {
    await browser.close();
    await server.close();
  }
  const date = new Date().toISOString().slice(0, 10);
  const table = [
    "## PersistLab in the browser: budgets",
    "",
    `Measured ${date} with headless Chromium ${version} (Debian), node ${process.version}, ` +
      `${cpus().length} cores, load average ${loadavg().map((x) => x.toFixed(1)).join(" ")} at the end; ` +
      "`node bench/wasm/run.mjs`.",
    "",
    "| measurement | value | budget | |",
    "|---|---|---|---|",
    ...rows.map((r) => `| ${r.what} | ${r.value} | ${r.budget} | ${r.verdict} |`),
    "",
  ].join("\n");
  writeFileSync(resultsFile, table);
  console.log(table);
}

await main();
