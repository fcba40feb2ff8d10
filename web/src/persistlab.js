// PersistLab's JS API: a Redis with real persistence in a page (or in node),
// whose disk is IndexedDB. Closing or reloading the tab is a real power
// loss: what comes back is exactly what the engine had made durable.
//
//   import { PersistLab } from "./persistlab.js";
//   const lab = await PersistLab.open({ name: "demo", config: { appendonly: "yes" } });
//   await lab.exec("INCR counter");             // { reply: 1, text: "(integer) 1" }
//   await lab.crash("power");
//   const { report, diff } = await lab.restart();
//
// How durability maps onto IndexedDB: the engine runs synchronously on a
// simulated disk (SimDisk) whose syncs complete at once; after every batch
// of commands and every clock tick this module takes the disk's durable
// changes (appends, truncates, renames: the SimDisk journal) and commits
// them to the lab's IndexedDB database in one transaction. A batch that made
// something durable (appendfsync always, SAVE, ...) is answered only once
// that transaction committed with durability "strict" — Redis's "reply
// after fsync". Background fsyncs (everysec) and kernel writeback commit
// "relaxed" and answer nothing. Transactions commit in order, so IndexedDB
// always holds a state the simulated disk really had.

import { acquireLabLock } from "./lab_lock.js";
import { deleteMirror, openMirror } from "./idb_mirror.js";
import { MemoryMirror } from "./memory_mirror.js";
import { commandName, commandProblem, encodeBatch, parseReply } from "./resp.js";
import { LabClock } from "./lab_clock.js";
import { instantiateEngine } from "./engine_loader.js";

const CRASH_KINDS = ["process", "power", "torn"];

/**
 * One command's result. `text` (redis-cli's rendering) is computed on first
 * use: most batch results are never printed.
 */
class ExecResult {
  #batch;
  #start;
  #end;
  #command;
  constructor(reply, batch, start, end, command) {
    /** The decoded reply (see resp.js parseReply for the mapping). */
    this.reply = reply;
    this.#batch = batch;
    this.#start = start;
    this.#end = end;
    this.#command = command;
  }
  /** What redis-cli would print for this reply. */
  get text() {
    if (this.#batch === null) return "";
    const raw = this.#batch.out.subarray(this.#start, this.#end);
    return this.#batch.engine.Lab.formatReply(raw, commandName(this.#command));
  }
  toJSON() {
    return { reply: this.reply, text: this.text };
  }
}

/** Config object -> [[name, value], ...] with string values. */
function configPairs(config) {
  if (config === undefined || config === null) return [];
  if (typeof config !== "object") throw new TypeError("config must be an object of Redis parameters");
  return Object.entries(config).map(([name, value]) => {
    const text = Array.isArray(value) ? value.join(" ") : String(value);
    return [name, text];
  });
}

/** Engine log lines -> the events a page listens to. */
function eventsOf(line) {
  const m = line.message;
  if (m === "DB saved on disk" || m === "Background saving terminated with success") {
    return [["save", line]];
  }
  if (m === "Background AOF rewrite finished successfully") return [["rewrite", line]];
  return [];
}

export class PersistLab {
  /**
   * Opens (or creates) the lab `name`: loads its files from IndexedDB and
   * runs Redis's startup recovery on them.
   * @param {{ name: string, config?: Record<string, string|number|string[]>,
   *           storage?: "indexeddb" | "memory",
   *           indexedDB?: IDBFactory, IDBKeyRange?: typeof IDBKeyRange, clock?: { start?: number, speed?: number, paused?: boolean },
   *           wasmUrl?: string | URL }} options
   *   storage: where the durable disk lives — "indexeddb" (default: survives
   *   reloads, one tab at a time) or "memory" (this page only, no lock:
   *   compare mode, and pages without IndexedDB).
   * @returns {Promise<PersistLab>} rejects with an Error when the name or the
   *   config is bad, the lab is open elsewhere, or recovery fails (then
   *   `error.report` is the recovery report).
   */
  static async open(options) {
    const { name, config } = options ?? {};
    if (typeof name !== "string" || name === "") throw new TypeError("PersistLab.open needs a name");
    const pairs = configPairs(config);
    const storage = options.storage ?? "indexeddb";
    if (storage !== "indexeddb" && storage !== "memory") {
      throw new TypeError(`storage must be "indexeddb" or "memory", not ${JSON.stringify(storage)}`);
    }
    // The engine downloads and compiles while the lock and IndexedDB open.
    const engineReady = instantiateEngine(options.wasmUrl);
    engineReady.catch(() => {}); // awaited below; don't report it twice
    // A memory lab shares nothing with other tabs: no lock to take.
    const lock = storage === "memory" ? { release() {} } : await acquireLabLock(name);
    let mirror = null;
    try {
      mirror = storage === "memory" ? new MemoryMirror(name) : await openMirror(name, idbOptions(options));
      const engine = await engineReady;
      const lab = new PersistLab(name, pairs, engine, mirror, lock, options);
      await lab._boot();
      return lab;
    } catch (e) {
      mirror?.close();
      lock.release();
      throw e;
    }
  }

  /**
   * Deletes a lab's IndexedDB data (it must not be open).
   * @param {string} name
   * @param {{ indexedDB?: IDBFactory, IDBKeyRange?: typeof IDBKeyRange }} [options]
   */
  static async destroy(name, options = {}) {
    const lock = await acquireLabLock(name);
    try {
      await deleteMirror(name, idbOptions(options));
    } finally {
      lock.release();
    }
  }

  constructor(name, pairs, engine, mirror, lock, options) {
    this.name = name;
    /** "indexeddb" or "memory": where the durable disk lives. */
    this.storageKind = mirror instanceof MemoryMirror ? "memory" : "indexeddb";
    /** The recovery report of the last open or restart. */
    this.report = null;
    /** The engine's text rendering of that report (and the diff), plain and with ANSI colours. */
    this.reportText = "";
    this.reportColorText = "";
    this._pairs = pairs;
    this._engine = engine;
    this._mirror = mirror;
    this._lock = lock;
    this._options = options;
    this._wasm = null;
    this._closed = false;
    this._listeners = new Map();
    this._replies = Promise.resolve(); // resolves when every earlier reply may go out
    this._commits = Promise.resolve(); // the last IndexedDB commit
    this._commitError = null;
    this.clock = new LabClock(options.clock ?? {}, () => this._advance());
    this._timer = null;
  }

  /** "running", "down" or "closed". A failed IndexedDB commit takes the lab down. */
  get state() {
    if (this._closed) return "closed";
    if (this._commitError) return "down";
    return this._wasm ? this._wasm.state() : "down";
  }

  /** Why the lab is down ("" while running). */
  get downReason() {
    if (this._commitError) return this._commitError.message;
    return this._downReason ?? this._wasm?.downReason() ?? "";
  }

  // --- commands ---------------------------------------------------------

  /**
   * Runs one command. Resolves with { reply, text } once Redis would have
   * answered (after the IndexedDB commit when the command needed an fsync).
   * @param {string | Array<string|number|Uint8Array>} command
   */
  async exec(command) {
    const [result] = await this.execMany([command]);
    return result;
  }

  /**
   * Runs commands as one batch (one event-loop turn of Redis: one fsync for
   * all of them under appendfsync always). Resolves with one result each.
   * @param {Array<string | Array<string|number|Uint8Array>>} commands
   */
  async execMany(commands) {
    if (!Array.isArray(commands)) throw new TypeError("execMany takes an array of commands");
    for (const c of commands) {
      const problem = commandProblem(c);
      if (problem) throw new TypeError(problem);
    }
    this._checkRunning();
    this._syncClock();
    const out = this._call(() => this._wasm.runBatch(encodeBatch(commands)));
    const results = this._decode(out, commands);
    const durable = this._flush("strict");
    this._afterEngine();
    // Replies go out in order, and a batch that made something durable is
    // answered only after IndexedDB has it.
    // Once any IndexedDB commit has failed, the engine's memory holds
    // writes the disk never got: no reply may go out after that, or a GET
    // could show a value that was never durable. Every pending and later
    // reply rejects with that error until restart() reloads IndexedDB.
    const ready = Promise.all([this._replies, durable ?? Promise.resolve()]).then(() => {
      if (this._commitError) throw this._commitError;
    });
    this._replies = ready.catch(() => {});
    await ready;
    return results;
  }

  // --- crashes ------------------------------------------------------------

  /**
   * Pulls the plug: "process" (Redis dies, the OS page cache survives),
   * "power" (only what was fsynced or written back survives) or "torn"
   * (power loss where some unsynced sectors reached the disk). The lab is
   * down until restart().
   * @param {"process"|"power"|"torn"} kind
   * @param {{ seed?: number }} [options] the torn write's random seed
   */
  async crash(kind = "power", options = {}) {
    if (!CRASH_KINDS.includes(kind)) {
      throw new TypeError(`crash kind must be one of ${CRASH_KINDS.join(", ")}`);
    }
    this._checkRunning();
    this._syncClock();
    const seed = options.seed ?? Math.floor(Math.random() * 2 ** 32);
    // The engine names the kinds (core/io/crash_kind.h) and refuses others.
    if (!this._call(() => this._wasm.crash(kind, seed))) throw new TypeError(`unknown crash kind: ${kind}`);
    await this._flush("strict");
    this._emit("crash", { kind, reason: this.downReason });
  }

  /**
   * Starts Redis again on what the disk kept (a clean restart when the lab
   * is running). Resolves with the recovery report and a diff against the
   * keys before the crash; rejects when recovery fails (the lab stays down,
   * its files untouched; `error.report` says why).
   */
  async restart() {
    this._checkOpen();
    if (this._commitError) {
      // The engine's disk ran ahead of IndexedDB: recover from what
      // IndexedDB really holds, as a reload of the page would.
      this._stopTimer();
      this._freeEngine();
      this._commitError = null;
    }
    if (!this._wasm) {
      await this._reviveEngine();
      const result = { report: this.report, diff: null, text: this.reportText, colorText: this.reportColorText };
      this._emit("restart", result);
      return result;
    }
    this._syncClock();
    const outcome = JSON.parse(this._call(() => this._wasm.restart()));
    await this._flush("strict");
    this._afterEngine();
    this.report = outcome.report;
    this.reportText = outcome.text ?? "";
    this.reportColorText = outcome.color_text ?? this.reportText;
    if (!outcome.ok) throw recoveryError(outcome);
    // text: the engine's own rendering of the report and diff (what the
    // REPL's .restart prints), so no page has to write a second one.
    const result = {
      report: outcome.report, diff: outcome.diff ?? null, text: this.reportText, colorText: this.reportColorText,
    };
    this._emit("restart", result);
    return result;
  }

  // --- files ------------------------------------------------------------

  /** Every file: name, written bytes (page cache) and durable bytes. */
  files() {
    this._checkOpen();
    if (!this._wasm) return [];
    return this._call(() => this._wasm.files());
  }

  /**
   * A file's current bytes (what a reader on the machine would see).
   * @param {string} name
   * @returns {Uint8Array}
   */
  readFile(name) {
    this._checkOpen();
    const bytes = this._wasm ? this._call(() => this._wasm.readFile(String(name))) : null;
    if (bytes === null) throw new Error(`no such file: ${name}`);
    return bytes;
  }

  /**
   * What this lab has put into IndexedDB: { transactions, bytesPut, chunks }
   * (bytesPut stays within 1.5x of the bytes the engine made durable).
   */
  get storage() {
    return { ...this._mirror.stats };
  }

  // --- what a terminal and the playground's panels show ------------------

  /** The embind module (its static tools: Lab.parseLine, Lab.helpText, annotateRdb ...). */
  get engineModule() {
    return this._engine;
  }

  /** redis-cli's prompt for the lab's client: "plab> ", "plab[2]> ", "plab(TX)> ". */
  prompt() {
    return this._wasm && this.state === "running" ? this._wasm.prompt() : "not connected> ";
  }

  /** The engine's rendering of files() (what the REPL's .files prints). */
  filesText(color = false) {
    this._checkOpen();
    return this._wasm ? this._call(() => this._wasm.filesText(color)) : "";
  }

  /**
   * Current values of Redis parameters, read without running a command (so
   * INFO commandstats only counts what the user typed).
   * @param {string[]} names
   * @returns {Record<string, string>}
   */
  configGet(names) {
    this._checkRunning();
    return JSON.parse(this._call(() => this._wasm.configGet(names)));
  }

  /** INFO persistence's fields, read without running a command. */
  persistenceInfo() {
    this._checkRunning();
    return JSON.parse(this._call(() => this._wasm.persistenceInfo()));
  }

  /**
   * What the current persistence settings promise a crash may lose:
   * { policy, windowMs, sentence, ... } (core/lab/promise.h).
   */
  promise() {
    this._checkRunning();
    return JSON.parse(this._call(() => this._wasm.promise()));
  }

  /** Disk counters: fsyncs, directory syncs, bytes written, files, durable bytes. */
  stats() {
    this._checkOpen();
    return this._wasm ? JSON.parse(this._call(() => this._wasm.stats())) : null;
  }

  /** An order-independent digest of the live keyspace (hex), to compare states. */
  digest() {
    this._checkRunning();
    return this._call(() => this._wasm.digest());
  }

  // --- events -------------------------------------------------------------

  /**
   * Subscribes to "save", "rewrite", "fsync", "crash", "restart", "log" or
   * "error". Returns the unsubscribe function.
   */
  on(event, fn) {
    if (!this._listeners.has(event)) this._listeners.set(event, new Set());
    this._listeners.get(event).add(fn);
    return () => this._listeners.get(event)?.delete(fn);
  }

  // --- lifetime -------------------------------------------------------------

  /** Waits for pending IndexedDB commits, then frees the engine and the lock. */
  async close() {
    if (this._closed) return;
    this._stopTimer();
    await this._commits.catch(() => {});
    this._closed = true;
    this._freeEngine();
    this._mirror.close();
    this._lock.release();
  }

  /** Closes the lab and deletes its IndexedDB data. */
  async destroy() {
    const wasOpen = !this._closed;
    await this.close();
    if (!wasOpen || this.storageKind === "memory") return;
    await deleteMirror(this.name, idbOptions(this._options));
  }

  // --- internals --------------------------------------------------------

  async _boot() {
    const wasm = new this._engine.Lab(this.clock.now());
    const { inodes, names, dirs } = this._mirror.image;
    for (const [id, bytes] of inodes) wasm.bootInode(id, bytes);
    for (const [path, id] of names) wasm.bootName(path, id);
    for (const dir of dirs) wasm.bootDir(dir);
    this._wasm = wasm;
    const outcome = JSON.parse(this._call(() => wasm.open(this._pairs)));
    await this._flush("strict");
    this._afterEngine();
    this.report = outcome.report ?? null;
    this.reportText = outcome.text ?? "";
    this.reportColorText = outcome.color_text ?? this.reportText;
    if (!outcome.ok) {
      this._freeEngine();
      throw outcome.report ? recoveryError(outcome) : new Error(outcome.error);
    }
    this._startTimer();
  }

  /** After a wasm abort: a fresh instance booted from IndexedDB. */
  async _reviveEngine() {
    await this._commits.catch(() => {});
    if (this.storageKind === "indexeddb") {
      this._mirror.close();
      this._mirror = await openMirror(this.name, idbOptions(this._options));
    }
    this._engine = await instantiateEngine(this._options.wasmUrl);
    this._downReason = undefined;
    await this._boot();
  }

  _checkOpen() {
    if (this._closed) throw new Error(`lab "${this.name}" is closed`);
  }

  _checkRunning() {
    this._checkOpen();
    if (this._commitError) throw this._commitError;
    if (this.state !== "running") {
      throw new Error(`the server is down (${this.downReason}); call restart()`);
    }
  }

  /** Runs a wasm call; an abort becomes an engine crash, not a page error. */
  _call(fn) {
    try {
      return fn();
    } catch (e) {
      this._freeEngine();
      this._downReason = `engine aborted: ${e?.message ?? e}`;
      this._stopTimer();
      this._emit("crash", { kind: "abort", reason: this._downReason });
      throw new Error(`the engine aborted (${e?.message ?? e}); restart() reloads it from IndexedDB`);
    }
  }

  _freeEngine() {
    if (this._wasm) {
      try {
        this._wasm.delete();
      } catch {
        // An aborted instance can't free anything; it is dropped whole.
      }
    }
    this._wasm = null;
  }

  /** One reply per command; commands after a SHUTDOWN get none. */
  _decode(out, commands) {
    const batch = { out, engine: this._engine };
    const results = new Array(commands.length);
    let at = 0;
    for (let i = 0; i < commands.length; i++) {
      if (at >= out.length) {
        results[i] = new ExecResult(null, null, 0, 0, commands[i]);
        continue;
      }
      const { value, end } = parseReply(out, at);
      results[i] = new ExecResult(value, batch, at, end, commands[i]);
      at = end;
    }
    return results;
  }

  /**
   * Commits the engine's durable changes so far; returns the commit's
   * promise, or null when there was nothing to commit.
   */
  _flush(durability) {
    if (!this._wasm) return null;
    const ops = this._wasm.takeOps();
    if (ops.length === 0) return null;
    const commit = this._mirror.commit(ops, { durability });
    const fsynced = this._appendedFiles(ops);
    const done = commit.then(
      () => {
        if (fsynced.length > 0) this._emit("fsync", { files: fsynced, durability });
      },
      (e) => {
        // The first failure is the one to report; later commits are refused
        // because of it. The clock stops: ticks would only pile up more.
        if (!this._commitError) {
          this._commitError = new Error(`IndexedDB commit failed: ${e?.message ?? e}`);
          this._stopTimer();
          this._emit("error", this._commitError);
        }
        throw this._commitError;
      });
    this._commits = done.catch(() => {});
    return done;
  }

  /**
   * [{ name, bytes }] appended per file, for the "fsync" event. Names come
   * from the mirror, whose image already includes `ops` once commit() was
   * called; a file whose last name went in the same batch shows as #inode.
   */
  _appendedFiles(ops) {
    const bytes = new Map();
    for (const op of ops) {
      if (op.kind === "append") bytes.set(op.inode, (bytes.get(op.inode) ?? 0) + op.data.length);
    }
    if (bytes.size === 0) return [];
    const pathOf = new Map();
    for (const [path, inode] of this._mirror.image.names) pathOf.set(inode, path);
    return [...bytes].map(([inode, n]) => ({ name: pathOf.get(inode) ?? `#${inode}`, bytes: n }));
  }

  /** Log lines and the events derived from them. */
  _afterEngine() {
    if (!this._wasm) return;
    for (const line of this._wasm.takeLog()) {
      this._emit("log", line);
      for (const [event, detail] of eventsOf(line)) this._emit(event, detail);
    }
  }

  _emit(event, detail) {
    for (const fn of this._listeners.get(event) ?? []) {
      try {
        fn(detail);
      } catch (e) {
        // A listener's bug must not break the lab.
        setTimeout(() => { throw e; });
      }
    }
  }

  _syncClock() {
    if (this._wasm && this.state === "running") this._call(() => this._wasm.tick(this.clock.now()));
  }

  /** One cron period: the clock moves, background fsyncs commit relaxed. */
  _tick() {
    if (this._closed || !this._wasm) return;
    try {
      this._call(() => this._wasm.tick(this.clock.now()));
    } catch {
      return; // reported as a crash already
    }
    this._flush("relaxed")?.catch(() => {});
    this._afterEngine();
  }

  async _advance() {
    this._tick();
    await this._commits;
  }

  _startTimer() {
    this._stopTimer();
    this._timer = setInterval(() => this._tick(), 100);
    // In node a lab must not keep the process alive.
    this._timer.unref?.();
  }

  _stopTimer() {
    if (this._timer !== null) clearInterval(this._timer);
    this._timer = null;
  }
}

/** Where the lab's IndexedDB is (the page's own unless a test gives one). */
function idbOptions(options) {
  return { indexedDB: options?.indexedDB, IDBKeyRange: options?.IDBKeyRange };
}

function recoveryError(outcome) {
  const error = new Error(outcome.error || outcome.report?.error || "recovery failed");
  error.report = outcome.report;
  error.text = outcome.text ?? "";
  error.colorText = outcome.color_text ?? error.text;
  return error;
}
