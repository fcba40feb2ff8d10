// The tutorial view: the scenarios in web/scenarios/ (listed by
// scenarios/index.json, which web/build.mjs writes), each run step by step
// beside a terminal and a recovery report of its own. A scenario is data
// (scenario.js validates it when it loads); this file is the page around
// it: the list, the scenario's frame, the lab's terminal and report, and
// moving between steps (step_view.js draws a step, run.js runs it).
//
// Every run opens its own lab in the worker, in memory, with the virtual
// clock paused at the scenario's start: runs are the same for every reader.
// Leaving a scenario destroys its lab.
//
// The container gets a "tutorial-step" event ({ id, step }, step 1-based;
// id null on the list) whenever what it shows changes, for the page's URL.

import { clockTime, h, replace, uid } from "../dom.js";
import { Store } from "../store.js";
import { mountTerminal } from "../terminal_pane.js";
import { mountReport } from "../panels/report.js";
import { mountDisk } from "../panels/disk.js";
import { setupTabs } from "../tabs.js";
import { ScenarioError, checkLines, parseScenario } from "./scenario.js";
import { ScenarioRun } from "./run.js";
import { drawStep, settingLine } from "./step_view.js";

const ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;

/**
 * @param {HTMLElement} container  #view-tutorial (or an embed's box)
 * @param {{ worker: import("../../src/worker/lab_client.js").LabWorker, base?: string | URL,
 *           historyKey?: string }} context
 *   base: the site's root URL, where scenarios/ is (default: the page's base URL);
 *   historyKey: where the tutorial terminal's history is kept
 *   (default "persistlab:history:tutorial", apart from the playground's)
 * @returns {Promise<{ open(id: string, step?: number): Promise<void>, close(): Promise<void> }>}
 *   open: shows scenario `id` at step `step` (1-based; steps before it are
 *   run first), or the list with a message when there is no such scenario;
 *   close: destroys the open scenario's lab (the view stays)
 */
export async function mountTutorial(container, context) {
  const view = new TutorialView(container, context.worker, context.base ?? document.baseURI);
  view.historyKey = context.historyKey ?? "persistlab:history:tutorial";
  await view.showList();
  return { open: (id, step) => view.open(id, step), close: () => view.leaveScenario() };
}

class TutorialView {
  constructor(container, worker, base) {
    this.container = container;
    this.worker = worker;
    this.base = base;
    this.listEl = h("section", { class: "pane tut-list", "aria-labelledby": "tut-list-heading" });
    this.scenarioEl = h("section", { class: "tut-scenario", hidden: true });
    replace(container, this.listEl, this.scenarioEl);
    /** @type {Array<{ id: string, title: string, summary: string }> | null} */
    this.index = null;
    /** @type {ScenarioRun | null} */
    this.run = null;
    this.stepIndex = 0;
    this.busy = false;
    /** A problem to show above the step (a lab that failed to open ...). */
    this.problem = "";
    this.store = new Store();
    /** Built the first time a scenario opens (xterm needs a visible box). */
    this.lab = null;
  }

  /** scenarios/index.json (once). */
  async loadIndex() {
    if (this.index) return this.index;
    const response = await fetch(new URL("scenarios/index.json", this.base));
    if (!response.ok) throw new Error(`scenarios/index.json: HTTP ${response.status}`);
    const list = await response.json();
    this.index = Array.isArray(list) ? list.filter((s) => ID_PATTERN.test(s?.id ?? "")) : [];
    return this.index;
  }

  async showList(message) {
    await this.leaveScenario();
    this.scenarioEl.hidden = true;
    this.listEl.hidden = false;
    let list = [];
    let problem = message ?? "";
    try {
      list = await this.loadIndex();
    } catch (e) {
      problem = `The scenarios could not be listed (${e.message}).`;
    }
    replace(this.listEl,
      h("h2", { id: "tut-list-heading", class: "pane-title", tabindex: "-1" }, "Tutorial ",
        h("span", { class: "hint" }, "each scenario runs on a lab of its own; predict, pull the plug, and read what the engine reports")),
      problem ? errorBox(problem) : null,
      list.length === 0 ? h("p", { class: "empty" }, "No scenarios yet.")
        : h("ol", { class: "tut-cards" }, list.map((s, i) => h("li", { class: "tut-card" },
          h("h3", null, h("span", { class: "tut-card-num" }, `${i + 1}`), " ", s.title),
          h("p", null, s.summary),
          h("button", { type: "button", class: "btn primary small", "aria-label": `Start: ${s.title}`,
            on: { click: () => this.open(s.id, 1) } }, "Start")))));
    this.announce(null, 0);
  }

  announce(id, step) {
    this.container.dispatchEvent(new CustomEvent("tutorial-step", { detail: { id, step } }));
  }

  /**
   * Opens scenario `id` at `step` (1-based). Steps before it are run
   * first, as a reader would have (predictions skipped), so the lab is in
   * the state the step expects.
   */
  async open(id, step = 1) {
    if (typeof id !== "string" || !ID_PATTERN.test(id)) return this.showList(`There is no scenario called “${String(id).slice(0, 80)}”.`);
    const list = await this.loadIndex().catch(() => []);
    if (!list.some((s) => s.id === id)) return this.showList(`There is no scenario called “${id.slice(0, 80)}”.`);
    let scenario;
    let kinds;
    try {
      ({ scenario, kinds } = await this.load(id));
    } catch (e) {
      return this.showList(e instanceof ScenarioError ? e.message : `Scenario ${id} could not be loaded: ${e.message}`);
    }
    await this.leaveScenario();
    const target = Math.min(Math.max(1, Math.floor(Number(step) || 1)), scenario.steps.length) - 1;
    this.showScenarioFrame(scenario);
    const run = new ScenarioRun(scenario, kinds, {
      worker: this.worker,
      submit: (line) => this.lab.terminal.submit(line),
      store: this.store,
      onLab: (lab, settings) => this.labOpened(lab, settings),
    });
    this.run = run;
    this.stepIndex = 0;
    this.problem = "";
    try {
      await this.withBusy(async () => {
        await run.enter(0);
        for (let i = 0; i < target && this.run === run; i++) await this.catchUp(run, i);
      });
    } catch (e) {
      // Left or replaced meanwhile: that is not this run's problem.
      if (this.run === run) await this.showList(`Scenario ${id} could not start: ${e.message}`);
      return;
    }
    if (this.run !== run) return;
    this.stepIndex = target;
    this.draw(true);
  }

  /** Fetches, validates and checks a scenario's lines with the engine. */
  async load(id) {
    const file = `${id}.json`;
    const response = await fetch(new URL(`scenarios/${file}`, this.base));
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    let data;
    try {
      data = await response.json();
    } catch (e) {
      throw new ScenarioError(file, [`(top): not JSON: ${e.message}`]);
    }
    const scenario = parseScenario(data, file);
    const kinds = await checkLines(scenario, (line) => this.worker.engine("parseLine", line), file);
    return { scenario, kinds };
  }

  /** Runs step i's commands as a reader who skipped its prediction. */
  async catchUp(run, i) {
    await run.enter(i);
    if (run.scenario.steps[i].prediction) run.answer(i, { skipped: true });
    while (run.canRunNext(i) && this.run === run) await run.runNext(i);
  }

  showScenarioFrame(scenario) {
    this.listEl.hidden = true;
    this.scenarioEl.hidden = false;
    if (!this.lab) this.lab = this.buildLabPane();
    this.stepEl = h("section", { class: "pane tut-step" });
    replace(this.scenarioEl,
      h("div", { class: "tut-head" },
        h("button", { type: "button", class: "btn small", on: { click: () => this.showList() } }, "← All scenarios"),
        h("h2", null, scenario.title),
        h("button", { type: "button", class: "btn small tut-restart", on: { click: () => this.open(scenario.id, 1) } }, "Start over")),
      h("div", { class: "tut-grid" }, this.stepEl, this.lab.pane));
  }

  /** The terminal, a status line and the report panel (kept across scenarios). */
  buildLabPane() {
    const termBox = h("div", { class: "term-box plab-terminal tut-term", tabindex: "-1" });
    const status = h("p", { class: "tut-lab-status" });
    const report = h("div", { class: "tut-report" });
    const failed = h("div", { class: "tut-report-failed", role: "alert", hidden: true });
    const ids = { report: uid("tut-tab-report"), disk: uid("tut-tab-disk"), reportPanel: uid("tut-panel-report"), diskPanel: uid("tut-panel-disk") };
    const tablist = h("div", { class: "tabs", role: "tablist", "aria-label": "What the lab knows" },
      h("button", { type: "button", role: "tab", id: ids.report, "aria-controls": ids.reportPanel, "aria-selected": "true" }, "Recovery report"),
      h("button", { type: "button", role: "tab", id: ids.disk, "aria-controls": ids.diskPanel, "aria-selected": "false", tabindex: "-1" }, "Disk"));
    const diskPanel = h("div", { id: ids.diskPanel, role: "tabpanel", "aria-labelledby": ids.disk, tabindex: "0", hidden: true });
    const pane = h("section", { class: "pane tut-lab", "aria-label": "The scenario's lab" },
      h("h3", { class: "pane-title" }, "Terminal ", h("span", { class: "hint" }, "you can type here too · ", h("kbd", null, "Esc"), " ", h("kbd", null, "Tab"), " leaves it")),
      termBox, status, tablist,
      h("div", { id: ids.reportPanel, role: "tabpanel", "aria-labelledby": ids.report, tabindex: "0" }, failed, report),
      diskPanel);
    // The pane is in the document from here on, so xterm can measure it
    // and the tabs find their panels.
    replace(this.scenarioEl, pane);
    const tabs = setupTabs(tablist);
    const lab = () => this.run?.lab() ?? Promise.reject(new Error("no scenario is open"));
    const terminal = mountTerminal(termBox, {
      lab,
      dotCommands: () => this.worker.engine("dotCommands"),
      // Tutorial lines stay out of the playground's own history.
      historyKey: this.historyKey,
    });
    termBox.addEventListener("focus", () => terminal.focus());
    mountReport(report, this.store);
    mountDisk(diskPanel, this.store, { lab, worker: this.worker });
    this.store.subscribe((state, changed) => {
      if (changed.has("lab") && state.lab) {
        const clock = state.lab.clock;
        replace(status, `Virtual time ${clockTime(clock.now)} UTC (${clock.paused ? "paused" : `running at ${clock.speed}×`}) · `,
          state.lab.state === "running" ? "server running" : `server down (${state.lab.downReason.split(":")[0]})`);
      }
    });
    // A restart's report is what the reader wants to see next.
    this.store.subscribe((state, changed) => {
      if (changed.has("restart") && state.restart) tabs.select(ids.report);
    });
    return { pane, terminal, status, failed, report, showReport: () => tabs.select(ids.report) };
  }

  labOpened(lab, settings) {
    const text = Object.entries(settings).map(([k, v]) => settingLine(k, v)).join(", ");
    this.lab.terminal.ready(lab.snapshot.prompt, `\x1b[90m-- a fresh lab: empty disk, clock at ${clockTime(lab.snapshot.clock.now)} UTC` +
      `${text ? `, ${text}` : ""} --\x1b[0m`);
  }

  async leaveScenario() {
    const run = this.run;
    this.run = null;
    if (run) await run.destroy();
  }

  /** Runs fn with the step's controls disabled; aria-busy says a line runs. */
  async withBusy(fn) {
    this.busy = true;
    this.stepEl?.setAttribute("aria-busy", "true");
    if (this.run) this.draw(false);
    try {
      await fn();
    } finally {
      this.busy = false;
      this.stepEl?.setAttribute("aria-busy", "false");
    }
  }

  /** Draws the current step; `focusHeading` after moving between steps. */
  draw(focusHeading) {
    const run = this.run;
    if (!run) return;
    const index = this.stepIndex;
    const active = /** @type {HTMLElement | null} */ (document.activeElement);
    const hadFocusInStep = this.stepEl.contains(active);
    drawStep(this.stepEl, {
      run, index, busy: this.busy,
      onRun: (all) => this.runCommands(all),
      onAnswer: (answer) => this.answer(answer),
      onGo: (i) => this.go(i),
      nextScenario: this.nextScenario(run.scenario.id),
    });
    if (this.problem) this.stepEl.prepend(errorBox(this.problem));
    this.drawFailure(run.failure);
    if (focusHeading) this.stepEl.querySelector("h3")?.focus();
    else if (hadFocusInStep && !this.stepEl.contains(document.activeElement)) this.focusNext();
    this.announce(run.scenario.id, index + 1);
  }

  /**
   * A failed restart: say so plainly where the report would be, with the
   * engine's reason, instead of leaving the last good report there.
   */
  drawFailure(failure) {
    const { failed, report } = this.lab;
    if (failure && failed.hidden) this.lab.showReport();
    failed.hidden = !failure;
    report.hidden = Boolean(failure);
    replace(failed, failure ? [h("strong", null, "The server did not start. "), failure,
      " The terminal above shows the engine's report of the failed load."] : []);
  }

  /** The scenario after `id` in the list, to offer at the end. */
  nextScenario(id) {
    const list = this.index ?? [];
    const at = list.findIndex((s) => s.id === id);
    const next = at >= 0 ? list[at + 1] : undefined;
    return next ? { title: next.title, open: () => this.open(next.id, 1) } : undefined;
  }

  /** Keeps keyboard focus on what comes next after a redraw. */
  focusNext() {
    const candidates = [".tut-cmd.next button:not(:disabled)", ".tut-predict input", ".tut-outcome",
      ".tut-nav .btn.primary:not(:disabled)", "h3"];
    for (const selector of candidates) {
      const el = /** @type {HTMLElement | null} */ (this.stepEl.querySelector(selector));
      if (el) {
        if (el.classList.contains("tut-outcome")) el.setAttribute("tabindex", "-1");
        el.focus();
        return;
      }
    }
  }

  async runCommands(all) {
    const run = this.run;
    if (!run || this.busy) return;
    const index = this.stepIndex;
    try {
      await this.withBusy(async () => {
        do {
          await run.runNext(index);
        } while (all && run.canRunNext(index) && this.run === run);
      });
    } catch (e) {
      if (this.run !== run) return;
      this.problem = `The command could not run: ${e.message}`;
    }
    if (this.run === run && this.stepIndex === index) this.draw(false);
  }

  answer(answer) {
    if (!this.run || this.busy) return;
    this.run.answer(this.stepIndex, answer);
    this.draw(false);
  }

  async go(index) {
    const run = this.run;
    if (!run || this.busy || index < 0 || index >= run.scenario.steps.length) return;
    try {
      await this.withBusy(() => run.enter(index));
      this.problem = "";
    } catch (e) {
      if (this.run !== run) return;
      this.problem = `The step's fresh lab could not open: ${e.message}`;
      this.draw(false);
      return;
    }
    if (this.run !== run) return;
    this.stepIndex = index;
    this.draw(true);
  }
}

/** A problem in words (scenario errors are one per line; shown as text). */
function errorBox(message) {
  const [first, ...rest] = message.split("\n").map((l) => l.trim()).filter(Boolean);
  return h("div", { class: "tut-error", role: "alert" }, h("p", null, first),
    rest.length ? h("ul", null, rest.map((line) => h("li", { class: "mono" }, line))) : null);
}
