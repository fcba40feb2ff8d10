// The lab worker: runs PersistLab labs off the page's main thread, so
// typing never waits on a save, a rewrite or an IndexedDB commit. IndexedDB
// and Web Locks work in a dedicated worker as they do on a page. The page
// talks to it through lab_client.js; protocol.js documents the messages.

import { LabHost } from "./lab_host.js";
import { ENGINE_FUNCTIONS, LAB_METHODS } from "./protocol.js";
import { instantiateEngine } from "../engine_loader.js";
import { PersistLab } from "../persistlab.js";

/** @type {Map<number, { host: LabHost, queue: Promise<unknown> }>} */
const labs = new Map();
let nextHandle = 1;
/** @type {Promise<any> | null} an engine instance for lab-less functions */
let toolEngine = null;

/** Posts a message, transferring the buffers of byte results. */
function post(message, value) {
  const transfer = value instanceof Uint8Array && value.byteOffset === 0 &&
    value.byteLength === value.buffer.byteLength ? [value.buffer] : [];
  self.postMessage(message, transfer);
}

/** An Error as the page sees it (recovery errors keep their report). */
function errorOf(e) {
  return { message: e?.message ?? String(e), report: e?.report, text: e?.text, colorText: e?.colorText };
}

async function open(options) {
  const handle = nextHandle++;
  const emit = (event, detail) => self.postMessage({ event, lab: handle, detail });
  const host = await LabHost.open(options, emit);
  labs.set(handle, { host, queue: Promise.resolve() });
  return {
    handle, snapshot: host.snapshot(), report: host.lab.report, text: host.lab.reportText,
    colorText: host.lab.reportColorText, fallback: host.fallback,
  };
}

async function engineCall(fn, args) {
  if (!ENGINE_FUNCTIONS.has(fn)) throw new Error(`unknown engine function ${fn}`);
  toolEngine ??= instantiateEngine();
  const engine = await toolEngine;
  if (fn === "annotateRdb") return JSON.parse(engine.annotateRdbWindow(args[0], args[1] ?? 0, args[2] ?? 0xffffffff));
  if (fn === "dotCommands") return JSON.parse(engine.Lab.dotCommands());
  if (fn === "parseLine") return JSON.parse(engine.Lab.parseLine(args[0]));
  return engine.Lab[fn](...args);
}

/** Runs a lab call after that lab's earlier calls (see protocol.js). */
function labCall(handle, op, args) {
  const entry = labs.get(handle);
  if (!entry) return Promise.reject(new Error(`no open lab ${handle}`));
  if (!LAB_METHODS.has(op)) return Promise.reject(new Error(`unknown lab method ${op}`));
  const run = entry.queue.then(() => entry.host[op](...args));
  entry.queue = run.catch(() => {});
  if (op === "close" || op === "destroy") run.finally(() => labs.delete(handle));
  return run;
}

self.onmessage = async ({ data }) => {
  const { id, op, lab, args = [] } = data;
  try {
    let value;
    if (op === "open") value = await open(args[0]);
    else if (op === "destroyLab") value = await PersistLab.destroy(args[0]);
    else if (op === "engine") value = await engineCall(args[0], args.slice(1));
    else value = await labCall(lab, op, args);
    post({ id, ok: true, value }, value);
  } catch (e) {
    self.postMessage({ id, ok: false, error: errorOf(e) });
  }
};
