// The tutorial scenario format (web/scenarios/schema.json is the authors'
// reference) and its validator: small and hand-written, run when a scenario
// loads. Every problem names the field by its path and the file:
//   leaderboard.json: steps[3].prediction.choices: needs at least 2 choices
//
// Two passes:
//   validateScenario(data, { file })   the shape: fields, types, limits,
//                                      references between them (synchronous,
//                                      needs no engine)
//   checkLines(scenario, parse, file)  every command line as the engine's
//                                      shell parses it (Lab.parseLine), so a
//                                      typo fails on load, not halfway through
//                                      a reader's run; returns each step's
//                                      command kinds for the runner

import { placeholders } from "./markdown.js";
import { MEASURES, REF_FIELDS } from "./measures.js";

export const LIMITS = {
  steps: 24, commands: 24, line: 2000, title: 100, summary: 300, prose: 6000, label: 160,
  choices: 6, values: 8, persistence: 24,
};

/** A scenario that failed validation: `errors` are "path: message" lines. */
export class ScenarioError extends Error {
  /**
   * @param {string} file
   * @param {string[]} errors
   */
  constructor(file, errors) {
    super(`${file}: ${errors.length === 1 ? errors[0] : `${errors.length} problems:\n  ${errors.join("\n  ")}`}`);
    this.name = "ScenarioError";
    this.file = file;
    this.errors = errors;
  }
}

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const describe = (v) => (v === null ? "null" : Array.isArray(v) ? "a list" : typeof v === "object" ? "an object" : `${typeof v} ${JSON.stringify(v)}`);

/** Collects problems while walking a scenario. */
class Checker {
  constructor() {
    /** @type {string[]} */
    this.errors = [];
  }

  error(path, message) {
    this.errors.push(`${path}: ${message}`);
    return false;
  }

  /** Only `allowed` keys; returns false (and says which) otherwise. */
  fields(obj, path, allowed) {
    let ok = true;
    for (const k of Object.keys(obj)) {
      if (!allowed.includes(k)) ok = this.error(path ? `${path}.${k}` : k, `unknown field (allowed: ${allowed.join(", ")})`);
    }
    return ok;
  }

  object(v, path) {
    return isObject(v) || this.error(path, `must be an object, not ${describe(v)}`);
  }

  string(v, path, { max = LIMITS.label, min = 1, pattern, patternText } = {}) {
    if (typeof v !== "string") return this.error(path, `must be a string, not ${describe(v)}`);
    if (v.trim().length < min) return this.error(path, "must not be empty");
    if (v.length > max) return this.error(path, `is ${v.length} characters long; at most ${max}`);
    if (pattern && !pattern.test(v)) return this.error(path, patternText);
    return true;
  }

  integer(v, path, min, max) {
    if (!Number.isInteger(v)) return this.error(path, `must be a whole number, not ${describe(v)}`);
    if (v < min || v > max) return this.error(path, `must be between ${min} and ${max}`);
    return true;
  }

  number(v, path) {
    return (typeof v === "number" && Number.isFinite(v)) || this.error(path, `must be a number, not ${describe(v)}`);
  }

  list(v, path, min, max, what) {
    if (!Array.isArray(v)) return this.error(path, `must be a list, not ${describe(v)}`);
    if (v.length < min) return this.error(path, `needs at least ${min} ${what}`);
    if (v.length > max) return this.error(path, `has ${v.length} ${what}; at most ${max}`);
    return true;
  }
}

/** A string, or a list of strings (blocks joined by blank lines). */
function checkProse(c, v, path) {
  if (Array.isArray(v)) {
    if (!c.list(v, path, 1, 40, "blocks")) return;
    v.forEach((block, i) => c.string(block, `${path}[${i}]`, { max: LIMITS.prose }));
    if (v.join("\n\n").length > LIMITS.prose) c.error(path, `is longer than ${LIMITS.prose} characters`);
    return;
  }
  c.string(v, path, { max: LIMITS.prose });
}

/** Redis parameters: name -> string or number. */
function checkPersistence(c, v, path) {
  if (!c.object(v, path)) return;
  const names = Object.keys(v);
  if (names.length > LIMITS.persistence) c.error(path, `has ${names.length} parameters; at most ${LIMITS.persistence}`);
  for (const name of names) {
    const p = `${path}.${name}`;
    if (!/^[a-z][a-z0-9-]*$/.test(name)) c.error(p, "is not a Redis parameter name (lower case, words joined by -)");
    const value = v[name];
    if (typeof value === "number" ? !Number.isFinite(value) : typeof value !== "string") {
      c.error(p, `must be a string or a number, not ${describe(value)}`);
    } else if (String(value).length > 200) {
      c.error(p, "is longer than 200 characters");
    }
  }
}

function checkCommands(c, v, path) {
  if (!c.list(v, path, 1, LIMITS.commands, "commands")) return;
  v.forEach((line, i) => {
    const p = `${path}[${i}]`;
    if (!c.string(line, p, { max: LIMITS.line })) return;
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(line)) c.error(p, "must be one line (no newlines or control characters)");
  });
}

/** A measure reference: { measure, label?, after?, since?, file?, field?, key? }. */
function checkRef(c, ref, path, commandCount) {
  if (!c.object(ref, path)) return;
  c.fields(ref, path, REF_FIELDS);
  const m = MEASURES[ref.measure];
  if (!m) {
    c.error(`${path}.measure`, ref.measure === undefined ? "is missing"
      : `unknown measure ${JSON.stringify(ref.measure)} (known: ${Object.keys(MEASURES).join(", ")})`);
    return;
  }
  if (ref.label !== undefined) c.string(ref.label, `${path}.label`);
  for (const param of ["file", "field", "key"]) {
    if (ref[param] === undefined) continue;
    if (!(m.params ?? []).includes(param)) c.error(`${path}.${param}`, `measure ${ref.measure} takes no ${param}`);
    else c.string(ref[param], `${path}.${param}`, { max: 200 });
  }
  for (const need of m.needs ?? []) {
    if (ref[need] === undefined) c.error(path, `measure ${ref.measure} needs "${need}"`);
  }
  const first = m.from === "snapshot" ? 0 : 1;
  if (ref.after !== undefined) c.integer(ref.after, `${path}.after`, first, Math.max(first, commandCount));
  if (ref.since !== undefined) {
    if (m.from !== "snapshot" || m.unit === "bool") c.error(`${path}.since`, `measure ${ref.measure} is not a counter that can change between commands`);
    else c.integer(ref.since, `${path}.since`, 0, commandCount);
  }
}

/** A choice's condition; `names` are the outcome's value names. */
function checkCondition(c, when, path, names, depth = 0) {
  if (!c.object(when, path)) return;
  const known = (name, p) => names.includes(name) || c.error(p, `names no outcome value (outcome.values has: ${names.join(", ")})`);
  if ("all" in when) {
    c.fields(when, path, ["all"]);
    if (depth > 3) c.error(path, "nests too deep");
    else if (c.list(when.all, `${path}.all`, 1, 8, "conditions")) {
      when.all.forEach((w, i) => checkCondition(c, w, `${path}.all[${i}]`, names, depth + 1));
    }
    return;
  }
  if ("largest" in when || "smallest" in when) {
    const which = "largest" in when ? "largest" : "smallest";
    c.fields(when, path, [which, "among"]);
    known(when[which], `${path}.${which}`);
    if (when.among !== undefined && c.list(when.among, `${path}.among`, 2, LIMITS.values, "names")) {
      when.among.forEach((n, i) => known(n, `${path}.among[${i}]`));
      if (!when.among.includes(when[which])) c.error(`${path}.among`, `must include ${JSON.stringify(when[which])}`);
    }
    return;
  }
  c.fields(when, path, ["value", "equals", "min", "max"]);
  if (when.value === undefined) {
    c.error(path, 'needs "value" (with "equals", or "min"/"max"), "largest", "smallest" or "all"');
    return;
  }
  known(when.value, `${path}.value`);
  const hasRange = "min" in when || "max" in when;
  if ("equals" in when === hasRange) {
    c.error(path, 'needs either "equals" or "min"/"max"');
    return;
  }
  if ("equals" in when && !["number", "string", "boolean"].includes(typeof when.equals)) {
    c.error(`${path}.equals`, `must be a number, a string or true/false, not ${describe(when.equals)}`);
  }
  if ("min" in when) c.number(when.min, `${path}.min`);
  if ("max" in when) c.number(when.max, `${path}.max`);
  if (typeof when.min === "number" && typeof when.max === "number" && when.min > when.max) c.error(path, "min is larger than max");
}

function checkPrediction(c, p, path, step) {
  if (!c.object(p, path)) return;
  const names = isObject(step.outcome?.values) ? Object.keys(step.outcome.values) : [];
  if (step.outcome === undefined) c.error(path, "needs an outcome in the same step (what the prediction is checked against)");
  if (step.commands === undefined) c.error(path, "needs commands in the same step (the prediction is made before they run)");
  c.string(p.question, `${path}.question`, { max: 400 });
  if (p.before !== undefined) c.integer(p.before, `${path}.before`, 1, Math.max(1, step.commands?.length ?? 1));
  if (p.kind === "choice") {
    c.fields(p, path, ["kind", "question", "before", "choices"]);
    if (!c.list(p.choices, `${path}.choices`, 2, LIMITS.choices, "choices")) return;
    p.choices.forEach((choice, i) => {
      const cp = `${path}.choices[${i}]`;
      if (!c.object(choice, cp)) return;
      c.fields(choice, cp, ["label", "when"]);
      c.string(choice.label, `${cp}.label`);
      if (choice.when === undefined) c.error(`${cp}.when`, "is missing (the condition that makes this choice the right one)");
      else checkCondition(c, choice.when, `${cp}.when`, names);
    });
  } else if (p.kind === "number") {
    c.fields(p, path, ["kind", "question", "before", "check", "unit", "tolerance", "min", "max"]);
    if (p.check === undefined) c.error(`${path}.check`, "is missing (the outcome value the number is compared with)");
    else if (!names.includes(p.check)) c.error(`${path}.check`, `names no outcome value (outcome.values has: ${names.join(", ")})`);
    if (p.unit !== undefined) c.string(p.unit, `${path}.unit`, { max: 40 });
    if (p.tolerance !== undefined && c.number(p.tolerance, `${path}.tolerance`) && p.tolerance < 0) c.error(`${path}.tolerance`, "must not be negative");
    if (p.min !== undefined) c.number(p.min, `${path}.min`);
    if (p.max !== undefined) c.number(p.max, `${path}.max`);
  } else {
    c.error(`${path}.kind`, p.kind === undefined ? 'is missing ("choice" or "number")' : `must be "choice" or "number", not ${describe(p.kind)}`);
  }
}

function checkOutcome(c, o, path, step) {
  if (!c.object(o, path)) return;
  c.fields(o, path, ["values", "why"]);
  const count = Array.isArray(step.commands) ? step.commands.length : 0;
  if (c.object(o.values, `${path}.values`)) {
    const names = Object.keys(o.values);
    if (names.length === 0) c.error(`${path}.values`, "needs at least 1 value");
    if (names.length > LIMITS.values) c.error(`${path}.values`, `has ${names.length} values; at most ${LIMITS.values}`);
    for (const name of names) {
      if (!/^[a-z][a-z0-9_]*$/.test(name)) c.error(`${path}.values.${name}`, "names must be lower case letters, digits and _");
      checkRef(c, o.values[name], `${path}.values.${name}`, count);
    }
  }
  if (o.why === undefined) c.error(`${path}.why`, "is missing (one sentence saying why it came out this way)");
  else {
    checkProse(c, o.why, `${path}.why`);
    const names = isObject(o.values) ? Object.keys(o.values) : [];
    for (const name of placeholders(o.why)) {
      if (!names.includes(name)) c.error(`${path}.why`, `{${name}} names no outcome value`);
    }
  }
}

function checkStep(c, step, path) {
  if (!c.object(step, path)) return;
  c.fields(step, path, ["title", "prose", "reset", "commands", "prediction", "outcome"]);
  c.string(step.title, `${path}.title`, { max: LIMITS.title });
  if (step.prose === undefined) c.error(`${path}.prose`, "is missing");
  else checkProse(c, step.prose, `${path}.prose`);
  if (step.reset !== undefined && step.reset !== true) {
    if (c.object(step.reset, `${path}.reset`)) {
      c.fields(step.reset, `${path}.reset`, ["persistence"]);
      if (step.reset.persistence !== undefined) checkPersistence(c, step.reset.persistence, `${path}.reset.persistence`);
    }
  }
  if (step.commands !== undefined) checkCommands(c, step.commands, `${path}.commands`);
  if (step.prediction !== undefined) checkPrediction(c, step.prediction, `${path}.prediction`, step);
  if (step.outcome !== undefined) {
    checkOutcome(c, step.outcome, `${path}.outcome`, step);
    if (step.commands === undefined) c.error(`${path}.outcome`, "needs commands in the same step (the outcome reads what they did)");
  }
}

/**
 * Checks a scenario's shape. Returns the problems ("path: message"), none
 * when it is valid.
 * @param {unknown} data the parsed JSON
 * @param {{ id?: string }} [options] id: what the file name says the id is
 * @returns {string[]}
 */
export function validateScenario(data, { id } = {}) {
  const c = new Checker();
  if (!isObject(data)) return [`(top): a scenario must be a JSON object, not ${describe(data)}`];
  c.fields(data, "", ["$schema", "id", "title", "summary", "persistence", "start", "steps"]);
  if (c.string(data.id, "id", { max: 64, pattern: /^[a-z0-9][a-z0-9-]*$/, patternText: "must be lower case letters, digits and - (it names the file)" }) &&
      id !== undefined && data.id !== id) {
    c.error("id", `is ${JSON.stringify(data.id)} but the file is ${id}.json`);
  }
  c.string(data.title, "title", { max: LIMITS.title });
  c.string(data.summary, "summary", { max: LIMITS.summary });
  if (data.persistence === undefined) c.error("persistence", "is missing (use {} for Redis's defaults)");
  else checkPersistence(c, data.persistence, "persistence");
  if (data.start !== undefined && c.string(data.start, "start", { max: 40 }) &&
      !(/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?Z$/.test(data.start) && Number.isFinite(Date.parse(data.start)))) {
    c.error("start", 'must be a UTC time like "2025-01-01T09:00:00Z"');
  }
  if (c.list(data.steps, "steps", 1, LIMITS.steps, "steps")) {
    data.steps.forEach((step, i) => checkStep(c, step, `steps[${i}]`));
  }
  return c.errors;
}

/**
 * Validates and returns the scenario; throws a ScenarioError otherwise.
 * @param {unknown} data
 * @param {string} file the file name, for the messages ("whiteboard.json")
 */
export function parseScenario(data, file) {
  const errors = validateScenario(data, { id: file.replace(/\.json$/, "") });
  if (errors.length) throw new ScenarioError(file, errors);
  return /** @type {any} */ (data);
}

/** The kind of a parsed line the runner cares about. */
function kindOf(parsed) {
  if (parsed.kind !== "dot") return parsed.kind; // command, help, clear, quit, empty, invalid
  return parsed.verb; // crash, restart, clock, policy, files, report, help
}

/**
 * Checks every command line with the engine's parser and the references
 * that depend on what a line is (a restart measure needs a `.restart`).
 * @param {any} scenario a scenario validateScenario accepted
 * @param {(line: string) => any} parse the engine's Lab.parseLine, parsed
 *   (may return a promise)
 * @param {string} file
 * @returns {Promise<string[][]>} each step's command kinds
 * @throws {ScenarioError}
 */
export async function checkLines(scenario, parse, file) {
  const c = new Checker();
  const kinds = [];
  for (const [s, step] of scenario.steps.entries()) {
    const stepKinds = [];
    for (const [i, line] of (step.commands ?? []).entries()) {
      const path = `steps[${s}].commands[${i}]`;
      const parsed = await parse(line);
      const kind = kindOf(parsed);
      stepKinds.push(kind);
      if (kind === "invalid") c.error(path, `the terminal cannot run it: ${parsed.message}`);
      else if (kind === "quit" || kind === "empty" || kind === "clear") c.error(path, `"${line}" does nothing a reader can learn from here`);
      else if (kind === "crash" && parsed.crash === "torn" && parsed.seed === undefined) {
        c.error(path, "a torn crash needs a seed (.crash torn 7), so every reader's disk keeps the same bytes");
      } else if (kind === "clock" && (parsed.action === "play" || parsed.action === "speed")) {
        c.error(path, "the clock stays paused in a scenario (runs must be the same for every reader): move it with .clock +N");
      }
    }
    kinds.push(stepKinds);
    const p = step.prediction;
    if (p && p.before === undefined && !stepKinds.some((k) => k === "crash" || k === "restart")) {
      c.error(`steps[${s}].prediction`, 'has no .crash or .restart to come before: say which command it comes before with "before"');
    }
    for (const [name, ref] of Object.entries(step.outcome?.values ?? {})) {
      if (MEASURES[ref.measure].from !== "restart") continue;
      const path = `steps[${s}].outcome.values.${name}`;
      if (ref.after !== undefined && stepKinds[ref.after - 1] !== "restart") c.error(`${path}.after`, `command ${ref.after} is not a .restart`);
      if (ref.after === undefined && !stepKinds.includes("restart")) c.error(path, `measure ${ref.measure} reads a restart's report, and the step has no .restart`);
    }
  }
  if (c.errors.length) throw new ScenarioError(file, c.errors);
  return kinds;
}

/**
 * The 1-based index of the first command the prediction must come before:
 * `before`, else the first .crash, else the first .restart.
 * @param {any} step
 * @param {string[]} kinds
 */
export function gateIndex(step, kinds) {
  if (!step.prediction) return Infinity;
  if (step.prediction.before !== undefined) return step.prediction.before;
  const i = kinds.findIndex((k) => k === "crash" || k === "restart");
  return i + 1;
}

/** The persistence settings a step's lab opens with (a reset may change them). */
export function persistenceFor(scenario, stepIndex) {
  for (let i = stepIndex; i >= 0; i--) {
    const reset = scenario.steps[i].reset;
    if (reset) return { ...scenario.persistence, ...(reset === true ? {} : reset.persistence ?? {}) };
  }
  return { ...scenario.persistence };
}

/** The virtual time every run starts at (2025-01-01 09:00 UTC unless `start` says). */
export function startTime(scenario) {
  return Date.parse(scenario.start ?? "2025-01-01T09:00:00Z");
}
