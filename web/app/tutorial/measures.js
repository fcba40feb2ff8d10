// The measures a scenario's outcome can read, and how an outcome is checked
// against the reader's prediction. Every number comes from the engine's own
// JSON — the recovery report, the keyspace diff, the lab snapshot (disk
// counters, files, INFO persistence) or a command's reply — as recorded
// while the step ran; nothing here recomputes what the engine knows.
//
// A step's record (tutorial.js fills it as the reader runs commands):
//   { start: LabSnapshot,                 before the step's first command
//     commands: [{ line, kind, output,    kind: the engine's parse ("command",
//                  snapshot,                "restart", "crash", "clock", ...)
//                  restart? }] }          restart: { report, diff } of a
//                                         `.restart`, or { failed, error }
// Measures read one command's entry, chosen by `after` (1-based; 0 is the
// step's start for snapshot measures):
//   restart measures   the `.restart` at `after` (default: the step's last)
//   snapshot measures  the lab as it was after command `after` (default:
//                      the last); `since: N` gives the change from N
//   reply measures     the reply printed by command `after`

import { bytes as human } from "../dom.js";

/**
 * @typedef {"restart" | "snapshot" | "reply"} Source
 * @typedef {"keys" | "count" | "ms" | "bytes" | "bool" | "text"} Unit
 * @typedef {{ from: Source, unit: Unit, doc: string, params?: string[], needs?: string[], words?: Record<string, string>,
 *             read: (entry: any, ref: any) => (number | string | boolean | null) }} Measure
 */

/** Sums `field` over the report's files whose name matches ref.file. */
function sumFiles(report, ref, field) {
  if (!report) return null;
  return filesMatching(report.files, ref.file).reduce((n, f) => n + Number(f[field] ?? 0), 0);
}

/** Files whose name matches the glob `pattern` (`*` = any characters); all without one. */
export function filesMatching(files, pattern) {
  if (!pattern) return files ?? [];
  const re = new RegExp(`^${pattern.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
  return (files ?? []).filter((f) => re.test(f.name));
}

/** The diff entry (lost or went back) of ref.key; undefined when the diff does not list it. */
function diffEntry(diff, key) {
  return [...(diff?.lost ?? []), ...(diff?.changed ?? [])].find((e) => e.key === key);
}

/** True when the diff lists every lost and changed key (it caps each list). */
function diffComplete(diff) {
  return diff && diff.lost.length === diff.counts.lost && diff.changed.length === diff.counts.changed;
}

/** A diff summary: `"42"` (a string holding an integer) as 42, others as shown. */
function summaryValue(summary) {
  if (!summary) return null;
  const m = /^"(-?\d{1,15})"$/.exec(summary);
  return m ? Number(m[1]) : summary;
}

const report = (r) => (r && !r.failed ? r.report : null);
const diff = (r) => (r && !r.failed ? r.diff : null);
const count = (name) => (r) => diff(r)?.counts?.[name] ?? null;

/** @type {Record<string, Measure>} */
export const MEASURES = {
  keys_lost: { from: "restart", unit: "keys", doc: "keys that existed at the crash and did not come back (the diff's lost count)", read: count("lost") },
  keys_went_back: { from: "restart", unit: "keys", doc: "keys that came back with an older value (the diff's changed count)", read: count("changed") },
  keys_came_back: { from: "restart", unit: "keys", doc: "keys deleted before the crash that came back (the diff's added count)", read: count("added") },
  keys_differ: { from: "restart", unit: "keys", doc: "keys that did not come back as they were at the crash: lost, gone back, or come back after a DEL (the diff's three counts added up)", read: (r) => {
    const c = diff(r)?.counts;
    return c ? c.lost + c.changed + c.added : null;
  } },
  keys_unchanged: { from: "restart", unit: "keys", doc: "keys that came back exactly as they were", read: count("unchanged") },
  promises_broken: { from: "restart", unit: "count", doc: "differences the persistence settings promised could not happen (always 0 unless something is wrong)", read: count("broken") },
  keys_after_load: { from: "restart", unit: "keys", doc: "keys in memory once loading finished (the report's keys_after)", read: (r) => report(r)?.keys_after ?? null },
  keys_loaded: { from: "restart", unit: "keys", params: ["file"], doc: "keys read from RDB data (dump.rdb or an RDB preamble)", read: (r, ref) => sumFiles(report(r), ref, "keys_loaded") },
  keys_expired_on_load: { from: "restart", unit: "keys", params: ["file"], doc: "RDB keys skipped while loading because their TTL had passed", read: (r, ref) => sumFiles(report(r), ref, "keys_expired") },
  commands_replayed: { from: "restart", unit: "count", params: ["file"], doc: "AOF commands replayed (SELECT and MULTI/EXEC included)", read: (r, ref) => sumFiles(report(r), ref, "commands") },
  recovery_ms: { from: "restart", unit: "ms", params: ["file"], doc: "milliseconds loading took (real time on this machine), in all or in the matching files", read: (r, ref) => (ref.file ? sumFiles(report(r), ref, "millis") : report(r)?.total_millis ?? null) },
  bytes_cut: { from: "restart", unit: "bytes", params: ["file"], doc: "bytes of a torn last command cut off while loading (aof-load-truncated yes)", read: (r, ref) => sumFiles(report(r), ref, "truncated_bytes") },
  bytes_loaded: { from: "restart", unit: "bytes", params: ["file"], doc: "size of the files loaded, before any cut", read: (r, ref) => sumFiles(report(r), ref, "bytes") },
  files_loaded: { from: "restart", unit: "count", params: ["file"], doc: "how many files the restart loaded", read: (r, ref) => (report(r) ? filesMatching(report(r).files, ref.file).length : null) },
  loaded_from: {
    from: "restart", unit: "text", doc: `what the restart loaded: "aof", "rdb" or "none" (conditions compare these; the outcome shows them in words)`,
    words: { aof: "the AOF", rdb: "the RDB snapshot (dump.rdb)", none: "nothing: the disk was empty" },
    read: (r) => report(r)?.source ?? null,
  },
  recovery_failed: { from: "restart", unit: "bool", doc: "whether the server refused to start (the files are left as they were)", read: (r) => (r ? Boolean(r.failed || report(r)?.error) : null) },
  ids_reissued: {
    from: "restart", unit: "count", params: ["key"], needs: ["key"],
    doc: "for an INCR counter that went back or was lost, how many IDs will be handed out a second time (from the diff's note); 0 when the key came back unchanged",
    read: (r, ref) => {
      const d = diff(r);
      if (!d) return null;
      const entry = diffEntry(d, ref.key);
      if (!entry) return diffComplete(d) ? 0 : null;
      const m = /\((\d+) values?\)/.exec(entry.note ?? "");
      return m ? Number(m[1]) : null;
    },
  },
  diff_note: { from: "restart", unit: "text", params: ["key"], needs: ["key"], doc: "the diff's note on a key lost or gone back, e.g. which IDs an INCR counter will hand out again", read: (r, ref) => diffEntry(diff(r), ref.key)?.note || null },
  value_before: { from: "restart", unit: "text", params: ["key"], needs: ["key"], doc: "the key's value at the crash, as the diff shows it (only for a key lost or gone back); a number when it held an integer", read: (r, ref) => summaryValue(diffEntry(diff(r), ref.key)?.before) },
  value_after: { from: "restart", unit: "text", params: ["key"], needs: ["key"], doc: "the key's value after recovery, as the diff shows it (only for a key gone back); a number when it holds an integer", read: (r, ref) => summaryValue(diffEntry(diff(r), ref.key)?.after) },

  fsyncs: { from: "snapshot", unit: "count", doc: "fsync calls on files since the lab opened", read: (s) => s?.stats?.fsyncs ?? null },
  dir_syncs: { from: "snapshot", unit: "count", doc: "fsync calls on directories since the lab opened", read: (s) => s?.stats?.dir_syncs ?? null },
  bytes_written: { from: "snapshot", unit: "bytes", doc: "bytes passed to write() since the lab opened", read: (s) => s?.stats?.bytes_written ?? null },
  disk_bytes: { from: "snapshot", unit: "bytes", params: ["file"], doc: "size of the files (what a reader of the file sees), all or the matching ones", read: (s, ref) => (s ? filesMatching(s.files, ref.file).reduce((n, f) => n + f.written, 0) : null) },
  durable_bytes: { from: "snapshot", unit: "bytes", params: ["file"], doc: "bytes of the files a power loss would keep", read: (s, ref) => (s ? filesMatching(s.files, ref.file).reduce((n, f) => n + f.durable, 0) : null) },
  file_count: { from: "snapshot", unit: "count", params: ["file"], doc: "how many files there are (all, or matching)", read: (s, ref) => (s ? filesMatching(s.files, ref.file).length : null) },
  info: {
    from: "snapshot", unit: "count", params: ["field"], needs: ["field"],
    doc: "a field of INFO persistence (e.g. rdb_last_cow_size, aof_rewrites); bytes when the name ends in _size",
    read: (s, ref) => {
      const v = s?.persistence?.[ref.field];
      if (v === undefined) return null;
      return /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
    },
  },
  server_down: { from: "snapshot", unit: "bool", doc: "whether the server was down (crashed, or refused to start)", read: (s) => (s ? s.state !== "running" : null) },

  reply_text: { from: "reply", unit: "text", needs: ["after"], doc: "the last line of what a command printed, without redis-cli's quotes around a single string (GET key answers value:1, not \"value:1\")", read: (output) => {
    const last = (output ?? "").trim().split("\n").pop() ?? "";
    const m = /^"((?:[^"\\]|\\.)*)"$/.exec(last);
    return m ? m[1] : last;
  } },
  reply_number: { from: "reply", unit: "count", needs: ["after"], doc: "the number a command answered: an integer reply, or a string holding a number (ZSCORE, GET of a counter)", read: (output) => {
    const last = (output ?? "").trim().split("\n").pop() ?? "";
    const m = /^\(integer\) (-?\d+)$/.exec(last) ?? /^"(-?\d+(?:\.\d+)?)"$/.exec(last);
    return m ? Number(m[1]) : null;
  } },
};

/** Parameters every measure reference may carry. */
export const REF_FIELDS = ["measure", "label", "after", "since", "file", "field", "key"];

/** The unit a reference's value is shown in. */
export function unitOf(ref) {
  const m = MEASURES[ref.measure];
  if (ref.measure === "info" && /_size$/.test(ref.field ?? "")) return "bytes";
  return m.unit;
}

/**
 * Reads one measure from a step's record.
 * @returns {{ value: number | string | boolean | null, missing?: string }}
 */
export function readMeasure(ref, record, kinds) {
  const m = MEASURES[ref.measure];
  const commands = record.commands;
  if (m.from === "restart") {
    const index = restartIndex(ref, kinds);
    const entry = commands[index - 1];
    if (!entry) return { value: null, missing: "that restart has not run yet" };
    return present(m.read(entry.restart, ref));
  }
  if (m.from === "reply") {
    const entry = commands[ref.after - 1];
    return entry ? present(m.read(entry.output, ref)) : { value: null, missing: "that command has not run yet" };
  }
  const at = (i) => (i === 0 ? record.start : commands[i - 1]?.snapshot);
  const after = ref.after ?? kinds.length;
  const value = m.read(at(after), ref);
  if (value === null || ref.since === undefined) return present(value);
  const base = m.read(at(ref.since), ref);
  return typeof value === "number" && typeof base === "number" ? { value: value - base } : present(null);
}

/** The 1-based command a restart measure reads (`after`, else the step's last .restart). */
export function restartIndex(ref, kinds) {
  return ref.after ?? lastIndexOf(kinds, "restart") + 1;
}

/**
 * Where a value was read, for pages and tests: "restart:N" (the report of
 * command N), "snapshot:N" (the lab after command N, "snapshot:A-B" for a
 * change) or "reply:N".
 */
export function sourceOf(ref, kinds) {
  const m = MEASURES[ref.measure];
  if (m.from === "restart") return `restart:${restartIndex(ref, kinds)}`;
  if (m.from === "reply") return `reply:${ref.after}`;
  const after = ref.after ?? kinds.length;
  return ref.since === undefined ? `snapshot:${after}` : `snapshot:${ref.since}-${after}`;
}

function present(value) {
  return value === null || value === undefined || Number.isNaN(value)
    ? { value: null, missing: "the engine did not report it" } : { value };
}

function lastIndexOf(list, item) {
  for (let i = list.length - 1; i >= 0; i--) if (list[i] === item) return i;
  return -1;
}

/** A measured value as the outcome shows it. */
export function formatValue(value, unit) {
  if (value === null || value === undefined) return "not reported";
  if (unit === "bool") return value ? "yes" : "no";
  if (typeof value === "string") return value;
  const n = (x, digits = 0) => x.toLocaleString("en-US", { maximumFractionDigits: digits });
  switch (unit) {
    case "ms": return `${n(value, value < 10 ? 2 : 1)} ms`;
    case "bytes": return value >= 10 * 1024 ? `${n(value)} bytes (${human(value)})` : `${n(value)} ${value === 1 ? "byte" : "bytes"}`;
    case "keys": return `${n(value)} ${value === 1 ? "key" : "keys"}`;
    default: return n(value, 2);
  }
}

/**
 * Whether a choice's condition holds for the measured values.
 * @param {any} when
 * @param {Record<string, number | string | boolean | null>} values
 */
export function conditionHolds(when, values) {
  if (when.all) return when.all.every((c) => conditionHolds(c, values));
  if (when.largest !== undefined || when.smallest !== undefined) {
    const name = when.largest ?? when.smallest;
    const among = when.among ?? Object.keys(values);
    const nums = among.map((k) => values[k]);
    if (nums.some((v) => typeof v !== "number")) return false;
    const best = when.largest !== undefined ? Math.max(...nums) : Math.min(...nums);
    return values[name] === best && nums.filter((v) => v === best).length === 1;
  }
  const v = values[when.value];
  if (v === null || v === undefined) return false;
  if ("equals" in when) return v === when.equals;
  if (typeof v !== "number") return false;
  return (when.min === undefined || v >= when.min) && (when.max === undefined || v <= when.max);
}

/**
 * The outcome of a step: every value it reads, and the verdict on the
 * reader's answer.
 * @param {any} step the scenario's step (validated)
 * @param {{ start: any, commands: any[] }} record
 * @param {string[]} kinds the engine's kind of each of the step's commands
 * @param {{ choice?: number, number?: number, skipped?: boolean } | null} answer
 */
export function evaluateOutcome(step, record, kinds, answer) {
  const values = {};
  const shown = [];
  for (const [name, ref] of Object.entries(step.outcome.values)) {
    const { value, missing } = readMeasure(ref, record, kinds);
    const unit = unitOf(ref);
    values[name] = value;
    const words = MEASURES[ref.measure].words;
    const text = words && typeof value === "string" && value in words ? words[value] : formatValue(value, unit);
    shown.push({ name, label: ref.label ?? name, value, unit, text, missing, source: sourceOf(ref, kinds) });
  }
  const texts = Object.fromEntries(shown.map((s) => [s.name, s.text]));
  const p = step.prediction;
  if (!p) return { values, shown, texts, verdict: null };
  let matching = [];
  let verdict;
  if (p.kind === "choice") {
    matching = p.choices.map((c, i) => (conditionHolds(c.when, values) ? i : -1)).filter((i) => i >= 0);
    if (answer?.skipped) verdict = "skipped";
    else if (matching.length === 0) verdict = "unmatched";
    else verdict = matching.includes(answer?.choice) ? "right" : "wrong";
  } else {
    const v = values[p.check];
    if (answer?.skipped) verdict = "skipped";
    else if (typeof v !== "number") verdict = "unmatched";
    else verdict = Math.abs(answer.number - v) <= (p.tolerance ?? 0) ? "right" : "wrong";
  }
  return { values, shown, texts, verdict, matching };
}
