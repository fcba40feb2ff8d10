// Real-browser tests of the PersistLab JS API: Debian's Chromium driven by
// playwright-core, pages served by ./server.mjs from build/wasm/dist.
//   node tests/browser/run.mjs [name-substring ...]
// Prints "ok - name" / "not ok - name: reason" per scenario, then
// "N passed, M failed"; exits 1 if any failed.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { start, CSP } from "./server.mjs";
import { allPidsFor, browserPidsFor, launchOptions, loadPlaywright } from "./browser.mjs";

const repoRoot = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const distDir = resolve(process.env.PLAB_WASM_DIST ?? join(repoRoot, "build", "wasm", "dist"));
const SCENARIO_TIMEOUT_MS = 45_000;

/** Collects what pages report and answers what they ask (see pages/harness.js). */
class Channel {
  constructor() {
    /** @type {object[]} every non-ack event, in arrival order */
    this.events = [];
    /** @type {object[]} every acknowledged write a page reported */
    this.acks = [];
    /** @type {Object<string, any>} answers to plabAsk(question) */
    this.answers = {};
    this.waiters = new Set();
  }

  /**
   * Exposes plabReport/plabAsk on a page or on every page of a context.
   * @param {import("playwright-core").Page | import("playwright-core").BrowserContext} target
   */
  async attach(target) {
    await target.exposeFunction("plabReport", (ev) => this.push(ev));
    await target.exposeFunction("plabAsk", (q) => this.answers[q] ?? null);
  }

  /**
   * Turns uncaught page errors into "error" events so waits fail fast.
   * @param {import("playwright-core").Page} page
   */
  watch(page) {
    page.on("pageerror", (e) => this.push({ type: "error", message: `uncaught: ${e.message}` }));
  }

  /** @param {object} ev */
  push(ev) {
    if (ev?.type === "acks") this.acks.push(...ev.items);
    else this.events.push(ev);
    for (const check of this.waiters) check();
  }

  /** @returns {number} index to pass as `since` to only see later events */
  mark() {
    return this.events.length;
  }

  /**
   * Resolves when pred holds (for an event from index `since` on, or for the
   * channel when pred takes none); rejects on a page error or timeout.
   * @param {string} what for the timeout message
   * @param {(ev?: object) => boolean} pred
   * @param {{since?: number, timeoutMs?: number, onEvent?: boolean}} [opts]
   * @returns {Promise<object|undefined>}
   */
  wait(what, pred, { since = 0, timeoutMs = 20_000, onEvent = true } = {}) {
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      const check = () => {
        for (let i = since; i < this.events.length; i++) {
          const ev = this.events[i];
          if (ev.type === "error") {
            done();
            reject(new Error(`page error: ${ev.message}`));
            return;
          }
          if (onEvent && pred(ev)) {
            done();
            resolve(ev);
            return;
          }
        }
        if (!onEvent && pred()) {
          done();
          resolve(undefined);
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  /**
   * @param {string} type
   * @param {{since?: number, timeoutMs?: number}} [opts]
   */
  waitType(type, opts) {
    return this.wait(`a "${type}" event from the page`, (ev) => ev.type === type, opts);
  }

  /**
   * @param {number} n
   * @param {number} [timeoutMs]
   */
  waitAcks(n, timeoutMs = 20_000) {
    return this.wait(`${n} acknowledged writes (have ${this.acks.length})`,
      () => this.acks.length >= n, { timeoutMs, onEvent: false });
  }
}

/** Prints a diagnostic line that TAP-like readers ignore. */
const note = (msg) => console.log(`# ${msg}`);

/**
 * Runs window.plabCleanup() (the page's lab.destroy()) and fails the
 * scenario if it rejects: every scenario must leave no IndexedDB data behind.
 * @param {import("playwright-core").Page} page
 */
/**
 * Runs `fn({ page, ch, context })` on a new page in a fresh context whose
 * messages `ch` (a Channel attached to the page) collects; closes it after.
 */
async function withPage(browser, fn) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const ch = new Channel();
    await ch.attach(page);
    ch.watch(page);
    return await fn({ page, ch, context });
  } finally {
    await context.close();
  }
}

async function cleanup(page) {
  await page.evaluate(() => window.plabCleanup());
}

/** Lists keys (at most 5) for failure messages. */
const some = (list) => list.slice(0, 5).map((x) => JSON.stringify(x)).join(", ") +
  (list.length > 5 ? `, ... (${list.length} in all)` : "");

// a. appendfsync always: every write acknowledged before a reload survives it.
async function alwaysReload({ browser, base }) {
  await withPage(browser, async ({ page, ch }) => {
    ch.answers.mode = "write";
    await page.goto(`${base}/always.html?lab=always-reload`);
    await ch.waitType("writing");
    await ch.waitAcks(400);
    ch.answers.mode = "check";
    const since = ch.mark();
    await page.reload();
    const state = await ch.waitType("state", { since });
    const incrs = ch.acks.filter((a) => a.kind === "incr");
    const sets = ch.acks.filter((a) => a.kind === "set");
    const maxIncr = Math.max(...incrs.map((a) => a.value));
    note(`always: ${incrs.length} INCR + ${sets.length} SET acknowledged before the reload; ` +
      `after it counter=${state.counter}, ${Object.keys(state.keys).length} keys`);
    assert.ok(Number(state.counter) >= maxIncr,
      `counter after reload ${state.counter} < acknowledged INCR ${maxIncr}`);
    const missing = sets.filter((a) => state.keys[a.key] !== a.value).map((a) => a.key);
    assert.equal(missing.length, 0, `acknowledged SETs missing after reload: ${some(missing)}`);
    await cleanup(page);
  });
}

/**
 * SIGKILLs the browser using userDataDir and waits until none of its
 * processes is left (leftover helpers are killed by pid too).
 * @param {string} userDataDir
 * @returns {number} Date.now() at the kill
 */
async function killBrowser(userDataDir) {
  const pids = browserPidsFor(userDataDir);
  assert.equal(pids.length, 1, `expected one browser process for ${userDataDir}, found ${pids}`);
  const killedAt = Date.now();
  process.kill(pids[0], "SIGKILL");
  for (let i = 0; i < 100 && allPidsFor(userDataDir).length > 0; i++) await sleep(100);
  for (const pid of allPidsFor(userDataDir)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  return killedAt;
}

// b. appendfsync everysec + browser killed: writes acknowledged more than
// ~1.5 s before the kill survive (everysec may lose up to about a second).
async function everysecKill({ chromium, base }) {
  const dir = mkdtempSync(join(tmpdir(), "plab-everysec-"));
  const url = `${base}/everysec.html?lab=everysec-kill`;
  let context = null;
  try {
    context = await chromium.launchPersistentContext(dir, launchOptions());
    const ch = new Channel();
    await ch.attach(context);
    ch.answers.mode = "write";
    const page = context.pages()[0] ?? await context.newPage();
    ch.watch(page);
    await page.goto(url);
    await ch.waitType("writing");
    await sleep(3000);
    const closed = new Promise((ok) => context.once("close", ok));
    const killedAt = await killBrowser(dir);
    await Promise.race([closed, sleep(5000)]);
    context = null;
    const acks = ch.acks.slice();

    context = await chromium.launchPersistentContext(dir, launchOptions());
    const ch2 = new Channel();
    await ch2.attach(context);
    ch2.answers.mode = "check";
    const page2 = context.pages()[0] ?? await context.newPage();
    ch2.watch(page2);
    await page2.goto(url);
    const state = await ch2.waitType("state");

    const lost = (a) => state.keys[a.key] !== a.value;
    const old = acks.filter((a) => a.t <= killedAt - 1500);
    const lastSecond = acks.filter((a) => a.t > killedAt - 1000);
    note(`everysec: ${acks.length} SETs acknowledged; ${old.length} more than 1.5 s before the kill ` +
      `(${old.filter(lost).length} missing); ${lastSecond.length} in the last second ` +
      `(${lastSecond.filter(lost).length} missing)`);
    // How stale the recovered data is: the age at the kill of the oldest
    // acknowledged write that is missing (everysec promises about 1 s).
    const missingAges = acks.filter(lost).map((a) => killedAt - a.t);
    if (missingAges.length > 0) {
      note(`everysec: oldest missing write was acknowledged ${Math.max(...missingAges)} ms before the kill`);
    }
    assert.ok(old.length > 0, "no write was acknowledged more than 1.5 s before the kill");
    const missing = old.filter(lost).map((a) => a.key);
    assert.equal(missing.length, 0, `writes acknowledged > 1.5 s before the kill are missing: ${some(missing)}`);
    const files = (state.report?.files ?? []).map((f) => f.name);
    assert.ok(files.some((f) => /\.aof$/.test(f)), `the recovery report names no AOF file: ${JSON.stringify(files)}`);
    assert.equal(state.report.keys_after, Object.keys(state.keys).length, "report.keys_after vs the keys found");
    await cleanup(page2);
  } finally {
    await context?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// c. Two labs on one page keep separate data, also after a reload.
async function twoLabs({ browser, base }) {
  await withPage(browser, async ({ page, ch }) => {
    const expected = {
      left: { "only:left": "L", shared: "from-left", n: "1" },
      right: { "only:right": "R", shared: "from-right", n: "2" },
    };
    ch.answers.mode = "write";
    await page.goto(`${base}/two_labs.html?left=left&right=right`);
    const written = await ch.waitType("state");
    assert.deepEqual({ left: written.left, right: written.right }, expected, "right after the writes");
    ch.answers.mode = "check";
    const since = ch.mark();
    await page.reload();
    const reloaded = await ch.waitType("state", { since });
    assert.deepEqual({ left: reloaded.left, right: reloaded.right }, expected, "after a reload");
    await cleanup(page);
  });
}

// d. Under a strict CSP the module loads and answers PING, with no violation.
async function strictCsp({ browser, base }) {
  await withPage(browser, async ({ page, ch }) => {
    const response = await page.goto(`${base}/csp/ping.html`);
    assert.equal(response.headers()["content-security-policy"], CSP, "the page was not served with the CSP");
    const state = await ch.waitType("state");
    assert.deepEqual(state.violations, [], "CSP violations while loading and running the module");
    assert.equal(state.reply, "PONG");
    assert.equal(state.text, "PONG");
    // The control: an eval must be blocked and seen by the listener, or the
    // "no violations" above proves nothing.
    assert.ok(state.evalBlocked, "eval was not blocked: the CSP is not in force");
    assert.ok(state.controlViolations >= 1, "the violation listener missed the blocked eval");
  });
}

// e. A second tab can't open a lab the first one holds; it can once closed.
async function twoTabsLock({ browser, base }) {
  const context = await browser.newContext();
  try {
    const ch = new Channel();
    await ch.attach(context);
    const url = (tab) => `${base}/lock.html?lab=lock-tabs&tab=${tab}`;
    const first = await context.newPage();
    ch.watch(first);
    await first.goto(url("first"));
    const a = await ch.wait("the first tab's attempt", (ev) => ev.type === "attempt" && ev.tab === "first");
    assert.ok(a.opened, `the first tab could not open the lab: ${a.error}`);
    const second = await context.newPage();
    ch.watch(second);
    await second.goto(url("second"));
    const b = await ch.wait("the second tab's attempt", (ev) => ev.type === "attempt" && ev.tab === "second");
    assert.equal(b.opened, false, "the second tab opened a lab the first tab holds");
    assert.match(b.error, /already open in another tab or window/);
    await first.evaluate(() => window.plabLock.close());
    const c = await second.evaluate(() => window.plabLock.tryOpen());
    assert.ok(c.opened, `after the first tab closed the lab, the second still can't open it: ${c.error}`);
    assert.equal(c.ping, "PONG");
    await second.evaluate(() => window.plabLock.destroy());
  } finally {
    await context.close();
  }
}

// f. Power loss under appendfsync no: restart() reports lost keys, and a
// reload finds exactly what restart() recovered.
async function powerLoss({ browser, base }) {
  await withPage(browser, async ({ page, ch }) => {
    ch.answers.mode = "write";
    await page.goto(`${base}/power.html?lab=power-loss`);
    const r = await ch.waitType("restarted");
    note(`power: DBSIZE ${r.before} before the power loss, ${r.after} after restart(); ` +
      `diff.counts ${JSON.stringify(r.diff?.counts)}`);
    assert.ok(r.diff?.counts?.lost > 0, `diff.counts.lost is not > 0: ${JSON.stringify(r.diff?.counts)}`);
    assert.ok(Array.isArray(r.diff.lost), "diff.lost is not an array");
    // k:0..k:99 were written back before the power loss, k:100..k:199 not.
    const lostKeys = r.diff.lost.map((x) => (typeof x === "string" ? x : x.key)).sort();
    const expectedLost = Array.from({ length: 100 }, (_, i) => `k:${i + 100}`).sort();
    assert.deepEqual(lostKeys, expectedLost, "diff.lost is not exactly the keys never written back");
    assert.equal(r.diff.counts.lost, 100, "diff.counts.lost vs diff.lost");
    const stillThere = lostKeys.filter((k) => k in r.keys);
    assert.equal(stillThere.length, 0, `keys reported lost are still there: ${some(stillThere)}`);
    const kept = Array.from({ length: 100 }, (_, i) => `k:${i}`).filter((k) => r.keys[k] !== `v${k.slice(2)}`);
    assert.equal(kept.length, 0, `keys written back before the power loss are gone: ${some(kept)}`);
    assert.equal(r.after, Object.keys(r.keys).length, "DBSIZE after restart() vs KEYS *");
    ch.answers.mode = "check";
    const since = ch.mark();
    await page.reload();
    const state = await ch.waitType("state", { since });
    assert.equal(state.dbsize, r.after, "DBSIZE after the reload differs from what restart() recovered");
    assert.deepEqual(state.keys, r.keys, "data after the reload differs from what restart() recovered");
    await cleanup(page);
  });
}

const SCENARIOS = [
  ["always + reload keeps every acknowledged write", alwaysReload],
  ["everysec + browser kill loses at most the last second", everysecKill],
  ["two labs on one page stay separate", twoLabs],
  ["strict CSP page loads the module and answers PING", strictCsp],
  ["second tab gets \"already open\"", twoTabsLock],
  ["power loss under appendfsync no: restart() diff and reload agree", powerLoss],
];

/**
 * Rejects after ms unless promise settles first.
 * @template T
 * @param {Promise<T>} promise
 * @param {number} ms
 * @returns {Promise<T>}
 */
function withTimeout(promise, ms) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`scenario timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * An error as one line of at most 600 characters (assert's diffs are long).
 * @param {unknown} e
 */
function oneLine(e) {
  const text = String(e?.message ?? e).replace(/\s*\n\s*/g, " ");
  return text.length > 600 ? `${text.slice(0, 600)} ...` : text;
}

async function runAll() {
  const filters = process.argv.slice(2);
  const chosen = SCENARIOS.filter(([name]) => filters.length === 0 || filters.some((f) => name.includes(f)));
  let passed = 0;
  let failed = 0;
  let server = null;
  let browser = null;
  try {
    if (!existsSync(join(distDir, "persistlab.js"))) {
      throw new Error(`${distDir}/persistlab.js not found: build it with ./scripts/build wasm`);
    }
    const { chromium } = loadPlaywright();
    server = await start({ distDir });
    browser = await chromium.launch(launchOptions());
    note(`Chromium ${browser.version()}, pages at ${server.url}/`);
    for (const [name, fn] of chosen) {
      const t0 = Date.now();
      try {
        await withTimeout(fn({ chromium, browser, base: server.url }), SCENARIO_TIMEOUT_MS);
        passed++;
        console.log(`ok - ${name} (${Date.now() - t0} ms)`);
      } catch (e) {
        failed++;
        console.log(`not ok - ${name}: ${oneLine(e)}`);
      }
    }
  } catch (e) {
    failed++;
    console.log(`not ok - setup: ${oneLine(e)}`);
  } finally {
    await browser?.close();
    await server?.close();
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

process.exitCode = await runAll();
