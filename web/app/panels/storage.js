// Storage status in the masthead: where the lab's disk lives, whether the
// browser may evict it, how much of the quota it uses, and a button to ask
// for persistent storage (navigator.storage.persist()).

import { bytes, h, replace } from "../dom.js";

/**
 * @param {HTMLElement} el
 * @param {import("../store.js").Store} store
 */
export function mountStorage(el, store) {
  let persisted = /** @type {boolean | null} */ (null);
  let estimate = /** @type {{ usage?: number, quota?: number } | null} */ (null);
  const api = navigator.storage;

  async function refresh() {
    if (!api) return;
    try {
      persisted = api.persisted ? await api.persisted() : null;
      estimate = api.estimate ? await api.estimate() : null;
    } catch {
      // Some contexts refuse; the status then says less.
    }
    draw();
  }

  async function ask() {
    try {
      persisted = await api.persist();
    } catch {
      persisted = false;
    }
    draw(persisted ? "" : "The browser said no (it decides, e.g. for bookmarked or installed sites).");
  }

  function draw(note = "") {
    const lab = store.state.lab;
    if (!lab) return;
    if (lab.storage === "memory") {
      replace(el, h("span", { class: "pill warn" }, "Disk: in memory"),
        h("span", null, "a reload starts from nothing"));
      return;
    }
    const usage = estimate?.usage !== undefined ? `${bytes(estimate.usage)} of ${bytes(estimate.quota)} used` : "";
    replace(el,
      h("span", { class: `pill ${persisted ? "good" : ""}` }, persisted ? "Disk: IndexedDB, persistent" : "Disk: IndexedDB, best-effort"),
      usage ? h("span", null, usage) : null,
      persisted === false && api?.persist
        ? h("button", { type: "button", class: "btn small", on: { click: ask },
          title: "Ask the browser not to evict the lab's files under storage pressure" }, "Keep my data")
        : null,
      note ? h("span", { role: "status" }, note) : null);
  }

  let lastFiles = "";
  let lastRefresh = -Infinity;
  store.subscribe((state, changed) => {
    if (!changed.has("lab") || !state.lab) return;
    // The quota estimate moves with the files: refresh it when they
    // change, at most once a second.
    const files = JSON.stringify(state.lab.files.map((f) => f.durable));
    if (files !== lastFiles && performance.now() - lastRefresh > 1000) {
      lastFiles = files;
      lastRefresh = performance.now();
      refresh();
    }
    draw();
  });
}
