// The disk view: every file the lab's engine has, with what has been
// written (the OS page cache) against what is durable (what a power loss
// keeps) as two bars; and the selected file — an AOF's tail as the RESP it
// is, with the part that is not durable yet highlighted; the manifest; an
// RDB file (or an AOF base with an RDB preamble) through the annotated byte
// inspector, whose labels come from the engine's own RDB loader.

import { bytes, h, num, replace, uid } from "../dom.js";
import { mountInspector } from "./inspector.js";

// How much of an AOF's end the tail view shows.
const TAIL_BYTES = 6 * 1024;
// Re-read the open file at most this often while it changes.
const REREAD_MS = 400;

/**
 * @param {HTMLElement} panel
 * @param {import("../store.js").Store} store
 * @param {{ lab: () => Promise<import("../../src/worker/lab_client.js").RemoteLab>,
 *           worker: import("../../src/worker/lab_client.js").LabWorker }} actions
 */
export function mountDisk(panel, store, actions) {
  const body = h("tbody");
  const table = h("table", { class: "files" },
    h("caption", { class: "visually-hidden" }, "Files on the lab's disk: written and durable bytes"),
    h("thead", null, h("tr", null, h("th", null, "File"), h("th", null, "Written / durable"),
      h("th", { class: "num" }, "Bytes"))),
    body);
  const view = h("div", { class: "file-view", "aria-live": "off" });
  // Any RDB file from the reader's machine (a real Redis dump.rdb) through
  // the same inspector; it is only read, never added to the lab.
  const uploadId = uid("inspect-upload");
  const upload = h("input", { type: "file", id: uploadId, accept: ".rdb,application/octet-stream" });
  upload.addEventListener("change", async () => {
    const chosen = upload.files?.[0];
    if (!chosen) return;
    selected = "";
    drawFiles(store.state.lab?.files ?? []);
    const content = new Uint8Array(await chosen.arrayBuffer());
    const file = { name: chosen.name, written: content.length, durable: content.length };
    await mountInspector(view, file, (first, count) => actions.worker.engine("annotateRdb", content, first, count), content);
  });
  panel.append(h("div", { class: "disk-grid" },
    h("div", null, table, h("p", { class: "empty" },
      "Light bar: bytes written (in the page cache). Dark bar: bytes durable (fsynced or written back). ",
      "Select a file to look inside."),
    h("p", null, h("label", { for: uploadId }, "Inspect an RDB file from your computer: "), upload)),
    view));

  let selected = "";
  let shown = "";  // name + sizes of what the view shows
  let lastRead = 0;
  let timer = 0;

  function drawFiles(files) {
    const max = Math.max(1, ...files.map((f) => Math.max(f.written, f.durable)));
    replace(body, files.length === 0
      ? h("tr", null, h("td", { colspan: 3, class: "empty" }, "No files yet: nothing has been saved."))
      : files.map((f) => {
        const row = h("tr", { class: "file-row", tabindex: "0", "aria-selected": String(f.name === selected),
          on: { click: () => select(f.name), keydown: (e) => {
            if (e.key === "Enter" || e.key === " ") {
              e.preventDefault();
              select(f.name);
            }
          } } },
        h("td", { class: "mono" }, f.name, f.dirty ? h("span", { class: "pill warn", title: "has bytes that are not durable" }, " dirty") : null,
          f.entryDurable ? null : h("span", { class: "pill bad", title: "its directory entry is not durable: a power loss would lose the name" }, " new")),
        h("td", null, h("div", { class: "bars", "aria-label": `${num(f.written)} bytes written, ${num(f.durable)} durable` },
          bar("written", f.written / max), bar("durable", f.durable / max))),
        h("td", { class: "num" }, `${bytes(f.written)}`, f.durable !== f.written ? h("div", { class: "empty" }, `${bytes(f.durable)} durable`) : null));
        return row;
      }));
  }

  function select(name) {
    selected = name;
    shown = "";
    drawFiles(store.state.lab?.files ?? []);
    refreshView(true);
  }

  async function refreshView(force = false) {
    const file = store.state.lab?.files.find((f) => f.name === selected);
    if (!file) {
      replace(view, h("p", { class: "empty" }, selected ? `${selected} is gone.` : "No file selected."));
      return;
    }
    const key = `${file.name}:${file.written}:${file.durable}`;
    if (!force && key === shown) return;
    const wait = lastRead + REREAD_MS - performance.now();
    if (!force && wait > 0) {
      clearTimeout(timer);
      timer = setTimeout(() => refreshView(), wait);
      return;
    }
    shown = key;
    lastRead = performance.now();
    const lab = await actions.lab();
    let content;
    try {
      content = await lab.readFile(file.name);
    } catch (e) {
      replace(view, h("p", { class: "empty" }, `Cannot read ${file.name}: ${e.message}`));
      return;
    }
    if (/\.rdb$/.test(file.name)) {
      await mountInspector(view, file, (first, count) => lab.annotate(file.name, first, count), content);
    } else if (/\.manifest$/.test(file.name)) {
      drawText(view, file, content, "The manifest: which BASE and INCR files make up the AOF, in order.");
    } else {
      drawAofTail(view, file, content);
    }
  }

  store.subscribe((state, changed) => {
    if (!changed.has("lab") || !state.lab) return;
    drawFiles(state.lab.files);
    if (selected) refreshView();
  });
}

function bar(kind, fraction) {
  const fill = h("span");
  fill.style.width = `${Math.max(0, Math.min(1, fraction)) * 100}%`;
  return h("div", { class: `bar ${kind}` }, fill);
}

/** Bytes as text, with CR/LF shown and other control bytes escaped. */
function printable(data) {
  let out = "";
  for (const b of data) {
    if (b === 0x0a) out += "\n";
    else if (b === 0x0d) out += "\\r";
    else if (b < 0x20 || b > 0x7e) out += `\\x${b.toString(16).padStart(2, "0")}`;
    else out += String.fromCharCode(b);
  }
  return out;
}

function drawText(view, file, content, about) {
  replace(view, h("h3", { class: "mono" }, file.name), h("p", { class: "empty" }, about),
    h("pre", { class: "resp-lines" }, printable(content.subarray(0, Math.min(content.length, file.durable))),
      file.written > file.durable ? h("span", { class: "volatile" }, printable(content.subarray(file.durable))) : null));
}

/** The end of an AOF as RESP, the not-yet-durable bytes highlighted. */
function drawAofTail(view, file, content) {
  const from = Math.max(0, content.length - TAIL_BYTES);
  const durableEnd = Math.max(from, Math.min(file.durable, content.length));
  const volatile = content.length - durableEnd;
  replace(view,
    h("h3", { class: "mono" }, file.name),
    h("p", null, volatile > 0
      ? [h("span", { class: "pill warn" }, `${num(volatile)} bytes not durable`),
        " — highlighted below: written to the page cache but not fsynced. A power loss drops them."]
      : "Every byte of this file is durable."),
    h("pre", { class: "resp-lines", tabindex: "0", "aria-label": `The last ${num(content.length - from)} bytes of ${file.name}` },
      from > 0 ? h("span", { class: "empty" }, `… ${num(from)} earlier bytes\n`) : null,
      printable(content.subarray(from, durableEnd)),
      volatile > 0 ? h("span", { class: "volatile" }, printable(content.subarray(durableEnd))) : null));
  const pre = view.querySelector("pre");
  if (pre) pre.scrollTop = pre.scrollHeight;
}
