// How many terminal columns a character takes: 0 (combining marks, joiners,
// variation selectors), 2 (East Asian wide/fullwidth ideographs and kana,
// Hangul syllables, emoji shown as pictures) or 1.
//
// The line editor does its cursor arithmetic with this table and the
// terminal draws with it too: TerminalView registers `widthProvider` as
// xterm's Unicode version, so the editor and the screen can never disagree
// about where a character ends. (xterm's built-in table is Unicode 6, where
// emoji are one column wide and overlap their neighbours.)

const ZERO_WIDTH = /[\p{Mn}\p{Me}\p{Cf}]/u;
const EMOJI = /\p{Emoji_Presentation}/u;

// East Asian Width W and F blocks (Unicode 15), as [first, last] pairs.
const WIDE = [
  [0x1100, 0x115f], [0x2329, 0x232a], [0x2e80, 0x303e], [0x3041, 0x33ff],
  [0x3400, 0x4dbf], [0x4e00, 0x9fff], [0xa000, 0xa4cf], [0xa960, 0xa97f],
  [0xac00, 0xd7a3], [0xf900, 0xfaff], [0xfe10, 0xfe19], [0xfe30, 0xfe6f],
  [0xff00, 0xff60], [0xffe0, 0xffe6], [0x16fe0, 0x16fe4], [0x17000, 0x18cff],
  [0x1b000, 0x1b2ff], [0x1f200, 0x1f2ff], [0x20000, 0x2fffd], [0x30000, 0x3fffd],
];

/** @param {number} cp */
function computeWidth(cp) {
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return 0;
  if (cp === 0xad) return 1; // soft hyphen: Cf, but terminals draw it
  if (cp >= 0x1160 && cp <= 0x11ff) return 0; // Hangul medial/final jamo
  const ch = String.fromCodePoint(cp);
  if (ZERO_WIDTH.test(ch)) return 0;
  for (const [first, last] of WIDE) {
    if (cp >= first && cp <= last) return 2;
  }
  return EMOJI.test(ch) ? 2 : 1;
}

// xterm asks for every printed code point, so answers are cached: a lazily
// filled table for the BMP (255 = not computed yet) and a map above it.
const bmp = new Uint8Array(0x10000).fill(255);
const astral = new Map();

/**
 * Columns taken by one code point.
 * @param {number} cp
 * @returns {0 | 1 | 2}
 */
export function charWidth(cp) {
  if (cp >= 0x20 && cp < 0x7f) return 1;
  if (cp < 0x10000) {
    let w = bmp[cp];
    if (w === 255) w = bmp[cp] = computeWidth(cp);
    return /** @type {0 | 1 | 2} */ (w);
  }
  let w = astral.get(cp);
  if (w === undefined) astral.set(cp, (w = computeWidth(cp)));
  return w;
}

/**
 * Columns taken by a string, ANSI escape sequences (CSI ... final) excluded.
 * @param {string} text
 */
export function stringWidth(text) {
  let width = 0;
  for (const ch of text.replace(/\x1b\[[0-?]*[ -/]*[@-~]/g, "")) {
    width += charWidth(/** @type {number} */ (ch.codePointAt(0)));
  }
  return width;
}

/**
 * The same table as an xterm Unicode version provider (the
 * IUnicodeVersionProvider shape: a zero-width code point joins the cell
 * before it, which keeps its width; properties pack width << 1 | join).
 */
export const widthProvider = {
  version: "persistlab",
  /** @param {number} cp */
  wcwidth(cp) {
    return charWidth(cp);
  },
  /**
   * @param {number} cp
   * @param {number} preceding
   */
  charProperties(cp, preceding) {
    let width = charWidth(cp);
    let join = width === 0 && preceding !== 0;
    if (join) {
      const before = (preceding >> 1) & 3;
      if (before === 0) join = false;
      else width = before;
    }
    return (width << 1) | (join ? 1 : 0);
  },
};
