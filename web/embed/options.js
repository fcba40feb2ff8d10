// The options of an embedded lab, read from the attributes of a
// <persist-lab> element or from the URL parameters of embed.html (the same
// names and the same rules), and the storage namespace each lab gets.
//
// Only the shape of a value is checked here (the loader must stay small and
// must not fetch anything): Redis parameter values are the engine's to
// judge, and its refusal ("config 'appendfsync' 'sometimes': argument(s)
// must be one of ...") is shown inside the element, as these problems are.
//
//   const { options, problems } = readOptions((name) => element.getAttribute(name));
//   problems: [{ attribute, message }] — empty when the element may start

/** Every option, in the order a problem list names them. */
export const OPTION_NAMES = [
  "id", "scenario", "storage", "config", "appendonly", "appendfsync", "save", "commands",
  "panels", "height", "theme",
];

/** Panels an element may show; "crash" is the bar of crash and restart buttons. */
export const PANEL_NAMES = ["crash", "report", "disk", "clock", "persistence"];
const DEFAULT_PANELS = ["crash", "report"];

// Shorthand attributes for the Redis parameters people set most.
const SHORTHANDS = ["appendonly", "appendfsync", "save"];

// Limits that keep a hostile or mistaken attribute from freezing the page.
export const LIMITS = {
  commands: 50,         // lines
  configPairs: 24,
  valueChars: 200,      // one config value, a scenario id...
  attributeChars: 4000, // any attribute (commands: all its lines together)
  minHeight: 200,
  maxHeight: 2000,
};

/**
 * Reads and checks the options.
 * @param {(name: string) => string | null} get an attribute / parameter (null: absent)
 * @returns {{ options: EmbedOptions, problems: Array<{ attribute: string, message: string }> }}
 *
 * @typedef {{ id: string, scenario: string, storage: "indexeddb" | "memory",
 *   config: Record<string, string>, commands: string[], panels: string[],
 *   height: number, theme: "light" | "dark" | "auto" }} EmbedOptions
 */
export function readOptions(get) {
  const problems = [];
  const bad = (attribute, message) => problems.push({ attribute, message });
  const raw = {};
  for (const name of OPTION_NAMES) {
    const value = get(name);
    if (value !== null && value.length > LIMITS.attributeChars) {
      bad(name, `is ${value.length} characters long (at most ${LIMITS.attributeChars})`);
      continue;
    }
    raw[name] = value;
  }
  const choice = (name, allowed, fallback) => {
    const value = (raw[name] ?? "").trim().toLowerCase();
    if (value === "") return fallback;
    if (allowed.includes(value)) return value;
    bad(name, `must be ${allowed.join(" or ")}, not ${quote(raw[name])}`);
    return fallback;
  };

  const options = {
    id: raw.id ?? "",
    scenario: (raw.scenario ?? "").trim(),
    storage: choice("storage", ["indexeddb", "memory"], "indexeddb"),
    theme: choice("theme", ["auto", "light", "dark"], "auto"),
    config: readConfig(raw, bad),
    commands: readCommands(raw.commands, bad),
    panels: readPanels(raw.panels, bad),
    height: 0,
  };
  if (options.id !== "" && !/^[A-Za-z0-9_.:-]{1,64}$/.test(options.id)) {
    bad("id", `must be 1 to 64 letters, digits or _ . : - (it names the lab's storage), not ${quote(options.id)}`);
  }
  if (options.scenario !== "" && !/^[a-z0-9][a-z0-9_-]{0,63}$/.test(options.scenario)) {
    bad("scenario", `must be a scenario's id (lower-case letters, digits, - and _), not ${quote(options.scenario)}`);
  }
  if (options.scenario !== "" && (Object.keys(options.config).length > 0 || options.commands.length > 0)) {
    bad("scenario", "brings its own settings and commands: remove config, appendonly, appendfsync, save and commands");
  }
  options.height = readHeight(raw.height, options.panels, bad);
  return { options, problems };
}

/** "name value; name value" (or one per line) plus the shorthand attributes. */
function readConfig(raw, bad) {
  /** @type {Record<string, string>} */
  const config = {};
  const pairs = splitLines(raw.config ?? "").filter((l) => l !== "");
  if (pairs.length > LIMITS.configPairs) {
    bad("config", `has ${pairs.length} settings (at most ${LIMITS.configPairs})`);
    return config;
  }
  for (const pair of pairs) {
    const m = /^([A-Za-z][A-Za-z0-9-]*)(?:\s+(.*))?$/.exec(pair);
    if (!m) {
      bad("config", `${quote(pair)} is not "parameter value" (e.g. "appendfsync always")`);
      continue;
    }
    config[m[1].toLowerCase()] = unquote(m[2] ?? "");
  }
  for (const name of SHORTHANDS) {
    if (raw[name] !== null && raw[name] !== undefined) config[name] = unquote(raw[name].trim());
  }
  for (const [name, value] of Object.entries(config)) {
    if (value.length > LIMITS.valueChars) {
      bad(SHORTHANDS.includes(name) ? name : "config", `${name}: the value is ${value.length} characters long (at most ${LIMITS.valueChars})`);
    }
  }
  return config;
}

/** The lines to run at start: one per line, or separated by ";" outside quotes. */
function readCommands(text, bad) {
  if (!text) return [];
  const lines = splitLines(text).filter((l) => l !== "");
  if (lines.length > LIMITS.commands) {
    bad("commands", `has ${lines.length} lines (at most ${LIMITS.commands})`);
    return [];
  }
  return lines;
}

function readPanels(text, bad) {
  if (text === null || text === undefined) return [...DEFAULT_PANELS];
  const names = text.toLowerCase().split(/[\s,]+/).filter((n) => n !== "");
  if (names.length === 1 && names[0] === "none") return [];
  const unknown = names.filter((n) => !PANEL_NAMES.includes(n));
  if (unknown.length > 0) {
    bad("panels", `names ${unknown.slice(0, 3).map(quote).join(", ")}; the panels are ${PANEL_NAMES.join(", ")} (or none)`);
  }
  return PANEL_NAMES.filter((n) => names.includes(n));
}

/** Pixels, "480" or "480px"; the default leaves room for the panels. */
function readHeight(text, panels, bad) {
  const fallback = panels.some((p) => p !== "crash") ? 640 : 400;
  if (text === null || text === undefined || text.trim() === "") return fallback;
  const m = /^\s*(\d{1,5})(px)?\s*$/.exec(text);
  const px = m ? Number(m[1]) : NaN;
  if (!(px >= LIMITS.minHeight && px <= LIMITS.maxHeight)) {
    bad("height", `must be a number of pixels from ${LIMITS.minHeight} to ${LIMITS.maxHeight}, not ${quote(text)}`);
    return fallback;
  }
  return px;
}

/**
 * Splits on newlines and on ";" outside single or double quotes (so
 * `SET note "a;b"` stays one line); trims each piece.
 */
export function splitLines(text) {
  const out = [];
  let current = "";
  let quoteChar = "";
  for (const ch of text) {
    if (quoteChar) {
      if (ch === quoteChar) quoteChar = "";
    } else if (ch === '"' || ch === "'") {
      quoteChar = ch;
    } else if (ch === ";" || ch === "\n" || ch === "\r") {
      out.push(current.trim());
      current = "";
      continue;
    }
    current += ch;
  }
  out.push(current.trim());
  return out;
}

/** `""` and `''` are the empty value (save ""); other quotes are removed too. */
function unquote(value) {
  const m = /^(["'])(.*)\1$/.exec(value.trim());
  return m ? m[2] : value.trim();
}

/** A value as a message shows it: quoted, cut to 40 characters. */
export function quote(value) {
  const text = String(value);
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

/**
 * The storage namespace (the lab's name: its IndexedDB database and its
 * lock) of the n-th <persist-lab> of a page: "embed:" + the page's path
 * (query and fragment dropped, a final "index.html" too) + "#" + the
 * element's id, or + "@" + its position among the page's <persist-lab>
 * elements (1-based, document order) when it has no id. An id can't
 * contain "@", so the two kinds never collide. An iframe (embed.html) uses
 * the same rule with "frame:" and the path of the page that embeds it.
 * @param {"embed" | "frame"} kind
 * @param {string} path
 * @param {string} id
 * @param {number} position
 */
export function labName(kind, path, id, position) {
  const page = path.replace(/\/index\.html?$/, "/");
  return `${kind}:${page}${id ? `#${id}` : `@${position}`}`;
}
