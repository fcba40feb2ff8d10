// TerminalView: the playground's redis-cli-like terminal on xterm 6.
//
// It glues together xterm (drawing, keyboard, screen reader), the line
// editor (keys -> edited line), the command docs (completion and grey
// hints) and the host, which runs lines and says what the prompt is:
//
//   const view = new TerminalView(element, {
//     run: async (line) => ({ output: "...", prompt: "plab[2]> " }),
//     docs: () => lab.exec("COMMAND DOCS").then((r) => r.reply),
//     extraCommands: [{ name: ".crash", hint: "process|power|torn" }],
//     history: { load() { ... }, save(lines) { ... } },   // default: localStorage
//     keepInHistory: (line) => !/^\s*auth\b/i.test(line),  // default: no secrets
//   });
//   view.submit(".crash power");   // a button: runs as if typed, echoed
//
// Lines run one at a time, in order: whatever is typed or pasted while a
// line runs waits (unread, as a terminal's input queue does) and is read
// once the reply and the next prompt are out. Every reply is written with
// one terminal.write, through capOutput (CRLF line ends, long replies cut).
// HELP, CLEAR and the dot-commands are the host's (the lab's shell answers
// them); a reply may ask for the screen to be cleared with `clear: true`.

import { Terminal } from "@xterm/xterm";
import { FitAddon } from "@xterm/addon-fit";
import { CommandDocs, isSensitive } from "./command_docs.js";
import { LineEditor } from "./line_editor.js";
import { capOutput } from "./output_cap.js";
import { widthProvider } from "./unicode_width.js";
import { openWithAdoptedStyles } from "./xterm_styles.js";

export const DEFAULT_PROMPT = "plab> ";
const CLEAR_ALL = "\x1b[H\x1b[2J\x1b[3J";
const BRACKETED_PASTE_ON = "\x1b[?2004h";

/**
 * @typedef {object} Host
 * @property {(line: string) => Promise<{ output?: string, prompt?: string, clear?: boolean }>} run
 * @property {() => Promise<unknown>} [docs]  the COMMAND DOCS reply
 * @property {{ name: string, hint?: string, summary?: string }[]} [extraCommands]
 * @property {{ load(): string[], save(lines: string[]): void }} [history]
 * @property {(line: string) => boolean} [keepInHistory]
 * @property {Record<string, string>} [theme]  xterm ITheme colours
 * @property {string} [label]  the terminal's accessible name
 */

/**
 * History kept in localStorage as a JSON array of the last `limit` lines.
 * @param {string} [key]
 * @param {number} [limit]
 */
export function localStorageHistory(key = "persistlab:history", limit = 1000) {
  return {
    load() {
      try {
        const lines = JSON.parse(globalThis.localStorage?.getItem(key) ?? "[]");
        return Array.isArray(lines) ? lines.filter((l) => typeof l === "string").slice(-limit) : [];
      } catch {
        return [];
      }
    },
    /** @param {string[]} lines */
    save(lines) {
      try {
        globalThis.localStorage?.setItem(key, JSON.stringify(lines.slice(-limit)));
      } catch {
        // Storage full or denied (private windows): history lives for the session only.
      }
    },
  };
}

/** Colours that keep the grey hint (ANSI bright black) readable. */
export const DARK_THEME = {
  background: "#1b1d23", foreground: "#d8dee9", cursor: "#f0c674", cursorAccent: "#1b1d23",
  selectionBackground: "#3e4451", brightBlack: "#7f8796",
};

export class TerminalView {
  /**
   * @param {HTMLElement} element  the container; the terminal fills it
   * @param {Host} host
   */
  constructor(element, host) {
    this._host = host;
    this._element = element;
    this._historyStore = host.history ?? localStorageHistory();
    this._term = new Terminal({
      allowProposedApi: true, // for terminal.unicode: our width table
      cursorBlink: true,
      fontFamily: "ui-monospace, 'Cascadia Mono', 'DejaVu Sans Mono', Menlo, Consolas, monospace",
      fontSize: 14,
      // At 1.0 the DOM renderer clips the underscore of DejaVu Sans Mono
      // (payments_id reads "payments id").
      lineHeight: 1.12,
      scrollback: 5000,
      theme: host.theme ?? DARK_THEME,
    });
    this._fit = new FitAddon();
    this._fitFrame = 0;
    this._term.loadAddon(this._fit);
    this._term.unicode.register(widthProvider);
    this._term.unicode.activeVersion = widthProvider.version;
    element.style.backgroundColor = (host.theme ?? DARK_THEME).background ?? "";
    element.setAttribute("role", "region");
    element.setAttribute("aria-label", host.label ?? "Redis terminal");
    this._styles = openWithAdoptedStyles(this._term, element);
    this._fitToElement();

    this._docs = new CommandDocs(null, host.extraCommands ?? []);
    /** @type {Promise<void> | null} */
    this._docsLoading = null;
    this._editor = new LineEditor({
      prompt: DEFAULT_PROMPT,
      columns: this._term.cols,
      history: this._historyStore.load(),
      keepInHistory: host.keepInHistory ?? ((line) => !isSensitive(line)),
      complete: (before) => this._docs.complete(before),
      hint: (line) => this._docs.hint(line),
    });
    /** @type {(string | { line: string })[]} input not read yet */
    this._queue = [];
    this._busy = false;
    this._stash = "";

    this._term.onData((data) => this._input(data));
    this._escapeTab();
    this._term.onResize(({ cols }) => {
      this._editor.setColumns(cols);
      if (!this._busy) this._term.write(this._editor.render());
    });
    this._resizeObserver = new ResizeObserver(() => this._scheduleFit());
    this._resizeObserver.observe(element);
    this._term.textarea?.addEventListener("focus", () => this._loadDocs());
    this._term.write(BRACKETED_PASTE_ON + this._editor.newLine(DEFAULT_PROMPT));
  }

  /** The xterm Terminal (for tests and for addons). */
  get terminal() {
    return this._term;
  }

  /** The line being edited. */
  get line() {
    return this._editor.line;
  }

  /** True while a line runs. */
  get busy() {
    return this._busy;
  }

  /**
   * Runs `line` as if typed: shown after the prompt, then run, after any
   * line already waiting. What was being typed comes back afterwards.
   * @param {string} line
   */
  submit(line) {
    this._queue.push({ line });
    this._drain();
  }

  /**
   * Prints text above the line being edited (through the same writer).
   * @param {string} text
   */
  print(text) {
    const body = `${capOutput(text).text}\r\n`;
    if (this._busy) this._term.write(body);
    else this._term.write(this._editor.erase() + body + this._editor.render());
  }

  /** @param {string} prompt */
  setPrompt(prompt) {
    if (this._busy) this._editor.prompt = prompt;
    else this._term.write(this._editor.setPrompt(prompt));
  }

  /** Clears the screen and the scrollback; the line being edited stays. */
  clear() {
    this._term.write(this._clearOutput());
  }

  focus() {
    this._term.focus();
  }

  /** @param {boolean} on */
  setScreenReaderMode(on) {
    this._term.options.screenReaderMode = Boolean(on);
  }

  /** @param {Record<string, string>} theme  xterm ITheme colours */
  setTheme(theme) {
    this._term.options.theme = { ...theme };
    this._element.style.backgroundColor = theme.background ?? "";
  }

  dispose() {
    this._resizeObserver.disconnect();
    if (this._fitFrame) cancelAnimationFrame(this._fitFrame);
    this._term.dispose();
    this._styles.dispose();
  }

  // --- input ------------------------------------------------------------------

  /**
   * Tab completes, so it can't also move focus; Escape then Tab (or
   * Shift-Tab) leaves the terminal, as in code editors that keep Tab
   * (WCAG 2.1.2: no keyboard trap). Escape still reaches the line editor
   * (it cancels a reverse search).
   */
  _escapeTab() {
    let armed = false;
    this._term.attachCustomKeyEventHandler((e) => {
      if (e.type !== "keydown") return true;
      if (e.key === "Tab" && armed) {
        armed = false;
        return false; // not handled: the browser moves focus
      }
      if (e.key !== "Shift") armed = e.key === "Escape";
      return true;
    });
  }

  _input(data) {
    this._loadDocs();
    if (this._busy && data === "\x03") {
      // Ctrl-C while a line runs: forget what was typed or pasted after it
      // (a long paste stops here); the running line still finishes.
      const dropped = this._queue.filter((item) => typeof item === "string").length;
      this._queue = this._queue.filter((item) => typeof item !== "string");
      this._editor.endPaste();
      if (dropped > 0) this._term.write("^C\r\n");
      return;
    }
    this._queue.push(data);
    this._drain();
  }

  _drain() {
    const out = this._readQueue();
    if (out) this._term.write(out);
  }

  /** Reads queued input until a line starts running; returns what to write. */
  _readQueue() {
    let out = "";
    while (!this._busy && this._queue.length > 0) {
      const item = /** @type {string | { line: string }} */ (this._queue.shift());
      if (typeof item !== "string") {
        const shown = this._editor.runLine(item.line);
        this._stash = shown.stash;
        out += shown.output;
        this._start(item.line);
        continue;
      }
      const fed = this._editor.feed(item);
      out += fed.output;
      if (fed.rest) this._queue.unshift(fed.rest);
      if (fed.line !== null) this._start(fed.line);
    }
    return out;
  }

  /** @param {string} line */
  _start(line) {
    this._busy = true;
    this._historyStore.save(this._editor.history);
    this._run(line);
  }

  async _run(line) {
    let out = "";
    let prompt = this._editor.prompt;
    try {
      const reply = await this._answer(line);
      if (reply.clear) out += CLEAR_ALL;
      if (reply.output) out += `${capOutput(reply.output).text}\r\n`;
      if (reply.prompt) prompt = reply.prompt;
    } catch (error) {
      out += `(error) ${error instanceof Error ? error.message : String(error)}\r\n`;
    }
    out += this._editor.newLine(prompt, this._stash);
    this._stash = "";
    this._busy = false;
    out += this._readQueue();
    this._term.write(out);
  }

  /**
   * Asks the host to run `line` (blank lines are not sent).
   * @param {string} line
   * @returns {Promise<{ output?: string, prompt?: string, clear?: boolean }>}
   */
  async _answer(line) {
    if (line.trim() === "") return {};
    return (await this._host.run(line)) ?? {};
  }

  _clearOutput() {
    if (this._busy) return CLEAR_ALL;
    this._editor.clearScreen();
    return CLEAR_ALL + this._editor.render();
  }

  // --- docs and size --------------------------------------------------------------

  /** Fetches COMMAND DOCS once; hints and completion use it from then on. */
  _loadDocs() {
    if (this._docsLoading || !this._host.docs) return this._docsLoading ?? Promise.resolve();
    this._docsLoading = (async () => {
      try {
        const reply = await /** @type {() => Promise<unknown>} */ (this._host.docs)();
        this._docs = new CommandDocs(reply, this._host.extraCommands ?? []);
        if (!this._busy && this._editor.line) this._term.write(this._editor.render());
      } catch {
        this._docsLoading = null; // try again on the next key
      }
    })();
    return this._docsLoading;
  }

  _scheduleFit() {
    if (this._fitFrame) return;
    this._fitFrame = requestAnimationFrame(() => {
      this._fitFrame = 0;
      this._fitToElement();
    });
  }

  _fitToElement() {
    const size = this._fit.proposeDimensions();
    if (!size || !Number.isFinite(size.cols) || !Number.isFinite(size.rows)) return;
    if (size.cols !== this._term.cols || size.rows !== this._term.rows) this._fit.fit();
  }
}
