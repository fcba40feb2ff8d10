// The annotated byte inspector for RDB files (dump.rdb, an AOF's
// .base.rdb): the bytes in hex next to the engine's annotation of them —
// magic and version, each AUX field, SELECTDB, RESIZEDB, each key with its
// type, expiry, name and value encoding, EOF and the CRC64. The annotation
// is the engine's (core/persist/rdb_annotate.h, the same one
// `plab rdb-dump --annotate` prints); this file only lays it out.
//
// Keyboard: the list of items is one tab stop; Up/Down (Home/End) move
// through it and highlight the item's bytes. The mouse does the same on
// the bytes themselves.

import { bytes, h, num, replace, uid } from "../dom.js";

// Bytes drawn at a time, and keys annotated at a time (a 100k-key dump has
// hundreds of thousands of items; the engine lists a window of entries and
// sums up the rest as "elided" spans): the rest is a click away.
const WINDOW = 4096;
const ENTRIES = 250;
const ROW = 16;

/**
 * @param {HTMLElement} view
 * @param {{ name: string, written: number, durable: number }} file
 * @param {(first: number, count: number) => Promise<{ spans: Array<{offset: number, length: number,
 *            depth: number, label: string, detail: string}>, error: string | null, size: number,
 *            entries: number }>} annotate  the engine's annotation, entries first .. first + count - 1
 * @param {Uint8Array} content
 * @param {number} [firstEntry]
 */
export async function mountInspector(view, file, annotate, content, firstEntry = 0) {
  let annotation;
  try {
    annotation = await annotate(firstEntry, ENTRIES);
  } catch (e) {
    replace(view, h("h3", { class: "mono" }, file.name), h("p", { class: "empty" }, `No annotation: ${e.message}`));
    return;
  }
  const spans = annotation.spans;
  const goto = (first) => mountInspector(view, file, annotate, content, first);
  const entryPages = annotation.entries > ENTRIES ? h("p", { class: "empty" },
    `Keys ${num(firstEntry + 1)}–${num(Math.min(annotation.entries, firstEntry + ENTRIES))} of ${num(annotation.entries)} annotated. `,
    firstEntry > 0 ? h("button", { type: "button", class: "btn small", on: { click: () => goto(Math.max(0, firstEntry - ENTRIES)) } }, "Earlier keys") : null,
    " ",
    firstEntry + ENTRIES < annotation.entries
      ? h("button", { type: "button", class: "btn small", on: { click: () => goto(firstEntry + ENTRIES) } }, "Later keys") : null) : null;
  let start = 0;
  let current = -1;
  const hex = h("pre", { class: "hex-bytes", "aria-hidden": "true" });
  const list = h("ul", { class: "spans", tabindex: "0", role: "listbox",
    "aria-label": `What the bytes of ${file.name} are`, "aria-activedescendant": "" });
  const more = h("p", { class: "empty" });

  const itemId = uid("span");
  const items = spans.map((s, i) => {
    const label = h("span", { class: "label" }, s.label);
    label.style.marginLeft = `${1.25 * s.depth}em`; // children under their entry
    return h("li", { id: `${itemId}-${i}`, role: "option", "aria-selected": "false",
      on: { click: () => pick(i, true) } },
    h("span", { class: "at" }, `0x${s.offset.toString(16).padStart(6, "0")}`), label, " ", s.detail);
  });
  replace(list, items);

  /** Draws bytes [start, start + WINDOW) with each byte's deepest item. */
  function drawHex() {
    const end = Math.min(content.length, start + WINDOW);
    const owner = new Int32Array(end - start).fill(-1);
    for (const [i, s] of spans.entries()) {
      const from = Math.max(s.offset, start);
      const to = Math.min(s.offset + s.length, end);
      for (let b = from; b < to; b++) owner[b - start] = i;
    }
    const rows = [];
    for (let row = start; row < end; row += ROW) {
      const cells = [h("span", { class: "off" }, row.toString(16).padStart(6, "0"))];
      for (let b = row; b < Math.min(row + ROW, end); b++) {
        const i = owner[b - start];
        const cell = h("span", { class: `b${i >= 0 ? ` l-${spans[i].label}` : ""}`, dataset: { span: i } },
          content[b].toString(16).padStart(2, "0"));
        cells.push(cell, " ");
      }
      rows.push(h("div", null, cells));
    }
    replace(hex, rows);
    more.textContent = "";
    replace(more, end < content.length || start > 0 ? [
      `Bytes ${num(start)}–${num(end - 1)} of ${num(content.length)}. `,
      start > 0 ? h("button", { type: "button", class: "btn small", on: { click: () => page(-WINDOW) } }, "Earlier bytes") : null,
      " ",
      end < content.length ? h("button", { type: "button", class: "btn small", on: { click: () => page(WINDOW) } }, "Later bytes") : null,
    ] : null);
    if (current >= 0) mark(current, true);
  }

  function page(delta) {
    start = Math.max(0, Math.min(content.length - 1, start + delta));
    start -= start % ROW;
    drawHex();
  }

  function mark(i, on) {
    for (const cell of hex.querySelectorAll(`[data-span="${i}"]`)) cell.classList.toggle("on", on);
  }

  /** Selects item i: highlights its bytes (paging to them) and its list entry. */
  function pick(i, fromList) {
    if (current >= 0) {
      mark(current, false);
      items[current]?.classList.remove("on");
      items[current]?.setAttribute("aria-selected", "false");
    }
    current = i;
    const s = spans[i];
    if (s.offset < start || s.offset >= start + WINDOW) {
      start = s.offset - (s.offset % ROW);
      drawHex();
    }
    mark(i, true);
    items[i]?.classList.add("on");
    items[i]?.setAttribute("aria-selected", "true");
    list.setAttribute("aria-activedescendant", `${itemId}-${i}`);
    if (fromList) items[i]?.scrollIntoView({ block: "nearest" });
  }

  hex.addEventListener("mouseover", (e) => {
    const i = Number(/** @type {HTMLElement} */ (e.target).dataset?.span ?? -1);
    if (i >= 0 && i < items.length) {
      pick(i, false);
      items[i].scrollIntoView({ block: "nearest" });
    }
  });
  list.addEventListener("keydown", (e) => {
    const to = { ArrowDown: current + 1, ArrowUp: current - 1, Home: 0, End: items.length - 1 }[e.key];
    if (to === undefined || items.length === 0) return;
    e.preventDefault();
    pick(Math.max(0, Math.min(items.length - 1, to)), true);
  });

  const durableNote = file.written > file.durable
    ? h("span", { class: "pill warn" }, `${bytes(file.written - file.durable)} not durable yet`) : null;
  replace(view,
    h("h3", { class: "mono" }, file.name, " ", durableNote),
    annotation.error ? h("p", { class: "broken" }, `The engine stops reading here: ${annotation.error}`) : null,
    h("p", { class: "empty" }, `${num(annotation.entries)} keys in ${bytes(content.length)}. ` +
      "Select an item (or point at a byte) to see which bytes are which."),
    entryPages,
    h("div", { class: "hex" }, h("div", null, hex, more), list));
  drawHex();
}
