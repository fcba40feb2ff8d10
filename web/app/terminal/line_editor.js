// The playground terminal's line editor: a readline-like state machine with
// no DOM and no xterm in it, so node can test every key.
//
// Keys go in as xterm onData strings (feed); what comes out is the ANSI text
// that redraws the edit area, and, when Enter is pressed, the line to run.
// The buffer is an array of Unicode code points; the cursor moves over whole
// cells (a character plus the combining marks after it), and the layout
// knows that wide characters take two columns and that a wide character
// which does not fit at the end of a row moves to the next one, as xterm
// draws it. The edit area may wrap over several rows: every redraw moves up
// to its first row, erases below, writes prompt + line + grey hint, and
// puts the cursor back.
//
// Differences from GNU readline, on purpose: reverse search ignores case;
// Ctrl-D on an empty line does nothing (there is no shell to leave); Tab
// lists the candidates at once when it cannot extend the word (readline's
// show-all-if-ambiguous) instead of cycling through them as linenoise does.

import { readKey } from "./keys.js";
import { charWidth, stringWidth } from "./unicode_width.js";

const HINT_ON = "\x1b[90m";
const HINT_OFF = "\x1b[39m";
const CLEAR_SCREEN = "\x1b[H\x1b[2J";

/**
 * @typedef {object} EditorOptions
 * @property {string} [prompt]  shown before the line (default "plab> ")
 * @property {number} [columns]  terminal width (default 80)
 * @property {string[]} [history]  earlier lines, oldest first
 * @property {number} [historySize]  lines kept (default 1000)
 * @property {(line: string) => boolean} [keepInHistory]
 * @property {(before: string) => Completion | null} [complete]
 *   candidates for the word that ends at the cursor (`before` is the text
 *   left of the cursor); `start` is where that word starts in `before`
 * @property {(line: string) => string} [hint]  grey text drawn after the line
 * @property {(codePoint: number) => number} [width]  columns per code point
 */

/** @typedef {{ start: number, candidates: string[] }} Completion */

/**
 * @typedef {object} FeedResult
 * @property {string} output  ANSI text to write to the terminal
 * @property {string | null} line  the submitted line, or null
 * @property {string} rest  the part of the chunk not yet read (after a
 *   submitted line; feed it again once the line has run)
 */

/** @typedef {{ output?: string, submit?: string } | undefined} Effect */

/** Key names bound to editing methods. */
const BINDINGS = {
  enter: "submit",
  left: "backwardChar", "ctrl-b": "backwardChar",
  right: "forwardChar", "ctrl-f": "forwardChar",
  home: "lineStart", "ctrl-a": "lineStart",
  end: "lineEnd", "ctrl-e": "lineEnd",
  "word-left": "backwardWord", "alt-b": "backwardWord",
  "word-right": "forwardWord", "alt-f": "forwardWord",
  backspace: "deleteBackward",
  delete: "deleteForward", "ctrl-d": "deleteForward",
  "ctrl-u": "killToStart", "ctrl-k": "killToEnd",
  "ctrl-w": "killWhitespaceWord", "alt-backspace": "killWordBackward", "alt-d": "killWordForward",
  "ctrl-y": "yank",
  up: "historyPrevious", "ctrl-p": "historyPrevious",
  down: "historyNext", "ctrl-n": "historyNext",
  "ctrl-l": "clearScreen", "ctrl-c": "abandon", "ctrl-r": "reverseSearch", tab: "complete",
};

const WORD_CHAR = /[\p{L}\p{N}]/u;
const SPACE = /\s/u;

export class LineEditor {
  /** @param {EditorOptions} [options] */
  constructor(options = {}) {
    this.prompt = options.prompt ?? "plab> ";
    this.columns = options.columns ?? 80;
    this._complete = options.complete ?? null;
    this._hint = options.hint ?? null;
    this._keep = options.keepInHistory ?? (() => true);
    this._width = options.width ?? charWidth;
    this._historySize = options.historySize ?? 1000;
    /** Lines entered, oldest first (the host persists them). */
    this.history = (options.history ?? []).slice(-this._historySize);
    /** @type {string[]} */
    this._chars = [];
    this._cursor = 0;
    this._historyIndex = this.history.length;
    /** Edited text of history entries while browsing (index -> text). */
    this._edits = new Map();
    this._killed = "";
    this._killChain = false;
    /** @type {Search | null} */
    this._search = null;
    this._lastQuery = "";
    this._pasting = false;
    /** Rows between the edit area's first row and the terminal cursor. */
    this._row = 0;
  }

  /** The text being edited. */
  get line() {
    return this._chars.join("");
  }

  /** The cursor, as an index in code points. */
  get cursor() {
    return this._cursor;
  }

  /** The reverse search state, for display and tests. */
  get search() {
    const s = this._search;
    return s && { query: s.query, failed: s.failed, match: s.index >= 0 ? this.history[s.index] : null };
  }

  /**
   * Reads one onData chunk. Stops after a submitted line: the caller runs
   * it, starts a new line (newLine) and feeds `rest`.
   * @param {string} data
   * @returns {FeedResult}
   */
  feed(data) {
    let output = "";
    let i = 0;
    while (i < data.length) {
      const key = readKey(data, i, this._pasting);
      i = key.end;
      const effect = this._dispatch(key);
      if (!effect) continue;
      if (effect.output) output += effect.output;
      if (effect.submit !== undefined) {
        return { output, line: effect.submit, rest: data.slice(i) };
      }
    }
    return { output: output + this.render(), line: null, rest: "" };
  }

  /**
   * Forgets a bracketed paste in progress, for a host that drops unread
   * input (its closing bracket may be in what was dropped).
   */
  endPaste() {
    this._pasting = false;
  }

  /** Redraws the edit area in place (e.g. after the hint source changed). */
  render() {
    return this._draw(true, false);
  }

  /** Erases the edit area and leaves the cursor where it began. */
  erase() {
    const out = `${this._up(this._row)}\r\x1b[J`;
    this._row = 0;
    return out;
  }

  /**
   * Starts a fresh edit area at the cursor (which must be at the start of a
   * row), with `text` already typed.
   * @param {string} [prompt]
   * @param {string} [text]
   */
  newLine(prompt = this.prompt, text = "") {
    this.prompt = prompt;
    this._reset(text);
    this._row = 0;
    return this.render();
  }

  /**
   * Shows `line` as if typed and entered, for buttons: returns the output
   * that finishes it and the text that was being edited, to give back to
   * newLine once the line has run.
   * @param {string} line
   */
  runLine(line) {
    const stash = this.line;
    this._search = null;
    this._setLine(line);
    const output = `${this._draw(false, true)}\r\n`;
    this._row = 0;
    this._remember(line);
    this._reset("");
    return { output, stash };
  }

  /** @param {string} prompt */
  setPrompt(prompt) {
    this.prompt = prompt;
    return this.render();
  }

  /**
   * The terminal changed width. xterm reflows every wrapped line except the
   * one holding the cursor (its reflowCursorLine option is off: shells
   * redraw that line themselves), so the edit area keeps its rows and the
   * cursor its row in it; the next render redraws it for the new width.
   * @param {number} columns
   */
  setColumns(columns) {
    this.columns = columns;
  }

  // --- dispatch -------------------------------------------------------------

  /** @returns {Effect} */
  _dispatch(key) {
    if (key.name === "paste-start" || key.name === "paste-end") {
      this._pasting = key.name === "paste-start";
      return undefined;
    }
    if (this._search) return this._searchKey(key);
    return this._editKey(key);
  }

  /** @returns {Effect} */
  _editKey(key) {
    const chained = this._killChain;
    this._killChain = false;
    if (key.name === "text") {
      this._insert(key.text);
      return undefined;
    }
    const method = BINDINGS[key.name];
    return method ? this[method](chained) : undefined;
  }

  // --- moving ---------------------------------------------------------------

  /** Columns taken by a one-code-point string. */
  _w(ch) {
    return this._width(/** @type {number} */ (ch.codePointAt(0)));
  }

  /** Start of the cell before `i` (skips back over zero-width marks). */
  _previousStop(i) {
    let j = i - 1;
    while (j > 0 && this._w(this._chars[j]) === 0) j--;
    return Math.max(j, 0);
  }

  /** Start of the cell after the one at `i`. */
  _nextStop(i) {
    if (i >= this._chars.length) return this._chars.length;
    let j = i + 1;
    while (j < this._chars.length && this._w(this._chars[j]) === 0) j++;
    return j;
  }

  /** Where readline's backward-word lands: the start of this or the previous word. */
  _wordStart(i, isWordChar) {
    let j = i;
    while (j > 0 && !isWordChar(this._chars[j - 1])) j--;
    while (j > 0 && isWordChar(this._chars[j - 1])) j--;
    return j;
  }

  /** Where forward-word lands: the end of this or the next word. */
  _wordEnd(i) {
    let j = i;
    const n = this._chars.length;
    while (j < n && !WORD_CHAR.test(this._chars[j])) j++;
    while (j < n && WORD_CHAR.test(this._chars[j])) j++;
    return j;
  }

  backwardChar() {
    this._cursor = this._previousStop(this._cursor);
  }

  forwardChar() {
    this._cursor = this._nextStop(this._cursor);
  }

  lineStart() {
    this._cursor = 0;
  }

  lineEnd() {
    this._cursor = this._chars.length;
  }

  backwardWord() {
    this._cursor = this._wordStart(this._cursor, (c) => WORD_CHAR.test(c));
  }

  forwardWord() {
    this._cursor = this._wordEnd(this._cursor);
  }

  // --- changing -------------------------------------------------------------

  /** @param {string} text */
  _insert(text) {
    const added = Array.from(text);
    const c = this._cursor;
    this._chars = this._chars.slice(0, c).concat(added, this._chars.slice(c));
    this._cursor = c + added.length;
  }

  /** Replaces the whole line; the cursor goes to its end. */
  _setLine(text) {
    this._chars = Array.from(text);
    this._cursor = this._chars.length;
  }

  _reset(text) {
    this._setLine(text);
    this._historyIndex = this.history.length;
    this._edits.clear();
    this._killChain = false;
  }

  deleteBackward() {
    const from = this._previousStop(this._cursor);
    this._chars.splice(from, this._cursor - from);
    this._cursor = from;
  }

  deleteForward() {
    const to = this._nextStop(this._cursor);
    this._chars.splice(this._cursor, to - this._cursor);
  }

  /**
   * Cuts [from, to) into the kill buffer. Consecutive kills collect into one
   * piece of text, as in readline (two Ctrl-W then Ctrl-Y restores both words).
   */
  _kill(from, to, chained, backward) {
    if (from >= to) return;
    const text = this._chars.slice(from, to).join("");
    if (!chained) this._killed = text;
    else this._killed = backward ? text + this._killed : this._killed + text;
    this._chars.splice(from, to - from);
    this._cursor = from;
    this._killChain = true;
  }

  killToStart(chained) {
    this._kill(0, this._cursor, chained, true);
  }

  killToEnd(chained) {
    this._kill(this._cursor, this._chars.length, chained, false);
  }

  /** Ctrl-W: readline's unix-word-rubout (words are separated by white space). */
  killWhitespaceWord(chained) {
    const from = this._wordStart(this._cursor, (c) => !SPACE.test(c));
    this._kill(from, this._cursor, chained, true);
  }

  /** Alt-Backspace: backward-kill-word (words are letters and digits). */
  killWordBackward(chained) {
    const from = this._wordStart(this._cursor, (c) => WORD_CHAR.test(c));
    this._kill(from, this._cursor, chained, true);
  }

  /** Alt-D: kill-word. */
  killWordForward(chained) {
    this._kill(this._cursor, this._wordEnd(this._cursor), chained, false);
  }

  yank() {
    if (this._killed) this._insert(this._killed);
  }

  // --- lines ----------------------------------------------------------------

  /** @param {string} line */
  _remember(line) {
    if (!line.trim() || !this._keep(line)) return;
    if (this.history[this.history.length - 1] === line) return;
    this.history.push(line);
    if (this.history.length > this._historySize) {
      this.history.splice(0, this.history.length - this._historySize);
    }
  }

  /** @returns {Effect} */
  submit() {
    const line = this.line;
    const output = `${this._draw(false, true)}\r\n`;
    this._row = 0;
    this._remember(line);
    this._reset("");
    return { output, submit: line };
  }

  /** Ctrl-C: leave the line as it is on screen, mark it ^C, start afresh. */
  abandon() {
    const output = `${this._draw(false, true)}^C\r\n`;
    this._row = 0;
    this._search = null;
    this._reset("");
    return { output };
  }

  /** Ctrl-L: clear the screen; the line is redrawn at the top. */
  clearScreen() {
    this._row = 0;
    return { output: CLEAR_SCREEN };
  }

  /** Moves through history; edits to a recalled line are kept until Enter. */
  _historyMove(delta) {
    const target = this._historyIndex + delta;
    if (target < 0 || target > this.history.length) return;
    this._edits.set(this._historyIndex, this.line);
    this._historyIndex = target;
    const recalled = target === this.history.length ? "" : this.history[target];
    this._setLine(this._edits.get(target) ?? recalled);
  }

  historyPrevious() {
    this._historyMove(-1);
  }

  historyNext() {
    this._historyMove(1);
  }

  // --- completion -----------------------------------------------------------

  /** Tab: complete a unique candidate, extend a common prefix, or list. */
  complete() {
    if (!this._complete) return undefined;
    const before = this._chars.slice(0, this._cursor).join("");
    const found = this._complete(before);
    if (!found || found.candidates.length === 0) return undefined;
    const candidates = [...new Set(found.candidates)];
    const typed = Array.from(before.slice(found.start)).length;
    if (candidates.length === 1) {
      const atEnd = this._cursor === this._chars.length;
      this._replaceBeforeCursor(typed, candidates[0] + (atEnd ? " " : ""));
      return undefined;
    }
    const prefix = commonPrefix(candidates);
    if (Array.from(prefix).length > typed) {
      this._replaceBeforeCursor(typed, prefix);
      return undefined;
    }
    const output = `${this._draw(false, true)}\r\n${columnize(candidates, this.columns)}`;
    this._row = 0;
    return { output };
  }

  _replaceBeforeCursor(count, text) {
    this._chars.splice(this._cursor - count, count);
    this._cursor -= count;
    this._insert(text);
  }

  // --- reverse search -------------------------------------------------------

  /** Ctrl-R: readline's reverse incremental search through history. */
  reverseSearch() {
    const saved = { chars: this._chars, cursor: this._cursor };
    this._search = { query: "", index: -1, pos: 0, failed: false, stack: [], saved };
    return undefined;
  }

  /** @returns {Effect} */
  _searchKey(key) {
    const s = /** @type {Search} */ (this._search);
    switch (key.name) {
      case "text":
        s.stack.push({ query: s.query, index: s.index, pos: s.pos, failed: s.failed });
        s.query += key.text;
        this._searchFrom(s.index < 0 ? this.history.length - 1 : s.index, null);
        return undefined;
      case "ctrl-r":
        s.stack.push({ query: s.query, index: s.index, pos: s.pos, failed: s.failed });
        if (!s.query) s.query = this._lastQuery;
        if (!s.query) return undefined;
        if (s.index < 0) this._searchFrom(this.history.length - 1, null);
        else this._searchFrom(s.index - 1, this.history[s.index]);
        return undefined;
      case "backspace":
        if (s.stack.length) Object.assign(s, s.stack.pop());
        return undefined;
      case "escape":
      case "ctrl-g":
        this._search = null;
        this._chars = s.saved.chars;
        this._cursor = s.saved.cursor;
        return undefined;
      case "ctrl-c":
        return this.abandon();
      default:
        this._acceptSearch();
        return this._editKey(key);
    }
  }

  /**
   * Finds the newest entry at or before `start` containing the query,
   * skipping entries equal to `skip` (the current match, for Ctrl-R again).
   */
  _searchFrom(start, skip) {
    const s = /** @type {Search} */ (this._search);
    const query = s.query.toLowerCase();
    for (let i = start; i >= 0; i--) {
      const entry = this.history[i];
      const at = entry.toLowerCase().lastIndexOf(query);
      if (at < 0 || entry === skip) continue;
      s.index = i;
      s.pos = Array.from(entry.slice(0, at)).length;
      s.failed = false;
      return;
    }
    s.failed = true;
  }

  /** Leaves search with the match (if any) as the line being edited. */
  _acceptSearch() {
    const s = /** @type {Search} */ (this._search);
    this._search = null;
    if (s.query) this._lastQuery = s.query;
    if (s.index < 0) {
      this._chars = s.saved.chars;
      this._cursor = s.saved.cursor;
      return;
    }
    this._edits.set(this._historyIndex, s.saved.chars.join(""));
    this._historyIndex = s.index;
    this._chars = Array.from(this.history[s.index]);
    this._cursor = s.pos;
  }

  // --- drawing --------------------------------------------------------------

  /** What is on screen: the edit line, or the search prompt and its match. */
  _view() {
    const s = this._search;
    if (!s) return { prompt: this.prompt, chars: this._chars, cursor: this._cursor, hints: true };
    const prompt = `(${s.failed ? "failed " : ""}reverse-i-search)\`${s.query}': `;
    if (s.index < 0) return { prompt, chars: s.saved.chars, cursor: s.saved.cursor, hints: false };
    return { prompt, chars: Array.from(this.history[s.index]), cursor: s.pos, hints: false };
  }

  /**
   * Places prompt, line and hint on rows `columns` wide.
   * @returns {{ cursor: Cell, afterText: Cell, end: Cell }} where the
   *   cursor goes, where the line ends, and where writing stops (end.col
   *   may equal columns: the terminal's pending wrap)
   */
  _layout(view, hint) {
    const cols = Math.max(this.columns, 2);
    const pos = { row: 0, col: 0 };
    const put = (ch) => {
      const w = this._w(ch);
      if (w > 0 && pos.col + w > cols) {
        pos.row++;
        pos.col = 0;
      }
      const at = { row: pos.row, col: pos.col };
      pos.col += w;
      return at;
    };
    for (const ch of view.prompt.replace(/\x1b\[[0-?]*[ -/]*[@-~]/g, "")) put(ch);
    let cursor = null;
    view.chars.forEach((ch, i) => {
      const at = put(ch);
      if (i === view.cursor) cursor = at;
    });
    const afterText = pos.col >= cols ? { row: pos.row + 1, col: 0 } : { ...pos };
    for (const ch of hint) put(ch);
    return { cursor: cursor ?? afterText, afterText, end: pos };
  }

  _up(rows) {
    return rows > 0 ? `\x1b[${rows}A` : "";
  }

  /** Redraws the edit area; the cursor ends at its place, or after the text. */
  _draw(withHint, cursorAtEnd) {
    const view = this._view();
    const text = view.chars.join("");
    let hint = "";
    if (withHint && view.hints && this._hint && text.trim() !== "") hint = this._hint(text) ?? "";
    const { cursor, afterText, end } = this._layout(view, hint);
    const target = cursorAtEnd ? afterText : cursor;
    let out = `${this._up(this._row)}\r\x1b[J${view.prompt}${text}`;
    if (hint) out += HINT_ON + hint + HINT_OFF;
    if (target.row > end.row) {
      // The text ends exactly at the right margin: a space wraps onto the
      // next row (keeping it part of the same wrapped line, which matters
      // on resize), then the cursor goes back over it.
      out += " \r";
    } else {
      out += `${this._up(end.row - target.row)}\r${target.col > 0 ? `\x1b[${target.col}C` : ""}`;
    }
    this._row = target.row;
    return out;
  }
}

/** @typedef {{ row: number, col: number }} Cell */
/**
 * @typedef {object} Search
 * @property {string} query
 * @property {number} index  history index of the match, -1 before any
 * @property {number} pos  code point index of the match in that entry
 * @property {boolean} failed
 * @property {object[]} stack  earlier states, for Backspace
 * @property {{ chars: string[], cursor: number }} saved  the line before
 */

/**
 * The longest prefix all candidates share, compared without case; spelled
 * as in the first candidate.
 * @param {string[]} items
 */
export function commonPrefix(items) {
  let prefix = Array.from(items[0]);
  for (const item of items.slice(1)) {
    const chars = Array.from(item);
    let n = 0;
    while (n < prefix.length && n < chars.length && prefix[n].toLowerCase() === chars[n].toLowerCase()) n++;
    prefix = prefix.slice(0, n);
  }
  return prefix.join("");
}

/**
 * Candidates in columns, filled top to bottom like ls, each row ending in
 * CRLF.
 * @param {string[]} items
 * @param {number} columns
 */
export function columnize(items, columns) {
  const cell = Math.max(...items.map(stringWidth)) + 2;
  const perRow = Math.max(1, Math.floor((columns + 2) / cell));
  const rows = Math.ceil(items.length / perRow);
  let out = "";
  for (let r = 0; r < rows; r++) {
    let line = "";
    for (let c = 0; c < perRow; c++) {
      const item = items[c * rows + r];
      if (item === undefined) continue;
      line += item + " ".repeat(cell - stringWidth(item));
    }
    out += `${line.trimEnd()}\r\n`;
  }
  return out;
}
