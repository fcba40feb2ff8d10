// Shared by the browser tests and bench/wasm: how to get playwright-core and
// how to start Debian's Chromium (never a downloaded browser).
import { createRequire } from "node:module";
import { readdirSync, readFileSync } from "node:fs";

export const CHROMIUM_PATH = process.env.PLAB_CHROMIUM ?? "/usr/bin/chromium";

// As root Chromium needs --no-sandbox; the rest keep it from phoning home or
// updating components while we measure.
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * Loads playwright-core from web/node_modules (the one npm package the JS
 * side pins). Throws an Error telling how to install it when missing.
 * @returns {typeof import("playwright-core")}
 */
export function loadPlaywright() {
  // playwright-core is CommonJS; resolve it as web/ would.
  const require = createRequire(new URL("../../web/package.json", import.meta.url));
  try {
    return require("playwright-core");
  } catch (e) {
    throw new Error(`playwright-core not found (run \`npm ci\` in web/): ${e.message}`);
  }
}

/**
 * Options for chromium.launch() / launchPersistentContext().
 * @returns {{executablePath: string, headless: boolean, args: string[]}}
 */
export function launchOptions() {
  return { executablePath: CHROMIUM_PATH, headless: true, args: [...CHROMIUM_ARGS] };
}

/**
 * Command lines of the processes that use userDataDir, by pid. Chromium
 * rewrites its helpers' argv into one space-separated string, so look for
 * substrings rather than exact arguments.
 * @param {string} userDataDir
 * @returns {Map<number, string>}
 */
function processesFor(userDataDir) {
  const found = new Map();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let cmd;
    try {
      cmd = readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " ");
    } catch {
      continue; // exited meanwhile
    }
    if (cmd.includes(`--user-data-dir=${userDataDir}`)) found.set(Number(entry), cmd);
  }
  return found;
}

/**
 * Pids of the Chromium browser processes (not renderers or helpers) that use
 * the given user-data-dir. A persistent context hides its process, and the
 * "kill" test needs to SIGKILL exactly that browser and nothing else.
 * @param {string} userDataDir
 * @returns {number[]}
 */
export function browserPidsFor(userDataDir) {
  return [...processesFor(userDataDir)]
    .filter(([, cmd]) => !cmd.includes(" --type="))
    .map(([pid]) => pid);
}

/**
 * Pids of every process (browser, renderers, helpers) using userDataDir.
 * @param {string} userDataDir
 * @returns {number[]}
 */
export function allPidsFor(userDataDir) {
  return [...processesFor(userDataDir).keys()];
}
