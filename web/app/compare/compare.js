// Compare mode: one workload under six persistence setups at once (none,
// RDB, AOF always / everysec / no, hybrid), each lab on an in-memory disk,
// all crashed the same way at the same virtual moment and restarted. The
// table says what each setup lost against what it promised; charts draw the
// same numbers. The labs run in the page's lab worker (runner.js); this
// module is the form and the drawing.

import { bytes, clockTime, duration, h, num, replace } from "../dom.js";
import {
  DEFAULT_REWRITE_MIN_SIZE, DEFAULT_SAVE_RULES, accountLoss, ackedFrom, boundStart, divergentSamples,
  fallbackSentence, invisibleWrites, orderingSentences, percent, setupConfig, configText,
} from "./analysis.js";
import { HISTORY_ID, WORKLOADS, commandName, expandWorkload, historyLines, setsTtl, spanMs } from "./workloads.js";
import { DEFAULT_START, runCompare } from "./runner.js";
import { barChart } from "./chart.js";

const HISTORY_KEY = "persistlab:history";
const HISTORY_PACE_MS = 1000;
const MAX_HISTORY_LINES = 5000;
const LIMITS = { size: [1, 5000], pace: [10, 60000], delay: [0, 600] };
const CRASH_KINDS = [
  { id: "power", label: "Power loss", hint: "only fsynced bytes (and what the kernel wrote back) survive" },
  { id: "torn", label: "Torn write", hint: "a power loss in the middle of a write: part of an unsynced tail lands" },
  { id: "process", label: "Process crash", hint: "Redis dies; the operating system's page cache survives" },
];
/** Chart labels: two short lines each so six fit side by side. */
const CHART_LABELS = { none: "none", rdb: "RDB", always: "AOF\nalways", everysec: "AOF\neverysec", no: "AOF\nno", hybrid: "hybrid" };

let mounted = false;
/** @type {{ refreshHistory(): void } | null} */
let view = null;

/**
 * Mounts compare mode into #view-compare (once; later calls refresh what
 * may have changed meanwhile, such as the terminal's history).
 * @param {{ worker: import("../../src/worker/lab_client.js").LabWorker }} actions
 */
export function mountCompare(actions) {
  if (mounted) {
    view?.refreshHistory();
    return;
  }
  const root = document.getElementById("view-compare");
  if (!root) return;
  mounted = true;
  view = buildView(root, actions);
}

function readHistory() {
  try {
    return historyLines(JSON.parse(localStorage.getItem(HISTORY_KEY) ?? "[]")).slice(-MAX_HISTORY_LINES);
  } catch {
    return [];
  }
}

/** A labelled control in the form grid. */
function field(label, control, hint) {
  return h("div", { class: "cmp-field" }, h("label", { for: control.id }, label), control,
    hint ? h("span", { class: "cmp-hint", id: `${control.id}-hint` }, hint) : null);
}

function radios(name, items, checked) {
  return items.map((item) => h("label", { class: "cmp-radio" },
    h("input", { type: "radio", name, value: item.id, checked: item.id === checked }),
    h("span", null, item.label), item.hint ? h("small", null, item.hint) : null));
}

function buildView(root, actions) {
  const workload = h("select", { id: "cmp-workload" },
    WORKLOADS.map((w) => h("option", { value: w.id }, w.title)),
    h("option", { value: HISTORY_ID }, "The terminal's history"));
  const size = h("input", { type: "number", id: "cmp-size", min: LIMITS.size[0], max: LIMITS.size[1], step: 1, class: "mono" });
  const pace = h("input", { type: "number", id: "cmp-pace", min: LIMITS.pace[0], max: LIMITS.pace[1], step: 10, class: "mono" });
  const delay = h("input", { type: "number", id: "cmp-delay", min: LIMITS.delay[0], max: LIMITS.delay[1], step: 1,
    value: 10, class: "mono", "aria-label": "Seconds after the last write" });
  const save = h("input", { type: "text", id: "cmp-save", class: "mono", value: DEFAULT_SAVE_RULES, spellcheck: "false",
    "aria-describedby": "cmp-save-hint" });
  const rewrite = h("input", { type: "text", id: "cmp-rewrite", class: "mono", value: DEFAULT_REWRITE_MIN_SIZE,
    spellcheck: "false", size: 8, "aria-describedby": "cmp-rewrite-hint" });
  const about = h("div", { class: "cmp-about", id: "cmp-about" });
  const span = h("p", { class: "cmp-span", "aria-live": "polite" });
  const run = h("button", { type: "submit", class: "btn primary" }, "Run the comparison");
  const stop = h("button", { type: "button", class: "btn", hidden: true }, "Stop");
  const bar = h("progress", { max: 1, value: 0, "aria-labelledby": "cmp-progress-text" });
  const barText = h("span", { id: "cmp-progress-text", class: "cmp-progress-text" }, "");
  const progressBox = h("div", { class: "cmp-progress", hidden: true }, bar, barText);
  const status = h("p", { class: "cmp-status", role: "status", "aria-live": "polite" });
  const sizeField = field("Writes", size);
  const sizeLabel = /** @type {HTMLElement} */ (sizeField.firstChild);
  const controls = h("fieldset", { class: "cmp-controls" },
    h("legend", { class: "visually-hidden" }, "The experiment"),
    h("div", { class: "cmp-col" },
      field("Workload", workload),
      h("div", { class: "cmp-pair" }, sizeField, field("Pace (virtual ms apart)", pace)),
      span),
    h("div", { class: "cmp-col" },
      h("fieldset", { class: "cmp-group" }, h("legend", null, "Crash"), radios("cmp-kind", CRASH_KINDS, "power")),
      h("fieldset", { class: "cmp-group" }, h("legend", null, "When"),
        radios("cmp-when", [{ id: "now", label: "Right after the last write" }], "now"),
        h("label", { class: "cmp-radio cmp-later" },
          h("input", { type: "radio", name: "cmp-when", value: "later" }),
          h("span", null, "Later:"), delay, h("span", null, "s after it")))),
    h("div", { class: "cmp-col" },
      field("RDB save rules", save, "seconds/changes pairs, as CONFIG SET save takes them"),
      field("auto-aof-rewrite-min-size", rewrite, "the AOF setups rewrite once the AOF is this big (and doubled since the last rewrite)")));
  const form = h("form", { class: "cmp-form", "aria-describedby": "cmp-about" }, controls, about,
    h("div", { class: "cmp-actions" }, run, stop, progressBox), status);
  const results = h("section", { class: "pane cmp-results", "aria-labelledby": "cmp-results-heading", hidden: true });

  root.append(
    h("section", { class: "pane cmp-setup", "aria-labelledby": "cmp-heading" },
      h("h2", { id: "cmp-heading", class: "pane-title" }, "Compare persistence policies",
        h("span", { class: "hint" }, "one workload · six labs · the same crash at the same moment")),
      h("p", { class: "cmp-intro" },
        "Six labs run the workload below, each on its own in-memory disk with one persistence setup: none, RDB ",
        "snapshots, the AOF with each appendfsync policy, and the hybrid. Their clocks move together, so saves, ",
        "fsyncs and the kernel's writeback happen at the same virtual moments; then all six crash the same way and ",
        "restart. The table counts the acknowledged writes each one lost, exactly: the dataset that came back is ",
        "matched against the dataset after every write."),
      form),
    results);

  const state = { history: readHistory(), controller: /** @type {AbortController | null} */ (null) };

  const selected = () => WORKLOADS.find((w) => w.id === workload.value) ?? null;
  const historyOption = /** @type {HTMLOptionElement} */ (workload.querySelector(`option[value="${HISTORY_ID}"]`));

  const describe = () => {
    const w = selected();
    const when = form.querySelector('input[name="cmp-when"]:checked')?.value === "later";
    delay.disabled = !when;
    const sizeValue = w ? Number(size.value) : state.history.length;
    const paceValue = Number(pace.value);
    const lines = w ? expandWorkload({ templates: w.templates, size: Math.min(3, w.size) }) : state.history.slice(0, 3);
    const spanText = Number.isFinite(sizeValue * paceValue) ? duration(spanMs({ size: sizeValue, paceMs: paceValue })) : "?";
    const ttl = !w && state.history.some(setsTtl);
    replace(span, `${num(sizeValue)} ${w ? "writes" : "lines"}, one every ${num(paceValue)} ms: `,
      h("b", null, `${spanText} of virtual time`), ".");
    replace(about,
      h("p", null, w ? w.claim : "The commands you typed in the terminal (kept across reloads), in order. The engine " +
        "says which are writes (COMMAND INFO); the rest, and the lab's dot-commands, are skipped. SELECT is kept."),
      lines.length ? h("p", { class: "cmp-preview" }, "Starts with ",
        lines.map((l, i) => [i ? ", " : "", h("code", null, l)]), lines.length < sizeValue ? ", …" : "") : null,
      ttl ? h("p", { class: "cmp-warn" }, "This history sets TTLs. A key that expires during the run changes the " +
        "dataset without a write, and the matching of recovered states may then fail.") : null);
  };

  const choose = () => {
    const w = selected();
    size.disabled = !w;
    sizeLabel.textContent = w ? "Writes" : "Lines";
    size.value = String(w ? w.size : state.history.length);
    pace.value = String(w ? w.paceMs : HISTORY_PACE_MS);
    describe();
  };

  const refreshHistory = () => {
    state.history = readHistory();
    const n = state.history.length;
    historyOption.textContent = n ? `The terminal's history (${num(n)} lines)` : "The terminal's history (empty)";
    historyOption.disabled = n === 0;
    if (workload.value === HISTORY_ID) {
      if (n === 0) workload.value = WORKLOADS[0].id;
      choose();
    }
  };

  workload.addEventListener("change", choose);
  for (const input of [size, pace, delay]) input.addEventListener("input", describe);
  form.addEventListener("change", (e) => {
    if (/** @type {HTMLInputElement} */ (e.target).name === "cmp-when") describe();
  });
  stop.addEventListener("click", () => state.controller?.abort());
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    if (!state.controller) start();
  });

  const start = async () => {
    const plan = readPlan();
    if (typeof plan === "string") {
      status.className = "cmp-status bad";
      status.textContent = plan;
      return;
    }
    const controller = new AbortController();
    state.controller = controller;
    controls.disabled = true;
    run.disabled = true;
    stop.hidden = false;
    progressBox.hidden = false;
    status.className = "cmp-status";
    status.textContent = "Running the comparison…";
    // The Run button is disabled now: keep the keyboard where it can act.
    stop.focus();
    let lastSaid = -1;
    const onProgress = ({ phase, done, total }) => {
      bar.max = Math.max(1, total);
      bar.value = done;
      const at = plan.start + done * plan.paceMs;
      barText.textContent = total ? `${phase}: step ${num(done)} of ${num(total)} · virtual ${clockTime(at)}` : `${phase}…`;
      // The live region speaks phases and every quarter, not every chunk.
      const quarter = total ? Math.floor((4 * done) / total) : -1;
      if (!total || quarter !== lastSaid) {
        lastSaid = quarter;
        status.textContent = total ? `${phase}: ${Math.round((100 * done) / total)}%` : `${phase}…`;
      }
    };
    try {
      const result = await runCompare(actions.worker, plan, { onProgress, signal: controller.signal, commandName });
      renderResults(results, result, plan);
      status.textContent = `Done in ${duration(result.runMs)}: the results are below.`;
    } catch (e) {
      status.className = "cmp-status bad";
      status.textContent = e?.name === "AbortError" ? "Stopped; the six labs were destroyed." : `The comparison failed: ${e?.message ?? e}`;
    } finally {
      state.controller = null;
      const hadFocus = document.activeElement === stop;
      controls.disabled = false;
      run.disabled = false;
      stop.hidden = true;
      progressBox.hidden = true;
      if (hadFocus) (results.hidden || status.classList.contains("bad") ? run : results.querySelector("h2"))?.focus();
    }
  };

  /** The form as a runner plan, or a sentence saying what is wrong. */
  const readPlan = () => {
    const w = selected();
    const inRange = (v, [lo, hi]) => Number.isInteger(v) && v >= lo && v <= hi;
    const sizeValue = Number(size.value);
    const paceValue = Number(pace.value);
    const later = form.querySelector('input[name="cmp-when"]:checked')?.value === "later";
    const delaySeconds = later ? Number(delay.value) : 0;
    if (w && !inRange(sizeValue, LIMITS.size)) return `Writes: a whole number from ${LIMITS.size[0]} to ${num(LIMITS.size[1])}.`;
    if (!inRange(paceValue, LIMITS.pace)) return `Pace: a whole number of ms from ${LIMITS.pace[0]} to ${num(LIMITS.pace[1])}.`;
    if (!inRange(delaySeconds, LIMITS.delay)) return `Later: a whole number of seconds from 0 to ${LIMITS.delay[1]}.`;
    const lines = w ? expandWorkload({ templates: w.templates, size: sizeValue }) : readHistory();
    if (lines.length === 0) return "The terminal's history is empty: type some writes in the Lab view first.";
    return {
      title: w ? w.title : "The terminal's history",
      lines,
      classify: !w,
      paceMs: paceValue,
      crashKind: /** @type {any} */ (form.querySelector('input[name="cmp-kind"]:checked')?.value ?? "power"),
      crashDelayMs: delaySeconds * 1000,
      saveRules: save.value.trim(),
      rewriteMinSize: rewrite.value.trim() || DEFAULT_REWRITE_MIN_SIZE,
      seed: Math.floor(Math.random() * 2 ** 31),
      start: DEFAULT_START,
    };
  };

  refreshHistory();
  choose();
  return { refreshHistory };
}

// --- results ----------------------------------------------------------------

/** @type {{ destroy(): void }[]} */
let charts = [];

function ms(x) {
  if (typeof x !== "number") return "—";
  return x < 10 ? `${x.toFixed(2)} ms` : `${x.toFixed(1)} ms`;
}

function sourceWords(report) {
  if (!report) return "";
  return { none: "from an empty disk", aof: "from the AOF", rdb: "from the RDB file" }[report.source] ?? `from ${report.source}`;
}

/** One row of numbers per setup. */
function computeRows(result) {
  const { script, digests, at, crashAt } = result;
  return result.setups.map((s, li) => {
    const steps = script.map((st, k) => ({ line: st.line, write: st.write, acked: result.acked[li][k], at: at[k] }));
    const lastSave = s.saves.length ? s.saves[s.saves.length - 1].start : null;
    // The promise the engine judged this restart by (crash-specific), else the setup's.
    const promise = s.diff?.promise ?? s.promise;
    const start = boundStart(s.setup, promise, {
      crashAt, crashKind: result.crashKind, lastSaveStart: lastSave, slackMs: 1000 / s.hz,
    });
    const account = accountLoss({ steps, digests, recovered: s.error ? null : s.digest, boundStart: start });
    const durable = s.files.reduce((sum, f) => sum + (f.durable ?? 0), 0);
    return {
      ...s,
      ...account,
      total: ackedFrom(steps, 0),
      sentence: promise?.sentence || fallbackSentence(s.setup),
      recoveryMs: s.report?.total_millis ?? null,
      diskBytes: s.stats?.durable_bytes ?? durable,
      fsyncs: typeof s.stats?.fsyncs === "number" ? s.stats.fsyncs : null,
      fileCount: typeof s.stats?.files === "number" ? s.stats.files : s.files.length,
      lastSave,
    };
  });
}

/**
 * Draws a run's results into `section` (exported for the browser tests,
 * which also feed it doctored results to see the alarms).
 * @param {HTMLElement} section
 * @param {Awaited<ReturnType<typeof runCompare>>} result
 * @param {{ title: string, paceMs: number, crashKind: string, crashDelayMs: number, seed: number,
 *           saveRules: string, rewriteMinSize: string }} plan
 */
export function renderResults(section, result, plan) {
  for (const c of charts) c.destroy();
  charts = [];
  const rows = computeRows(result);
  const chartsView = chartsBlock(rows);
  const total = rows[0]?.total ?? 0;
  const diverged = divergentSamples(result.samples);
  const invisible = invisibleWrites(
    result.script.map((st, k) => ({ ...st, acked: result.acked[0][k], at: result.at[k] })), result.digests);
  const crashWords = { power: "a power loss", torn: "a torn write", process: "a process crash" }[plan.crashKind];
  const when = plan.crashDelayMs ? `${duration(plan.crashDelayMs)} after the last write` : "right after the last write";

  const heading = h("h2", { id: "cmp-results-heading", class: "pane-title", tabindex: "-1" }, "Results",
    h("span", { class: "hint" }, `measured in ${duration(result.runMs)}`));
  const summary = h("p", { class: "cmp-summary" },
    h("b", null, plan.title), `: ${num(total)} acknowledged writes, one every ${num(plan.paceMs)} ms of virtual time `,
    `(${clockTime(result.at[0])}–${clockTime(result.at[result.at.length - 1])}), then ${crashWords} ${when} `,
    `(${clockTime(result.crashAt)}, seed ${plan.seed}) and a restart.`);
  const checks = diverged.length === 0
    ? h("p", { class: "cmp-check good" }, `Before the crash the six labs held identical data at all ${result.samples.length} sampled steps.`)
    : h("p", { class: "cmp-check bad", role: "alert" }, `Before the crash the labs' data differed at step ${diverged.map(num).join(", ")}: ` +
      "they ran the same commands, so this is a bug, and the losses below are not reliable.");

  // The engine checks each restart key by key against the setup's promise;
  // its verdict is shown beside this page's own count.
  const judged = rows.filter((r) => r.diff?.promise);
  const brokenRows = rows.filter((r) => brokenCount(r.diff) > 0);
  const engineCheck = brokenRows.length > 0
    ? h("p", { class: "cmp-check bad", role: "alert" }, `The engine's own check found keys its promise did not allow to be lost in ` +
      `${brokenRows.map((r) => r.setup.short).join(", ")}: this should be impossible, and is shown rather than hidden.`)
    : judged.length === rows.length
      ? h("p", { class: "cmp-check good" }, "The engine's own key-by-key check of each setup's promise agrees: nothing it promised was lost.")
      : null;
  replace(section, heading, summary, checks, engineCheck,
    invisible > 0 ? h("p", { class: "cmp-note" }, `${num(invisible)} of the writes changed nothing the digest sees; ` +
      "if one of them was lost, it counts as kept.") : null,
    h("div", { class: "cmp-table-wrap", tabindex: "0", role: "region", "aria-labelledby": "cmp-caption" },
      table(rows, total)),
    h("ul", { class: "cmp-ordering" }, orderingSentences(rows, total).map((s) => h("li", null, s))),
    chartsView.block,
    h("h3", null, "What each restart brought back"),
    h("ul", { class: "cmp-diffs" }, rows.map((r) => diffItem(r))),
    h("details", { class: "cmp-configs" }, h("summary", null, "The settings of each lab"),
      h("ul", null, rows.map((r) => h("li", null, h("b", null, r.setup.label), ": ",
        h("code", null, configText(setupConfig(r.setup, plan))))))));
  section.hidden = false;
  // One chart per task: the table shows at once and no task blocks input long.
  const drawn = charts;
  for (const draw of chartsView.pending) {
    setTimeout(() => {
      if (charts === drawn) drawn.push(draw());
    }, 0);
  }
}

function table(rows, total) {
  const head = ["Setup", "Acknowledged writes lost", "Stated bound", "Within it?", "Recovery time", "Disk bytes",
    "fsyncs", "Files"];
  const numeric = new Set([1, 4, 5, 6, 7]);
  return h("table", { class: "cmp-table" },
    h("caption", { id: "cmp-caption" }, "What each persistence setup lost in the crash, against what it promises, " +
      "and what it cost (disk bytes and files at the moment of the crash)."),
    h("thead", null, h("tr", null, head.map((t, i) => h("th", { scope: "col", class: numeric.has(i) ? "num" : null }, t)))),
    h("tbody", null, rows.map((r) => h("tr", { class: r.neverExisted || r.error ? "cmp-row-bad" : null },
      h("th", { scope: "row" }, r.setup.label, h("small", { class: "cmp-key-config" }, keyConfig(r))),
      h("td", { class: "num" }, lostCell(r, total)),
      h("td", { class: "cmp-bound" }, r.sentence),
      h("td", null, withinCell(r)),
      h("td", { class: "num" }, r.recoveryMs === null ? "—" : ms(r.recoveryMs),
        r.report ? h("small", null, sourceWords(r.report)) : null),
      h("td", { class: "num" }, bytes(r.diskBytes)),
      h("td", { class: "num" }, r.fsyncs === null ? h("span", { title: "this engine build reports no disk counters" }, "—") : num(r.fsyncs)),
      h("td", { class: "num" }, num(r.fileCount))))));
}

/** The parameter that makes a setup what it is. */
function keyConfig(r) {
  const s = r.setup;
  if (s.kind === "none") return 'save ""';
  if (s.kind === "rdb") return r.lastSave === null ? "save rules: no save before the crash"
    : `last save started ${clockTime(r.lastSave)}`;
  return s.preamble ? "aof-use-rdb-preamble yes, everysec" : `appendfsync ${s.fsync}`;
}

function lostCell(r, total) {
  if (r.error) return h("strong", { class: "cmp-bad" }, `did not restart: ${r.error}`);
  if (r.neverExisted) return h("strong", { class: "cmp-bad" }, "recovered a state that never existed");
  if (r.lost === null) return "—";
  return [h("b", null, num(r.lost)), h("small", null, percent(r.lost, total))];
}

/** Differences the engine's own check (core/lab/promise.h) found its promise did not allow. */
function brokenCount(diff) {
  return diff?.counts?.broken ?? diff?.broken_count ?? 0;
}

function withinCell(r) {
  const broken = brokenCount(r.diff);
  if (r.within === null) return "—";
  const pill = r.within && broken === 0
    ? h("span", { class: "pill good" }, "yes")
    : h("span", { class: "pill bad" }, "no");
  const why = [];
  if (!r.within && !r.neverExisted && r.firstLostAt !== null) why.push(`lost a write from ${clockTime(r.firstLostAt)}`);
  if (broken > 0) why.push(`the engine found ${num(broken)} promised writes lost`);
  return [pill, why.length ? h("small", { class: "cmp-bad" }, why.join("; ")) : null];
}

/** The charts' figures, and what to draw in them once they are in the page (uPlot measures its host). */
function chartsBlock(rows) {
  const labels = rows.map((r) => CHART_LABELS[r.setup.id] ?? r.setup.short);
  const specs = [
    { title: "Acknowledged writes lost", values: rows.map((r) => r.lost),
      colours: rows.map((r) => (r.within === false ? "--danger" : "--warn")), format: (v) => num(v), integer: true },
    { title: "fsyncs during the run", values: rows.map((r) => r.fsyncs), colours: rows.map(() => "--durable"),
      format: (v) => num(v), integer: true },
    // Recovery time is in the table; at these sizes it is a few real ms of
    // noise, while the disk's bytes are the same in every run.
    { title: "KB on disk at the crash", values: rows.map((r) => r.diskBytes / 1024), colours: rows.map(() => "--accent"),
      format: (v) => (v === 0 ? "0" : v < 100 ? v.toFixed(1) : num(Math.round(v))) },
  ];
  const pending = [];
  const figures = specs.filter((s) => s.values.some((v) => v !== null)).map((spec) => {
    const host = h("div", { class: "cmp-chart", "aria-hidden": "true" });
    pending.push(() => barChart(host, { labels, ...spec }));
    return h("figure", { class: "cmp-figure" },
      h("figcaption", null, h("b", null, spec.title), h("span", null, " (the table above has these numbers)")), host);
  });
  return { block: h("div", { class: "cmp-charts" }, figures), pending };
}

function diffItem(r) {
  const d = r.diff;
  const name = h("b", null, `${r.setup.label}: `);
  if (r.error) return h("li", { class: "cmp-bad" }, name, `the restart failed (${r.error}).`);
  if (!d) return h("li", null, name, `${num(r.report?.keys_after)} keys ${sourceWords(r.report)}.`);
  const c = d.counts;
  const parts = [];
  if (c.lost) parts.push(`${num(c.lost)} ${c.lost === 1 ? "key" : "keys"} lost`);
  if (c.changed) parts.push(`${num(c.changed)} went back to an older value`);
  if (c.added) parts.push(`${num(c.added)} deleted ${c.added === 1 ? "key" : "keys"} came back`);
  const head = parts.length ? `${parts.join(", ")}; ${num(c.unchanged)} unchanged` : `all ${num(c.unchanged)} keys came back as they were`;
  const notes = [...(d.changed ?? []), ...(d.lost ?? [])].filter((e) => e.note).slice(0, 2);
  return h("li", null, name, `${head} (${sourceWords(r.report)}).`,
    notes.length ? h("ul", null, notes.map((e) => h("li", null, h("code", null, e.key),
      `: ${e.before} → ${e.after || "(gone)"}. ${e.note}`))) : null);
}
