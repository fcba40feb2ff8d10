// Runs one compare-mode experiment in the lab worker: six labs on in-memory
// disks, one per setup, fed the same commands at the same virtual moments,
// crashed by the same kind with the same seed at the same moment, restarted,
// measured, destroyed. No DOM here: the page draws what this returns.
//
// Every lab's clock is paused at the same start and moved by hand, pace by
// pace, so cron (save points, everysec fsyncs, the kernel's 30 s writeback)
// runs at the same virtual times in all six. Calls are pipelined a chunk of
// steps at a time (the worker runs each lab's calls in order), so the page
// waits on the worker about once per chunk rather than once per command.

import { SETUPS, setupConfig } from "./analysis.js";

/** Steps sent before the page waits for the worker (and draws progress). */
const CHUNK_STEPS = 40;
/** How many sampled steps check that the six labs really hold the same data. */
const DIGEST_SAMPLES = 8;
/** A fixed virtual start (2025-01-01 09:00 UTC): runs are repeatable. */
export const DEFAULT_START = Date.UTC(2025, 0, 1, 9, 0, 0);
/** Commands kept from the terminal's history although they write nothing. */
const CONTEXT_COMMANDS = new Set(["select"]);

/**
 * @typedef {{
 *   lines: string[], paceMs: number, crashKind: "power" | "torn" | "process",
 *   crashDelayMs: number, saveRules: string, rewriteMinSize: string,
 *   seed: number, start?: number, classify?: boolean,
 * }} Plan
 *   classify: ask the engine (COMMAND INFO) which lines are writes and drop
 *   the rest (the terminal's history); built-in workloads are all writes
 *
 * @typedef {{ phase: string, done: number, total: number }} Progress
 */

/** True when a reply is an acknowledgement (not an error, not missing). */
function isAck(reply) {
  return reply !== null && reply !== undefined && !(typeof reply === "object" && "error" in reply && !Array.isArray(reply));
}

/**
 * Asks the engine which of `lines` are write commands (COMMAND INFO's
 * "write" flag). Lines of unknown commands are not writes.
 * @returns {Promise<{ line: string, write: boolean }[]>} the lines to run
 */
export async function classifyLines(lab, lines, commandName) {
  const names = [...new Set(lines.map(commandName))].filter((n) => n !== "");
  const writes = new Set();
  if (names.length > 0) {
    const [{ reply }] = await lab.execMany([["COMMAND", "INFO", ...names]]);
    for (const info of Array.isArray(reply) ? reply : []) {
      if (Array.isArray(info) && Array.isArray(info[2]) && info[2].includes("write")) writes.add(String(info[0]).toLowerCase());
    }
  }
  const out = [];
  for (const line of lines) {
    const name = commandName(line);
    if (writes.has(name)) out.push({ line, write: true });
    else if (CONTEXT_COMMANDS.has(name)) out.push({ line, write: false });
  }
  return out;
}

/** Step numbers (1-based, after that many steps) at which all labs' digests are compared. */
function sampleSteps(count) {
  const out = new Set([count]);
  for (let s = 1; s < DIGEST_SAMPLES; s++) out.add(Math.max(1, Math.round((count * s) / DIGEST_SAMPLES)));
  return out;
}

/**
 * Follows a lab's snapshots: when each completed save was started (its
 * fork: the moment the snapshot's dataset is from).
 */
function watchSaves(lab) {
  const saves = [];
  let pending = null;
  const offs = [
    lab.on("log", (d) => {
      if (typeof d?.message === "string" && d.message.startsWith("Background saving started")) {
        pending = d.timeMs ?? d.at;
      }
    }),
    lab.on("save", (d) => {
      const end = d.timeMs ?? d.at;
      // "DB saved on disk" is a foreground SAVE: it starts and ends at once.
      const start = d.message === "DB saved on disk" || pending === null ? end : pending;
      saves.push({ start, end });
      pending = null;
    }),
  ];
  return { saves, stop: () => offs.forEach((off) => off()) };
}

/**
 * Runs the experiment.
 * @param {import("../../src/worker/lab_client.js").LabWorker} worker
 * @param {Plan} plan
 * @param {{ onProgress?: (p: Progress) => void, signal?: AbortSignal,
 *           commandName: (line: string) => string }} options
 */
export async function runCompare(worker, plan, { onProgress = () => {}, signal, commandName }) {
  const began = performance.now();
  const start = plan.start ?? DEFAULT_START;
  const runId = `${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
  const progress = (phase, done = 0, total = 0) => onProgress({ phase, done, total });
  const checkAbort = () => {
    if (signal?.aborted) throw new DOMException("The comparison was stopped.", "AbortError");
  };

  progress("Opening six labs");
  const opened = await Promise.allSettled(SETUPS.map((setup) => worker.open({
    name: `compare-${runId}-${setup.id}`,
    storage: "memory",
    config: setupConfig(setup, plan),
    clock: { start, paused: true },
    // No "state" events: the runner asks for a snapshot when it needs one.
    quiet: true,
  })));
  const labs = opened.filter((o) => o.status === "fulfilled").map((o) => o.value);
  const watchers = labs.map(watchSaves);
  try {
    const failed = opened.find((o) => o.status === "rejected");
    if (failed) throw new Error(`a lab did not open: ${failed.reason?.message ?? failed.reason}`);
    checkAbort();
    return await experiment(labs, watchers, plan, { start, progress, checkAbort, commandName, began });
  } finally {
    for (const w of watchers) w.stop();
    await Promise.allSettled(labs.map((lab) => lab.destroy()));
  }
}

async function experiment(labs, watchers, plan, { start, progress, checkAbort, commandName, began }) {
  const ref = labs[0];
  const script = plan.classify
    ? await classifyLines(ref, plan.lines, commandName)
    : plan.lines.map((line) => ({ line, write: true }));
  if (script.length === 0) throw new Error("the workload has no write commands to run");

  const total = script.length;
  const digests = [await ref.digest()];
  const acked = labs.map(() => new Array(total).fill(false));
  const at = new Array(total);
  const samples = [];
  const toSample = sampleSteps(total);
  progress("Running the workload", 0, total);

  for (let from = 0; from < total; from += CHUNK_STEPS) {
    checkAbort();
    const to = Math.min(total, from + CHUNK_STEPS);
    const calls = [];
    for (let k = from; k < to; k++) {
      at[k] = start + (k + 1) * plan.paceMs;
      labs.forEach((lab, li) => {
        calls.push(lab.clock("advance", plan.paceMs));
        calls.push(lab.exec(script[k].line).then((r) => {
          acked[li][k] = script[k].write && isAck(r.reply);
        }));
      });
      calls.push(ref.digest().then((d) => {
        digests[k + 1] = d;
      }));
      if (toSample.has(k + 1)) {
        calls.push(Promise.all(labs.map((lab) => lab.digest())).then((d) => samples.push({ step: k + 1, digests: d })));
      }
    }
    await Promise.all(calls);
    progress("Running the workload", to, total);
  }

  const crashAt = at[total - 1] + plan.crashDelayMs;
  if (plan.crashDelayMs > 0) {
    progress(`Waiting ${Math.round(plan.crashDelayMs / 1000)} s of virtual time`, total, total);
    await Promise.all(labs.map((lab) => lab.clock("advance", plan.crashDelayMs)));
  }
  checkAbort();

  // What each disk holds at the moment of the crash.
  const before = await Promise.all(labs.map(async (lab) => {
    const snapshot = await lab.refresh();
    return {
      files: await lab.files(),
      stats: snapshot?.stats ?? null,
      promise: snapshot?.promise ?? null,
      hz: Number(snapshot?.config?.hz) || 10,
    };
  }));

  progress(`${plan.crashKind} crash, then restart`, total, total);
  await Promise.all(labs.map((lab) => lab.crash(plan.crashKind, plan.seed)));
  const after = await Promise.all(labs.map(async (lab) => {
    try {
      const { report, diff } = await lab.restart();
      return { report, diff, digest: await lab.digest(), error: null };
    } catch (e) {
      return { report: e.report ?? null, diff: null, digest: null, error: e.message };
    }
  }));

  return {
    script,
    digests,
    acked,
    at,
    samples,
    crashAt,
    crashKind: plan.crashKind,
    setups: labs.map((lab, li) => ({
      setup: SETUPS[li],
      ...before[li],
      ...after[li],
      saves: watchers[li].saves.filter((s) => s.end <= crashAt),
    })),
    runMs: performance.now() - began,
  };
}
