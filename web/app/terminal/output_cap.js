// The one place reply text is made ready for the terminal: "\n" becomes
// "\r\n" (xterm is a terminal, not a text box), and a long reply is cut to
// its head with a dim note saying how much was left out. KEYS * over 100k
// keys is several MB of text; xterm would take seconds to parse and wrap
// it, and nobody reads past the first screens anyway.

export const DEFAULT_LIMITS = { maxLines: 1000, maxChars: 256 * 1024 };

const DIM_ON = "\x1b[2m";
const DIM_OFF = "\x1b[22m";

/** UTF-8 length of a string, without encoding it. */
export function utf8Length(text) {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      bytes += 4; // a surrogate pair is one 4-byte character
      i++;
    } else bytes += 3;
  }
  return bytes;
}

function count(n, word) {
  return `${n.toLocaleString("en-US")} ${word}${n === 1 ? "" : "s"}`;
}

/** Number of lines in `text` ("a\nb" has two; a final "\n" ends the last). */
function lineCount(text) {
  if (text === "") return 0;
  let lines = 1;
  for (let at = text.indexOf("\n"); at >= 0; at = text.indexOf("\n", at + 1)) lines++;
  return text.endsWith("\n") ? lines - 1 : lines;
}

/**
 * Terminal-ready text for a reply: CRLF line ends, at most `maxLines`
 * lines and about `maxChars` characters, then a dim note.
 * @param {string} text
 * @param {{ maxLines?: number, maxChars?: number }} [limits]
 * @returns {{ text: string, capped: boolean, shownLines: number, totalLines: number }}
 */
export function capOutput(text, limits = {}) {
  const maxLines = limits.maxLines ?? DEFAULT_LIMITS.maxLines;
  const maxChars = limits.maxChars ?? DEFAULT_LIMITS.maxChars;
  let end = -1; // index of the newline ending line number maxLines
  let shown = 0;
  for (let at = text.indexOf("\n"); at >= 0 && shown < maxLines; at = text.indexOf("\n", at + 1)) {
    if (at > maxChars) break;
    end = at;
    shown++;
  }
  const totalLines = lineCount(text);
  const fits = text.length <= maxChars && totalLines <= maxLines;
  if (fits) return { text: crlf(text), capped: false, shownLines: totalLines, totalLines };
  let note;
  let head;
  if (end >= 0) {
    head = text.slice(0, end);
    note = `${count(totalLines - shown, "more line")} not shown`;
  } else {
    // One enormous first line: show its start.
    head = text.slice(0, maxChars);
    shown = 0;
    note = `${count(utf8Length(text) - utf8Length(head), "more byte")} not shown`;
  }
  const total = count(utf8Length(text), "byte");
  const out = `${crlf(head)}\r\n${DIM_ON}… ${note} (the full reply is ${total})${DIM_OFF}`;
  return { text: out, capped: true, shownLines: shown, totalLines };
}

/** @param {string} text */
export function crlf(text) {
  return text.replace(/\r?\n/g, "\r\n");
}
