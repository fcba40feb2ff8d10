// Timeline marks from the lab's events: save points, fsyncs, rewrites,
// crashes and restarts at the virtual time they happened. The words come
// from the engine's own log lines where it has them.

import { bytes, num } from "./dom.js";

/** Log lines that start something worth a mark (the ends have events). */
const STARTS = [
  { prefix: "Background saving started", kind: "bgsave", label: "BGSAVE started" },
  { prefix: "Background append only file rewriting started", kind: "rewrite-start", label: "AOF rewrite started" },
  { prefix: "Background saving error", kind: "crash", label: "BGSAVE failed" },
  { prefix: "Background AOF rewrite terminated with error", kind: "crash", label: "AOF rewrite failed" },
];

/**
 * @param {string} event a lab event name
 * @param {any} detail its detail (with `at`, the virtual time)
 * @returns {import("./store.js").Mark[]}
 */
export function marksFromEvent(event, detail) {
  const at = detail.at;
  switch (event) {
    case "save":
      return [{ at, kind: "save", label: "RDB snapshot saved", detail: detail.message }];
    case "rewrite":
      return [{ at, kind: "rewrite", label: "AOF rewrite finished", detail: detail.message }];
    case "fsync": {
      const files = detail.files.map((f) => `${f.name} +${bytes(f.bytes)}`).join(", ");
      return [{ at, kind: "fsync", label: "fsync", detail: `durable: ${files}` }];
    }
    case "crash":
      return [{ at, kind: "crash", label: `${detail.kind} crash`, detail: detail.reason }];
    case "restart": {
      const r = detail.report;
      const lost = detail.diff ? detail.diff.counts.lost + detail.diff.counts.changed : 0;
      const text = r ? `${num(r.keys_after)} keys back from ${r.source === "none" ? "an empty disk" : r.source.toUpperCase()}` +
        (detail.diff ? `; ${num(lost)} keys lost or older` : "") : "";
      return [{ at, kind: "restart", label: "restart", detail: text }];
    }
    case "log": {
      const start = STARTS.find((s) => detail.message.startsWith(s.prefix));
      return start ? [{ at, kind: start.kind, label: start.label, detail: detail.message }] : [];
    }
    default:
      return [];
  }
}
