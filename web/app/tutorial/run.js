// One reader's run of a scenario: the lab it runs on (in memory, clock
// paused at the scenario's start, so every run is the same), what each
// step's commands did, the reader's answers. Commands go through the
// terminal exactly as if typed — the reader sees the real line and reply —
// and after each one the run records what measures read (measures.js): the
// line's output, the lab's snapshot, and for a `.restart` the engine's
// recovery report and keyspace diff.

import { connectLab } from "../session.js";
import { evaluateOutcome } from "./measures.js";
import { gateIndex, persistenceFor, startTime } from "./scenario.js";

let labCount = 0;

/**
 * @typedef {{ start: any, commands: Array<{ line: string, kind: string, output: string,
 *             snapshot: any, restart?: any }> }} StepRecord
 * @typedef {{ choice?: number, number?: number, skipped?: boolean }} Answer
 */

export class ScenarioRun {
  /**
   * @param {any} scenario validated (scenario.js)
   * @param {string[][]} kinds each step's command kinds (checkLines)
   * @param {{ worker: import("../../src/worker/lab_client.js").LabWorker,
   *           submit: (line: string) => Promise<{ output: string, prompt: string }>,
   *           store: import("../store.js").Store,
   *           onLab?: (lab: any, settings: Record<string, string|number>) => void }} context
   */
  constructor(scenario, kinds, context) {
    this.scenario = scenario;
    this.kinds = kinds;
    this._context = context;
    /** @type {Promise<import("../../src/worker/lab_client.js").RemoteLab> | null} */
    this.labReady = null;
    /** @type {import("../../src/worker/lab_client.js").RemoteLab | null} */
    this._lab = null;
    /** The step whose lab is open (a step with a reset gets a fresh one). */
    this._labStep = -1;
    /** @type {StepRecord[]} */
    this.records = scenario.steps.map(() => ({ start: null, commands: [] }));
    /** @type {(Answer | null)[]} */
    this.answers = scenario.steps.map(() => null);
    this._lastRestart = null;
    this._destroyed = false;
    /**
     * Why the lab's last restart failed (the engine's message), until a
     * restart succeeds or a fresh lab opens: the report panel only hears
     * of restarts that worked.
     */
    this.failure = null;
  }

  /** The lab for the terminal (waits while one opens). */
  lab() {
    if (!this.labReady) throw new Error("the scenario's lab is not open");
    return this.labReady;
  }

  /**
   * Makes sure the lab `stepIndex` runs on is open: the first step's, or a
   * fresh one when the step resets.
   */
  async enter(stepIndex) {
    const needsFresh = this.labReady === null || (this.scenario.steps[stepIndex].reset && this._labStep < stepIndex &&
      this.records[stepIndex].commands.length === 0);
    if (needsFresh) await this._openLab(stepIndex);
  }

  async _openLab(stepIndex) {
    const old = this._lab;
    this._lab = null;
    const settings = persistenceFor(this.scenario, stepIndex);
    this._labStep = stepIndex;
    this.labReady = (async () => {
      if (old) await old.destroy().catch(() => {});
      const lab = await this._context.worker.open({
        name: `tutorial-${this.scenario.id}-${++labCount}-${Date.now().toString(36)}`,
        storage: "memory",
        config: settings,
        clock: { start: startTime(this.scenario), paused: true },
      });
      if (this._destroyed) {
        await lab.destroy().catch(() => {});
        throw new Error("the scenario was closed");
      }
      lab.on("restart", (detail) => {
        this._lastRestart = detail;
        this.failure = null;
      });
      this.failure = null;
      connectLab(lab, this._context.store);
      // A fresh lab has nothing to report yet.
      this._context.store.set({ restart: null, marks: [] });
      this._lab = lab;
      this._context.onLab?.(lab, settings);
      return lab;
    })();
    await this.labReady;
  }

  /** How many of the step's commands have run. */
  ranCount(stepIndex) {
    return this.records[stepIndex].commands.length;
  }

  /** The 1-based command that waits for the prediction (Infinity: none). */
  gate(stepIndex) {
    return gateIndex(this.scenario.steps[stepIndex], this.kinds[stepIndex]);
  }

  /** Whether the next command of the step may run now. */
  canRunNext(stepIndex) {
    const step = this.scenario.steps[stepIndex];
    const next = this.ranCount(stepIndex) + 1;
    if (next > (step.commands?.length ?? 0)) return false;
    return next < this.gate(stepIndex) || this.answers[stepIndex] !== null;
  }

  /**
   * Runs the step's next command through the terminal and records it.
   * @returns {Promise<void>}
   */
  async runNext(stepIndex) {
    if (!this.canRunNext(stepIndex)) return;
    const lab = await this.lab();
    const record = this.records[stepIndex];
    const i = record.commands.length;
    const line = this.scenario.steps[stepIndex].commands[i];
    const kind = this.kinds[stepIndex][i];
    if (i === 0) record.start = await lab.refresh();
    // Claimed before the line runs, so a double click can't run it twice.
    const entry = { line, kind, output: "", snapshot: null, restart: undefined };
    record.commands.push(entry);
    this._lastRestart = null;
    const { output } = await this._context.submit(line);
    entry.output = output;
    entry.snapshot = await lab.refresh();
    if (kind === "restart") {
      // A restart whose recovery failed reports ok: false with the engine's
      // report (its error says why); the lab is down.
      const r = this._lastRestart;
      entry.restart = r && r.ok !== false
        ? { report: r.report, diff: r.diff }
        : { failed: true, report: r?.report ?? null, error: r?.report?.error || entry.snapshot.downReason || "the server did not start" };
      if (entry.restart.failed) this.failure = entry.restart.error;
    }
  }

  /** Records the reader's answer (or that they skipped it). */
  answer(stepIndex, answer) {
    this.answers[stepIndex] = answer;
  }

  /** The step's outcome once all its commands have run, else null. */
  outcome(stepIndex) {
    const step = this.scenario.steps[stepIndex];
    if (!step.outcome || this.ranCount(stepIndex) < step.commands.length) return null;
    return evaluateOutcome(step, this.records[stepIndex], this.kinds[stepIndex], this.answers[stepIndex]);
  }

  /** The last restart of the step failed (the report panel can't show it). */
  failedRestart(stepIndex) {
    const last = [...this.records[stepIndex].commands].reverse().find((c) => c.kind === "restart");
    return last?.restart?.failed ? last.restart.error : null;
  }

  /** Destroys the lab (leaving the scenario). */
  async destroy() {
    this._destroyed = true;
    const ready = this.labReady;
    this.labReady = null;
    if (!ready) return;
    try {
      const lab = await ready;
      await lab.destroy();
    } catch {
      // Never opened, or already gone.
    }
  }
}
