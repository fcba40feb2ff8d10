// The <persist-lab> budgets, measured in headless Debian Chromium against the
// built site (build/wasm/site, ./scripts/build wasm) on loopback:
//   node bench/embed/run.mjs [--quick]
// Prints a markdown table and writes it to bench/results/embed.md.
//
// Budgets (issue 12):
//   - the loader (persist-lab.js, all a docs page downloads until an element
//     is in view) <= 10 kB gzipped;
//   - on a docs page with three elements, from an element becoming visible
//     to its first interactive prompt <= 400 ms with a warm cache. Cold
//     (a fresh profile: nothing cached, no compiled engine) is measured too,
//     without a budget.
//
// "Visible" is the loader's persist-lab:visible mark, stamped with the
// IntersectionObserver entry's time; "interactive prompt" is the
// persist-lab:ready mark: the lab has opened and answered, and the
// terminal shows the real prompt and takes keys. The page is a plain HTML
// page (a Markdown generator's output) served under the site's strict CSP;
// the elements are 1600 px apart and scrolled to one after another, each
// once the one before is ready.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SITE_CSP, startServer } from "../../web/serve.mjs";
import { launchOptions, loadPlaywright } from "../../tests/browser/browser.mjs";
import { BudgetTable, median, ms } from "../lib/budgets.mjs";
import { KB, gzipped as gz, kB, quick, resultsPath, siteDir } from "../lib/site.mjs";

const resultsFile = resultsPath("embed.md");
const RUNS = quick ? 3 : 7;
const ELEMENTS = [
  'id="first" panels="crash"',
  'id="second" appendonly="yes" appendfsync="everysec" panels="crash report"',
  'id="third" appendonly="yes" appendfsync="always" panels="crash report disk clock persistence"',
];

const table = new BudgetTable();
const row = table.row.bind(table);

function measureSizes() {
  const loader = gz("persist-lab.js");
  row("size: the loader (persist-lab.js), gzip -9", kB(loader), "<= 10 kB", loader <= 10 * KB);
  const assets = readdirSync(join(siteDir, "assets"));
  const sheet = assets.find((f) => /^persist-lab-\w+\.css$/.test(f));
  row("size: the element's stylesheet (linked by the loader at once), gzip -9", kB(gz(`assets/${sheet}`)), "", null);
  const lab = assets.filter((f) => /^embed-(?!page-).*\.js$/.test(f));
  const total = lab.reduce((a, f) => a + gz(`assets/${f}`), 0);
  row("size: the lab module and all its chunks (assets/embed-*.js but embed.html's), gzip -9; each panel's chunk and the tutorial's load only when an element asks for them",
    kB(total), "", null);
  row("size: the engine (plab_wasm.wasm) and the worker (worker.js), gzip -9",
    `${kB(gz("plab_wasm.wasm"))} + ${kB(gz("worker.js"))}`, "", null);
}

/** A docs page with the three elements, far enough apart to come into view one at a time. */
function writePage(dir) {
  const spacer = '<div class="spacer"><p>Some prose about Redis persistence.</p></div>';
  writeFileSync(join(dir, "page.css"), "body { font-family: sans-serif; max-width: 900px; margin: 0 auto; } .spacer { height: 1600px; }\n");
  writeFileSync(join(dir, "three.html"), `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Three labs</title><link rel="icon" href="data:,">
<link rel="stylesheet" href="/bench/page.css"><script type="module" src="/persist-lab.js"></script></head>
<body><h1>Persistence, by example</h1>
${ELEMENTS.map((attrs) => `${spacer}\n<persist-lab ${attrs}></persist-lab>`).join("\n")}
${spacer}
</body></html>`);
}

/** Scrolls to each element in turn; returns visible -> ready (ms) per element. */
async function visit(page, url) {
  await page.goto(url);
  const times = [];
  for (let i = 0; i < ELEMENTS.length; i++) {
    const selector = `persist-lab:nth-of-type(${i + 1})`;
    await page.locator(selector).scrollIntoViewIfNeeded();
    await page.waitForFunction((s) => document.querySelector(s)?.dataset.state === "ready", selector, { timeout: 30_000 });
    times.push(await page.evaluate((id) => {
      const name = (mark) => performance.getEntriesByName(mark).find((m) => m.detail.endsWith(`#${id}`));
      return name("persist-lab:ready").startTime - name("persist-lab:visible").startTime;
    }, ["first", "second", "third"][i]));
  }
  return times;
}

async function measureFirstPrompt(browser, url) {
  const cold = ELEMENTS.map(() => []);
  const warm = ELEMENTS.map(() => []);
  for (let run = 0; run < RUNS; run++) {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    try {
      const first = await context.newPage();
      (await visit(first, url)).forEach((t, i) => cold[i].push(t));
      await first.close();
      const second = await context.newPage();
      (await visit(second, url)).forEach((t, i) => warm[i].push(t));
      await second.close();
    } finally {
      await context.close();
    }
  }
  const label = ["1st (loads the lab module, the worker and the engine)", "2nd", "3rd"];
  for (const [name, list, budget] of [["warm", warm, 400], ["cold", cold, null]]) {
    const medians = list.map(median);
    for (const [i, m] of medians.entries()) {
      row(`first interactive prompt, ${name}: element visible -> prompt ready, ${label[i]} element (median of ${RUNS})`,
        ms(m), budget ? `<= ${budget} ms` : "", budget ? m <= budget : null);
    }
  }
}

const { chromium } = loadPlaywright();
const pagesDir = mkdtempSync(join(tmpdir(), "plab-bench-embed-"));
writePage(pagesDir);
const server = await startServer({ root: siteDir, mounts: { "/bench": pagesDir }, csp: SITE_CSP });
const browser = await chromium.launch(launchOptions());
try {
  measureSizes();
  await measureFirstPrompt(browser, `${server.url}/bench/three.html`);
} finally {
  await browser.close();
  await server.close();
  rmSync(pagesDir, { recursive: true, force: true });
}

table.write(resultsFile, "Embedding budgets (bench/embed/run.mjs)", {
  quick,
  about: [
    "A docs page with three `<persist-lab>` elements (IndexedDB storage) under the site's strict CSP, on loopback;",
    "cold = a fresh browser profile, warm = the same page loaded again in that profile.",
  ],
});
