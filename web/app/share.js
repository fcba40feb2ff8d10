// Shareable sessions: links that reproduce what someone did.
//
//   ?session=<base64url JSON>   a recorded session: the settings the lab
//                               opened with, its virtual start time, and
//                               every line that changed something, at the
//                               virtual time it ran — crashes with their
//                               seed, so a torn write keeps the same bytes
//   ?scenario=<id>[&step=<n>]   a tutorial scenario, at a step (1-based)
//
// Opening a session link replays it in a fresh lab in memory with its clock
// paused: each line runs, through the terminal, at its recorded virtual
// time. The same link gives the same recovery report every time. (Exact as
// long as background saves finish within a clock tick: the lab lets a
// BGSAVE run a few real milliseconds per tick.)
//
// Links come from anywhere: everything is checked, and a link that doesn't
// parse opens the playground as usual with a message saying why.

export const SESSION_VERSION = 1;

// Bounds that keep a hostile link from costing much.
const MAX_PARAM_CHARS = 512 * 1024;
const MAX_LINES = 2000;
const MAX_LINE_CHARS = 8192;
const MAX_CONFIG_ENTRIES = 64;
const MAX_VIRTUAL_MS = 10 * 365 * 24 * 3600 * 1000;
const KNOWN = new Set(["session", "scenario", "step"]);

/**
 * @typedef {{ v: number, start: number, config: Record<string, string>,
 *             lines: Array<[number, string]> }} Session
 */

/** @param {string} text */
function toBase64Url(text) {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** @param {string} text */
function fromBase64Url(text) {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
}

/**
 * The link to a recorded session (LabHost.recording()).
 * @param {{ start: number, config: object, lines: Array<[number, string]> }} recording
 * @param {string} base the page's URL without a query
 */
export function sessionLink(recording, base) {
  const session = { v: SESSION_VERSION, start: recording.start, config: recording.config, lines: recording.lines };
  return `${base}?session=${toBase64Url(JSON.stringify(session))}`;
}

/**
 * Checks a decoded session; returns what is wrong, or null.
 * @param {any} s
 */
function sessionProblem(s) {
  if (typeof s !== "object" || s === null || Array.isArray(s)) return "it is not a session";
  if (s.v !== SESSION_VERSION) return `it was made by another version of PersistLab (format ${JSON.stringify(s.v)})`;
  if (!Number.isSafeInteger(s.start) || s.start < 0 || s.start > 8.64e15) return "its start time is not a time";
  if (typeof s.config !== "object" || s.config === null || Array.isArray(s.config)) return "its settings are not a list of parameters";
  const entries = Object.entries(s.config);
  if (entries.length > MAX_CONFIG_ENTRIES) return "it has too many settings";
  for (const [name, value] of entries) {
    if (!/^[a-z][a-z0-9-]{0,63}$/.test(name)) return `the setting name ${JSON.stringify(name.slice(0, 40))} is not a Redis parameter name`;
    if (typeof value !== "string" || value.length > 1024) return `the setting ${name} has a bad value`;
  }
  if (!Array.isArray(s.lines)) return "its commands are not a list";
  if (s.lines.length > MAX_LINES) return `it has more than ${MAX_LINES} commands`;
  let last = 0;
  for (const [i, entry] of s.lines.entries()) {
    if (!Array.isArray(entry) || entry.length !== 2) return `command ${i + 1} is not [time, line]`;
    const [at, line] = entry;
    if (!Number.isSafeInteger(at) || at < last || at > MAX_VIRTUAL_MS) return `command ${i + 1} has a bad time`;
    if (typeof line !== "string" || line.length > MAX_LINE_CHARS || /[\r\n]/.test(line)) return `command ${i + 1} is not one line`;
    last = at;
  }
  return null;
}

/**
 * Reads the page's link parameters.
 * @param {string} search location.search
 * @returns {{ session?: Session, scenario?: string, step?: number, problems: string[] }}
 */
export function readLink(search) {
  /** @type {{ session?: Session, scenario?: string, step?: number, problems: string[] }} */
  const out = { problems: [] };
  if (search.length > MAX_PARAM_CHARS) {
    out.problems.push("The link is too long to be a PersistLab link; it was ignored.");
    return out;
  }
  const params = new URLSearchParams(search);
  const unknown = [...new Set([...params.keys()].filter((k) => !KNOWN.has(k)))];
  if (unknown.length) {
    out.problems.push(`Ignored what this page does not know in the link: ${unknown.slice(0, 5).map((k) => JSON.stringify(k.slice(0, 40))).join(", ")}.`);
  }
  const raw = params.get("session");
  if (raw !== null) {
    let decoded;
    try {
      decoded = JSON.parse(fromBase64Url(raw));
    } catch {
      decoded = undefined;
    }
    const problem = decoded === undefined ? "it is not readable" : sessionProblem(decoded);
    if (problem) out.problems.push(`This link does not hold a session PersistLab can replay (${problem}); your own lab opened instead.`);
    else out.session = decoded;
  }
  const scenario = params.get("scenario");
  if (scenario !== null) {
    if (/^[a-z0-9][a-z0-9-]{0,63}$/.test(scenario)) out.scenario = scenario;
    else out.problems.push(`${JSON.stringify(scenario.slice(0, 40))} is not a scenario name (lower-case letters, digits and dashes).`);
  }
  const step = params.get("step");
  if (step !== null) {
    const n = Number(step);
    if (out.scenario && Number.isInteger(n) && n >= 1 && n <= 999) out.step = n;
    else out.problems.push(out.scenario ? `The step ${JSON.stringify(step.slice(0, 20))} is not a step number; the scenario opens at its start.`
      : "A step without a scenario was ignored.");
  }
  return out;
}

/**
 * Replays a session: each line at its virtual time, typed into the
 * terminal so the reader sees it run.
 * @param {Session} session
 * @param {import("../src/worker/lab_client.js").RemoteLab} lab a fresh lab,
 *   opened with the session's start and config, its clock paused
 * @param {(line: string) => Promise<unknown>} submit the terminal's submit
 */
export async function replaySession(session, lab, submit) {
  let now = session.start;
  for (const [at, line] of session.lines) {
    const when = session.start + at;
    if (when > now) {
      await lab.clock("advance", when - now);
      now = when;
    }
    await submit(line);
    // A line may move the clock itself (.clock +1m): follow it.
    now = Math.max(now, (await lab.refresh()).clock.now);
  }
}
