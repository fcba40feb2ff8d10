// The built-in workloads of compare mode, as data, and the one function that
// turns a workload into the commands it sends.
//
// Each workload reproduces a claim of the RDB-vs-AOF explainer the project
// measures (payment IDs issued twice after an RDB restore, sessions a
// snapshot can lose, a cart that must survive, a leaderboard, a mix of
// types). A workload is a list of command templates used in turn, a size
// (how many writes) and a pace (virtual ms between writes): together they
// span a few virtual minutes, so everysec fsyncs, the kernel's 30 s
// writeback and save points all happen during the run.
//
// Templates are Redis command lines with placeholders:
//   {i}       the write's number, 1-based, across the whole run
//   {n}       the round: how many times this template has been used so far
//             (an INCR in round n returns n, so "HSET payment:{n}" names
//             the ID that INCR issued)
//   {rand N}  a pseudo-random integer 1..N, the same in every run (each
//             placeholder of each write has its own draw)
// Every template is deterministic and every write changes the dataset
// (new members, increments, fresh values): compare mode finds what came back
// by comparing dataset digests, so a workload must never depend on random
// results (SPOP, SRANDMEMBER) and a write that changes nothing would be
// invisible to it. TTLs are long (30 minutes and more), far beyond a run, so
// no key expires while the states are compared.

/**
 * @typedef {{ id: string, title: string, claim: string, size: number,
 *             paceMs: number, templates: string[] }} Workload
 */

/** @type {Workload[]} */
export const WORKLOADS = [
  {
    id: "payments",
    title: "Payment transaction IDs",
    claim: "An ID counter (INCR) and one payment record per ID. After an RDB restore the counter goes back, " +
      "and the IDs issued since the last snapshot will be issued again. Six virtual minutes: with Redis's default " +
      "save rules, a snapshot is taken after five.",
    size: 1440,
    paceMs: 250,
    templates: ["INCR payments:next_id", "HSET payment:{n} amount_cents {rand 50000} currency EUR"],
  },
  {
    id: "sessions",
    title: "Sessions with TTLs",
    claim: "Logins create sessions that expire after 30 minutes (SET ... EX). Losing some means users log in again: " +
      "the explainer's example of data a snapshot may lose.",
    size: 900,
    paceMs: 200,
    templates: [
      "SET session:{n} user:{rand 400} EX 1800",
      "HSET user:{rand 400} last_session session:{n}",
      "INCR stats:logins",
    ],
  },
  {
    id: "cart",
    title: "Shopping carts",
    claim: "Customers add items to carts (HINCRBY) and carts record when they changed (HSET). " +
      "A lost cart is a lost sale: the explainer's case for AOF or hybrid.",
    size: 900,
    paceMs: 200,
    templates: [
      "HINCRBY cart:{rand 60} sku:{rand 300} {rand 3}",
      "HSET cart:{rand 60} updated_at {i}",
    ],
  },
  {
    id: "leaderboard",
    title: "Game leaderboard",
    claim: "Scores stream into a sorted set (ZINCRBY). Whether a snapshot is enough depends on whether Redis is " +
      "the only copy of the scores.",
    size: 1000,
    paceMs: 180,
    templates: ["ZINCRBY leaderboard {rand 50} player:{rand 200}"],
  },
  {
    id: "mixed",
    title: "Mixed write loop",
    claim: "Strings, counters, a list, sets, hashes and a sorted set, written in turn: every type's path through " +
      "the RDB and the AOF.",
    size: 1050,
    paceMs: 200,
    templates: [
      "SET key:{rand 200} v{i}",
      "INCR counter:{rand 10}",
      "LPUSH events e{i}",
      "SADD tags:{rand 20} t{i}",
      "HSET obj:{rand 50} f{rand 7} {i}",
      "ZADD ranks {i} m{rand 100}",
    ],
  },
];

/** The id of the workload made of the terminal's history. */
export const HISTORY_ID = "history";

/**
 * A 32-bit integer hash (a murmur3-style finalizer): the same numbers in every
 * browser and every run.
 * @param {number} x
 */
function mix(x) {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * The command lines a workload sends: `size` of them, templates in turn.
 * @param {Pick<Workload, "templates" | "size">} workload
 * @returns {string[]}
 */
export function expandWorkload(workload) {
  const { templates, size } = workload;
  if (!Array.isArray(templates) || templates.length === 0) throw new Error("a workload needs templates");
  if (!Number.isInteger(size) || size < 1) throw new Error("a workload's size is a positive integer");
  const lines = new Array(size);
  for (let k = 0; k < size; k++) {
    const i = k + 1;
    const n = Math.floor(k / templates.length) + 1;
    let draw = 0;
    lines[k] = templates[k % templates.length].replace(/\{(i|n|rand (\d+))\}/g, (_, what, max) => {
      if (what === "i") return String(i);
      if (what === "n") return String(n);
      draw++;
      return String((mix(i * 7919 + draw * 104729) % Number(max)) + 1);
    });
  }
  return lines;
}

/**
 * Virtual time a workload spans, in ms (the first write comes one pace after
 * the labs start).
 * @param {{ size: number, paceMs: number }} workload
 */
export function spanMs(workload) {
  return workload.size * workload.paceMs;
}

/** A write's first word, the repeat count of redis-cli's "N COMMAND" form stripped. */
const REPEAT = /^\s*(\d+)\s+(\S.*)$/;

/**
 * The terminal's history as workload lines: dot-commands and blank lines
 * dropped, redis-cli's "3 INCR x" expanded to three lines (at most
 * `maxRepeat` each). Which of them are writes is the engine's call (COMMAND
 * INFO), made by the runner.
 * @param {unknown} history the parsed localStorage value
 * @param {number} [maxRepeat]
 * @returns {string[]}
 */
export function historyLines(history, maxRepeat = 100) {
  if (!Array.isArray(history)) return [];
  const out = [];
  for (const entry of history) {
    if (typeof entry !== "string") continue;
    const line = entry.trim();
    if (line === "" || line.startsWith(".")) continue;
    const m = REPEAT.exec(line);
    if (m) {
      const times = Math.min(Number(m[1]), maxRepeat);
      for (let t = 0; t < times; t++) out.push(m[2]);
    } else {
      out.push(line);
    }
  }
  return out;
}

/** The command name of a line (its first word, lower case). */
export function commandName(line) {
  return (line.trim().split(/\s+/, 1)[0] ?? "").replace(/^["']|["']$/g, "").toLowerCase();
}

/**
 * Commands that give a key a TTL. Keys that expire during a run make the
 * states compare mode recorded differ from what a restart can bring back;
 * the page warns when the terminal's history uses them.
 */
export const TTL_COMMANDS = new Set([
  "expire", "pexpire", "expireat", "pexpireat", "setex", "psetex", "getex",
]);

/**
 * Whether a line may set a TTL (one of TTL_COMMANDS, or SET with EX/PX/EXAT/PXAT).
 * @param {string} line
 */
export function setsTtl(line) {
  const name = commandName(line);
  if (TTL_COMMANDS.has(name)) return true;
  // SET key value [options]: the options come after the value.
  return name === "set" && line.trim().split(/\s+/).slice(3).some((t) => /^(ex|px|exat|pxat)$/i.test(t));
}
