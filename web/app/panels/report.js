// The recovery report: after a restart, what the engine loaded (files in
// order, kind, bytes, keys or commands, bytes cut from a torn tail,
// milliseconds) and what the crash cost compared with the moment it
// happened — keys lost (red), values that went back, keys that came back
// after a DEL. Everything here is the engine's report and diff as JSON;
// the terminal shows the engine's own text of the same.
//
// A write the settings promised to keep but that was lost is impossible by
// design; if the engine's check ever finds one, it is shown first, in red.

import { bytes, duration, h, num, replace } from "../dom.js";

const KIND_NAMES = {
  rdb: "RDB snapshot", "base-rdb": "AOF base (RDB preamble)", "base-aof": "AOF base (commands)",
  incr: "AOF increment", "legacy-aof": "legacy AOF",
};

/**
 * @param {HTMLElement} panel
 * @param {import("../store.js").Store} store
 */
export function mountReport(panel, store) {
  store.subscribe((state, changed) => {
    if (!changed.has("restart")) return;
    const r = state.restart;
    if (!r) {
      replace(panel, h("p", { class: "empty" },
        "No crash yet. Write a few keys, then pull the plug and restart: what came back appears here."));
      return;
    }
    replace(panel, headline(r.report, r.diff), brokenBox(r.diff),
      h("div", { class: "report-grid" },
        h("div", null, h("h3", null, "What the restart loaded"), loaded(r.report)),
        h("div", null, h("h3", null, "Compared with the moment of the crash"), diffView(r.diff))));
  });
}

function headline(report, diff) {
  if (report?.error) return h("p", { class: "headline bad" }, `The server did not start: ${report.error}`);
  if (!diff) {
    return h("p", { class: "headline" },
      `Started with ${num(report?.keys_after)} keys from ${sourceName(report)} in ${duration(report?.total_millis ?? 0)}.`);
  }
  const c = diff.counts;
  if (c.lost + c.changed + c.added === 0) {
    return h("p", { class: "headline good" }, c.unchanged === 1 ? "Nothing lost: the one key came back as it was."
      : `Nothing lost: all ${num(c.unchanged)} keys came back as they were.`);
  }
  const parts = [];
  if (c.lost) parts.push(`${num(c.lost)} ${c.lost === 1 ? "key" : "keys"} lost`);
  if (c.changed) parts.push(`${num(c.changed)} went back to an older value`);
  if (c.added) parts.push(`${num(c.added)} deleted ${c.added === 1 ? "key" : "keys"} came back`);
  return h("p", { class: "headline bad" }, `${parts.join(", ")}; ${num(c.unchanged)} unchanged.`);
}

function sourceName(report) {
  if (!report || report.source === "none") return "an empty disk";
  return report.source === "aof" ? "the AOF" : "the RDB snapshot";
}

function brokenBox(diff) {
  const broken = diff?.broken ?? [];
  const count = diff?.counts.broken ?? 0;
  if (!count) return null;
  return h("div", { class: "broken", role: "alert" },
    h("strong", null, `${num(count)} acknowledged ${count === 1 ? "write" : "writes"} lost that the settings promised to keep. `),
    "This should be impossible; it is shown here rather than hidden.",
    h("ul", null, broken.map((e) => h("li", null, `${e.key}: ${e.reason ?? ""}`))));
}

function loaded(report) {
  if (!report) return h("p", { class: "empty" }, "No report.");
  if (report.files.length === 0) {
    return h("p", null, "Nothing on disk: the server started empty.",
      report.warnings.length ? h("ul", null, report.warnings.map((w) => h("li", null, w))) : null);
  }
  return [
    h("div", { class: "table-scroll" }, h("table", null,
      h("thead", null, h("tr", null, h("th", null, "File"), h("th", null, "Kind"), h("th", { class: "num" }, "Bytes"),
        h("th", { class: "num" }, "Keys"), h("th", { class: "num" }, "Commands"), h("th", { class: "num" }, "Cut"),
        h("th", { class: "num" }, "Time"))),
      h("tbody", null, report.files.map((f) => h("tr", null,
        h("td", { class: "mono" }, f.name), h("td", null, KIND_NAMES[f.kind] ?? f.kind),
        h("td", { class: "num" }, num(f.bytes)),
        h("td", { class: "num" }, f.keys_loaded ? num(f.keys_loaded) : ""),
        h("td", { class: "num" }, f.commands ? num(f.commands) : ""),
        h("td", { class: "num" }, f.truncated_bytes
          ? h("span", { class: "pill bad", title: "bytes of a torn last command cut off (aof-load-truncated)" }, bytes(f.truncated_bytes))
          : ""),
        h("td", { class: "num" }, `${f.millis.toFixed(1)} ms`)))))),
    h("p", null, `${num(report.keys_after)} ${report.keys_after === 1 ? "key" : "keys"} after loading, in ${report.total_millis.toFixed(1)} ms.`),
    report.warnings.length ? h("ul", null, report.warnings.map((w) => h("li", null, w))) : null,
  ];
}

function diffView(diff) {
  if (!diff) return h("p", { class: "empty" }, "No crash before this start: nothing to compare.");
  const c = diff.counts;
  const list = (entries, count, cls, render) => entries.length === 0 ? null : [
    h("ul", { class: "diff-list" }, entries.map((e) => h("li", { class: cls }, render(e)))),
    count > entries.length ? h("p", { class: "empty" }, `… and ${num(count - entries.length)} more`) : null,
  ];
  const name = (e) => `${e.db ? `db${e.db} ` : ""}${e.key}`;
  return [
    h("p", null, `${num(c.lost)} lost · ${num(c.changed)} went back · ${num(c.added)} came back · ${num(c.unchanged)} unchanged`),
    list(diff.lost, c.lost, "lost", (e) => [`− ${name(e)}`, ` (${e.type}, was ${e.before})`, note(e)]),
    list(diff.changed, c.changed, "changed", (e) => [`~ ${name(e)}: ${e.before} → ${e.after}`, note(e)]),
    list(diff.added, c.added, "added", (e) => [`+ ${name(e)}`, ` (deleted before the crash, back as ${e.after})`, note(e)]),
  ];
}

function note(e) {
  return e.note ? h("span", { class: "note" }, e.note) : null;
}
