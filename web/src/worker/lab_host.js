// LabHost: one PersistLab as the playground's worker runs it — the lab, the
// shell that turns a typed line into what the terminal prints, and the
// snapshots of lab state the page's panels draw.
//
// The shell's grammar (what is a Redis command, `help`, `clear`, a
// dot-command and its arguments) and every text it prints (replies, HELP,
// the recovery report and diff, the file list) come from the engine
// (core/lab/lab_shell.h, lab_text.h), so this terminal and the native REPL
// behave the same. This file only dispatches: each dot-command maps to one
// call of the JS API (crash, restart, clock, files).

import { PersistLab } from "../persistlab.js";

// Parameters the persistence panel shows (CONFIG GET'ed after they may change).
const CONFIG_NAMES = [
  "appendonly", "appendfsync", "save", "aof-use-rdb-preamble",
  "auto-aof-rewrite-percentage", "auto-aof-rewrite-min-size", "aof-load-truncated", "hz",
];

// Lines a session link keeps at most (a link is a URL: keep it shareable).
const MAX_RECORDED_LINES = 2000;

// How often the page hears about state while nothing is typed: the clock
// moves, everysec fsyncs, the kernel writes back, a BGSAVE advances.
const STATE_PERIOD_MS = 250;

/** True for the errors of a browser that gives no usable IndexedDB. */
function isStorageUnavailable(e) {
  return /IndexedDB is not available|^opening lab /.test(e?.message ?? "");
}

/**
 * An argument of a parsed line: a string, or {hex} for bytes that are not
 * UTF-8 (lab_shell.h), which travel to the engine as they are.
 */
function decodeArg(arg) {
  if (typeof arg === "string") return arg;
  const hex = arg.hex;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(2 * i, 2), 16);
  return out;
}

export class LabHost {
  /**
   * @param {object} options PersistLab.open options
   * @param {(event: string, detail: any) => void} emit
   */
  static async open(options, emit) {
    const { fallbackToMemory, quiet, ...rest } = options;
    let lab;
    let fallback = "";
    try {
      lab = await PersistLab.open(rest);
    } catch (e) {
      // No IndexedDB in this context (some private windows, blocked
      // storage): the lab still runs, on a disk in memory.
      if (!fallbackToMemory || rest.storage === "memory" || !isStorageUnavailable(e)) throw e;
      fallback = e.message;
      lab = await PersistLab.open({ ...rest, storage: "memory" });
    }
    const host = new LabHost(lab, emit, { quiet: !!quiet });
    host.fallback = fallback;
    host._recording.config = rest.config ?? {};
    host._recording.keysAtStart = lab.report?.keys_after ?? 0;
    await host._refreshConfig();
    return host;
  }

  /**
   * @param {PersistLab} lab
   * @param {(event: string, detail: any) => void} emit
   */
  constructor(lab, emit, { quiet = false } = {}) {
    this.lab = lab;
    this._emit = emit;
    // A quiet lab (compare mode runs six) sends no "state" events: the page
    // asks for snapshots when it wants them.
    this._quiet = quiet;
    /** @type {Record<string, string>} */
    this._config = {};
    this._lastState = "";
    /** Why the lab runs in memory although IndexedDB was asked for ("" if not). */
    this.fallback = "";
    for (const event of ["save", "rewrite", "fsync", "crash", "restart", "log", "error"]) {
      lab.on(event, (detail) => this._forward(event, detail));
    }
    this._timer = quiet ? 0 : setInterval(() => this._pushState(), STATE_PERIOD_MS);
    /**
     * What a shared link needs to replay this session (web/app/share.js):
     * the settings the lab opened with, its virtual start, and every line
     * that changed something, at the virtual time it ran.
     * @type {{ start: number, config: object, keysAtStart: number, lines: Array<[number, string]> }}
     */
    this._recording = { start: lab.clock.now(), config: {}, keysAtStart: 0, lines: [] };
  }

  // --- the shell ------------------------------------------------------------

  /**
   * Runs one terminal line. Resolves with what the terminal shows:
   * { output, prompt, clear? }.
   * @param {string} text
   */
  async line(text) {
    const engine = this.lab.engineModule;
    const parsed = JSON.parse(engine.Lab.parseLine(text));
    // A line happens at one virtual moment: the clock holds still while it
    // runs (a 3-command .policy or "5 INCR x" is not spread over real
    // milliseconds), so a replay at the recorded time does exactly the same.
    const { clock } = this.lab;
    const hold = !clock.paused && !(parsed.kind === "dot" && parsed.verb === "clock");
    if (hold) clock.pause();
    let result;
    try {
      this._record(parsed, text);
      result = await this._runLine(parsed);
    } finally {
      if (hold) clock.resume();
    }
    this._pushState(true);
    return result;
  }

  /**
   * Remembers a line that changes state (Redis commands, crashes with
   * their seed, restarts, clock jumps, .policy) for the session's link.
   */
  _record(parsed, text) {
    const keep = parsed.kind === "command" ||
      (parsed.kind === "dot" && ["crash", "restart", "policy"].includes(parsed.verb)) ||
      (parsed.kind === "dot" && parsed.verb === "clock" && parsed.action === "advance");
    if (!keep) return;
    if (parsed.kind === "dot" && parsed.verb === "crash" && parsed.seed === undefined) {
      // The seed decides which sectors a torn write keeps: fix it here and
      // record it, so the link tears the same bytes.
      parsed.seed = Math.floor(Math.random() * 2 ** 32);
      text = `.crash ${parsed.crash} ${parsed.seed}`;
    }
    const r = this._recording;
    if (r.lines.length < MAX_RECORDED_LINES) r.lines.push([this.lab.clock.now() - r.start, text.trim()]);
    else r.truncated = true;
  }

  /** The session so far, for a shared link (see _recording). */
  recording() {
    return { ...this._recording, lines: [...this._recording.lines] };
  }

  async _runLine(parsed) {
    const engine = this.lab.engineModule;
    let output = "";
    let clear = false;
    switch (parsed.kind) {
      case "empty":
        break;
      case "invalid":
        output = parsed.message;
        break;
      case "clear":
        clear = true;
        break;
      case "quit":
        output = "This terminal stays open: close the tab to leave (the lab keeps its disk).";
        break;
      case "help":
        output = engine.Lab.helpText(parsed.topic, true);
        break;
      case "command":
        output = await this._command(parsed);
        break;
      case "dot":
        output = await this._dot(parsed);
        break;
      default:
        output = `(unexpected line kind ${parsed.kind})`;
    }
    // The engine's texts end with a newline; the terminal adds its own.
    return { output: output.replace(/\n+$/, ""), prompt: this._prompt(), clear };
  }

  /** A Redis command, `repeat` times as redis-cli's "N COMMAND" does. */
  async _command({ argv: words, repeat = 1 }) {
    if (this.lab.state !== "running") return this._notConnected();
    const argv = words.map(decodeArg);
    const out = [];
    for (let i = 0; i < repeat; i++) {
      const result = await this.lab.exec(argv);
      out.push(result.text);
      if (this.lab.state !== "running") break; // SHUTDOWN, a fatal AOF error
    }
    if (/^config$/i.test(argv[0] ?? "")) await this._refreshConfig();
    return out.join("\n");
  }

  _notConnected() {
    return `Could not connect: the server is down (${this.lab.downReason}). Type .restart to start it.`;
  }

  /** A lab dot-command (parsed and worded by the engine). */
  async _dot(cmd) {
    const lab = this.lab;
    const engine = lab.engineModule;
    switch (cmd.verb) {
      case "help":
        return engine.Lab.dotHelp();
      case "crash":
        if (lab.state !== "running") return this._notConnected();
        await lab.crash(cmd.crash, cmd.seed === undefined ? {} : { seed: cmd.seed });
        return cmd.text ?? "";
      case "restart": {
        try {
          const result = await lab.restart();
          await this._refreshConfig();
          return result.colorText;
        } catch (e) {
          // A recovery that failed is a restart too: the panels show its
          // report (why the server did not start) like any other.
          if (e.report) this._forward("restart", { ok: false, report: e.report, diff: null, text: e.text ?? "" });
          return e.colorText || `(error) ${e.message}`;
        }
      }
      case "clock":
        return this._clock(cmd);
      case "files":
        return lab.filesText(true);
      case "report":
        return lab.reportColorText || "No recovery report yet: the lab has not been restarted.";
      case "policy":
        return this._policy(cmd);
      default:
        return `(unexpected dot-command ${cmd.verb})`;
    }
  }

  async _clock(cmd) {
    const { clock } = this.lab;
    switch (cmd.action) {
      case "advance":
        await clock.advance(cmd.ms);
        break;
      case "pause":
        clock.pause();
        break;
      case "play":
        clock.resume();
        break;
      case "speed":
        clock.speed(cmd.speed);
        break;
    }
    return this.lab.engineModule.Lab.clockText(clock.now(), clock.paused, clock.rate);
  }

  /** `.policy X`: prints each real command, then runs it (as typed). */
  async _policy(cmd) {
    if (this.lab.state !== "running") return this._notConnected();
    const out = [];
    for (const [i, argv] of cmd.commands.entries()) {
      out.push(`${this._prompt()}${cmd.lines[i]}`);
      const result = await this.lab.exec(argv);
      out.push(result.text);
    }
    if (cmd.note) out.push(cmd.note);
    await this._refreshConfig();
    return out.join("\n");
  }

  _prompt() {
    return this.lab.state === "running" ? this.lab.prompt() : "not connected> ";
  }

  // --- the JS API, for panels and tests -------------------------------------

  async exec(command) {
    const r = await this.lab.exec(command);
    this._pushState(true);
    return { reply: r.reply, text: r.text };
  }

  async execMany(commands) {
    const results = await this.lab.execMany(commands);
    this._pushState(true);
    return results.map((r) => ({ reply: r.reply, text: r.text }));
  }

  async crash(kind, seed) {
    await this.lab.crash(kind, seed === undefined ? {} : { seed });
    this._pushState(true);
  }

  async restart() {
    const result = await this.lab.restart();
    await this._refreshConfig();
    this._pushState(true);
    return result;
  }

  /** action: "pause" | "play" | "speed" | "advance"; value: speed or ms. */
  async clock(action, value) {
    await this._clock({ action, ms: value, speed: value });
    this._pushState(true);
  }

  files() {
    return this.lab.files();
  }

  readFile(name) {
    return this.lab.readFile(name);
  }

  /**
   * The engine's annotation of an RDB file (or an AOF's RDB preamble),
   * listing entries first .. first + count - 1 (core/persist/rdb_annotate.h).
   */
  annotate(name, first = 0, count = 0xffffffff) {
    return JSON.parse(this.lab.engineModule.annotateRdbWindow(this.lab.readFile(name), first, count));
  }

  snapshot() {
    return this._snapshot();
  }

  /** The keyspace digest (hex): equal digests, equal datasets. */
  digest() {
    return this.lab.digest();
  }

  async close() {
    clearInterval(this._timer);
    await this.lab.close();
  }

  async destroy() {
    clearInterval(this._timer);
    await this.lab.destroy();
  }

  // --- state for the panels -------------------------------------------------

  /** @returns {import("./protocol.js").LabSnapshot} */
  _snapshot() {
    const { lab } = this;
    const running = lab.state === "running";
    return {
      name: lab.name,
      storage: lab.storageKind,
      state: lab.state,
      downReason: lab.downReason,
      prompt: this._prompt(),
      clock: { now: lab.clock.now(), paused: lab.clock.paused, speed: lab.clock.rate },
      files: lab.state === "closed" ? [] : lab.files(),
      config: this._config,
      persistence: running ? lab.persistenceInfo() : {},
      promise: running ? lab.promise() : null,
      stats: lab.state === "closed" ? null : lab.stats(),
      mirror: lab.storage,
    };
  }

  /**
   * Posts a "state" event when something the panels draw changed (always
   * when `force`: the clock moved on, at least).
   */
  _pushState(force = false) {
    if (this._quiet || this.lab.state === "closed") return;
    const snap = this._snapshot();
    // The clock alone moves every tick; it is extrapolated by the page.
    const key = JSON.stringify({ ...snap, clock: { ...snap.clock, now: 0 } });
    if (!force && key === this._lastState) return;
    this._lastState = key;
    this._emit("state", snap);
  }

  async _refreshConfig() {
    if (this.lab.state !== "running") return;
    this._config = this.lab.configGet(CONFIG_NAMES);
  }

  _forward(event, detail) {
    const at = this.lab.clock.now();
    if (event === "error") detail = { message: detail?.message ?? String(detail) };
    this._emit(event, { ...detail, at });
    if (event !== "log") this._pushState(true);
  }
}
