// Small DOM helpers. Everything the page shows is built with these (never
// innerHTML): keys and values are user data.

/**
 * Creates an element: h("td", { class: "num", title: "x" }, "text", child).
 * Attributes: `class`, `dataset` (object), `on` (object of listeners),
 * anything else via setAttribute (null/false skip, true sets "").
 * @param {string} tag
 * @param {Record<string, any> | null} [attrs]
 * @param {...(Node | string | number | null | undefined | false | Array<any>)} children
 * @returns {HTMLElement}
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") el.className = value;
    else if (name === "dataset") Object.assign(el.dataset, value);
    else if (name === "on") for (const [ev, fn] of Object.entries(value)) el.addEventListener(ev, fn);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

/** Replaces el's children. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

/** 1234567 -> "1,234,567". */
export function num(n) {
  return Number(n ?? 0).toLocaleString("en-US");
}

/** Bytes as "512 B", "3.4 KB", "12.0 MB" (1 KB = 1024 B, as redis-cli's INFO human sizes). */
export function bytes(n) {
  n = Number(n ?? 0);
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

/** A virtual Unix time in ms as "HH:MM:SS" (UTC: the lab's clock has no zone). */
export function clockTime(ms, withMs = false) {
  const iso = new Date(ms).toISOString();
  return withMs ? iso.slice(11, 23) : iso.slice(11, 19);
}

/** A duration in ms as "850 ms", "12.4 s", "3 min 20 s", "1 h 5 min". */
export function duration(ms) {
  const abs = Math.abs(ms);
  if (abs < 1000) return `${Math.round(ms)} ms`;
  if (abs < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (abs < 3_600_000) {
    const m = Math.floor(abs / 60_000);
    const s = Math.round((abs % 60_000) / 1000);
    return `${ms < 0 ? "-" : ""}${m} min${s ? ` ${s} s` : ""}`;
  }
  const hr = Math.floor(abs / 3_600_000);
  const m = Math.round((abs % 3_600_000) / 60_000);
  return `${ms < 0 ? "-" : ""}${hr} h${m ? ` ${m} min` : ""}`;
}

// Ids handed out so far, per base name. Element ids must be unique in a
// document, and a page may hold several labs (several <persist-lab>
// elements): the first panel of a kind keeps the plain id, later ones get
// "-2", "-3"...
const idCounts = new Map();

/** A document-unique id built on `base` ("knob-save", then "knob-save-2"). */
export function uid(base) {
  const n = (idCounts.get(base) ?? 0) + 1;
  idCounts.set(base, n);
  return n === 1 ? base : `${base}-${n}`;
}
