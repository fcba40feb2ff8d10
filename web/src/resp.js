// Commands in, replies out: the two byte formats between the JS API and the
// engine (wasm/plab_wasm.cc documents both ends).
//
// - encodeBatch(commands): the batch encoding runBatch() takes. A string
//   command travels as a line and is split in the engine exactly as
//   redis-cli splits what you type (quotes, \x escapes); an array travels
//   as an argv, binary-safe.
// - parseReply(bytes, offset): one RESP2/RESP3 reply decoded to plain JS
//   values, plus where it ended.

const encoder = new TextEncoder();
// ignoreBOM keeps a leading U+FEFF: it is part of the stored value (a GET
// of a file saved with a BOM), and the default decoder would drop it.
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });

/** @typedef {string | Uint8Array | number} Arg */
/** @typedef {string | Arg[]} Command */

/** A growable byte buffer with little-endian u32 writes. */
class ByteWriter {
  constructor(capacity = 1024) {
    this.bytes = new Uint8Array(capacity);
    this.length = 0;
  }
  reserve(n) {
    if (this.length + n <= this.bytes.length) return;
    let capacity = this.bytes.length * 2;
    while (capacity < this.length + n) capacity *= 2;
    const bigger = new Uint8Array(capacity);
    bigger.set(this.bytes.subarray(0, this.length));
    this.bytes = bigger;
  }
  byte(b) {
    this.reserve(1);
    this.bytes[this.length++] = b;
  }
  u32(v) {
    this.reserve(4);
    const b = this.bytes;
    b[this.length++] = v & 0xff;
    b[this.length++] = (v >>> 8) & 0xff;
    b[this.length++] = (v >>> 16) & 0xff;
    b[this.length++] = (v >>> 24) & 0xff;
  }
  /** A u32 length then the bytes of `arg` (strings as UTF-8). */
  chunk(arg) {
    if (arg instanceof Uint8Array) {
      this.u32(arg.length);
      this.reserve(arg.length);
      this.bytes.set(arg, this.length);
      this.length += arg.length;
      return;
    }
    const text = typeof arg === "string" ? arg : String(arg);
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    this.reserve(4 + text.length * 3);
    const at = this.length;
    const b = this.bytes;
    // Short ASCII strings (most keys and values) are copied by hand: much
    // cheaper than a TextEncoder call each.
    if (text.length <= 64) {
      let i = 0;
      for (; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c >= 0x80) break;
        b[at + 4 + i] = c;
      }
      if (i === text.length) {
        this.u32(i);
        this.length += i;
        return;
      }
    }
    const { written } = encoder.encodeInto(text, b.subarray(at + 4));
    this.u32(written);
    this.length += written;
  }
  result() {
    return this.bytes.subarray(0, this.length);
  }
}

/**
 * Checks one command's shape; returns an error message or "".
 * @param {unknown} command
 */
export function commandProblem(command) {
  if (typeof command === "string") {
    return command.trim() === "" ? "empty command" : "";
  }
  if (!Array.isArray(command) || command.length === 0) {
    return "a command is a string ('SET k v') or a non-empty array (['SET', 'k', 'v'])";
  }
  for (const arg of command) {
    const ok = typeof arg === "string" || typeof arg === "number" || arg instanceof Uint8Array;
    if (!ok) return "command arguments must be strings, numbers or Uint8Arrays";
  }
  return "";
}

/**
 * The engine's batch encoding of `commands` (each already checked).
 * @param {Command[]} commands
 * @returns {Uint8Array}
 */
export function encodeBatch(commands) {
  const w = new ByteWriter(64 * commands.length + 16);
  for (const command of commands) {
    if (typeof command === "string") {
      w.byte(0x4c); // 'L'
      w.chunk(command);
    } else {
      w.byte(0x41); // 'A'
      w.u32(command.length);
      for (const arg of command) w.chunk(arg);
    }
  }
  return w.result();
}

/** The command's name (first word), for redis-cli's verbatim rule. */
export function commandName(command) {
  if (typeof command !== "string") return String(command[0]);
  const m = /^\s*(\S+)/.exec(command);
  return m ? m[1].replace(/^["']|["']$/g, "") : "";
}

const CR = 13;

function lineEnd(bytes, from) {
  for (let i = from; i + 1 < bytes.length; i++) {
    if (bytes[i] === CR && bytes[i + 1] === 10) return i;
  }
  throw new Error("truncated reply");
}

/** A length or count header: a safe integer >= -1, else the reply is malformed. */
function lengthOf(head, offset) {
  const n = Number(head);
  if (head === "" || !Number.isSafeInteger(n) || n < -1) {
    throw new Error(`bad length "${head}" in the reply at offset ${offset}`);
  }
  return n;
}

function ascii(bytes, from, to) {
  let s = "";
  for (let i = from; i < to; i++) s += String.fromCharCode(bytes[i]);
  return s;
}

/**
 * Decodes the reply starting at `offset`.
 * Values: simple strings, bulk and verbatim strings -> string (UTF-8);
 * integers and doubles -> number; big numbers -> BigInt; nil -> null;
 * booleans -> boolean; arrays, sets, pushes -> arrays; maps -> Map;
 * errors -> { error: "ERR ..." }.
 * @param {Uint8Array} bytes
 * @param {number} offset
 * @returns {{ value: unknown, end: number }}
 */
export function parseReply(bytes, offset) {
  return parseAt(bytes, offset, 0);
}

// Deeper than any reply Redis builds (its own replies nest a few levels);
// a hostile or corrupt stream gets this message instead of a RangeError
// from the call stack.
const MAX_DEPTH = 1000;

function parseAt(bytes, offset, depth) {
  if (depth > MAX_DEPTH) throw new Error(`reply nested deeper than ${MAX_DEPTH} levels at offset ${offset}`);
  const type = bytes[offset];
  const eol = lineEnd(bytes, offset + 1);
  const head = ascii(bytes, offset + 1, eol);
  const next = eol + 2;
  switch (type) {
    case 0x2b: // + simple string
      return { value: head, end: next };
    case 0x2d: // - error
      return { value: { error: decoder.decode(bytes.subarray(offset + 1, eol)) }, end: next };
    case 0x3a: // : integer
      return { value: Number(head), end: next };
    case 0x2c: // , double
      return { value: Number(head.replace("inf", "Infinity")), end: next };
    case 0x28: // ( big number
      return { value: BigInt(head), end: next };
    case 0x23: // # boolean
      return { value: head === "t", end: next };
    case 0x5f: // _ null
      return { value: null, end: next };
    case 0x24: // $ bulk
    case 0x3d: { // = verbatim
      const n = lengthOf(head, offset);
      if (n < 0) return { value: null, end: next };
      if (next + n + 2 > bytes.length) throw new Error("truncated reply");
      const from = type === 0x3d ? Math.min(next + 4, next + n) : next; // skip "txt:"
      return { value: decoder.decode(bytes.subarray(from, next + n)), end: next + n + 2 };
    }
    case 0x2a: // * array
    case 0x7e: // ~ set
    case 0x3e: // > push
    case 0x25: { // % map
      const n = lengthOf(head, offset);
      if (n < 0) return { value: null, end: next };
      const count = type === 0x25 ? 2 * n : n;
      const items = [];
      let at = next;
      for (let i = 0; i < count; i++) {
        const r = parseAt(bytes, at, depth + 1);
        items.push(r.value);
        at = r.end;
      }
      if (type !== 0x25) return { value: items, end: at };
      const map = new Map();
      for (let i = 0; i < items.length; i += 2) map.set(items[i], items[i + 1]);
      return { value: map, end: at };
    }
    default:
      throw new Error(`unknown reply type byte ${type} at offset ${offset}`);
  }
}
