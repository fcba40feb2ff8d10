// Page side of the browser tests. The runner (tests/browser/run.mjs) exposes
// two functions on every page it opens:
//   plabReport(event)  - the page tells the test something (fire and forget)
//   plabAsk(question)  - the page asks the test, e.g. "mode" -> "write"/"check"
// Pages hold only external module scripts, so they also run under a strict CSP.

/** The page's query parameters, e.g. ?lab=name. */
export const params = new URLSearchParams(location.search);

/**
 * Sends an event to the test. Not awaited on purpose: a page being reloaded
 * or killed mid-stream must not block on the test, and the test only relies
 * on what it actually received.
 * @param {object} event has a string "type"
 */
export function report(event) {
  if (typeof window.plabReport !== "function") {
    console.log("plab report", JSON.stringify(event));
    return;
  }
  window.plabReport(event).catch(() => {});
}

/**
 * Asks the test a question; resolves with its answer.
 * @param {string} question
 * @returns {Promise<any>}
 */
export function ask(question) {
  if (typeof window.plabAsk !== "function") return Promise.resolve(null);
  return window.plabAsk(question);
}

/**
 * Loads the JS API from the build output served under /dist/. A dynamic
 * import so that a missing or broken module becomes a reported error.
 * @returns {Promise<any>} the PersistLab class
 */
export async function loadApi() {
  const mod = await import("/dist/persistlab.js");
  return mod.PersistLab;
}

/**
 * Runs the page's main function and reports a thrown error to the test.
 * @param {() => Promise<void>} fn
 */
export function main(fn) {
  fn().catch((e) => report({ type: "error", message: e?.message ?? String(e), stack: e?.stack }));
}

/**
 * Collects acknowledgements and sends them in batches: one CDP round trip per
 * write would slow the writers down far more than the engine does.
 */
export class AckBatcher {
  /** @param {number} intervalMs */
  constructor(intervalMs = 20) {
    this.pending = [];
    this.timer = setInterval(() => this.flush(), intervalMs);
  }

  /** @param {object} ack */
  add(ack) {
    this.pending.push(ack);
  }

  flush() {
    if (this.pending.length === 0) return;
    report({ type: "acks", items: this.pending });
    this.pending = [];
  }
}

/**
 * Lets timers (the lab's everysec fsync, the ack batcher) run between writes,
 * as any real page's event loop would. A MessageChannel message is a task
 * but, unlike setTimeout(0), is not clamped to 4 ms.
 * @returns {Promise<void>}
 */
export function nextTask() {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(0);
  });
}

/**
 * All keys matching pattern with their string values.
 * @param {any} lab an open PersistLab
 * @param {string} pattern a KEYS pattern
 * @returns {Promise<Object<string, string|null>>}
 */
export async function dump(lab, pattern) {
  const { reply: keys } = await lab.exec(["KEYS", pattern]);
  const out = {};
  if (!Array.isArray(keys)) throw new Error(`KEYS ${pattern} replied ${JSON.stringify(keys)}`);
  if (keys.length === 0) return out;
  const { reply: values } = await lab.exec(["MGET", ...keys]);
  keys.forEach((k, i) => { out[k] = values[i]; });
  return out;
}
