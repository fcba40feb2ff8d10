// Driving the playground page as a reader does — by keyboard, reading the
// terminal's rows — for the browser tests and bench/playground. The page
// has no test hooks: a running line is announced by aria-busy on the
// terminal element, the terminal's text is xterm's rows in the DOM.

/** The terminal's prompt row (the real prompt, not "connecting"). */
export const PROMPT = /^(plab(\[\d+\])?(\(TX\))?|not connected)> ?$/;

/**
 * Opens the playground in a new page of `context` and waits until the lab
 * answers (the real prompt is drawn).
 * @param {import("playwright-core").BrowserContext} context
 * @param {string} url the site's origin
 * @param {string} [query] e.g. "?x=1"
 */
export async function openPlayground(context, url, query = "") {
  const page = await context.newPage();
  await page.goto(`${url}/${query}`);
  await page.waitForFunction(() => performance.getEntriesByName("plab:ready").length > 0, null, { timeout: 30_000 });
  await installRunCounter(page);
  return page;
}

/** Counts completed terminal lines (aria-busy going back to "false"). */
export async function installRunCounter(page) {
  await page.evaluate(() => {
    const el = document.getElementById("terminal");
    window.__plabRuns = 0;
    new MutationObserver(() => {
      if (el.getAttribute("aria-busy") === "false") window.__plabRuns++;
    }).observe(el, { attributes: true, attributeFilter: ["aria-busy"] });
  });
}

/** The terminal's visible rows, trailing spaces trimmed. */
export function screen(page) {
  return page.$$eval(".xterm-rows > div", (rows) =>
    rows.map((r) => (r.textContent ?? "").replace(/\u00a0/g, " ").trimEnd()));
}

/**
 * Types `line` into the terminal, presses Enter, and waits until the lab
 * has answered and the prompt is back. Returns the rows printed between the
 * echoed line and the new prompt.
 * @param {import("playwright-core").Page} page
 * @param {string} line
 * @param {{ timeoutMs?: number }} [options]
 */
export async function runLine(page, line, { timeoutMs = 20_000 } = {}) {
  const before = await page.evaluate(() => window.__plabRuns);
  await page.locator(".xterm-helper-textarea").focus();
  await page.keyboard.type(line);
  await page.keyboard.press("Enter");
  await page.waitForFunction((n) => window.__plabRuns > n, before, { timeout: timeoutMs });
  return outputOf(page, line);
}

/**
 * Like runLine, but types wherever the keyboard focus already is (to check
 * that focus is in the terminal).
 */
export async function runLineHere(page, line, { timeoutMs = 20_000 } = {}) {
  const before = await page.evaluate(() => window.__plabRuns);
  await page.keyboard.type(line);
  await page.keyboard.press("Enter");
  await page.waitForFunction((n) => window.__plabRuns > n, before, { timeout: timeoutMs });
  return outputOf(page, line);
}

/**
 * Runs a line through an element's click (a button that types into the
 * terminal) and waits like runLine.
 */
export async function clickAndWait(page, selector, { timeoutMs = 20_000 } = {}) {
  const before = await page.evaluate(() => window.__plabRuns);
  await page.click(selector);
  await page.waitForFunction((n) => window.__plabRuns > n, before, { timeout: timeoutMs });
}

/** Rows after the last echo of `line` up to the prompt that follows it. */
export async function outputOf(page, line) {
  // The prompt is drawn right after the output, and xterm renders on the
  // next frame: wait until the last non-empty row is a prompt.
  await page.waitForFunction((re) => {
    const rows = [...document.querySelectorAll(".xterm-rows > div")]
      .map((r) => (r.textContent ?? "").replace(/\u00a0/g, " ").trimEnd()).filter((r) => r !== "");
    return new RegExp(re).test(rows[rows.length - 1] ?? "");
  }, PROMPT.source, { timeout: 10_000 });
  const rows = await screen(page);
  let start = -1;
  for (let i = rows.length - 1; i >= 0; i--) {
    if (rows[i].endsWith(`> ${line}`) || rows[i].endsWith(`>${line}`)) {
      start = i;
      break;
    }
  }
  if (start < 0) return rows;
  const out = [];
  for (let i = start + 1; i < rows.length && !PROMPT.test(rows[i]); i++) out.push(rows[i]);
  while (out.length && out[out.length - 1] === "") out.pop();
  return out;
}

/** Waits until no line runs and no BGSAVE/rewrite is shown as running. */
export async function waitIdle(page, timeoutMs = 120_000) {
  await page.waitForFunction(() => {
    const busy = document.getElementById("terminal")?.getAttribute("aria-busy") === "true";
    const status = document.querySelector("#persistence .status-line")?.textContent ?? "";
    return !busy && !/running/.test(status);
  }, null, { timeout: timeoutMs });
}
