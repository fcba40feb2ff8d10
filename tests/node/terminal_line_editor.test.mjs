// The playground terminal's line editor (web/app/terminal/line_editor.js)
// in node: every key binding, history, reverse search, completion, pastes,
// wide characters. What the editor writes is played on a small model of a
// terminal (wrapping, wide characters, the few escape sequences the editor
// uses), so the tests check what a person would see and where the cursor is.
import assert from "node:assert/strict";
import { test } from "node:test";
import { LineEditor, columnize, commonPrefix } from "../../web/app/terminal/line_editor.js";
import { readKey } from "../../web/app/terminal/keys.js";
import { charWidth, stringWidth, widthProvider } from "../../web/app/terminal/unicode_width.js";

const ESC = "\x1b";
const KEY = {
  up: `${ESC}[A`, down: `${ESC}[B`, right: `${ESC}[C`, left: `${ESC}[D`,
  upSs3: `${ESC}OA`, downSs3: `${ESC}OB`, rightSs3: `${ESC}OC`, leftSs3: `${ESC}OD`,
  home: `${ESC}[H`, end: `${ESC}[F`, homeSs3: `${ESC}OH`, endSs3: `${ESC}OF`,
  home1: `${ESC}[1~`, end4: `${ESC}[4~`, home7: `${ESC}[7~`, end8: `${ESC}[8~`,
  del: `${ESC}[3~`, ctrlLeft: `${ESC}[1;5D`, ctrlRight: `${ESC}[1;5C`,
  altB: `${ESC}b`, altF: `${ESC}f`, altD: `${ESC}d`, altBackspace: `${ESC}\x7f`,
  backspace: "\x7f", ctrlH: "\x08", enter: "\r", tab: "\t", esc: ESC,
  ctrlA: "\x01", ctrlB: "\x02", ctrlC: "\x03", ctrlD: "\x04", ctrlE: "\x05", ctrlF: "\x06",
  ctrlG: "\x07", ctrlK: "\x0b", ctrlL: "\x0c", ctrlN: "\x0e", ctrlP: "\x10", ctrlR: "\x12",
  ctrlU: "\x15", ctrlW: "\x17", ctrlY: "\x19",
  pasteStart: `${ESC}[200~`, pasteEnd: `${ESC}[201~`,
};

/**
 * A terminal model: an unbounded grid `cols` wide, a cursor that may sit
 * one past the last column (the pending wrap), wide characters taking two
 * cells, and CR, LF, CUU (A), CUF (C), ED (J), CUP home (H); SGR colours are
 * remembered per cell so grey hints can be told apart.
 */
class Screen {
  constructor(cols) {
    this.cols = cols;
    this.rows = [[]];
    this.row = 0;
    this.col = 0;
    this.grey = false;
  }
  cell(r, c) {
    while (this.rows.length <= r) this.rows.push([]);
    return this.rows[r][c];
  }
  put(r, c, value) {
    this.cell(r, 0);
    this.rows[r][c] = value;
  }
  print(ch) {
    const w = charWidth(ch.codePointAt(0));
    if (w === 0) return;
    if (this.col + w > this.cols) {
      this.row++;
      this.col = 0;
    }
    this.put(this.row, this.col, { ch, grey: this.grey });
    if (w === 2) this.put(this.row, this.col + 1, { ch: "", grey: this.grey });
    this.col += w;
  }
  csi(params, final) {
    const n = Number(params || 1);
    if (final === "A") {
      this.row = Math.max(0, this.row - n);
      this.col = Math.min(this.col, this.cols - 1);
    } else if (final === "C") {
      this.col = Math.min(this.cols - 1, this.col + n);
    } else if (final === "H") {
      this.row = 0;
      this.col = 0;
    } else if (final === "J") {
      if (params === "2" || params === "3") {
        this.rows = [[]];
        return;
      }
      this.cell(this.row, 0);
      this.rows[this.row].length = Math.min(this.rows[this.row].length, this.col);
      this.rows.length = this.row + 1;
    } else if (final === "m") {
      for (const p of params.split(";")) {
        if (p === "90") this.grey = true;
        if (p === "39" || p === "0" || p === "") this.grey = false;
      }
    }
  }
  write(data) {
    for (let i = 0; i < data.length; ) {
      const m = /^\x1b\[([0-?]*)([ -/]*)([@-~])/.exec(data.slice(i, i + 16));
      if (m) {
        this.csi(m[1], m[3]);
        i += m[0].length;
        continue;
      }
      const ch = String.fromCodePoint(data.codePointAt(i));
      i += ch.length;
      if (ch === "\r") this.col = 0;
      else if (ch === "\n") {
        this.row++;
        this.col = Math.min(this.col, this.cols - 1);
        this.cell(this.row, 0);
      } else this.print(ch);
    }
  }
  /** The text of row r (wide characters once), trailing blanks dropped. */
  line(r) {
    const cells = this.rows[r] ?? [];
    let s = "";
    for (let c = 0; c < cells.length; c++) s += cells[c] ? cells[c].ch : " ";
    return s.trimEnd();
  }
  lines() {
    return this.rows.map((_, r) => this.line(r));
  }
  /** The grey text on row r. */
  greyText(r) {
    return (this.rows[r] ?? []).filter((c) => c && c.grey).map((c) => c.ch).join("");
  }
}

/** An editor wired to a Screen, recording submitted lines. */
function setup(options = {}, cols = 80) {
  const screen = new Screen(cols);
  const editor = new LineEditor({ columns: cols, ...options });
  const submitted = [];
  screen.write(editor.newLine(options.prompt ?? "plab> "));
  /** Types keys; runs submitted lines at once (echoing nothing) like a host. */
  const type = (...keys) => {
    for (let data of keys) {
      while (data) {
        const r = editor.feed(data);
        screen.write(r.output);
        data = r.rest;
        if (r.line !== null) {
          submitted.push(r.line);
          screen.write(editor.newLine(editor.prompt));
        }
      }
    }
  };
  return { editor, screen, submitted, type };
}

/** Where the cursor is on the screen, as a column of the last row used. */
function cursorAt(screen) {
  return { row: screen.row, col: screen.col };
}

test("typing and Enter: the line is submitted, drawn after the prompt, kept in history", () => {
  const { editor, screen, submitted, type } = setup();
  type("SET k v");
  assert.equal(editor.line, "SET k v");
  assert.equal(screen.line(0), "plab> SET k v");
  assert.deepEqual(cursorAt(screen), { row: 0, col: 13 });
  type(KEY.enter);
  assert.deepEqual(submitted, ["SET k v"]);
  assert.deepEqual(editor.history, ["SET k v"]);
  assert.equal(screen.line(0), "plab> SET k v");
  assert.equal(screen.line(1), "plab>");
  assert.equal(editor.line, "");
});

test("Left/Right, Ctrl-B/F and SS3 arrows move one character; Home/End and Ctrl-A/E jump", () => {
  const { editor, screen, type } = setup();
  type("abcd");
  for (const [key, expected] of [
    [KEY.left, 3], [KEY.leftSs3, 2], [KEY.ctrlB, 1], [KEY.right, 2], [KEY.rightSs3, 3], [KEY.ctrlF, 4],
    [KEY.right, 4], [KEY.home, 0], [KEY.left, 0], [KEY.end, 4], [KEY.homeSs3, 0], [KEY.endSs3, 4],
    [KEY.home1, 0], [KEY.end4, 4], [KEY.home7, 0], [KEY.end8, 4], [KEY.ctrlA, 0], [KEY.ctrlE, 4],
  ]) {
    type(key);
    assert.equal(editor.cursor, expected, JSON.stringify(key));
    assert.equal(screen.col, 6 + expected, JSON.stringify(key));
  }
  type(KEY.home, "X");
  assert.equal(editor.line, "Xabcd");
  assert.equal(screen.line(0), "plab> Xabcd");
  assert.equal(screen.col, 7);
});

test("Backspace, Ctrl-H, Delete and Ctrl-D delete; Ctrl-D on an empty line does nothing", () => {
  const { editor, submitted, type } = setup();
  type("abcdef", KEY.backspace);
  assert.equal(editor.line, "abcde");
  type(KEY.ctrlH);
  assert.equal(editor.line, "abcd");
  type(KEY.home, KEY.del);
  assert.equal(editor.line, "bcd");
  type(KEY.ctrlD);
  assert.equal(editor.line, "cd");
  assert.equal(editor.cursor, 0);
  type(KEY.backspace); // nothing before the cursor
  assert.equal(editor.line, "cd");
  type(KEY.end, KEY.del, KEY.ctrlD); // nothing after it
  assert.equal(editor.line, "cd");
  type(KEY.ctrlU, KEY.ctrlD);
  assert.equal(editor.line, "");
  assert.deepEqual(submitted, []);
});

test("Ctrl-U kills to the start, Ctrl-K to the end, Ctrl-Y yanks it back", () => {
  const { editor, screen, type } = setup();
  type("GET alpha beta", KEY.left, KEY.left, KEY.left, KEY.left, KEY.left);
  type(KEY.ctrlK);
  assert.equal(editor.line, "GET alpha");
  assert.equal(screen.line(0), "plab> GET alpha");
  type(KEY.ctrlA, KEY.ctrlY);
  assert.equal(editor.line, " betaGET alpha");
  type(KEY.ctrlE, KEY.left, KEY.left, KEY.ctrlU);
  assert.equal(editor.line, "ha");
  assert.equal(editor.cursor, 0);
  type(KEY.ctrlE, KEY.ctrlY);
  assert.equal(editor.line, "ha betaGET alp");
});

test("Ctrl-W removes the previous white-space word; consecutive kills yank together", () => {
  const { editor, type } = setup();
  type("SET my:key some-value  ");
  type(KEY.ctrlW);
  assert.equal(editor.line, "SET my:key ");
  type(KEY.ctrlW);
  assert.equal(editor.line, "SET ");
  type(KEY.ctrlY);
  assert.equal(editor.line, "SET my:key some-value  ");
  type(KEY.ctrlW, KEY.left, KEY.ctrlW, KEY.ctrlY);
  // The second Ctrl-W after a move starts a new kill: only "my:key" comes back.
  assert.equal(editor.line, "SET my:key ");
});

test("Alt-B/Alt-F and Ctrl-arrows move by words; Alt-D and Alt-Backspace kill words", () => {
  const { editor, type } = setup();
  type("SET user:42 hello-world");
  type(KEY.altB);
  assert.equal(editor.cursor, 18); // "world"
  type(KEY.altB);
  assert.equal(editor.cursor, 12); // "hello"
  type(KEY.ctrlLeft);
  assert.equal(editor.cursor, 9); // "42"
  type(KEY.altF);
  assert.equal(editor.cursor, 11); // end of "42"
  type(KEY.ctrlRight);
  assert.equal(editor.cursor, 17); // end of "hello"
  type(KEY.ctrlA, KEY.altD);
  assert.equal(editor.line, " user:42 hello-world");
  type(KEY.ctrlE, KEY.altBackspace);
  assert.equal(editor.line, " user:42 hello-");
  type(KEY.altBackspace);
  assert.equal(editor.line, " user:42 ");
  type(KEY.ctrlY);
  assert.equal(editor.line, " user:42 hello-world");
});

test("Ctrl-L clears the screen and redraws the line, cursor kept", () => {
  const { editor, screen, type } = setup();
  type("PING", KEY.enter, "ECHO hi", KEY.left);
  assert.equal(screen.line(1), "plab> ECHO hi");
  type(KEY.ctrlL);
  assert.deepEqual(screen.lines(), ["plab> ECHO hi"]);
  assert.equal(editor.line, "ECHO hi");
  assert.deepEqual(cursorAt(screen), { row: 0, col: 12 });
});

test("Ctrl-C abandons the line: ^C after it, a fresh prompt, nothing kept", () => {
  const { editor, screen, submitted, type } = setup();
  type("FLUSHALL", KEY.home, KEY.ctrlC);
  assert.deepEqual(screen.lines(), ["plab> FLUSHALL^C", "plab>"]);
  assert.equal(editor.line, "");
  assert.deepEqual(submitted, []);
  assert.deepEqual(editor.history, []);
  assert.deepEqual(cursorAt(screen), { row: 1, col: 6 });
});

test("history: Up/Down and Ctrl-P/N walk it, the line being edited is kept, edits survive until Enter", () => {
  const { editor, screen, submitted, type } = setup({ history: ["GET a", "GET b"] });
  type("SET new");
  type(KEY.up);
  assert.equal(editor.line, "GET b");
  assert.equal(screen.line(0), "plab> GET b");
  type(KEY.upSs3);
  assert.equal(editor.line, "GET a");
  type(KEY.up); // at the oldest: stays
  assert.equal(editor.line, "GET a");
  type("X", KEY.down);
  assert.equal(editor.line, "GET b");
  type(KEY.ctrlP);
  assert.equal(editor.line, "GET aX");
  type(KEY.ctrlN, KEY.downSs3);
  assert.equal(editor.line, "SET new");
  type(KEY.down); // past the newest: stays
  assert.equal(editor.line, "SET new");
  type(KEY.up, KEY.up, KEY.enter);
  assert.deepEqual(submitted, ["GET aX"]);
  assert.deepEqual(editor.history, ["GET a", "GET b", "GET aX"]);
  type(KEY.up, KEY.up);
  assert.equal(editor.line, "GET b"); // the edit to "GET a" was not stored in history
  type(KEY.up);
  assert.equal(editor.line, "GET a");
});

test("history skips blank lines, repeats of the last line and lines keepInHistory refuses; it is capped", () => {
  const { editor, submitted, type } = setup({
    keepInHistory: (line) => !/^auth/i.test(line), historySize: 3,
  });
  type("PING\r", "   \r", "PING\r", "AUTH secret\r", "GET a\r", "GET b\r", "GET c\r");
  assert.deepEqual(submitted, ["PING", "   ", "PING", "AUTH secret", "GET a", "GET b", "GET c"]);
  assert.deepEqual(editor.history, ["GET a", "GET b", "GET c"]);
});

test("Ctrl-R searches history backwards, as readline shows it; Ctrl-R again finds older matches", () => {
  const { editor, screen, submitted, type } = setup({
    history: ["SET user:1 ann", "GET counter", "SET user:2 bob", "INCR counter", "GET user:2"],
  });
  type("draft", KEY.ctrlR);
  assert.equal(screen.line(0), "(reverse-i-search)`': draft");
  type("user");
  assert.equal(screen.line(0), "(reverse-i-search)`user': GET user:2");
  assert.equal(screen.col, "(reverse-i-search)`user': GET ".length); // on the match
  type(KEY.ctrlR);
  assert.equal(screen.line(0), "(reverse-i-search)`user': SET user:2 bob");
  type(KEY.ctrlR);
  assert.equal(editor.search.match, "SET user:1 ann");
  type(KEY.ctrlR); // nothing older
  assert.equal(screen.line(0), "(failed reverse-i-search)`user': SET user:1 ann");
  type(KEY.backspace); // back to the state before that Ctrl-R
  assert.equal(screen.line(0), "(reverse-i-search)`user': SET user:1 ann");
  type(KEY.backspace); // and the one before: "user" on "SET user:2 bob"
  assert.equal(screen.line(0), "(reverse-i-search)`user': SET user:2 bob");
  type(":2 B"); // case-insensitive
  assert.equal(editor.search.match, "SET user:2 bob");
  type(KEY.enter);
  assert.deepEqual(submitted, ["SET user:2 bob"]);
  assert.equal(screen.line(0), "plab> SET user:2 bob");
  assert.equal(editor.search, null);
});

test("Ctrl-R: Esc and Ctrl-G cancel back to the line; arrows accept the match for editing", () => {
  const { editor, screen, submitted, type } = setup({ history: ["GET alpha", "DEL beta"] });
  type("typed", KEY.left, KEY.ctrlR, "alp", KEY.esc);
  assert.equal(editor.line, "typed");
  assert.equal(editor.cursor, 4);
  assert.equal(screen.line(0), "plab> typed");
  type(KEY.ctrlR, "bet", KEY.ctrlG);
  assert.equal(editor.line, "typed");
  type(KEY.ctrlR, "alp", KEY.right);
  assert.equal(editor.search, null);
  assert.equal(editor.line, "GET alpha");
  assert.equal(editor.cursor, 5); // match at 4, then one to the right
  assert.equal(screen.line(0), "plab> GET alpha");
  type(KEY.end, "2", KEY.enter);
  assert.deepEqual(submitted, ["GET alpha2"]);
  // Ctrl-R Ctrl-R repeats the last search; Ctrl-A accepts and moves home.
  type(KEY.ctrlR, KEY.ctrlR);
  assert.equal(editor.search.match, "GET alpha2");
  type(KEY.ctrlA);
  assert.equal(editor.line, "GET alpha2");
  assert.equal(editor.cursor, 0);
  // Up from an accepted match continues from its place in history.
  type(KEY.up);
  assert.equal(editor.line, "DEL beta");
  // Ctrl-C in a search abandons the line.
  type(KEY.ctrlR, "zzz", KEY.ctrlC);
  assert.equal(editor.search, null);
  assert.equal(editor.line, "");
});

const NAMES = ["SET", "SETEX", "SETNX", "SELECT", "GET", "GETSET", "CONFIG"];
function complete(before) {
  const start = before.lastIndexOf(" ") + 1;
  const typed = before.slice(start).toUpperCase();
  const pool = start === 0 ? NAMES : before.toUpperCase().startsWith("CONFIG ") ? ["GET", "SET", "RESETSTAT"] : [];
  return { start, candidates: pool.filter((n) => n.startsWith(typed)) };
}

test("Tab completes a unique name (with a space), extends a common prefix, lists when ambiguous", () => {
  const { editor, screen, type } = setup({ complete }, 40);
  type("conf", KEY.tab);
  assert.equal(editor.line, "CONFIG ");
  type("res", KEY.tab);
  assert.equal(editor.line, "CONFIG RESETSTAT ");
  type(KEY.ctrlU, "s", KEY.tab);
  assert.equal(editor.line, "SE"); // SET, SETEX, SETNX, SELECT share "SE"
  const before = screen.lines().length;
  type(KEY.tab);
  assert.equal(editor.line, "SE");
  const shown = screen.lines().slice(before - 1);
  assert.equal(shown[0], "plab> SE");
  assert.deepEqual(shown.slice(1), ["SET     SETEX   SETNX   SELECT", "plab> SE"]);
  assert.deepEqual(cursorAt(screen), { row: screen.rows.length - 1, col: 8 });
  type("T", KEY.tab); // SET, SETEX, SETNX: nothing to add, list again
  assert.equal(editor.line, "SET");
  type(KEY.ctrlU, "zz", KEY.tab); // no candidate: nothing happens
  assert.equal(editor.line, "zz");
  // In the middle of a line no space is added after a unique completion.
  type(KEY.ctrlU, "getse x", KEY.left, KEY.left, KEY.tab);
  assert.equal(editor.line, "GETSET x");
});

test("paste: every complete line is submitted in order, a trailing partial line stays", () => {
  const { editor, screen, submitted, type } = setup();
  type("SET a 1\rSET b 2\r\nSET c 3\nGET a\r\rGET");
  assert.deepEqual(submitted, ["SET a 1", "SET b 2", "SET c 3", "GET a", ""]);
  assert.equal(editor.line, "GET");
  assert.deepEqual(screen.lines(), [
    "plab> SET a 1", "plab> SET b 2", "plab> SET c 3", "plab> GET a", "plab>", "plab> GET",
  ]);
});

test("feed stops after a submitted line and returns the rest, so a host can run lines one at a time", () => {
  const editor = new LineEditor();
  const first = editor.feed("PING\r\nECHO x\rEC");
  assert.equal(first.line, "PING");
  assert.equal(first.rest, "ECHO x\rEC");
  editor.newLine();
  const second = editor.feed(first.rest);
  assert.equal(second.line, "ECHO x");
  editor.newLine();
  const third = editor.feed(second.rest);
  assert.equal(third.line, null);
  assert.equal(third.rest, "");
  assert.equal(editor.line, "EC");
});

test("bracketed paste: keys are text, tabs become spaces, line breaks still submit", () => {
  const { editor, submitted, type } = setup({ complete });
  type(`${KEY.pasteStart}SET\tk \x01v\x12\rGET k${KEY.pasteEnd}`);
  assert.deepEqual(submitted, ["SET k v"]);
  assert.equal(editor.line, "GET k");
  type(KEY.ctrlA); // after the paste, keys are keys again
  assert.equal(editor.cursor, 0);
  // A paste split over chunks (the host feeds the rest later) stays a paste.
  type(`${KEY.pasteStart}A\tB`, `\tC${KEY.pasteEnd}`);
  assert.equal(editor.line, "A B CGET k"); // inserted at the cursor, Tab did not complete
  type(KEY.esc + KEY.pasteStart + "x" + KEY.pasteEnd);
  assert.equal(editor.line, "A B CxGET k");
  // A host that drops unread input (with the closing bracket) ends the paste.
  type(KEY.pasteStart, "y");
  editor.endPaste();
  type(KEY.ctrlA);
  assert.equal(editor.line, "A B CxyGET k");
  assert.equal(editor.cursor, 0);
});

test("wide characters: CJK and emoji take two columns, the cursor lands between them", () => {
  const { editor, screen, type } = setup();
  type("SET 名前 😀!");
  assert.equal(screen.line(0), "plab> SET 名前 😀!");
  assert.equal(screen.col, 6 + 4 + 4 + 1 + 2 + 1);
  type(KEY.left, KEY.left);
  assert.equal(editor.cursor, 7);
  assert.equal(screen.col, 6 + 4 + 4 + 1);
  type(KEY.left, KEY.left);
  assert.equal(screen.col, 6 + 4 + 2);
  type(KEY.backspace);
  assert.equal(editor.line, "SET 前 😀!");
  assert.equal(screen.line(0), "plab> SET 前 😀!");
  assert.equal(screen.col, 10);
});

test("combining marks and joiners: the cursor steps over a whole cell", () => {
  const { editor, screen, type } = setup();
  type("cafe\u0301s");
  assert.equal(screen.col, 6 + 5);
  type(KEY.left, KEY.left);
  assert.equal(editor.cursor, 3); // before "e" + combining acute
  assert.equal(screen.col, 9);
  type(KEY.del);
  assert.equal(editor.line, "cafs");
  type(KEY.ctrlU, "x\u{1f469}\u200d\u{1f4bb}y", KEY.left, KEY.left);
  // woman (2) + ZWJ (0) + laptop (2): the joiner belongs to the woman's cell
  assert.equal(editor.cursor, 3);
  assert.equal(screen.col, 6 + 1 + 2);
});

test("a long line wraps; a wide character that does not fit moves to the next row", () => {
  const { editor, screen, type } = setup({}, 10);
  type("abcd名");
  // "plab> abcd" fills row 0; the ideograph starts row 1
  assert.deepEqual(screen.lines(), ["plab> abcd", "名"]);
  assert.deepEqual(cursorAt(screen), { row: 1, col: 2 });
  type(KEY.ctrlU, "abc名");
  // 9 columns used, the ideograph needs 2: it wraps, leaving a blank cell
  assert.deepEqual(screen.lines(), ["plab> abc", "名"]);
  type(KEY.left);
  assert.deepEqual(cursorAt(screen), { row: 1, col: 0 });
  type(KEY.home);
  assert.deepEqual(cursorAt(screen), { row: 0, col: 6 });
  type(KEY.ctrlE, KEY.ctrlU, "0123456789abcdefghij");
  assert.deepEqual(screen.lines(), ["plab> 0123", "456789abcd", "efghij"]);
  type(KEY.ctrlA, KEY.ctrlF, KEY.ctrlF, KEY.ctrlF, KEY.ctrlF);
  assert.deepEqual(cursorAt(screen), { row: 1, col: 0 });
  type(KEY.ctrlE, KEY.backspace, KEY.backspace, KEY.backspace, KEY.backspace, KEY.backspace, KEY.backspace);
  // Exactly at the right margin: the cursor goes to the start of the next row
  assert.deepEqual(screen.lines(), ["plab> 0123", "456789abcd", ""]);
  assert.deepEqual(cursorAt(screen), { row: 2, col: 0 });
  type(KEY.enter);
  assert.deepEqual(screen.lines().slice(-1), ["plab>"]);
  assert.equal(editor.line, "");
});

test("the hint is drawn grey after the line, changes as you type and is gone on Enter", () => {
  const hint = (line) => (line.trim().toUpperCase() === "GET" ? (line.endsWith(" ") ? "key" : " key") : "");
  const { screen, type } = setup({ hint });
  type("GET");
  assert.equal(screen.line(0), "plab> GET key");
  assert.equal(screen.greyText(0), " key");
  assert.equal(screen.col, 9); // the cursor stays before the hint
  type(" ");
  assert.equal(screen.line(0), "plab> GET key");
  assert.equal(screen.greyText(0), "key");
  assert.equal(screen.col, 10);
  type("k");
  assert.equal(screen.line(0), "plab> GET k");
  assert.equal(screen.greyText(0), "");
  type(KEY.backspace, KEY.backspace, KEY.enter);
  assert.equal(screen.line(0), "plab> GET");
  assert.equal(screen.greyText(0), "");
});

test("runLine shows a button's line after the prompt and hands back what was being typed", () => {
  const { editor, screen, type } = setup();
  type("half typ", KEY.left);
  const { output, stash } = editor.runLine(".crash power");
  screen.write(output);
  assert.equal(stash, "half typ");
  assert.equal(screen.line(0), "plab> .crash power");
  assert.deepEqual(editor.history, [".crash power"]);
  screen.write("ok\r\n");
  screen.write(editor.newLine("plab[2]> ", stash));
  assert.deepEqual(screen.lines(), ["plab> .crash power", "ok", "plab[2]> half typ"]);
  assert.equal(editor.line, "half typ");
});

test("erase and render let a host print above the edit area; setColumns follows a resize", () => {
  const { editor, screen, type } = setup({}, 12);
  type("0123456789");
  assert.deepEqual(screen.lines(), ["plab> 012345", "6789"]);
  screen.write(`${editor.erase()}note\r\n${editor.render()}`);
  assert.deepEqual(screen.lines(), ["note", "plab> 012345", "6789"]);
  // A resize: xterm leaves the wrapped line holding the cursor as it was
  // (rows and cursor row unchanged, nothing reflowed); the editor redraws it.
  editor.setColumns(20);
  const wide = new Screen(20);
  wide.rows = screen.rows.map((r) => [...r]);
  wide.row = screen.row;
  wide.col = screen.col;
  wide.write(editor.render());
  assert.deepEqual(wide.lines(), ["note", "plab> 0123456789"]);
  assert.deepEqual(cursorAt(wide), { row: 1, col: 16 });
  editor.setColumns(8);
  const narrow = new Screen(8);
  narrow.rows = wide.rows.map((r) => r.slice(0, 8));
  narrow.row = wide.row;
  narrow.col = 7;
  narrow.write(editor.render());
  assert.deepEqual(narrow.lines(), ["note", "plab> 01", "23456789", ""]);
  assert.deepEqual(cursorAt(narrow), { row: 3, col: 0 });
  screen.write(editor.setPrompt("plab[1]> "));
  assert.equal(editor.prompt, "plab[1]> ");
});

test("readKey names CSI, SS3, Alt and control keys; a lone ESC is Escape", () => {
  const names = (data) => {
    const out = [];
    for (let i = 0; i < data.length; ) {
      const k = readKey(data, i, false);
      out.push(k.name === "text" ? `text:${k.text}` : k.name);
      i = k.end;
    }
    return out;
  };
  assert.deepEqual(names(`${ESC}[A${ESC}OB${ESC}[1;5C${ESC}[1;3D${ESC}[3~${ESC}[3;5~${ESC}[5~`),
    ["up", "down", "word-right", "word-left", "delete", "alt-d", "ignored"]);
  assert.deepEqual(names(`ab${ESC}B\x17\r\n\t${ESC}`), ["text:ab", "alt-b", "ctrl-w", "enter", "tab", "escape"]);
  assert.deepEqual(names(`${ESC}${ESC}[H\x00\x9b`), ["escape", "home", "ignored", "ignored"]);
});

test("widths: ASCII 1, CJK and emoji 2, marks 0; the xterm provider joins marks to the cell before", () => {
  assert.equal(charWidth(0x41), 1);
  assert.equal(charWidth(0x540d), 2); // 名
  assert.equal(charWidth(0xac00), 2); // 가
  assert.equal(charWidth(0xff21), 2); // fullwidth A
  assert.equal(charWidth(0x1f600), 2); // 😀
  assert.equal(charWidth(0x2764), 1); // ❤ (text presentation)
  assert.equal(charWidth(0x301), 0);
  assert.equal(charWidth(0x200d), 0);
  assert.equal(charWidth(0xfe0f), 0);
  assert.equal(stringWidth("\x1b[90mab名\x1b[39m"), 4);
  const wide = widthProvider.charProperties(0x540d, 0);
  assert.equal(wide >> 1, 2);
  const joined = widthProvider.charProperties(0x301, wide);
  assert.equal(joined & 1, 1); // joins
  assert.equal(joined >> 1, 2); // keeps the wide cell's width
  assert.equal(widthProvider.charProperties(0x301, 0) & 1, 0); // nothing to join
});

test("commonPrefix ignores case; columnize fills columns top to bottom", () => {
  assert.equal(commonPrefix(["SETEX", "setnx", "SET"]), "SET");
  assert.equal(commonPrefix(["a", "b"]), "");
  assert.equal(columnize(["a", "bb", "c", "d", "e"], 8), "a   d\r\nbb  e\r\nc\r\n");
});
