// The page-wide banner: problems the reader must know about (no IndexedDB,
// another tab owns the lab, a lab that cannot start), each with what
// still works and what to do.

import { h, replace } from "../dom.js";

/**
 * @param {string} message
 * @param {{ action?: string, onAction?: () => void }} [options]
 */
export function showBanner(message, options = {}) {
  const el = /** @type {HTMLElement} */ (document.getElementById("banner"));
  replace(el, h("strong", null, "Note: "), message,
    options.action ? [" ", h("button", { type: "button", class: "btn small", on: { click: options.onAction } }, options.action)] : null);
  el.hidden = false;
}
