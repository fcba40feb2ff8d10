// Compare mode's pure logic (no DOM, no worker: node tests import it): the
// six persistence setups, what each one promises, and the accounting that
// turns digests into "acknowledged writes lost".
//
// How loss is measured, exactly: before the crash every lab ran the same
// commands at the same virtual moments, so their datasets were equal; the
// runner records the dataset digest of one lab after every step. After the
// restart, a lab's recovered digest is looked up among those: the last step
// with that digest is the state the disk gave back, and every write
// acknowledged after it was lost. A recovered digest that matches no step
// is a state that never existed — a bug, reported, never hidden.

/**
 * @typedef {{ id: string, label: string, short: string, kind: "none" | "rdb" | "aof",
 *             fsync?: "always" | "everysec" | "no", preamble?: boolean }} Setup
 */

/** The six setups, in the order the table shows them. */
export const SETUPS = /** @type {Setup[]} */ ([
  { id: "none", label: "No persistence", short: "none", kind: "none" },
  { id: "rdb", label: "RDB snapshots", short: "RDB", kind: "rdb" },
  { id: "always", label: "AOF, fsync always", short: "AOF always", kind: "aof", fsync: "always", preamble: false },
  { id: "everysec", label: "AOF, fsync every second", short: "AOF everysec", kind: "aof", fsync: "everysec", preamble: false },
  { id: "no", label: "AOF, fsync left to the OS", short: "AOF no", kind: "aof", fsync: "no", preamble: false },
  { id: "hybrid", label: "Hybrid (RDB preamble + AOF)", short: "hybrid", kind: "aof", fsync: "everysec", preamble: true },
]);

/** Redis 7.0's default save rules (redis.conf). */
export const DEFAULT_SAVE_RULES = "3600 1 300 100 60 10000";
/** Redis's default auto-aof-rewrite-min-size. */
export const DEFAULT_REWRITE_MIN_SIZE = "64mb";

/**
 * The Redis parameters a setup's lab opens with.
 * @param {Setup} setup
 * @param {{ saveRules: string, rewriteMinSize: string }} options
 * @returns {Record<string, string>}
 */
export function setupConfig(setup, { saveRules, rewriteMinSize }) {
  if (setup.kind === "none") return { appendonly: "no", save: "" };
  if (setup.kind === "rdb") return { appendonly: "no", save: saveRules };
  return {
    appendonly: "yes",
    appendfsync: setup.fsync ?? "everysec",
    "aof-use-rdb-preamble": setup.preamble ? "yes" : "no",
    "auto-aof-rewrite-min-size": rewriteMinSize,
    save: "",
  };
}

/** The config as the CONFIG SET arguments one would type. */
export function configText(config) {
  return Object.entries(config)
    .map(([k, v]) => `${k} ${v === "" || /\s/.test(v) ? JSON.stringify(v) : v}`)
    .join(" · ");
}

/**
 * How far back a power loss may reach under a setup, when the engine's own
 * statement (snapshot.promise) is not available: a window in ms before the
 * crash, 0 for nothing, null for "everything since the last completed save"
 * and Infinity for everything.
 * @param {Setup} setup
 */
export function fallbackWindowMs(setup) {
  if (setup.kind === "none") return Infinity;
  if (setup.kind === "rdb") return null;
  return { always: 0, everysec: 2000, no: 30000 }[setup.fsync ?? "everysec"];
}

/** One sentence per setup for when the engine states none. */
export function fallbackSentence(setup) {
  if (setup.kind === "none") return "Nothing is written to disk: a restart starts empty.";
  if (setup.kind === "rdb") return "Everything written since the last completed snapshot may be lost.";
  switch (setup.fsync) {
    case "always": return "No acknowledged write is lost: each is fsynced before the reply.";
    case "no": return "Up to ~30 s of writes may be lost: the kernel writes dirty pages back after 30 s.";
    default: return "Up to ~2 s of writes may be lost: the AOF is fsynced once a second.";
  }
}

/**
 * The last index whose digest equals `recovered`, or -1. digests[0] is the
 * empty dataset before the first step, digests[k] the dataset after k steps.
 * The last match is taken: a state that repeats (a write that changed
 * nothing) counts as kept.
 * @param {string[]} digests
 * @param {string} recovered
 */
export function lastMatchingStep(digests, recovered) {
  for (let k = digests.length - 1; k >= 0; k--) {
    if (digests[k] === recovered) return k;
  }
  return -1;
}

/**
 * @typedef {{ line: string, write: boolean, acked: boolean, at: number }} Step
 *   a workload step: the line sent, whether it is a write command, whether
 *   it was acknowledged (a write with a non-error reply), its virtual time
 */

/** How many acknowledged writes there are among steps[from..]. */
export function ackedFrom(steps, from) {
  let n = 0;
  for (let k = Math.max(0, from); k < steps.length; k++) if (steps[k].acked) n++;
  return n;
}

/**
 * Acknowledged writes that changed nothing the digest sees (the digest after
 * them equals the one before): their loss cannot be measured.
 * @param {Step[]} steps
 * @param {string[]} digests digests.length === steps.length + 1
 */
export function invisibleWrites(steps, digests) {
  let n = 0;
  for (let k = 0; k < steps.length; k++) if (steps[k].acked && digests[k + 1] === digests[k]) n++;
  return n;
}

/**
 * The earliest virtual time a setup's bound lets a crash at `crashAt` reach
 * back to: writes acknowledged at or after it may be lost. -Infinity: all
 * may; Infinity: none may.
 *
 * The engine's statement (the restart diff's or the snapshot's promise:
 * core/lab/promise.h) is used when the lab gives one: kind "no-loss",
 * "window" (window_ms before the crash), "since-save" (since_ms: the start
 * of the last completed save) or "none".
 * Without it: Redis's documented bounds, one cron period of slack (fsyncs
 * and writeback happen at cron steps), and the saves the runner saw.
 * @param {Setup} setup
 * @param {{ kind?: string, window_ms?: number, since_ms?: number } | null | undefined} promise
 * @param {{ crashAt: number, crashKind?: string, lastSaveStart: number | null, slackMs: number }} at
 *   lastSaveStart: when the last completed snapshot was taken (its fork), or null
 */
export function boundStart(setup, promise, { crashAt, crashKind, lastSaveStart, slackMs }) {
  // A process crash leaves the page cache: the AOF was written before each reply.
  if (setup.kind === "aof" && crashKind === "process") return Infinity;
  const finite = (v) => typeof v === "number" && Number.isFinite(v);
  const windowMs = promise?.window_ms ?? promise?.windowMs;
  const sinceMs = promise?.since_ms ?? promise?.sinceMs;
  switch (promise?.kind) {
    case "no-loss":
      return Infinity;
    case "none":
      return -Infinity;
    case "window":
      // "acknowledged less than window_ms before the crash" (times are whole ms).
      if (finite(windowMs)) return crashAt - windowMs + 1;
      break;
    case "since-save":
      if (finite(sinceMs)) return sinceMs;
      break;
  }
  if (setup.kind === "none") return -Infinity;
  if (setup.kind === "rdb") return lastSaveStart ?? -Infinity;
  const window = finite(windowMs) ? windowMs : fallbackWindowMs(setup);
  if (window === 0) return Infinity;
  return crashAt - window - slackMs;
}

/**
 * One setup's outcome.
 * @param {{ steps: Step[], digests: string[], recovered: string | null,
 *           boundStart: number }} input
 * @returns {{ matched: number, lost: number | null, neverExisted: boolean,
 *             within: boolean | null, firstLostAt: number | null }}
 *   matched: steps kept (-1 when the state never existed); lost: acknowledged
 *   writes lost (null when unknown); within: whether every lost write was
 *   one the bound allowed to lose
 */
export function accountLoss({ steps, digests, recovered, boundStart: start }) {
  if (recovered === null) return { matched: -1, lost: null, neverExisted: false, within: null, firstLostAt: null };
  const matched = lastMatchingStep(digests, recovered);
  if (matched < 0) return { matched, lost: null, neverExisted: true, within: false, firstLostAt: null };
  const lost = ackedFrom(steps, matched);
  let firstLostAt = null;
  for (let k = matched; k < steps.length; k++) {
    if (steps[k].acked) {
      firstLostAt = steps[k].at;
      break;
    }
  }
  const within = lost === 0 || (firstLostAt !== null && firstLostAt >= start);
  return { matched, lost, neverExisted: false, within, firstLostAt };
}

/** "1 write" / "12 writes". */
export function writes(n) {
  return `${n.toLocaleString("en-US")} ${n === 1 ? "write" : "writes"}`;
}

/**
 * What the results show, in words computed from them: the order from fewest
 * to most writes lost, then the points worth seeing (always lost nothing,
 * which setup lost the most, whether every setup kept its promise).
 * @param {{ setup: Setup, lost: number | null, within: boolean | null,
 *           neverExisted?: boolean }[]} rows
 * @param {number} total acknowledged writes in the workload
 * @returns {string[]} sentences
 */
export function orderingSentences(rows, total) {
  const known = rows.filter((r) => r.lost !== null);
  if (known.length === 0) return ["No setup recovered a state the run had seen, so nothing can be ranked."];
  const sorted = [...known].sort((a, b) => a.lost - b.lost);
  const groups = [];
  for (const r of sorted) {
    const last = groups[groups.length - 1];
    if (last && last.lost === r.lost) last.names.push(r.setup.short);
    else groups.push({ lost: r.lost, names: [r.setup.short] });
  }
  const out = [`From fewest to most writes lost: ${groups
    .map((g) => `${g.names.join(" = ")} (${g.lost.toLocaleString("en-US")})`).join(" < ")}.`];

  const zero = sorted.filter((r) => r.lost === 0).map((r) => r.setup.short);
  if (zero.length > 0) out.push(`${listWords(zero)} lost nothing.`);

  // "The most" among the setups that persist anything: "none" losing all is no news.
  const persisting = sorted.filter((r) => r.setup.kind !== "none");
  const worst = persisting[persisting.length - 1];
  if (worst && worst.lost > 0) {
    const most = persisting.filter((r) => r.lost === worst.lost).map((r) => r.setup.short);
    const share = total > 0 ? ` (${percent(worst.lost, total)} of the workload)` : "";
    let sentence = `${listWords(most)} lost the most of the setups that write to disk: ${writes(worst.lost)}${share}.`;
    const none = known.find((r) => r.setup.kind === "none");
    if (none && none.lost === worst.lost && most.includes("RDB")) {
      sentence += " That is as much as no persistence at all: no save rule fired before the crash.";
    }
    out.push(sentence);
  }

  const never = rows.filter((r) => r.neverExisted);
  if (never.length > 0) {
    out.push(`${listWords(never.map((r) => r.setup.short))} recovered a state that never existed: a bug, shown here rather than hidden.`);
  }
  const broken = rows.filter((r) => r.within === false && !r.neverExisted);
  if (broken.length === 0 && known.length === rows.length) {
    out.push("Every setup stayed within its stated bound.");
  } else if (broken.length > 0) {
    out.push(`${listWords(broken.map((r) => r.setup.short))} lost more than ${broken.length === 1 ? "its" : "their"} stated bound allows.`);
  }
  return out;
}

/** 12 of 400 -> "3%" ("0.3%" below 1 %, "<0.1%" for tiny shares). */
export function percent(part, whole) {
  if (whole <= 0) return "—";
  const p = (100 * part) / whole;
  if (p === 0 || p === 100) return `${p}%`;
  if (p < 0.1) return "<0.1%";
  return p < 10 ? `${p.toFixed(1)}%` : `${Math.round(p)}%`;
}

/** ["a", "b", "c"] -> "a, b and c". */
export function listWords(items) {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

/**
 * Which sampled steps' digests differ between labs before the crash (they
 * ran the same commands, so they must not).
 * @param {{ step: number, digests: string[] }[]} samples one digest per lab
 * @returns {number[]} the steps where some lab differed
 */
export function divergentSamples(samples) {
  return samples.filter((s) => s.digests.some((d) => d !== s.digests[0])).map((s) => s.step);
}
