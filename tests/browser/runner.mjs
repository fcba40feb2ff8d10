// The browser test runners' shared loop (playground.mjs, tutorial.mjs,
// embed.mjs): serve the site, launch Debian's Chromium, run the tests whose
// names contain one of the command line's words (all without any), print
// "ok - name (N ms)" / "not ok - name: reason" each, then
// "N passed, M failed", and exit 1 if any failed.
import { startServer } from "../../web/serve.mjs";
import { launchOptions, loadPlaywright } from "./browser.mjs";

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
