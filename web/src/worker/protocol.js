// The message protocol between a page and the lab worker (lab_worker.js).
// It is deliberately small: remote calls by name, replies by id, and
// events pushed by the worker.
//
// page -> worker
//   { id, op: "open", args: [options] }              opens a lab (PersistLab.open
//                                                    options + fallbackToMemory,
//                                                    quiet: no "state" events)
//   { id, op: "destroyLab", args: [name] }           deletes a lab's IndexedDB data
//   { id, op: <method>, lab: handle, args: [...] }   calls LabHost.<method>
//   { id, op: "engine", args: [fn, ...args] }        an engine-wide function
//                                                    (ENGINE_FUNCTIONS below)
// worker -> page
//   { id, ok: true, value }                          the call's result
//   { id, ok: false, error: { message, report?, text? } }
//   { event, lab: handle, detail }                   a lab event: "state"
//                                                    (a LabSnapshot), "log",
//                                                    "save", "rewrite", "fsync",
//                                                    "crash", "restart", "error"
//
// Calls on one lab run one at a time, in the order they were sent (a
// `.crash` typed before a `.restart` always crashes first); calls on
// different labs may interleave.

/** LabHost methods a page may call (anything else is refused). */
export const LAB_METHODS = new Set([
  "line", "exec", "execMany", "crash", "restart", "clock", "files", "readFile",
  "annotate", "snapshot", "digest", "recording", "close", "destroy",
]);

/** Functions of the engine module that need no lab. */
export const ENGINE_FUNCTIONS = new Set(["annotateRdb", "helpText", "dotHelp", "dotCommands", "parseLine"]);

/**
 * @typedef {{ name: string, written: number, durable: number, dirty: boolean,
 *             entryDurable: boolean }} FileInfo
 * @typedef {{
 *   name: string,
 *   storage: "indexeddb" | "memory",
 *   state: "running" | "down" | "closed",
 *   downReason: string,
 *   prompt: string,
 *   clock: { now: number, paused: boolean, speed: number },
 *   files: FileInfo[],
 *   config: Record<string, string>,
 *   persistence: Record<string, string>,
 *   promise: object | null,
 *   stats: object | null,
 *   mirror: { transactions: number, bytesPut: number },
 * }} LabSnapshot
 */
