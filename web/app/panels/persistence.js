// The persistence panel: the mode (none / RDB / AOF / hybrid), its real
// knobs, and the loss bound the engine states for the current settings.
// Every change is typed into the terminal as the command it is (`.policy
// hybrid`, `CONFIG SET appendfsync always`), so readers learn the real
// parameters; the panel itself only draws what the lab reports back.

import { bytes, clockTime, h, num, replace, uid } from "../dom.js";

const MODES = [
  { id: "none", title: "None", sub: "memory only" },
  { id: "rdb", title: "RDB", sub: "snapshots" },
  { id: "aof", title: "AOF", sub: "command log" },
  { id: "hybrid", title: "Hybrid", sub: "snapshot + log" },
];

/** The mode a config amounts to (what Redis would load at startup). */
export function modeOf(config) {
  if (config.appendonly === "yes") return config["aof-use-rdb-preamble"] === "yes" ? "hybrid" : "aof";
  return (config.save ?? "").trim() !== "" ? "rdb" : "none";
}

/** An argument as typed: quoted when empty or spaced. */
function arg(value) {
  return value === "" || /[\s"]/.test(value) ? JSON.stringify(value) : value;
}

/**
 * @param {HTMLElement} section
 * @param {import("../store.js").Store} store
 * @param {{ submit: (line: string) => void }} actions
 */
export function mountPersistence(section, store, actions) {
  const modeButtons = MODES.map((m) => h("button", {
    type: "button", class: "mode-btn", "aria-pressed": "false", dataset: { mode: m.id },
    on: { click: () => {
      const config = store.state.lab?.config ?? {};
      const fsync = m.id === "aof" || m.id === "hybrid" ? ` ${config.appendfsync ?? "everysec"}` : "";
      actions.submit(`.policy ${m.id}${fsync}`);
    } },
  }, h("span", { class: "mode-title" }, m.title), h("small", null, m.sub)));

  const id = {
    save: uid("knob-save"), saveHint: uid("knob-save-hint"), fsync: uid("knob-fsync"),
    rewritePct: uid("knob-rewrite-pct"), rewriteMin: uid("knob-rewrite-min"), truncated: uid("knob-truncated"),
  };
  const promise = h("p", { class: "promise", "aria-live": "polite" });
  const save = h("input", { type: "text", class: "mono", id: id.save, size: 24, spellcheck: "false",
    "aria-describedby": id.saveHint });
  const fsync = select(id.fsync, ["always", "everysec", "no"]);
  const rewritePct = h("input", { type: "number", id: id.rewritePct, min: 0, step: 10, class: "mono narrow" });
  const rewriteMin = h("input", { type: "text", id: id.rewriteMin, size: 8, class: "mono", spellcheck: "false" });
  const truncated = select(id.truncated, ["yes", "no"]);
  const status = h("div", { class: "status-line", "aria-live": "off" });
  // The AOF's knobs can be set while it is off (CONFIG SET takes them);
  // they only matter once it is on.
  const aofNote = h("p", { class: "knobs-note" }, "The AOF is off: the settings below apply once it is on.");

  const setter = (name, input) => () => {
    const value = input.value.trim();
    const current = store.state.lab?.config?.[name];
    if (value !== current) actions.submit(`CONFIG SET ${name} ${arg(value)}`);
  };
  const onCommit = (input, fn) => {
    input.addEventListener("change", fn);
    input.addEventListener("keydown", (e) => {
      if (e.key === "Enter") fn();
    });
  };
  onCommit(save, setter("save", save));
  fsync.addEventListener("change", setter("appendfsync", fsync));
  onCommit(rewritePct, setter("auto-aof-rewrite-percentage", rewritePct));
  onCommit(rewriteMin, setter("auto-aof-rewrite-min-size", rewriteMin));
  truncated.addEventListener("change", setter("aof-load-truncated", truncated));

  section.append(
    h("div", { class: "modes", role: "group", "aria-label": "Persistence mode" }, modeButtons),
    promise,
    h("div", { class: "knobs" },
      h("label", { for: id.save }, "save"), save,
      h("span", { class: "row-hint", id: id.saveHint }, "seconds changes pairs: snapshot after N s if at least M writes (empty: never)"),
      aofNote,
      h("label", { for: id.fsync }, "appendfsync"), fsync,
      h("label", { for: id.rewritePct }, "auto-aof-rewrite-percentage"), rewritePct,
      h("label", { for: id.rewriteMin }, "auto-aof-rewrite-min-size"), rewriteMin,
      h("label", { for: id.truncated }, "aof-load-truncated"), truncated),
    status);

  store.subscribe((state, changed) => {
    if (!changed.has("lab") || !state.lab) return;
    const { config, persistence, promise: p, state: running } = state.lab;
    const mode = modeOf(config);
    for (const b of modeButtons) {
      b.setAttribute("aria-pressed", String(b.dataset.mode === mode));
      b.disabled = running !== "running";
    }
    // Don't overwrite what the reader is typing.
    const syncInput = (input, value) => {
      if (document.activeElement !== input && value !== undefined) input.value = value;
    };
    syncInput(save, config.save);
    syncInput(fsync, config.appendfsync);
    syncInput(rewritePct, config["auto-aof-rewrite-percentage"]);
    syncInput(rewriteMin, config["auto-aof-rewrite-min-size"]);
    syncInput(truncated, config["aof-load-truncated"]);
    aofNote.hidden = mode === "aof" || mode === "hybrid";
    replace(promise, running === "running"
      ? [h("strong", null, "Promise: "), p?.sentence ?? ""]
      : [h("strong", null, "The server is down. "), "Restart it to see what the disk kept."]);
    drawStatus(status, persistence ?? {}, mode);
  });
}

function select(id, options) {
  return h("select", { id }, options.map((o) => h("option", { value: o }, o)));
}

/** One line of INFO persistence facts that matter for the mode. */
function drawStatus(el, info, mode) {
  const items = [];
  const fact = (label, value) => items.push(h("span", null, `${label} `, h("b", null, value)));
  if (mode !== "aof" && mode !== "hybrid") {
    fact("changes since last save:", num(info.rdb_changes_since_last_save));
    if (info.rdb_last_save_time) fact("last save:", clockTime(Number(info.rdb_last_save_time) * 1000));
    if (info.rdb_bgsave_in_progress === "1") fact("BGSAVE", "running");
    if (info.rdb_last_bgsave_status === "err") fact("last BGSAVE:", "failed");
  } else {
    if (info.aof_current_size !== undefined) fact("AOF:", bytes(info.aof_current_size));
    if (info.aof_base_size !== undefined) fact("base:", bytes(info.aof_base_size));
    if (info.aof_rewrite_in_progress === "1") fact("rewrite", "running");
    if (info.aof_last_write_status === "err") fact("last write:", "failed");
  }
  replace(el, items);
}
