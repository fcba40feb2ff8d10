// The playground page: a terminal on a lab running in a Web Worker, and the
// panels that show what the lab knows. Data flows one way: the worker's
// events feed the store, panels draw from the store; buttons and panel
// controls type lines into the terminal (a crash button runs
// `.crash power` exactly as if typed), so the terminal always shows what
// happened and how to do it by hand.

import { LabWorker } from "../src/worker/lab_client.js";
import { Store } from "./store.js";
import { setupTabs } from "./tabs.js";
import { mountTerminal } from "./terminal_pane.js";
import { mountPersistence } from "./panels/persistence.js";
import { mountClock } from "./panels/clock.js";
import { mountReport } from "./panels/report.js";
import { mountDisk } from "./panels/disk.js";
import { mountStorage } from "./panels/storage.js";
import { showBanner } from "./panels/banner.js";
import { connectLab } from "./session.js";
import { readLink, replaySession } from "./share.js";
import { mountShareButton } from "./panels/share_button.js";

performance.mark("plab:app"); // the page's code starts (bench/playground)

const LAB_NAME = "playground";
// The persistence settings survive reloads, as if every CONFIG SET were
// followed by CONFIG REWRITE: a reload is a restart of the same server.
const CONFIG_KEY = "persistlab:config";

// Started first: the worker fetches and compiles the engine while the page
// builds itself.
// worker.js sits next to the page (this module is under assets/).
const worker = new LabWorker(new URL("worker.js", document.baseURI));
const store = new Store();
/** @type {Promise<import("../src/worker/lab_client.js").RemoteLab>} */
let labReady;

function savedConfig() {
  try {
    const config = JSON.parse(localStorage.getItem(CONFIG_KEY) ?? "null");
    return config && typeof config === "object" ? config : undefined;
  } catch {
    return undefined;
  }
}

function saveConfig(config) {
  try {
    if (config && Object.keys(config).length > 0) localStorage.setItem(CONFIG_KEY, JSON.stringify(config));
  } catch {
    // Storage full or blocked: the settings just won't survive a reload.
  }
}

/**
 * Opens the playground lab on IndexedDB (the worker falls back to memory
 * when the browser gives it none). Falls back, with a banner saying why,
 * when another tab holds the lab or the saved settings are refused; when
 * the files on disk cannot be recovered it offers to reset the lab.
 */
async function openLab() {
  const base = { name: LAB_NAME, storage: "indexeddb", fallbackToMemory: true, config: savedConfig() };
  try {
    return await worker.open(base);
  } catch (e) {
    if (/already open in another tab/.test(e.message)) {
      showBanner("PersistLab is already open in another tab, which owns the lab's disk. " +
        "This tab runs a separate lab in memory: nothing here survives a reload.");
      return worker.open({ ...base, name: `${LAB_NAME}-${Date.now()}`, storage: "memory" });
    }
    if (e.report) {
      showBanner(`The lab could not start: ${e.message}. Its files are untouched; ` +
        "reset the lab to start from an empty disk.", {
        action: "Reset the lab (delete its files)",
        onAction: () => worker.destroyLab(LAB_NAME).finally(() => location.reload()),
      });
      throw e;
    }
    if (base.config) {
      localStorage.removeItem(CONFIG_KEY);
      showBanner(`The saved settings were refused (${e.message}); the lab started with Redis's defaults.`);
      return worker.open({ ...base, config: undefined });
    }
    throw e;
  }
}

/**
 * A shared session's lab: fresh, in memory, opened as the recorded one was
 * (its settings, its virtual start, the clock paused for the replay).
 * @param {import("./share.js").Session} session
 */
async function openShared(session) {
  try {
    return await worker.open({
      name: `shared-session-${Date.now()}`, storage: "memory", config: session.config,
      clock: { start: session.start, paused: true },
    });
  } catch (e) {
    showBanner(`The shared session's settings were refused (${e.message}); your own lab opened instead.`);
    return null;
  }
}

/** @type {{ select(id: string): void }} */
let views;
/** @type {Promise<{ open(id: string, step?: number): Promise<void> }> | null} */
let tutorialView = null;

/**
 * The tutorial view, mounted the first time it is shown. It runs its own
 * labs (in memory, one per scenario run) beside the playground's.
 */
function tutorial() {
  tutorialView ??= import("./tutorial/tutorial.js").then((m) =>
    m.mountTutorial(/** @type {HTMLElement} */ (document.getElementById("view-tutorial")), { worker }));
  return tutorialView;
}

async function main() {
  const terminal = mountTerminal(/** @type {HTMLElement} */ (document.getElementById("terminal")), {
    lab: () => labReady,
    dotCommands: () => worker.engine("dotCommands"),
  });
  // The skip link lands on the terminal's box: hand focus to xterm's input.
  document.getElementById("terminal")?.addEventListener("focus", () => terminal.focus());
  const actions = {
    /** Types a line into the terminal and runs it. */
    submit: (line) => terminal.submit(line),
    lab: () => labReady,
    worker,
  };
  views = setupTabs(/** @type {HTMLElement} */ (document.querySelector(".views")), (id) => {
    if (id === "tab-compare") import("./compare/compare.js").then((m) => m.mountCompare(actions));
    if (id === "tab-tutorial") tutorial();
  });
  setupTabs(/** @type {HTMLElement} */ (document.querySelector("#inspect .tabs")));
  for (const button of document.querySelectorAll(".crash-bar [data-line]")) {
    button.addEventListener("click", () => actions.submit(/** @type {HTMLElement} */ (button).dataset.line));
  }
  const screenReader = /** @type {HTMLInputElement} */ (document.getElementById("screen-reader"));
  screenReader.addEventListener("change", () => terminal.setScreenReaderMode(screenReader.checked));
  // The prompt first: the panels are built once it has been painted.
  await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));

  mountPersistence(/** @type {HTMLElement} */ (document.getElementById("persistence")), store, actions);
  mountClock(/** @type {HTMLElement} */ (document.getElementById("clock")), store, actions);
  mountReport(/** @type {HTMLElement} */ (document.getElementById("panel-report")), store);
  mountDisk(/** @type {HTMLElement} */ (document.getElementById("panel-disk")), store, actions);

  mountStorage(/** @type {HTMLElement} */ (document.getElementById("storage-status")), store);
  mountShareButton(/** @type {HTMLButtonElement} */ (document.getElementById("share-session")),
    /** @type {HTMLElement} */ (document.getElementById("share-out")), () => labReady);
  const link = readLink(location.search);
  for (const problem of link.problems) showBanner(problem);
  const shared = link.session ? await openShared(link.session) : null;
  labReady = shared ? Promise.resolve(shared) : openLab();
  const lab = await labReady;
  connectLab(lab, store, {
    // A shared session's settings are not the reader's own: not saved.
    onState: shared ? undefined : (snapshot) => saveConfig(snapshot.config),
    onError: (e) => showBanner(`The lab's storage failed: ${e.message}`),
  });
  if (lab.fallback) {
    showBanner(`This browser gives the page no IndexedDB (${lab.fallback}); a private window can do that. ` +
      "The lab runs on an in-memory disk: crashes and restarts work, but a reload starts from nothing.");
  }
  terminal.ready(lab.snapshot.prompt, lab.reportColorText);
  if (shared && link.session) {
    showBanner(`Replaying a shared session: ${link.session.lines.length} commands in a fresh lab in memory, ` +
      "with its clock paused (.clock play runs it); your own lab is untouched.", {
      action: "Back to my lab", onAction: () => location.assign(location.pathname),
    });
    await replaySession(link.session, lab, actions.submit);
  }
  if (link.scenario) {
    views.select("tab-tutorial");
    (await tutorial()).open(link.scenario, link.step).catch((e) => showBanner(`The scenario could not open: ${e.message}`));
  }
}

main().catch((e) => {
  showBanner(`The playground could not start: ${e.message}`);
  console.error(e);
});
