// Browser tests of embedding: <persist-lab> elements on a documentation page
// and embed.html in iframes, on the built site (build/wasm/site) served by
// web/serve.mjs under its strict CSP, in Debian's Chromium (playwright-core).
// Host pages are written to a temporary directory served at /t/ (same
// origin, same CSP), as a docs site would hold them.
//   node tests/browser/embed.mjs [name-substring ...]
// Prints "ok - name" / "not ok - name: reason" per scenario, then
// "N passed, M failed"; exits 1 if any failed. Screenshots of the docs page
// (light and dark) go to $PLAB_ARTIFACTS (default build/wasm/artifacts).
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SITE_CSP } from "../../web/serve.mjs";
import { PROMPT } from "./playground_driver.mjs";
import { guardContext, note, repoRoot, runTests, screenshot, siteDir } from "./runner.mjs";

const SCENARIO_TIMEOUT_MS = 120_000;

// --- host pages -----------------------------------------------------------------

const pagesDir = mkdtempSync(join(tmpdir(), "plab-embed-pages-"));
/** A host page as a Markdown generator would write it: plain HTML, one script tag, no inline anything. */
function hostPage(file, body, head = '<script type="module" src="/persist-lab.js"></script>') {
  writeFileSync(join(pagesDir, file), `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${file}</title><link rel="icon" href="data:,">
<link rel="stylesheet" href="/t/page.css">${head}</head>
<body><h1>A documentation page</h1><p>Some prose about Redis persistence.</p>
${body}
</body></html>`);
}
writeFileSync(join(pagesDir, "page.css"), "body { font-family: sans-serif; max-width: 960px; margin: 0 auto; }\n" +
  ".spacer { height: 1600px; }\niframe { width: 100%; height: 150px; border: 0; display: block; }\n");
const SPACER = '<div class="spacer">…</div>';
hostPage("two.html", `${SPACER}
<persist-lab id="alpha" appendonly="yes" appendfsync="always" panels="crash clock" height="420"></persist-lab>
${SPACER}
<persist-lab appendonly="yes" appendfsync="always" panels="crash" commands="INCR runs; SET greeting 'hello; world'"></persist-lab>
${SPACER}`);
hostPage("frame.html", `<iframe id="good" title="lab"
  src="/embed.html?id=frame-good&amp;panels=crash&amp;height=360#commands=SET%20x%2042"></iframe>
<iframe id="hostile" title="hostile lab"
  src="/embed.html?storage=../../x&amp;height=-1&amp;theme=%3Cscript%3Ealert(1)%3C/script%3E&amp;id=%3Cimg%20src=x%20onerror=alert(1)%3E#commands=${"SET%20k%20v%3B".repeat(12_800)}"></iframe>`,
'<script src="/persist-lab-frame.js" defer></script>');
// The tutorial runner reads scenarios/ next to the page (document.baseURI),
// so the scenario page sits at the site's root: /scenario.html.
mkdirSync(join(pagesDir, "root"));
hostPage("root/index.html", `<persist-lab id="wb" scenario="01-whiteboard" height="700"></persist-lab>
<persist-lab id="dark" theme="dark" panels="none" storage="memory" height="240"></persist-lab>`);
hostPage("hostile.html", `<div id="slot"></div>
<persist-lab id="refused" appendfsync="sometimes" panels="none" height="240"></persist-lab>
<persist-lab id="unknown-scenario" scenario="no-such-scenario" height="240"></persist-lab>
<persist-lab id="fine" panels="none" height="240" storage="memory"></persist-lab>`);

// --- driving a page -----------------------------------------------------------

/**
 * Runs fn with a fresh context and a page of it on `path`. Fails the
 * scenario on a CSP violation (in any frame), an uncaught page error, a
 * dialog (an alert() a hostile value managed to run), or a request that
 * leaves the origin. fn gets (page, requests): every URL requested so far.
 */
async function withPage(browser, url, path, fn, { colorScheme = "light", viewport = { width: 1200, height: 900 } } = {}) {
  const context = await browser.newContext({ colorScheme, viewport });
  const guard = await guardContext(context, url);
  try {
    const page = await context.newPage();
    await page.goto(`${url}${path}`);
    await fn(page, guard.requests);
    await guard.check(page);
  } finally {
    await context.close();
  }
}

/** Scrolls an element into view and waits for its data-state to be one of `states`. */
async function scrollAndWait(scope, selector, states = ["ready"]) {
  await scope.locator(selector).scrollIntoViewIfNeeded();
  await scope.waitForFunction(({ selector, states }) => states.includes(document.querySelector(selector)?.dataset.state ?? ""),
    { selector, states }, { timeout: 30_000 });
}

/** The terminal rows of the lab in `host`, trailing spaces trimmed. */
function rowsIn(scope, host) {
  return scope.$$eval(`${host} .xterm-rows > div`, (rows) =>
    rows.map((r) => (r.textContent ?? "").replace(/\u00a0/g, " ").trimEnd()));
}

/** Waits until the lab in `host` has echoed `line` and printed the prompt after its output; returns that output. */
async function outputIn(scope, host, line) {
  await scope.waitForFunction(({ host, line, prompt }) => {
    const rows = [...document.querySelectorAll(`${host} .xterm-rows > div`)]
      .map((r) => (r.textContent ?? "").replace(/\u00a0/g, " ").trimEnd()).filter((r) => r !== "");
    const echo = rows.findLastIndex((r) => r.endsWith(`> ${line}`));
    return echo >= 0 && echo < rows.length - 1 && new RegExp(prompt).test(rows[rows.length - 1]) &&
      document.querySelector(`${host} .plab-terminal`)?.getAttribute("aria-busy") === "false";
  }, { host, line, prompt: PROMPT.source }, { timeout: 20_000 });
  const rows = (await rowsIn(scope, host)).filter((r) => r !== "");
  const echo = rows.findLastIndex((r) => r.endsWith(`> ${line}`));
  const out = [];
  for (let i = echo + 1; i < rows.length && !PROMPT.test(rows[i]); i++) out.push(rows[i]);
  return out;
}

/** Types `line` into the terminal of the lab in `host` and returns what it printed. */
async function runIn(page, scope, host, line) {
  await scope.locator(`${host} .xterm-helper-textarea`).focus();
  await page.keyboard.type(line);
  await page.keyboard.press("Enter");
  return outputIn(scope, host, line);
}

const count = (requests, re) => requests.filter((u) => re.test(new URL(u).pathname)).length;
const HEAVY = /^\/(worker\.js|plab_wasm\.wasm|assets\/embed-.*\.js)$/;

// --- scenarios ------------------------------------------------------------------

/**
 * Two elements under the strict CSP: nothing heavy before they are seen,
 * one engine and one worker for both, two separate labs that both come
 * back after a reload (AOF always: every acknowledged write is durable),
 * `commands` run once (not again on the reload), the clock paused off-screen.
 */
async function twoElements(browser, url) {
  await withPage(browser, url, "/t/two.html", async (page, requests) => {
    await page.waitForTimeout(1000);
    assert.deepEqual(requests.filter((u) => HEAVY.test(new URL(u).pathname)), [], "fetched before any element was seen");
    assert.deepEqual(await page.$$eval("persist-lab", (els) => els.map((e) => e.dataset.state)), ["waiting", "waiting"]);
    const placeholder = await page.locator("persist-lab#alpha").boundingBox();
    assert.equal(Math.round(placeholder?.height ?? 0), 420, "the placeholder has the element's height");

    await scrollAndWait(page, "persist-lab#alpha");
    assert.equal(await page.$eval("persist-lab:nth-of-type(2)", (e) => e.dataset.state), "waiting", "the second lab loaded before it was seen");
    assert.deepEqual(await runIn(page, page, "persist-lab#alpha", "SET owner alpha"), ["OK"]);
    assert.deepEqual(await runIn(page, page, "persist-lab#alpha", "INCR alpha:n"), ["(integer) 1"]);

    const second = "persist-lab:nth-of-type(2)";
    await scrollAndWait(page, second);
    assert.deepEqual(await outputIn(page, second, "SET greeting 'hello; world'"), ["OK"]);
    assert.deepEqual(await runIn(page, page, second, "GET runs"), ['"1"']);
    assert.deepEqual(await runIn(page, page, second, "GET greeting"), ['"hello; world"']);
    assert.deepEqual(await runIn(page, page, second, "SET owner beta"), ["OK"]);
    assert.deepEqual(await runIn(page, page, second, "GET alpha:n"), ["(nil)"], "the labs share data");

    assert.equal(count(requests, /^\/plab_wasm\.wasm$/), 1, "plab_wasm.wasm requests");
    assert.equal(count(requests, /^\/worker\.js$/), 1, "worker.js requests");
    assert.equal(count(requests, /^\/assets\/embed-lab-\w+\.js$/), 1, "lab module requests");
    const names = await page.evaluate(() => performance.getEntriesByName("persist-lab:ready").map((m) => m.detail));
    assert.deepEqual(names.sort(), ["embed:/t/two.html#alpha", "embed:/t/two.html@2"]);

    // alpha is off-screen now: its clock pauses; back in view, it runs again.
    const pause = "persist-lab#alpha .clock-row button[aria-pressed]";
    await page.waitForFunction((s) => document.querySelector(s)?.getAttribute("aria-pressed") === "true", pause, { timeout: 5000 });
    await page.locator("persist-lab#alpha").scrollIntoViewIfNeeded();
    await page.waitForFunction((s) => document.querySelector(s)?.getAttribute("aria-pressed") === "false", pause, { timeout: 5000 });

    await page.reload();
    await scrollAndWait(page, "persist-lab#alpha");
    assert.deepEqual(await runIn(page, page, "persist-lab#alpha", "GET owner"), ['"alpha"']);
    assert.deepEqual(await runIn(page, page, "persist-lab#alpha", "GET alpha:n"), ['"1"']);
    await scrollAndWait(page, second);
    assert.deepEqual(await runIn(page, page, second, "GET owner"), ['"beta"']);
    assert.deepEqual(await runIn(page, page, second, "GET runs"), ['"1"'], "commands ran again on a lab that was not empty");
  });
}

/**
 * embed.html in iframes: the good one grows to its content (the lab's 360
 * px) through postMessage and persist-lab-frame.js, and runs its commands
 * from the fragment; the hostile one (a 100 kB fragment, script-looking
 * values, a path as storage, a negative height) shows what is wrong, and
 * is resized to that message.
 */
async function iframes(browser, url) {
  await withPage(browser, url, "/t/frame.html", async (page) => {
    const good = page.frameLocator("#good");
    await page.waitForFunction(() => Math.round(document.getElementById("good").getBoundingClientRect().height) === 360,
      null, { timeout: 30_000 });
    const frame = page.frames().find((f) => f.url().includes("frame-good"));
    assert.ok(frame);
    await frame.waitForFunction(() => document.getElementById("lab")?.dataset.state === "ready", null, { timeout: 30_000 });
    assert.deepEqual(await outputIn(frame, "#lab", "SET x 42"), ["OK"]);
    assert.deepEqual(await runIn(page, frame, "#lab", "GET x"), ['"42"']);
    assert.equal(await good.locator(".plab-error").count(), 0);

    const hostile = page.frameLocator("#hostile");
    const error = hostile.locator(".plab-error[role=alert]");
    await error.waitFor({ timeout: 10_000 });
    const text = await error.innerText();
    for (const attribute of ["storage", "height", "theme", "id", "commands"]) {
      assert.match(text, new RegExp(`\\b${attribute}\\b`), `the message names ${attribute}: ${text}`);
    }
    assert.match(text, /storage must be indexeddb or memory, not "\.\.\/\.\.\/x"/);
    assert.equal(await hostile.locator("#lab script, #lab img").count(), 0, "a value became markup");
    const [frameHeight, contentHeight] = await Promise.all([
      page.evaluate(() => document.getElementById("hostile").getBoundingClientRect().height),
      hostile.locator("body").evaluate((b) => b.getBoundingClientRect().height),
    ]);
    assert.ok(contentHeight > 40 && Math.abs(frameHeight - contentHeight) <= 1, `iframe ${frameHeight}px, content ${contentHeight}px`);
  });
}

/**
 * Bad attributes on elements: each shows a message naming what is wrong
 * (a 100 kB commands attribute, script-looking values, a path as storage,
 * a negative height; a setting the engine refuses; a scenario that doesn't
 * exist), nothing runs, and a good element on the same page still works.
 */
async function hostileElements(browser, url) {
  await withPage(browser, url, "/t/hostile.html", async (page) => {
    await page.evaluate(() => {
      const el = document.createElement("persist-lab");
      el.id = "hostile";
      el.setAttribute("commands", "SET k v;".repeat(12_800)); // 102,400 characters
      el.setAttribute("storage", "../../x");
      el.setAttribute("height", "-1");
      el.setAttribute("theme", "<script>alert(1)</script>");
      el.setAttribute("panels", "report <img src=x onerror=alert(1)>");
      el.setAttribute("config", "appendfsync always; <b>bold</b>");
      document.getElementById("slot").append(el);
    });
    const box = page.locator("persist-lab#hostile .plab-error[role=alert]");
    await box.waitFor({ timeout: 5000 });
    const text = await box.innerText();
    for (const attribute of ["commands", "storage", "height", "theme", "panels", "config"]) {
      assert.match(text, new RegExp(`\\b${attribute}\\b`), `the message names ${attribute}: ${text}`);
    }
    assert.match(text, /commands is 102400 characters long/);
    assert.equal(await page.locator("persist-lab#hostile script, persist-lab#hostile img, persist-lab#hostile b").count(), 0);

    await scrollAndWait(page, "persist-lab#refused", ["error"]);
    assert.match(await page.locator("persist-lab#refused .plab-error").innerText(),
      /refused to start the lab: config 'appendfsync' 'sometimes'/);
    await scrollAndWait(page, "persist-lab#unknown-scenario", ["error"]);
    assert.match(await page.locator("persist-lab#unknown-scenario .plab-error").innerText(), /scenario names no scenario of this site/);
    await scrollAndWait(page, "persist-lab#fine");
    assert.deepEqual(await runIn(page, page, "persist-lab#fine", "PING"), ["PONG"]);
  });
}

/**
 * scenario="…" shows that scenario's first step (the tutorial runner, in
 * the page's worker) without taking the reader's focus; theme="dark" on a
 * light system draws the lab and its terminal dark.
 */
async function scenarioAndTheme(browser, url) {
  await withPage(browser, url, "/scenario.html", async (page) => {
    await scrollAndWait(page, "persist-lab#wb");
    const { title } = await page.evaluate(async () =>
      (await (await fetch("/scenarios/index.json")).json()).find((s) => s.id === "01-whiteboard"));
    await page.locator("persist-lab#wb .tut-scenario:not([hidden])").getByText(title).first().waitFor({ timeout: 10_000 });
    assert.ok(await page.evaluate(() => !document.querySelector("persist-lab#wb").contains(document.activeElement)),
      "the scenario took the focus");

    await scrollAndWait(page, "persist-lab#dark");
    const colours = await page.evaluate(() => ({
      pane: getComputedStyle(document.querySelector("persist-lab#dark .plab-lab")).backgroundColor,
      terminal: document.querySelector("persist-lab#dark .plab-terminal").style.backgroundColor,
      lightPane: getComputedStyle(document.querySelector("persist-lab#wb .plab-lab")).backgroundColor,
    }));
    const luminance = (rgb) => rgb.match(/\d+/g).slice(0, 3).map(Number).reduce((a, b) => a + b, 0) / 3;
    assert.ok(luminance(colours.pane) < 60 && luminance(colours.terminal) < 60, `not dark: ${JSON.stringify(colours)}`);
    assert.ok(luminance(colours.lightPane) > 200, `the auto lab is not light: ${colours.lightPane}`);
  });
}

/**
 * /docs/: its live examples start (and its broken one explains itself), no
 * serious or critical axe-core violations; screenshots in light and dark.
 */
async function docsPage(browser, url) {
  for (const colorScheme of ["light", "dark"]) {
    await withPage(browser, url, "/docs/", async (page) => {
      assert.equal(await page.locator("h1").innerText(), "Embedding PersistLab in documentation pages");
      await scrollAndWait(page, "persist-lab#first-steps");
      assert.deepEqual(await outputIn(page, "persist-lab#first-steps", "GET greeting"), ['"hello"']);
      await scrollAndWait(page, "persist-lab#everysec");
      assert.deepEqual(await outputIn(page, "persist-lab#everysec", "INCR orders"), ["(integer) 2"]);
      await scrollAndWait(page, "persist-lab#broken-example", ["error"]);
      await page.locator("#frame-example").scrollIntoViewIfNeeded();
      const frame = page.frameLocator("#frame-example");
      await frame.locator("#lab[data-state=ready]").waitFor({ timeout: 30_000 });
      await page.waitForFunction(() => document.getElementById("frame-example").getBoundingClientRect().height > 500);
      await page.waitForTimeout(300); // the terminals have drawn
      await page.addScriptTag({ url: "/__test__/axe.min.js" });
      const serious = await page.evaluate(async () => {
        const r = await window.axe.run(document, { resultTypes: ["violations"] });
        return r.violations.filter((v) => v.impact === "serious" || v.impact === "critical")
          .map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join("; ")}`);
      });
      assert.deepEqual(serious, [], `axe (${colorScheme}): serious or critical violations`);
      await screenshot(page, `embed-docs-${colorScheme}`);
    }, { colorScheme, viewport: { width: 1100, height: 900 } });
  }
}

// --- runner --------------------------------------------------------------------

const SCENARIOS = [
  ["two elements: nothing heavy before they are seen, one engine, separate labs across a reload, paused off-screen", twoElements],
  ["iframes: embed.html resizes to its content; hostile parameters show a message", iframes],
  ["hostile and refused attributes show a message; the page and its other labs still work", hostileElements],
  ["scenario and theme: a scenario's first step without taking the focus; theme=dark on a light system", scenarioAndTheme],
  ["the docs page renders its examples, axe-clean (screenshots light and dark)", docsPage],
];

await runTests(SCENARIOS, {
  server: {
    root: siteDir, csp: SITE_CSP, mounts: {
      "/t": pagesDir, "/scenario.html": join(pagesDir, "root"), "/__test__": join(repoRoot, "web", "node_modules", "axe-core"),
    },
  },
  timeoutMs: SCENARIO_TIMEOUT_MS,
  cleanup: () => rmSync(pagesDir, { recursive: true, force: true }),
});
