// The page-wide banner: things the reader must know about (no IndexedDB,
// another tab owns the lab, a link that could not be used, a lab that
// cannot start), each with what still works and what to do. Messages
// add up; each can carry one action button.

import { h } from "../dom.js";

/**
 * @param {string} message
 * @param {{ action?: string, onAction?: () => void }} [options]
 */
export function showBanner(message, options = {}) {
  const el = /** @type {HTMLElement} */ (document.getElementById("banner"));
  el.append(h("p", null, h("strong", null, "Note: "), message,
    options.action ? [" ", h("button", { type: "button", class: "btn small", on: { click: options.onAction } }, options.action)] : null));
  el.hidden = false;
}
