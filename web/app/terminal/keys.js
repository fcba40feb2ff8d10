// Splits what xterm's onData delivers into keys for the line editor.
//
// A chunk is one keystroke (a character, a control character, an escape
// sequence) or pasted text. Arrows, Home, End and Delete come in both the
// CSI form (ESC [ A, ESC [ 3 ~) and the SS3 form (ESC O A) that xterm sends
// in application-cursor mode; Alt+key comes as ESC followed by the key; a
// lone ESC at the end of a chunk is the Escape key. Inside a bracketed paste
// (ESC [ 200 ~ ... ESC [ 201 ~) nothing is a command except line breaks.

/**
 * @typedef {object} Key
 * @property {string} name  "text" for printable characters, else the key:
 *   enter, tab, backspace, delete, escape, left, right, up, down, home, end,
 *   word-left, word-right, ctrl-<letter>, alt-<char>, alt-backspace,
 *   paste-start, paste-end, or "ignored".
 * @property {string} [text]  the characters, for "text"
 * @property {number} end  index just past the key in the chunk
 */

const CONTROL_NAMES = {
  "\r": "enter",
  "\n": "enter",
  "\t": "tab",
  "\x7f": "backspace",
  "\x08": "backspace",
};

/** @param {number} code */
function isText(code) {
  return code >= 0x20 && code !== 0x7f && (code < 0x80 || code >= 0xa0);
}

/** The end of a run of printable characters starting at `i`. */
function textEnd(data, i) {
  let j = i;
  while (j < data.length && isText(data.charCodeAt(j))) j++;
  return j;
}

/** Parameters and final byte of the CSI sequence whose '[' is at `i`. */
function readCsi(data, i) {
  let j = i + 1;
  while (j < data.length && /[0-?]/.test(data[j])) j++;
  const params = data.slice(i + 1, j);
  while (j < data.length && /[ -/]/.test(data[j])) j++;
  if (j >= data.length) return { params, final: "", end: data.length };
  return { params, final: data[j], end: j + 1 };
}

const CSI_TILDE = {
  1: "home", 7: "home", 4: "end", 8: "end", 3: "delete", 200: "paste-start", 201: "paste-end",
};
const ARROWS = { A: "up", B: "down", C: "right", D: "left", H: "home", F: "end" };

/** Names a CSI sequence (params like "1;5" carry modifier keys). */
function csiName(params, final) {
  if (final === "~") {
    const [code, modifier] = params.split(";");
    if (code === "3" && modifier === "5") return "alt-d"; // Ctrl+Delete
    return CSI_TILDE[Number(code)] ?? "ignored";
  }
  const name = ARROWS[final];
  if (!name) return "ignored";
  const modifier = params.split(";")[1];
  const wordMove = modifier === "3" || modifier === "5"; // Alt or Ctrl
  if (wordMove && name === "left") return "word-left";
  if (wordMove && name === "right") return "word-right";
  return name;
}

/** The key starting with the ESC at `i`. */
function readEscape(data, i) {
  const next = data[i + 1];
  if (next === undefined || next === "\x1b") return { name: "escape", end: i + 1 };
  if (next === "[") {
    const csi = readCsi(data, i + 1);
    return { name: csi.final ? csiName(csi.params, csi.final) : "ignored", end: csi.end };
  }
  if (next === "O" && i + 2 < data.length) {
    return { name: ARROWS[data[i + 2]] ?? "ignored", end: i + 3 };
  }
  if (next === "\x7f" || next === "\x08") return { name: "alt-backspace", end: i + 2 };
  if (isText(next.charCodeAt(0))) return { name: `alt-${next.toLowerCase()}`, end: i + 2 };
  return { name: "ignored", end: i + 2 };
}

/** Inside a bracketed paste: text, line breaks and the closing bracket only. */
function readPasted(data, i) {
  if (data.startsWith("\x1b[201~", i)) return { name: "paste-end", end: i + 6 };
  const c = data[i];
  if (c === "\r") return { name: "enter", end: data[i + 1] === "\n" ? i + 2 : i + 1 };
  if (c === "\n") return { name: "enter", end: i + 1 };
  if (c === "\t") return { name: "text", text: " ", end: i + 1 };
  if (!isText(data.charCodeAt(i))) return { name: "ignored", end: i + 1 };
  const end = textEnd(data, i);
  return { name: "text", text: data.slice(i, end), end };
}

/**
 * Reads the key at `i` of an onData chunk.
 * @param {string} data
 * @param {number} i
 * @param {boolean} pasting  inside a bracketed paste
 * @returns {Key}
 */
export function readKey(data, i, pasting) {
  if (pasting) return readPasted(data, i);
  const code = data.charCodeAt(i);
  if (isText(code)) {
    const end = textEnd(data, i);
    return { name: "text", text: data.slice(i, end), end };
  }
  if (code === 0x1b) return readEscape(data, i);
  const c = data[i];
  if (c === "\r" && data[i + 1] === "\n") return { name: "enter", end: i + 2 };
  if (CONTROL_NAMES[c]) return { name: CONTROL_NAMES[c], end: i + 1 };
  if (code >= 1 && code <= 26) {
    return { name: `ctrl-${String.fromCharCode(code + 96)}`, end: i + 1 };
  }
  return { name: "ignored", end: i + 1 };
}
