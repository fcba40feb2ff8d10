// One step of a scenario as the reader sees it: the prose, the commands
// with their Run buttons, the prediction form (before the commands that
// need it), the outcome once the step's commands have run, Back and Next.
// It draws from the ScenarioRun (run.js) and calls back into it; it never
// talks to the lab itself.

import { h, replace } from "../dom.js";
import { parseMarkdown, renderMarkdown } from "./markdown.js";

/**
 * @typedef {{
 *   run: import("./run.js").ScenarioRun,
 *   index: number,
 *   busy: boolean,
 *   onRun: (all: boolean) => void,
 *   onAnswer: (answer: import("./run.js").Answer) => void,
 *   onGo: (index: number) => void,
 *   nextScenario?: { title: string, open: () => void },
 * }} StepContext
 */

/**
 * Draws step `ctx.index` into `el`.
 * @param {HTMLElement} el
 * @param {StepContext} ctx
 */
export function drawStep(el, ctx) {
  const { run, index } = ctx;
  const step = run.scenario.steps[index];
  const total = run.scenario.steps.length;
  const headingId = `tut-step-heading-${index}`;
  el.setAttribute("aria-labelledby", headingId);
  replace(el,
    h("p", { class: "tut-step-count" }, `Step ${index + 1} of ${total}`),
    h("h3", { id: headingId, class: "tut-step-title", tabindex: "-1" }, step.title),
    step.reset ? h("p", { class: "tut-reset" }, "This step starts on a fresh lab: an empty disk, the clock back at the start",
      step.reset === true ? "." : ", and these settings changed: ", settingsText(step.reset.persistence)) : null,
    h("div", { class: "tut-prose" }, renderMarkdown(parseMarkdown(step.prose), h)),
    commandList(ctx),
    predictionForm(ctx),
    outcomeBox(ctx),
    navigation(ctx, total));
}

/** A Redis parameter as redis.conf writes it: save "3600 1", save "". */
export function settingLine(name, value) {
  const v = String(value);
  return `${name} ${v === "" || /\s/.test(v) ? `"${v}"` : v}`;
}

/** "appendonly yes, appendfsync always" for a settings object, as code. */
function settingsText(settings) {
  if (!settings) return "";
  return Object.entries(settings).map(([k, v]) => h("code", null, settingLine(k, v)))
    .flatMap((node, i) => (i === 0 ? [node] : [", ", node]));
}

function commandList(ctx) {
  const { run, index } = ctx;
  const step = run.scenario.steps[index];
  if (!step.commands) return null;
  const ran = run.ranCount(index);
  const gate = run.gate(index);
  const waiting = run.answers[index] === null && ran + 1 >= gate;
  const items = step.commands.map((line, i) => {
    const done = i < ran;
    const next = i === ran;
    const blocked = next && waiting;
    const status = done ? "ran" : blocked ? "waits for your prediction" : "";
    return h("li", { class: `tut-cmd${done ? " done" : ""}${next ? " next" : ""}`, dataset: { index: String(i + 1) } },
      h("span", { class: "tut-cmd-num", "aria-hidden": "true" }, `${i + 1}.`),
      h("code", { class: "tut-line" }, line),
      done ? h("span", { class: "tut-cmd-status" }, "✓ ran")
        : h("button", {
          type: "button", class: `btn small${next ? " primary" : ""}`,
          disabled: !next || blocked || ctx.busy,
          "aria-label": `Run ${line}`,
          on: { click: () => ctx.onRun(false) },
        }, "Run"),
      blocked ? h("span", { class: "tut-cmd-status wait" }, status) : null);
  });
  const remaining = step.commands.length - ran;
  const upTo = waiting ? Math.max(0, gate - 1 - ran) : remaining;
  return h("div", { class: "tut-commands" },
    h("h4", null, "Commands ", h("span", { class: "hint" }, "each Run types the line into the terminal")),
    h("ol", null, items),
    remaining > 1 && upTo > 1
      ? h("button", { type: "button", class: "btn small", disabled: ctx.busy, on: { click: () => ctx.onRun(true) } },
        waiting ? `Run the ${upTo} commands before the prediction` : `Run all ${upTo} remaining`)
      : null);
}

function predictionForm(ctx) {
  const { run, index } = ctx;
  const p = run.scenario.steps[index].prediction;
  if (!p) return null;
  const answer = run.answers[index];
  const gate = run.gate(index);
  if (answer !== null) return h("div", { class: "tut-predict done" }, h("h4", null, "Your prediction"), h("p", null, answerText(p, answer)));
  const ready = run.ranCount(index) + 1 >= gate;
  const formId = `tut-predict-${index}`;
  const fields = p.kind === "choice"
    ? h("div", { class: "tut-choices" }, p.choices.map((c, i) => h("label", { class: "tut-choice" },
      h("input", { type: "radio", name: formId, value: String(i), required: i === 0 }), " ", c.label)))
    : h("label", { class: "tut-number" },
      h("input", { type: "number", name: formId, required: true, step: "any", min: p.min, max: p.max, inputmode: "decimal" }),
      p.unit ? ` ${p.unit}` : "");
  const form = h("form", { class: "tut-predict", id: formId, on: {
    submit: (e) => {
      e.preventDefault();
      const data = new FormData(/** @type {HTMLFormElement} */ (e.currentTarget));
      const value = data.get(formId);
      if (value === null || value === "") return;
      ctx.onAnswer(p.kind === "choice" ? { choice: Number(value) } : { number: Number(value) });
    },
  } },
  h("fieldset", { disabled: ctx.busy },
    h("legend", null, "Predict first: ", p.question),
    fields,
    h("div", { class: "tut-predict-actions" },
      h("button", { type: "submit", class: "btn primary small" }, "Lock in my prediction"),
      h("button", { type: "button", class: "btn small", on: { click: () => ctx.onAnswer({ skipped: true }) } }, "Skip"))));
  return h("div", { class: `tut-predict-box${ready ? " ready" : ""}` },
    ready ? null : h("p", { class: "hint" }, `Answer before command ${gate} runs.`), form);
}

/** The reader's answer in words. */
function answerText(p, answer) {
  if (answer.skipped) return "You skipped the prediction.";
  if (p.kind === "choice") return `You said: ${p.choices[answer.choice]?.label ?? "?"}`;
  return `You said: ${answer.number.toLocaleString("en-US")}${p.unit ? ` ${p.unit}` : ""}`;
}

function outcomeBox(ctx) {
  const { run, index } = ctx;
  const step = run.scenario.steps[index];
  const box = h("div", { class: "tut-outcome-live", role: "status", "aria-live": "polite" });
  const outcome = run.outcome(index);
  if (!outcome) return box;
  const p = step.prediction;
  const failed = run.failedRestart(index);
  replace(box, h("section", { class: `tut-outcome ${outcome.verdict ?? "plain"}`, "aria-label": "Outcome" },
    h("h4", null, "What happened"),
    failed ? h("p", { class: "tut-failed" }, "The server did not start: the report pane shows the engine's reason.") : null,
    h("dl", { class: "tut-values" }, outcome.shown.map((v) => h("div", {
      class: "tut-value", dataset: { name: v.name, measure: step.outcome.values[v.name].measure, value: String(v.value), source: v.source,
        ...(step.outcome.values[v.name].file ? { file: step.outcome.values[v.name].file } : {}) },
    }, h("dt", null, v.label), h("dd", null, v.text)))),
    p ? verdictLine(p, run.answers[index], outcome) : null,
    h("div", { class: "tut-why" }, renderMarkdown(parseMarkdown(step.outcome.why), h, outcome.texts))));
  return box;
}

function verdictLine(p, answer, outcome) {
  const right = () => {
    if (p.kind === "number") {
      const v = outcome.values[p.check];
      return `the answer is ${typeof v === "number" ? `${v.toLocaleString("en-US")}${p.unit ? ` ${p.unit}` : ""}` : outcome.texts[p.check]}`;
    }
    return `the answer that fits is “${outcome.matching.map((i) => p.choices[i].label).join("” or “")}”`;
  };
  switch (outcome.verdict) {
    case "right": return h("p", { class: "tut-verdict right" }, h("strong", null, "Right. "), `${answerText(p, answer)}.`);
    case "wrong": return h("p", { class: "tut-verdict wrong" }, h("strong", null, "Not this time. "), `${answerText(p, answer)}; ${right()}.`);
    case "skipped": return h("p", { class: "tut-verdict skipped" }, `No prediction made; ${right()}.`);
    default: return h("p", { class: "tut-verdict unmatched" },
      "None of the offered answers fits what this run measured (the values are above); the scenario needs a look.");
  }
}

function navigation(ctx, total) {
  const { run, index } = ctx;
  const step = run.scenario.steps[index];
  const complete = run.ranCount(index) >= (step.commands?.length ?? 0);
  const last = index === total - 1;
  return h("nav", { class: "tut-nav", "aria-label": "Steps" },
    h("button", { type: "button", class: "btn", disabled: index === 0 || ctx.busy, on: { click: () => ctx.onGo(index - 1) } }, "← Back"),
    complete ? null : h("span", { class: "hint" }, "Run this step's commands to go on."),
    last ? lastStepEnd(ctx, complete)
      : h("button", { type: "button", class: "btn primary", disabled: !complete || ctx.busy, on: { click: () => ctx.onGo(index + 1) } }, "Next →"));
}

/** The end of the last step: the next scenario, if there is one. */
function lastStepEnd(ctx, complete) {
  if (!complete) return null;
  if (!ctx.nextScenario) return h("span", { class: "tut-done" }, "The end of the tutorial.");
  return h("button", { type: "button", class: "btn primary", disabled: ctx.busy, on: { click: ctx.nextScenario.open } },
    `Next scenario: ${ctx.nextScenario.title} →`);
}
