// What the terminal knows about commands, read from the engine's
// COMMAND DOCS reply: names for Tab completion, and the grey argument hints
// redis-cli 7 draws while you type.
//
// Each command's argument tree (key, string, integer, double, pattern,
// unix-time, pure-token, oneof, block; optional, multiple, tokens) renders
// back into a syntax line such as
//   key value [NX|XX] [GET] [EX seconds|PX milliseconds|...|KEEPTTL]
// and the hint drops what has been typed. The words typed are matched
// against the tree the way redis-cli 7.2 does it: optional arguments in a
// run may come in any order; an option that has started but is not finished
// is hinted first ("SET k v EX " -> "seconds [NX|XX] [GET]"); once a later
// required argument has started, the options before it are no longer
// offered; a word that fits nowhere (or a non-number where a number goes)
// ends hinting. Two things differ from redis-cli: the word under the cursor
// counts once it fits whole ("SET k" already hints "value ..."; redis-cli
// waits for the space), and a repeated argument stops before a word that
// starts the argument after it (so "SINTERCARD 2 a b LIMIT " hints "limit").
//
// The lab's dot-commands come with a plain hint string instead; it is
// shortened as redis-cli 7.0 did: one leading word per argument typed, up
// to the first optional group.

/**
 * @typedef {object} ArgSpec
 * @property {string} name
 * @property {string} type
 * @property {string | null} token
 * @property {boolean} optional
 * @property {boolean} multiple
 * @property {boolean} multipleToken
 * @property {string | null} display
 * @property {ArgSpec[]} args
 */

/**
 * @typedef {object} CommandEntry
 * @property {string} name  upper case, "CONFIG SET" for a subcommand
 * @property {string} summary
 * @property {string} since
 * @property {string} group
 * @property {ArgSpec[] | null} args  null when only a hint string is known
 * @property {string} params  the full syntax line
 * @property {string[]} subcommands  second words, upper case
 * @property {string[]} choices  first-argument completions (dot-commands)
 */

/** @typedef {{ name: string, hint?: string, summary?: string }} ExtraCommand */

/** Key/value pairs of a RESP map, whether it came as a Map or a flat array. */
function pairs(value) {
  if (value instanceof Map) return [...value.entries()];
  if (!Array.isArray(value)) return [];
  const out = [];
  for (let i = 0; i + 1 < value.length; i += 2) out.push([String(value[i]), value[i + 1]]);
  return out;
}

/** @returns {ArgSpec} */
function parseArg(value) {
  const arg = {
    name: "", type: "string", token: null, optional: false, multiple: false,
    multipleToken: false, display: null, args: [],
  };
  for (const [key, v] of pairs(value)) {
    if (key === "name") arg.name = String(v);
    else if (key === "type") arg.type = String(v);
    else if (key === "token") arg.token = String(v);
    else if (key === "display_text") arg.display = String(v);
    else if (key === "arguments") arg.args = (Array.isArray(v) ? v : []).map(parseArg);
    else if (key === "flags") {
      const flags = Array.isArray(v) ? v.map(String) : [];
      arg.optional = flags.includes("optional");
      arg.multiple = flags.includes("multiple");
      arg.multipleToken = flags.includes("multiple_token");
    }
  }
  return arg;
}

// --- splitting what was typed ------------------------------------------------

const ESCAPES = { n: "\n", r: "\r", t: "\t", b: "\b", a: "\x07" };

/** Reads a double-quoted word whose quote is at `i`; null if unbalanced. */
function readDoubleQuoted(line, i) {
  let word = "";
  for (let j = i + 1; j < line.length; j++) {
    const c = line[j];
    if (c === '"') return { word, end: j + 1 };
    if (c !== "\\" || j + 1 >= line.length) {
      word += c;
      continue;
    }
    const next = line[++j];
    const hex = /^x([0-9a-fA-F]{2})/.exec(line.slice(j, j + 3));
    if (hex) {
      word += String.fromCharCode(parseInt(hex[1], 16));
      j += 2;
    } else {
      word += ESCAPES[next] ?? next;
    }
  }
  return null;
}

/** Reads a single-quoted word (only \' is an escape); null if unbalanced. */
function readSingleQuoted(line, i) {
  let word = "";
  for (let j = i + 1; j < line.length; j++) {
    if (line[j] === "\\" && line[j + 1] === "'") {
      word += "'";
      j++;
    } else if (line[j] === "'") {
      return { word, end: j + 1 };
    } else {
      word += line[j];
    }
  }
  return null;
}

/**
 * Splits a command line into words the way redis-cli does (white space
 * between words, "double quotes" with \n \xHH escapes, 'single quotes').
 * `open` tells whether the last word is still being typed (no space after
 * it). Null for unbalanced quotes.
 * @param {string} line
 * @returns {{ words: string[], open: boolean } | null}
 */
export function splitWords(line) {
  const words = [];
  let i = 0;
  while (i < line.length) {
    if (/\s/.test(line[i])) {
      i++;
      continue;
    }
    const quoted = line[i] === '"' ? readDoubleQuoted(line, i) : line[i] === "'" ? readSingleQuoted(line, i) : null;
    if (line[i] === '"' || line[i] === "'") {
      if (!quoted || (quoted.end < line.length && !/\s/.test(line[quoted.end]))) return null;
      words.push(quoted.word);
      i = quoted.end;
      continue;
    }
    const m = /^[^\s"']*/.exec(line.slice(i));
    const end = i + Math.max(1, m[0].length);
    words.push(line.slice(i, end));
    i = end;
  }
  return { words, open: words.length > 0 && !/\s$/.test(line) };
}

/**
 * Lines that carry a password, which redis-cli 7 keeps out of its history:
 * AUTH, HELLO ... AUTH, MIGRATE ... AUTH/AUTH2, ACL SETUSER, and CONFIG SET
 * of masterauth, masteruser or requirepass.
 * @param {string} line
 */
export function isSensitive(line) {
  const words = (splitWords(line)?.words ?? line.trim().split(/\s+/)).map((w) => w.toLowerCase());
  const [first, second] = words;
  if (first === "auth") return true;
  if (first === "hello" || first === "migrate") return words.includes("auth") || words.includes("auth2");
  if (first === "acl") return second === "setuser";
  if (first === "config" && second === "set") {
    return words.slice(2).some((w) => w === "masterauth" || w === "masteruser" || w === "requirepass");
  }
  return false;
}

// --- matching typed words against the argument tree ---------------------------

/**
 * @typedef {object} Match  one argument matched against typed words
 * @property {number} words  how many words it took
 * @property {boolean} done  nothing more to type for it
 * @property {boolean} [token]  its token was typed (or is implied)
 * @property {Body | null} [body]  what matched after the token
 * @property {Match} [last]  for a repeated argument: the latest repetition
 * @property {boolean} [closed]  a later option started: hint nothing more
 */
/** @typedef {{ words: number, done: boolean, kids?: (Match | null)[], choice?: number }} Body */

const INTEGER = /^[+-]?\d+$/;

function isDouble(word) {
  return /^[+-]?inf$/i.test(word) || (word.trim() !== "" && Number.isFinite(Number(word)));
}

/** Tokens that can begin `arg` (to stop a repetition in front of them). */
function leadingTokens(arg, out) {
  if (arg.token) out.add(arg.token.toUpperCase());
  else if (arg.type === "oneof") arg.args.forEach((a) => leadingTokens(a, out));
  else if (arg.type === "block") {
    for (const a of arg.args) {
      leadingTokens(a, out);
      if (!a.optional) break;
    }
  }
  return out;
}

/**
 * Tokens that can begin whatever follows args[k], up to the next required
 * one, plus `outer`: those that may follow the enclosing argument.
 */
function tokensAfter(args, k, outer) {
  const out = new Set(outer);
  for (let j = k + 1; j < args.length; j++) {
    leadingTokens(args[j], out);
    if (!args[j].optional) break;
  }
  return out;
}

/** @returns {Body | null} */
function matchBody(arg, words, i, stops) {
  if (arg.type === "pure-token") return { words: 0, done: true };
  if (arg.type === "block") {
    const seq = matchSequence(arg.args, words, i, stops);
    if (!seq || seq.words === 0) return null;
    return { words: seq.words, done: seq.kids.every((k) => k !== null && k.done), kids: seq.kids };
  }
  if (arg.type === "oneof") {
    // A choice that starts with the word as its token goes before a choice
    // that takes any word ("CLIENT KILL ID 7": the ID block, not ip:port).
    const word = i < words.length ? words[i].toUpperCase() : "";
    const order = arg.args.map((a, n) => n);
    order.sort((a, b) => Number(leadingTokens(arg.args[b], new Set()).has(word)) -
                         Number(leadingTokens(arg.args[a], new Set()).has(word)));
    for (const choice of order) {
      const m = matchArgument(arg.args[choice], words, i, stops);
      if (m) return { words: m.words, done: m.done, kids: [m], choice };
    }
    return null;
  }
  if (i >= words.length) return null;
  const word = words[i];
  if ((arg.type === "integer" || arg.type === "unix-time") && !INTEGER.test(word)) return null;
  if (arg.type === "double" && !isDouble(word)) return null;
  return { words: 1, done: true };
}

/** One occurrence of `arg` at words[i]; `withToken` false for a repeat without it. */
function matchOnce(arg, words, i, withToken, stops) {
  if (i >= words.length) return null;
  let used = 0;
  if (arg.token && withToken) {
    if (words[i].toUpperCase() !== arg.token.toUpperCase()) return null;
    used = 1;
    if (arg.type === "pure-token") return { words: 1, done: true, token: true, body: null };
    if (i + 1 >= words.length) return { words: 1, done: false, token: true, body: null };
  }
  const body = matchBody(arg, words, i + used, stops);
  if (!body) return null;
  return { words: used + body.words, done: body.done, token: arg.token !== null, body };
}

/**
 * `arg` at words[i], repeated as often as the words allow when it is
 * "multiple" (stopping before a word in `stops`).
 * @returns {Match | null}
 */
function matchArgument(arg, words, i, stops) {
  const first = matchOnce(arg, words, i, true, stops);
  if (!first || !arg.multiple) return first;
  let used = first.words;
  let last = first;
  const own = leadingTokens(arg, new Set()); // its own repetitions may start with them
  const stopsAt = (word) => stops.has(word) && !own.has(word);
  while (last.done && i + used < words.length && !stopsAt(words[i + used].toUpperCase())) {
    const next = matchOnce(arg, words, i + used, arg.multipleToken, stops);
    if (!next || next.words === 0) break;
    used += next.words;
    last = next;
  }
  return { words: used, done: false, last };
}

/** A run of optional arguments args[from..to) in any order, from words[pos]. */
function matchOptions(args, from, to, words, pos, kids, outer) {
  const stops = tokensAfter(args, from - 1, outer); // the other options and what follows
  let previous = -1;
  while (pos < words.length) {
    let found = -1;
    for (let j = from; j < to && found < 0; j++) {
      if (kids[j]) continue;
      const m = matchArgument(args[j], words, pos, stops);
      if (m && m.words > 0) {
        kids[j] = m;
        found = j;
        pos += m.words;
      }
    }
    if (found < 0) break;
    if (previous >= 0) kids[previous] = { ...kids[previous], closed: true };
    previous = found;
  }
  return pos;
}

/**
 * Matches words[i..] against a sequence of arguments as far as they go.
 * Null when a required argument does not fit. `outer`: tokens that may
 * follow the sequence (a repetition inside it stops before them).
 */
function matchSequence(args, words, i, outer) {
  /** @type {(Match | null)[]} */
  const kids = args.map(() => null);
  let pos = i;
  let k = 0;
  while (k < args.length && pos < words.length) {
    const before = pos;
    if (args[k].optional) {
      let end = k;
      while (end < args.length && args[end].optional) end++;
      pos = matchOptions(args, k, end, words, pos, kids, outer);
      if (pos > before) closeRepeats(kids, k);
      k = end;
      continue;
    }
    const m = matchArgument(args[k], words, pos, tokensAfter(args, k, outer));
    if (!m) return null;
    closeRepeats(kids, k);
    kids[k] = m;
    pos += m.words;
    k++;
  }
  return { words: pos - i, kids };
}

/** A later argument has started: the repeated ones before args[k] are over. */
function closeRepeats(kids, k) {
  for (let j = 0; j < k; j++) {
    const m = kids[j];
    if (m && m.last && !m.closed) kids[j] = { ...m, closed: true };
  }
}

// --- rendering what is left to type ---------------------------------------------

function join(...parts) {
  return parts.filter(Boolean).join(" ");
}

function orQuotes(text) {
  return text === "" ? '""' : text;
}

/** The body of `arg` (after its token), minus what `body` matched. */
function hintBody(arg, body) {
  if (arg.type === "pure-token") return "";
  if (arg.type === "oneof") {
    if (body) return hintArgument(arg.args[body.choice ?? 0], body.kids?.[0] ?? null);
    return arg.args.map((a) => hintArgument(a, null)).join("|");
  }
  if (arg.type === "block") return hintSequence(arg.args, body?.kids ?? [], " ");
  return body ? "" : orQuotes(arg.display ?? arg.name);
}

function hintOnce(arg, m) {
  const token = arg.token !== null && !m?.token ? orQuotes(arg.token) : "";
  return join(token, hintBody(arg, m?.body ?? null));
}

/** "[key ...]": the part a repeated argument offers after each repetition. */
function hintRepeat(arg) {
  const token = arg.multipleToken && arg.token !== null ? orQuotes(arg.token) : "";
  return `[${join(token, hintBody(arg, null))} ...]`;
}

/** @param {Match | null} m */
function hintArgument(arg, m) {
  if (m && (m.closed || (m.done && !arg.multiple))) return "";
  if (m && m.last) return join(m.last.done ? "" : hintOnce(arg, m.last), hintRepeat(arg));
  let text = hintOnce(arg, m);
  if (arg.multiple) text = join(text, hintRepeat(arg));
  return arg.optional && !m ? `[${text}]` : text;
}

/** What is left of a sequence of arguments, given what matched. */
function hintSequence(args, kids, separator) {
  const parts = [];
  let k = 0;
  while (k < args.length) {
    if (!args[k].optional) {
      parts.push(hintArgument(args[k], kids[k] ?? null));
      k++;
      continue;
    }
    let end = k;
    while (end < args.length && args[end].optional) end++;
    const started = [];
    const others = [];
    for (let j = k; j < end; j++) {
      const m = kids[j] ?? null;
      (m && !m.done && !m.closed ? started : others).push(j);
    }
    for (const j of started) parts.push(hintArgument(args[j], kids[j]));
    const nextStarted = end < args.length && kids[end];
    if (!nextStarted) for (const j of others) parts.push(hintArgument(args[j], kids[j] ?? null));
    k = end;
  }
  return parts.filter(Boolean).join(separator);
}

/**
 * The syntax line of an argument list, as redis-cli's help shows it.
 * @param {ArgSpec[]} args
 */
export function renderSyntax(args) {
  return hintSequence(args, [], " ");
}

/**
 * The hint left after `typed` words, or null when they do not fit.
 * @param {ArgSpec[]} args
 * @param {string[]} typed
 */
export function hintAfter(args, typed) {
  if (typed.length === 0) return renderSyntax(args);
  const seq = matchSequence(args, typed, 0, new Set());
  if (!seq || seq.words < typed.length) return null;
  return hintSequence(args, seq.kids, " ");
}

/** redis-cli 7.0's shortening of a plain hint string: a word per argument typed. */
function shortenParams(params, typed) {
  let hint = params;
  let left = typed;
  while (left > 0 && hint && hint[0] !== "[") {
    const space = hint.indexOf(" ");
    hint = space < 0 ? "" : hint.slice(space + 1);
    left--;
  }
  return hint;
}

// --- the command table ---------------------------------------------------------------

/** Engine commands are kept upper case, the lab's dot-commands lower case. */
function normalName(name) {
  return name.startsWith(".") ? name.toLowerCase() : name.toUpperCase();
}

/** Words the lab's shell answers itself (as redis-cli does), for completion and hints. */
const SHELL_COMMANDS = [
  { name: "HELP", params: "[command|@group]", summary: "Shows a command's syntax and summary, or lists a group." },
  { name: "CLEAR", params: "", summary: "Clears the terminal." },
];

/** redis-cli's "N COMMAND" runs a command N times: the count is not the command. */
function withoutRepeat(words) {
  return words.length > 0 && /^\d+$/.test(words[0]) ? words.slice(1) : words;
}

export class CommandDocs {
  /**
   * @param {unknown} reply  COMMAND DOCS as parseReply decodes it (RESP2
   *   flat arrays or RESP3 Maps); null/undefined for none yet
   * @param {ExtraCommand[]} [extra]  the lab's dot-commands
   */
  constructor(reply, extra = []) {
    /** @type {Map<string, CommandEntry>} */
    this.entries = new Map();
    for (const [name, doc] of pairs(reply)) this._add(String(name).toUpperCase(), doc);
    for (const local of SHELL_COMMANDS) {
      if (!this.entries.has(local.name)) this._addPlain(local.name, local.params, local.summary, "terminal");
    }
    for (const e of extra) this._addPlain(e.name, e.hint ?? "", e.summary ?? "", "lab");
  }

  _add(name, doc) {
    /** @type {CommandEntry} */
    const entry = {
      name, summary: "", since: "", group: "", args: [], params: "", subcommands: [], choices: [],
    };
    for (const [key, v] of pairs(doc)) {
      if (key === "summary") entry.summary = String(v);
      else if (key === "since") entry.since = String(v);
      else if (key === "group") entry.group = String(v);
      else if (key === "arguments") entry.args = (Array.isArray(v) ? v : []).map(parseArg);
      else if (key === "subcommands") {
        for (const [sub, subDoc] of pairs(v)) {
          const word = String(sub).split("|").pop().toUpperCase();
          entry.subcommands.push(word);
          this._add(`${name} ${word}`, subDoc);
        }
      }
    }
    entry.params = renderSyntax(entry.args ?? []);
    this.entries.set(name, entry);
  }

  _addPlain(name, params, summary, group) {
    const first = params.split(" ")[0];
    const choices = first.includes("|") && !/[[\]]/.test(first) ? first.split("|") : [];
    this.entries.set(normalName(name), {
      name, summary, since: "", group, args: null, params, subcommands: [], choices,
    });
  }

  /** Top-level command names (upper case; dot-commands as given), sorted. */
  get names() {
    return [...this.entries.keys()].filter((n) => !n.includes(" ")).sort();
  }

  /**
   * The entry named by the first words: the subcommand when the first two
   * words name one, else the command.
   * @param {string[]} words
   * @returns {{ entry: CommandEntry, used: number } | null}
   */
  lookup(words) {
    if (words.length === 0) return null;
    const first = normalName(words[0]);
    if (words.length > 1) {
      const sub = this.entries.get(`${first} ${words[1].toUpperCase()}`);
      if (sub) return { entry: sub, used: 2 };
    }
    const entry = this.entries.get(first);
    return entry ? { entry, used: 1 } : null;
  }

  /** The hint text after `words`, or null when they do not fit. */
  _hintWords(words) {
    if (words.length === 0) return null;
    const found = this.lookup(words);
    if (!found) return null;
    const { entry, used } = found;
    const typed = words.slice(used);
    if (entry.subcommands.length > 0 && (entry.args ?? []).length === 0) {
      return typed.length === 0 ? entry.subcommands.join("|") : null;
    }
    if (entry.args === null) return shortenParams(entry.params, typed.length);
    return hintAfter(entry.args, typed);
  }

  /**
   * The grey hint to draw after `line`, with a leading space when the line
   * does not end in one; "" for none.
   * @param {string} line
   */
  hint(line) {
    const split = splitWords(line);
    if (!split || split.words.length === 0) return "";
    const words = withoutRepeat(split.words);
    let hint = this._hintWords(words);
    if (hint === null && split.open) hint = this._hintWords(words.slice(0, -1));
    if (!hint) return "";
    return split.open ? ` ${hint}` : hint;
  }

  /**
   * Tab completion for the word ending at the end of `before`: command
   * names, subcommand names (after a container such as CONFIG), names after
   * HELP, and a dot-command's listed choices. Case-insensitive; commands
   * are offered upper case.
   * @param {string} before  the text left of the cursor
   * @returns {{ start: number, candidates: string[] }}
   */
  complete(before) {
    const m = /[^\s"']*$/.exec(before);
    const start = m ? m.index : before.length;
    const typed = before.slice(start).toUpperCase();
    const split = splitWords(before.slice(0, start));
    let previous = split ? withoutRepeat(split.words) : null;
    let pool = [];
    if (previous && previous[0]?.toUpperCase() === "HELP") {
      previous = previous.slice(1);
      if (previous.length === 0) pool = [...this.names, ...this.groups.map((g) => `@${g}`)];
    }
    if (previous && previous.length === 0 && pool.length === 0) pool = this.names;
    if (previous && previous.length === 1) {
      const found = this.lookup(previous);
      if (found) pool = found.entry.subcommands.length ? found.entry.subcommands : found.entry.choices;
    }
    const candidates = pool.filter((name) => name.toUpperCase().startsWith(typed));
    return { start, candidates };
  }

  /** Command groups named in the docs, sorted. */
  get groups() {
    const set = new Set();
    for (const e of this.entries.values()) if (e.group && e.args !== null) set.add(e.group);
    return [...set].sort();
  }
}
