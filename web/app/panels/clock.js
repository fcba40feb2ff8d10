// The clock and the timeline. Redis's notion of "now" in the lab is a
// virtual clock: it runs in real time, can be paused, sped up or jumped
// forward (so "an hour later" takes a click), and every save point, fsync,
// rewrite, crash and restart lands on the timeline at its virtual time.
// Controls type `.clock` lines into the terminal, like every other button.
//
// The timeline is one focusable strip: Left/Right (Home/End) step through
// its marks and the line under it says what each was; the mouse shows the
// same on hover. Marks that would overlap are drawn as one (with a count).

import { clockTime, duration, h, replace, uid } from "../dom.js";

const JUMPS = [
  { label: "+1 s", line: ".clock +1s" },
  { label: "+1 min", line: ".clock +1m" },
  { label: "+15 min", line: ".clock +15m" },
  { label: "+1 h", line: ".clock +1h" },
];
const SPEEDS = [1, 10, 60, 600];
const WINDOWS = [
  { label: "Everything", ms: 0 },
  { label: "Last minute", ms: 60_000 },
  { label: "Last 15 minutes", ms: 900_000 },
  { label: "Last hour", ms: 3_600_000 },
];
const LEGEND = [
  ["save", "save point"], ["fsync", "fsync"], ["rewrite", "AOF rewrite"],
  ["crash", "crash"], ["restart", "restart"],
];
// Marks closer than this fraction of the strip are drawn as one.
const MERGE = 0.006;
const REDRAW_MS = 200;

/**
 * @param {HTMLElement} section
 * @param {import("../store.js").Store} store
 * @param {{ submit: (line: string) => void }} actions
 */
export function mountClock(section, store, actions) {
  const id = { speed: uid("clock-speed"), window: uid("timeline-window"), tip: uid("timeline-tip") };
  const time = h("span", { class: "clock-time", "aria-label": "Virtual time" });
  const sub = h("span", { class: "clock-sub" });
  const pause = h("button", { type: "button", class: "btn", "aria-pressed": "false",
    on: { click: () => actions.submit(store.state.lab?.clock.paused ? ".clock play" : ".clock pause") } }, "Pause");
  const speed = h("select", { id: id.speed, "aria-label": "Clock speed" },
    SPEEDS.map((s) => h("option", { value: s }, `${s}×`)));
  speed.addEventListener("change", () => actions.submit(`.clock speed ${speed.value}`));
  const jumps = JUMPS.map((j) => h("button", { type: "button", class: "btn small",
    on: { click: () => actions.submit(j.line) } }, j.label));
  const windowSel = h("select", { id: id.window, "aria-label": "Timeline span" },
    WINDOWS.map((w, i) => h("option", { value: i }, w.label)));

  const track = h("div", { class: "timeline-track", tabindex: "0", role: "group",
    "aria-label": "Timeline of persistence events. Use the arrow keys to step through them.",
    "aria-describedby": id.tip });
  const nowLine = h("div", { class: "timeline-now", "aria-hidden": "true" });
  const axis = h("div", { class: "timeline-axis", "aria-hidden": "true" });
  const tip = h("p", { class: "timeline-tip", id: id.tip, "aria-live": "polite" },
    "Save points, fsyncs, rewrites, crashes and restarts appear here as they happen.");

  section.append(
    h("div", { class: "clock-row" }, time, sub),
    h("div", { class: "clock-row" }, pause, speed, h("span", { class: "clock-sub" }, "jump:"), jumps),
    h("div", { class: "timeline" },
      h("div", { class: "clock-row" }, h("label", { for: id.window, class: "clock-sub" }, "Show"), windowSel),
      track, axis, tip,
      h("div", { class: "timeline-legend", "aria-hidden": "true" },
        LEGEND.map(([kind, label]) => h("span", { class: kind }, h("i"), label)))));

  /** The drawn (merged) marks, oldest first, for keyboard stepping. */
  let drawn = [];
  /** @type {number | undefined} the lab's virtual time when this page opened it */
  let openedAt;
  let selected = -1;

  const describe = (m) =>
    `${clockTime(m.at, true)} — ${m.label}${m.count > 1 ? ` (${m.count} of them)` : ""}${m.detail ? `: ${m.detail}` : ""}`;
  const showTip = (i) => {
    selected = i;
    for (const [j, m] of drawn.entries()) m.el.classList.toggle("on", j === i);
    if (drawn[i]) tip.textContent = describe(drawn[i]);
  };

  track.addEventListener("keydown", (e) => {
    if (drawn.length === 0) return;
    const to = { ArrowRight: selected + 1, ArrowLeft: selected - 1, Home: 0, End: drawn.length - 1 }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    showTip(Math.max(0, Math.min(drawn.length - 1, selected < 0 ? drawn.length - 1 : to)));
  });

  function redraw() {
    const lab = store.state.lab;
    if (!lab) return;
    openedAt ??= lab.clock.now;
    const now = store.virtualNow();
    time.textContent = clockTime(now, true).slice(0, 10);
    sub.textContent = lab.state !== "running" ? "server down" : lab.clock.paused ? "paused" : `running at ${lab.clock.speed}×`;
    pause.textContent = lab.clock.paused ? "Play" : "Pause";
    pause.setAttribute("aria-pressed", String(lab.clock.paused));
    if (document.activeElement !== speed) speed.value = String(lab.clock.speed);
    drawTrack(now);
  }

  function drawTrack(now) {
    const marks = store.state.marks;
    const span = WINDOWS[Number(windowSel.value)].ms;
    // "Everything": from when this page opened the lab (or the first mark),
    // at least the last 10 s.
    const first = Math.min(marks.length ? marks[0].at : now, openedAt ?? now);
    const from = span ? now - span : Math.min(first, now - 10_000);
    const width = Math.max(1, now - from);
    const merged = [];
    for (const m of marks) {
      if (m.at < from) continue;
      const x = (m.at - from) / width;
      const last = merged[merged.length - 1];
      if (last && last.kind === m.kind && x - last.x < MERGE) {
        last.count += m.count ?? 1;
        last.at = m.at;
        last.detail = m.detail;
        continue;
      }
      merged.push({ ...m, x, count: m.count ?? 1 });
    }
    replace(track, nowLine, merged.map((m) => {
      m.el = h("div", { class: `timeline-mark ${m.kind}`, title: describe(m) });
      m.el.style.left = `${(m.x * 100).toFixed(2)}%`;
      m.el.addEventListener("mouseenter", () => showTip(merged.indexOf(m)));
      return m.el;
    }));
    nowLine.style.left = "100%";
    const wasAtEnd = selected === drawn.length - 1;
    drawn = merged;
    if (selected >= drawn.length || wasAtEnd) selected = Math.min(selected, drawn.length - 1);
    if (selected >= 0) drawn[selected]?.el.classList.add("on");
    replace(axis, h("span", null, clockTime(from)), h("span", null, `${duration(width)} shown`), h("span", null, clockTime(now)));
  }

  windowSel.addEventListener("change", redraw);
  setInterval(redraw, REDRAW_MS);
  store.subscribe((state, changed) => {
    if (changed.has("lab") || changed.has("marks")) redraw();
  });
}
