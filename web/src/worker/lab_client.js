// The page's side of the lab worker: the same calls as the JS API
// (PersistLab), answered by labs running in a Web Worker.
//
//   const worker = new LabWorker(new URL("./worker.js", import.meta.url));
//   const lab = await worker.open({ name: "playground", config: { appendonly: "yes" } });
//   const { output, prompt } = await lab.line("INCR counter");
//   lab.on("state", (snapshot) => render(snapshot));
//
// protocol.js documents the messages.

export class LabWorker {
  /** @param {string | URL} url the worker script (worker.js of the site) */
  constructor(url) {
    this._worker = new Worker(url, { type: "module" });
    this._nextId = 1;
    /** @type {Map<number, { resolve: Function, reject: Function }>} */
    this._calls = new Map();
    /** @type {Map<number, RemoteLab>} */
    this._labs = new Map();
    this._worker.onmessage = ({ data }) => this._receive(data);
    this._worker.onerror = (e) => this._fail(new Error(`the lab worker failed: ${e.message ?? "error"}`));
  }

  /**
   * Opens a lab in the worker (PersistLab.open's options).
   * @returns {Promise<RemoteLab>}
   */
  async open(options) {
    const { handle, snapshot, report, text, colorText, fallback } = await this.call("open", undefined, [options]);
    const lab = new RemoteLab(this, handle, snapshot, report, text, colorText);
    /** Why the lab runs in memory although IndexedDB was asked for ("" if it doesn't). */
    lab.fallback = fallback ?? "";
    this._labs.set(handle, lab);
    return lab;
  }

  /** An engine function that needs no lab (annotateRdb, helpText, dotHelp). */
  engine(fn, ...args) {
    return this.call("engine", undefined, [fn, ...args]);
  }

  /** Deletes a lab's IndexedDB data (it must not be open anywhere). */
  destroyLab(name) {
    return this.call("destroyLab", undefined, [name]);
  }

  terminate() {
    this._worker.terminate();
    this._fail(new Error("the lab worker was terminated"));
  }

  call(op, lab, args = []) {
    const id = this._nextId++;
    return new Promise((resolve, reject) => {
      this._calls.set(id, { resolve, reject });
      this._worker.postMessage({ id, op, lab, args });
    });
  }

  _receive(data) {
    if (data.event !== undefined) {
      this._labs.get(data.lab)?._event(data.event, data.detail);
      return;
    }
    const call = this._calls.get(data.id);
    if (!call) return;
    this._calls.delete(data.id);
    if (data.ok) {
      call.resolve(data.value);
    } else {
      const error = new Error(data.error.message);
      error.report = data.error.report;
      error.text = data.error.text;
      error.colorText = data.error.colorText;
      call.reject(error);
    }
  }

  _fail(error) {
    for (const call of this._calls.values()) call.reject(error);
    this._calls.clear();
  }
}

/** A lab living in the worker. Calls on it run in order. */
export class RemoteLab {
  constructor(worker, handle, snapshot, report, text, colorText) {
    this._worker = worker;
    this._handle = handle;
    /** The latest state the worker sent (see protocol.js LabSnapshot). */
    this.snapshot = snapshot;
    /** The recovery report of the open, and its text. */
    this.report = report;
    this.reportText = text;
    this.reportColorText = colorText;
    /** @type {Map<string, Set<Function>>} */
    this._listeners = new Map();
  }

  /** A terminal line: { output, prompt, clear }. */
  line(text) { return this._call("line", text); }
  exec(command) { return this._call("exec", command); }
  execMany(commands) { return this._call("execMany", commands); }
  crash(kind, seed) { return this._call("crash", kind, seed); }
  restart() { return this._call("restart"); }
  /** "pause" | "play" | "speed" (value = factor) | "advance" (value = ms) */
  clock(action, value) { return this._call("clock", action, value); }
  files() { return this._call("files"); }
  readFile(name) { return this._call("readFile", name); }
  /** The engine's annotation of an RDB file, entries first .. first + count - 1. */
  annotate(name, first, count) { return this._call("annotate", name, first, count); }
  /** The session so far, for a shared link: { start, config, keysAtStart, lines: [[atMs, line]] }. */
  recording() { return this._call("recording"); }
  /** An order-independent digest of the keyspace (hex): equal digests, equal data. */
  digest() { return this._call("digest"); }
  close() { return this._call("close"); }
  destroy() { return this._call("destroy"); }

  /**
   * "state" (a snapshot), "log", "save", "rewrite", "fsync", "crash",
   * "restart", "error". Returns the unsubscribe function.
   */
  on(event, fn) {
    if (!this._listeners.has(event)) this._listeners.set(event, new Set());
    this._listeners.get(event).add(fn);
    return () => this._listeners.get(event)?.delete(fn);
  }

  /** Fetches the lab's state now (labs opened with `quiet` send no "state" events). */
  async refresh() {
    this.snapshot = await this._call("snapshot");
    return this.snapshot;
  }

  _call(op, ...args) {
    const call = this._worker.call(op, this._handle, args);
    if (op === "close" || op === "destroy") call.finally(() => this._worker._labs.delete(this._handle)).catch(() => {});
    return call;
  }

  _event(event, detail) {
    if (event === "state") this.snapshot = detail;
    for (const fn of this._listeners.get(event) ?? []) fn(detail);
  }
}
