// The page's one store of lab state. Data flows one way: the worker's
// events go in here (applyEvent), panels subscribe and draw; user actions
// never write here directly — they become terminal lines or lab calls,
// whose effects come back as events.

/**
 * @typedef {{ at: number, kind: string, label: string, detail?: string }} Mark
 *   a timeline mark: virtual time, kind (save, rewrite, fsync, crash,
 *   restart, config, bgsave-start, rewrite-start), short label, longer text
 * @typedef {{
 *   lab: import("../src/worker/protocol.js").LabSnapshot | null,
 *   receivedAt: number,
 *   marks: Mark[],
 *   restart: { report: any, diff: any, text: string, at: number } | null,
 *   storage: { kind: "indexeddb" | "memory", reason?: string, persisted?: boolean,
 *              usage?: number, quota?: number } | null,
 * }} State
 */

const MAX_MARKS = 2000;

export class Store {
  constructor() {
    /** @type {State} */
    this.state = { lab: null, receivedAt: 0, marks: [], restart: null, storage: null };
    /** @type {Set<(state: State, changed: Set<string>) => void>} */
    this._subscribers = new Set();
  }

  /**
   * Calls fn now and after every change, with the names of the fields
   * that changed (panels skip work that is not theirs).
   */
  subscribe(fn) {
    this._subscribers.add(fn);
    fn(this.state, new Set(Object.keys(this.state)));
    return () => this._subscribers.delete(fn);
  }

  /** @param {Partial<State>} patch */
  set(patch) {
    this.state = { ...this.state, ...patch };
    const changed = new Set(Object.keys(patch));
    for (const fn of this._subscribers) fn(this.state, changed);
  }

  /** @param {Mark} mark */
  addMark(mark) {
    const marks = this.state.marks.length >= MAX_MARKS ? this.state.marks.slice(-MAX_MARKS / 2) : [...this.state.marks];
    // fsyncs come many per second under always: one mark per virtual 100 ms.
    const last = marks[marks.length - 1];
    if (mark.kind === "fsync" && last?.kind === "fsync" && mark.at - last.at < 100) {
      last.count = (last.count ?? 1) + 1;
      this.set({ marks });
      return;
    }
    marks.push(mark);
    this.set({ marks });
  }

  /** The lab's virtual time now, extrapolated from the last snapshot. */
  virtualNow() {
    const lab = this.state.lab;
    if (!lab) return 0;
    if (lab.clock.paused || lab.state !== "running") return lab.clock.now;
    return lab.clock.now + (performance.now() - this.state.receivedAt) * lab.clock.speed;
  }
}
