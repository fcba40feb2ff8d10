// An embedded lab as a reader sees it: a terminal on a lab in the page's
// lab worker, the crash buttons and the panels the embed asked for, all
// drawing from the lab's own store — the playground's parts (web/app),
// assembled small. Used by <persist-lab> (persist-lab.js, once the element
// is in view) and by embed.html (embed_page.js).
//
// Every lab of a page lives in ONE worker, started by the first lab to
// load: the engine is downloaded and compiled once, each lab gets its own
// engine instance and its own storage namespace (options.js labName).

import { LabWorker } from "../src/worker/lab_client.js";
import { Store } from "../app/store.js";
import { mountTerminal } from "../app/terminal_pane.js";
import { connectLab } from "../app/session.js";
import { setupTabs } from "../app/tabs.js";
import { h, uid } from "../app/dom.js";

/** @type {LabWorker | null} */
let sharedWorker = null;

/** The page's lab worker (site/worker.js, next to the loader). */
function labWorker(base) {
  sharedWorker ??= new LabWorker(new URL("worker.js", base));
  return sharedWorker;
}

// The panels an embed can ask for, each loaded only when asked for.
const PANELS = {
  report: { title: "Recovery report", mount: async (el, ctx) => (await import("../app/panels/report.js")).mountReport(el, ctx.store) },
  disk: { title: "Disk", mount: async (el, ctx) => (await import("../app/panels/disk.js")).mountDisk(el, ctx.store, ctx.actions) },
  clock: { title: "Clock", mount: async (el, ctx) => (await import("../app/panels/clock.js")).mountClock(el, ctx.store, ctx.actions) },
  persistence: {
    title: "Persistence",
    mount: async (el, ctx) => (await import("../app/panels/persistence.js")).mountPersistence(el, ctx.store, ctx.actions),
  },
};

const CRASHES = [
  { label: "Process crash", line: ".crash process", title: "Redis dies; the operating system's page cache survives." },
  { label: "Power loss", line: ".crash power", title: "The machine loses power; only fsynced bytes survive." },
  { label: "Torn write", line: ".crash torn", title: "Power loss in the middle of a write: part of an unsynced tail reaches the disk." },
];

/**
 * Mounts a lab into `root` (its children are replaced).
 * @param {HTMLElement} root
 * @param {import("./options.js").EmbedOptions} options
 * @param {{ name: string, base: string, isCurrent: () => boolean,
 *           fail: (problems: Array<{ attribute: string, message: string }>) => void,
 *           restart: () => void }} context
 *   name: the storage namespace; base: the URL of the site's root (worker.js,
 *   scenarios/); fail: replaces the lab by a message; restart: mounts anew
 * @returns {{ visible(on: boolean): void, dispose(): void }}
 */
export function mountLab(root, options, context) {
  const worker = labWorker(context.base);
  if (options.scenario) return mountScenario(root, options, context, worker);

  const parts = layout(options);
  root.replaceChildren(parts.frame);
  /** @type {Promise<import("../src/worker/lab_client.js").RemoteLab>} */
  let labReady = new Promise(() => {});
  const terminal = mountTerminal(parts.termBox, {
    lab: () => labReady,
    dotCommands: () => worker.engine("dotCommands"),
    theme: options.theme,
    // Each lab keeps its own history, next to its own storage namespace.
    historyKey: `persistlab:history:${context.name}`,
  });
  parts.termBox.addEventListener("focus", () => terminal.focus());
  const store = new Store();
  const actions = { submit: (line) => terminal.submit(line), lab: () => labReady, worker };
  for (const button of parts.crashBar?.querySelectorAll("button") ?? []) {
    button.addEventListener("click", () => actions.submit(/** @type {HTMLElement} */ (button).dataset.line));
  }
  if (parts.panelArea) mountPanels(parts.panelArea, options.panels.filter((p) => p in PANELS), { store, actions });

  const say = (text, action) => {
    parts.note.append(h("p", null, text, action ? [" ", action] : null));
    parts.note.hidden = false;
  };
  labReady = openLab(worker, options, context, say);
  const opened = labReady.then((lab) => {
    if (!context.isCurrent()) return lab;
    connectLab(lab, store, { onError: (e) => say(`The lab's storage failed: ${e.message}`) });
    if (lab.fallback) {
      say(`This browser gives the page no IndexedDB (${lab.fallback}): the lab runs in memory, and a reload starts it empty.`);
    }
    terminal.ready(lab.snapshot.prompt, lab.reportColorText);
    announceReady(root, context.name);
    runAtStart(lab, options.commands, terminal);
    return lab;
  }, (e) => {
    if (context.isCurrent() && !e.handled) {
      context.fail([{ attribute: "", message: `the engine refused to start the lab: ${e.message}` }]);
    }
    throw e;
  });
  opened.catch(() => {});
  return labControls(opened, terminal);
}

/** The lab's frame: a toolbar (with the crash buttons), a note line, the terminal and the tabbed panels. */
function layout(options) {
  const note = h("div", { class: "plab-note", role: "status", hidden: true });
  const termBox = h("div", { class: "term-box plab-terminal", tabindex: "-1" });
  const crashBar = options.panels.includes("crash")
    ? h("div", { class: "plab-crash", role: "group", "aria-label": "Pull the plug" },
      CRASHES.map((c) => h("button", { type: "button", class: "btn danger small", title: c.title, dataset: { line: c.line } }, c.label)),
      h("button", { type: "button", class: "btn primary small", dataset: { line: ".restart" } }, "Restart"))
    : null;
  const panelArea = options.panels.some((p) => p in PANELS) ? h("div", { class: "plab-panels" }) : null;
  const frame = h("div", { class: "plab-lab", role: "group", "aria-label": "PersistLab: a Redis lab in this page" },
    h("div", { class: "plab-toolbar" },
      h("span", { class: "plab-title" }, "PersistLab"),
      h("span", { class: "plab-hint" }, "redis-cli on a Redis 7.0 engine in your browser · ", h("kbd", null, ".help")),
      crashBar),
    note,
    h("div", { class: `plab-main${panelArea ? " with-panels" : ""}` }, termBox, panelArea));
  return { frame, note, termBox, crashBar, panelArea };
}

/** The lab answers: data-state, a performance mark and a bubbling event say so. */
function announceReady(root, name) {
  root.dataset.state = "ready";
  performance.mark("persist-lab:ready", { detail: name });
  root.dispatchEvent(new CustomEvent("persist-lab:ready", { bubbles: true, detail: { name } }));
}

/**
 * The lines of `commands`, typed into the terminal once the lab is up —
 * only when it opened empty: after a reload the lab's own data is back,
 * and running them again would change it (an INCR would count twice).
 */
async function runAtStart(lab, commands, terminal) {
  if (commands.length === 0 || (lab.report?.keys_after ?? 0) > 0) return;
  for (const line of commands) await terminal.submit(line);
}

/**
 * Opens the lab on its namespace. Another tab holding it, or a browser
 * without IndexedDB, still gets a lab (in memory, with a note saying so);
 * files that can't be recovered are offered for deletion.
 */
async function openLab(worker, options, context, say) {
  const request = { name: context.name, storage: options.storage, fallbackToMemory: true, config: options.config };
  try {
    return await worker.open(request);
  } catch (e) {
    if (/already open in another tab/.test(e.message)) {
      say("This lab is open in another tab, which owns its disk; here it runs in memory, and nothing typed survives a reload.");
      return worker.open({ ...request, name: `${context.name}~${Date.now()}`, storage: "memory" });
    }
    if (e.report) {
      const reset = h("button", { type: "button", class: "btn small", on: { click: () => {
        reset.disabled = true;
        worker.destroyLab(context.name).finally(() => context.restart());
      } } }, "Reset this lab (delete its files)");
      say(`The lab could not start: ${e.message}. Its files are untouched.`, reset);
      e.handled = true;
    }
    throw e;
  }
}

/** The tabbed panels; each panel's code is fetched when the lab mounts it. */
function mountPanels(area, names, ctx) {
  const tabs = names.map((name) => ({ name, tab: uid(`plab-tab-${name}`), panel: uid(`plab-panel-${name}`) }));
  const tablist = h("div", { class: "tabs", role: "tablist", "aria-label": "What the lab knows" },
    tabs.map((t, i) => h("button", { type: "button", role: "tab", id: t.tab, "aria-controls": t.panel,
      "aria-selected": String(i === 0), tabindex: i === 0 ? "0" : "-1" }, PANELS[t.name].title)));
  const panels = tabs.map((t, i) => h("div", { class: "plab-panel", role: "tabpanel", id: t.panel,
    "aria-labelledby": t.tab, tabindex: "0", hidden: i !== 0 }));
  area.append(tablist, ...panels);
  setupTabs(tablist);
  tabs.forEach((t, i) => PANELS[t.name].mount(panels[i], ctx));
}

/**
 * What the element asks of a mounted lab: pause its virtual clock while
 * it is off-screen (unless the reader paused it), and close it (and free
 * its terminal).
 */
function labControls(opened, terminal) {
  let pausedHere = false;
  let queue = Promise.resolve();
  let disposed = false;
  return {
    visible(on) {
      queue = queue.then(() => opened).then(async (lab) => {
        if (disposed) return;
        const clock = lab.snapshot.clock;
        if (!on && !clock.paused && lab.snapshot.state === "running") {
          pausedHere = true;
          await lab.clock("pause");
        } else if (on && pausedHere) {
          pausedHere = false;
          await lab.clock("play");
        }
      }).catch(() => {});
    },
    dispose() {
      disposed = true;
      terminal.dispose(); // its xterm and the stylesheets it added to the document
      opened.then((lab) => lab.close()).catch(() => {});
    },
  };
}

/**
 * A scenario from the site's scenarios/ in the tutorial's runner
 * (web/app/tutorial), which runs its own labs in the page's worker.
 */
function mountScenario(root, options, context, worker) {
  const container = h("div", { class: "plab-lab plab-scenario" });
  root.replaceChildren(container);
  /** @type {{ close(): Promise<void> } | null} */
  let mounted = null;
  const opened = (async () => {
    const response = await fetch(new URL("scenarios/index.json", context.base));
    const known = response.ok ? await response.json() : [];
    if (!known.some((s) => s.id === options.scenario)) {
      const message = `names no scenario of this site (its scenarios: ${known.map((s) => s.id).join(", ") || "none"})`;
      if (context.isCurrent()) context.fail([{ attribute: "scenario", message }]);
      throw Object.assign(new Error(message), { handled: true });
    }
    const { mountTutorial } = await import("../app/tutorial/tutorial.js");
    // The runner says what it shows with "tutorial-step" events ({ id, step }).
    let shown = null;
    container.addEventListener("tutorial-step", (e) => { shown = /** @type {CustomEvent} */ (e).detail.id; });
    const tutorial = await mountTutorial(container, { worker, base: context.base, historyKey: `persistlab:history:${context.name}` });
    mounted = tutorial;
    // The runner focuses the step it opens (right in the playground, where
    // the reader asked for it); an embed opens as the page scrolls by, so
    // the reader's focus stays where it was.
    const focused = document.activeElement;
    await tutorial.open(options.scenario);
    if (container.contains(document.activeElement)) {
      if (focused instanceof HTMLElement && focused !== document.body) focused.focus({ preventScroll: true });
      else /** @type {HTMLElement} */ (document.activeElement).blur();
    }
    if (shown !== options.scenario) {
      const message = "could not be opened by the tutorial's runner on this page";
      if (context.isCurrent()) context.fail([{ attribute: "scenario", message }]);
      throw Object.assign(new Error(message), { handled: true });
    }
    announceReady(root, context.name);
    return null;
  })();
  opened.catch((e) => {
    if (context.isCurrent() && !e.handled) context.fail([{ attribute: "scenario", message: `could not start: ${e.message}` }]);
  });
  // Removing the element destroys the scenario's lab.
  return { visible() {}, dispose() { mounted?.close().catch(() => {}); } };
}
