// The browser test runners' shared loop (playground.mjs, tutorial.mjs,
// embed.mjs): serve the site, launch Debian's Chromium, run the tests whose
// names contain one of the command line's words (all without any), print
// "ok - name (N ms)" / "not ok - name: reason" each, then
// "N passed, M failed", and exit 1 if any failed. Also what every test's
// context watches (guardContext), where screenshots go (screenshot), the
// built site they serve (siteDir) and their "# " notes (note).
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startServer } from "../../web/serve.mjs";
import { launchOptions, loadPlaywright } from "./browser.mjs";

export const repoRoot = resolve(fileURLToPath(new URL("../..", import.meta.url)));
/** The built site (./scripts/build wasm); PLAB_SITE overrides. */
export const siteDir = resolve(process.env.PLAB_SITE ?? join(repoRoot, "build", "wasm", "site"));
const artifacts = resolve(process.env.PLAB_ARTIFACTS ?? join(repoRoot, "build", "wasm", "artifacts"));

/**
 * @param {Array<[string, (browser: import("playwright-core").Browser, url: string) => Promise<void>]>} tests
 * @param {{ server: Parameters<typeof startServer>[0], timeoutMs: number, cleanup?: () => void }} options
 *   server: web/serve.mjs options; timeoutMs: per test; cleanup: runs at the end
 */
export async function runTests(tests, { server: serverOptions, timeoutMs, cleanup }) {
  const filters = process.argv.slice(2);
  const { chromium } = loadPlaywright();
  const server = await startServer(serverOptions);
  const browser = await chromium.launch(launchOptions());
  let passed = 0;
  let failed = 0;
  try {
    for (const [name, fn] of tests) {
      if (filters.length && !filters.some((f) => name.includes(f))) continue;
      const t0 = Date.now();
      try {
        await Promise.race([fn(browser, server.url),
          new Promise((_, rej) => setTimeout(() => rej(new Error("test timed out")), timeoutMs))]);
        passed++;
        console.log(`ok - ${name} (${Date.now() - t0} ms)`);
      } catch (e) {
        failed++;
        console.log(`not ok - ${name}: ${e.message}`);
      }
    }
  } finally {
    await browser.close();
    await server.close();
    cleanup?.();
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

/**
 * Watches a fresh browser context the way every browser test does: every
 * request must stay on `origin`'s site (data: and blob: aside), CSP
 * violations are collected in each frame, uncaught errors and dialogs (an
 * alert() a hostile value managed to run) are problems. `check(page)`
 * fails the test on any of them.
 * @param {import("playwright-core").BrowserContext} context
 * @param {string} origin
 */
export async function guardContext(context, origin) {
  const problems = [];
  /** Every URL requested so far. */
  const requests = [];
  context.on("request", (req) => {
    requests.push(req.url());
    if (!req.url().startsWith(origin) && !/^(data|blob):/.test(req.url())) problems.push(`request left the origin: ${req.url()}`);
  });
  context.on("page", (page) => {
    page.on("pageerror", (e) => problems.push(`uncaught: ${e.message}`));
    page.on("dialog", (d) => {
      problems.push(`a dialog opened: ${d.message()}`);
      d.dismiss().catch(() => {});
    });
  });
  await context.addInitScript(() => {
    window.__violations = [];
    document.addEventListener("securitypolicyviolation", (e) =>
      window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
  });
  return {
    problems,
    requests,
    /** @param {import("playwright-core").Page} page */
    async check(page) {
      for (const frame of page.frames()) {
        assert.deepEqual(await frame.evaluate(() => window.__violations), [], `CSP violations in ${frame.url()}`);
      }
      assert.deepEqual(problems, [], "page problems");
    },
  };
}

/** A line of the test output that is not a result: "# msg". */
export const note = (msg) => console.log(`# ${msg}`);

/** Saves a full-page screenshot as $PLAB_ARTIFACTS/<name>.png (default build/wasm/artifacts) and says where. */
export async function screenshot(page, name) {
  mkdirSync(artifacts, { recursive: true });
  const file = join(artifacts, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`# screenshot: ${file}`);
}
