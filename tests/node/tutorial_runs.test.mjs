// Every shipped tutorial scenario run on the real engine in node, the way
// the page runs it: each line through the worker's LabHost (the same shell
// the terminal uses), a memory lab per run with its clock paused at the
// scenario's start, outcomes read by web/app/tutorial/measures.js. Checks
// what a scenario promises its readers: its lines parse, every prediction
// has exactly one answer that fits what the engine measured, nothing is
// "not reported", no persistence promise is broken, two runs give the same
// numbers (milliseconds aside), and the numbers its prose quotes are right.
//
// Needs the wasm build: PLAB_DIST (default build/wasm/dist) holds
// persistlab.js and plab_wasm.wasm. LabHost imports "../persistlab.js", so
// the test runs a copy of it next to those in a temporary directory.
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const dist = resolve(process.env.PLAB_DIST ?? join(root, "build/wasm/dist"));
const scratch = mkdtempSync(join(tmpdir(), "plab-tutorial-"));
mkdirSync(join(scratch, "worker"));
copyFileSync(join(dist, "persistlab.js"), join(scratch, "persistlab.js"));
copyFileSync(join(dist, "plab_wasm.wasm"), join(scratch, "plab_wasm.wasm"));
copyFileSync(join(root, "web/src/worker/lab_host.js"), join(scratch, "worker/lab_host.js"));
after(() => rmSync(scratch, { recursive: true, force: true }));

const { LabHost } = await import(pathToFileURL(join(scratch, "worker/lab_host.js")).href);
const tutorial = (f) => import(pathToFileURL(join(root, "web/app/tutorial", f)).href);
const { parseScenario, checkLines, persistenceFor, startTime, ScenarioError } = await tutorial("scenario.js");
const { evaluateOutcome, MEASURES } = await tutorial("measures.js");

const scenariosDir = join(root, "web/scenarios");
const files = readdirSync(scenariosDir).filter((f) => f.endsWith(".json") && f !== "schema.json").sort();

async function openLab(scenario, stepIndex) {
  const host = await LabHost.open({
    name: `tutorial-test-${Math.random().toString(36).slice(2)}`, storage: "memory",
    config: persistenceFor(scenario, stepIndex), clock: { start: startTime(scenario), paused: true }, quiet: true,
  }, (event, detail) => {
    if (event === "restart") host.lastRestart = detail;
  });
  return host;
}

/** The engine's parser, from a lab that is opened for nothing else. */
async function engineParse() {
  const host = await openLab({ persistence: {}, steps: [{}] }, 0);
  const parse = (line) => JSON.parse(host.lab.engineModule.Lab.parseLine(line));
  return { parse, close: () => host.destroy() };
}

/**
 * Runs a scenario as a reader who answers nothing, recording what the page
 * records (run.js); returns each step's outcome.
 */
async function runScenario(file) {
  const scenario = parseScenario(JSON.parse(readFileSync(join(scenariosDir, file), "utf8")), file);
  let host = await openLab(scenario, 0);
  const kinds = await checkLines(scenario, (l) => JSON.parse(host.lab.engineModule.Lab.parseLine(l)), file);
  const outcomes = [];
  const broken = [];
  try {
    for (const [i, step] of scenario.steps.entries()) {
      if (i > 0 && step.reset) {
        await host.destroy();
        host = await openLab(scenario, i);
      }
      const record = { start: host.snapshot(), commands: [] };
      for (const [j, line] of (step.commands ?? []).entries()) {
        host.lastRestart = null;
        const { output } = await host.line(line);
        const entry = { line, kind: kinds[i][j], output, snapshot: host.snapshot() };
        if (entry.kind === "restart") {
          entry.restart = host.lastRestart ? { report: host.lastRestart.report, diff: host.lastRestart.diff }
            : { failed: true, error: entry.snapshot.downReason };
          if (host.lastRestart?.diff?.counts.broken) broken.push(`${file} step ${i + 1}: ${JSON.stringify(host.lastRestart.diff.broken)}`);
        }
        record.commands.push(entry);
      }
      outcomes.push(step.outcome ? evaluateOutcome(step, record, kinds[i], step.prediction ? { skipped: true } : null) : null);
    }
  } finally {
    await host.destroy();
  }
  return { scenario, outcomes, broken };
}

/** Values that do not depend on the machine (milliseconds do). */
function stable(result) {
  return result.outcomes.map((o) => o && o.shown.filter((v) => v.unit !== "ms").map((v) => [v.name, v.value]));
}

for (const file of files) {
  test(`${file}: runs on the engine, one fitting answer per prediction, the same numbers twice`, async () => {
    const first = await runScenario(file);
    assert.deepEqual(first.broken, [], "a persistence promise was broken");
    for (const [i, step] of first.scenario.steps.entries()) {
      const o = first.outcomes[i];
      if (!o) continue;
      const where = `${file} step ${i + 1}`;
      for (const v of o.shown) assert.notEqual(v.value, null, `${where}: ${v.name} not reported (${v.missing})`);
      if (step.prediction?.kind === "choice") {
        assert.equal(o.matching.length, 1, `${where}: ${o.matching.length} choices fit ${JSON.stringify(o.values)}`);
      } else if (step.prediction?.kind === "number") {
        assert.equal(typeof o.values[step.prediction.check], "number", where);
      }
    }
    const second = await runScenario(file);
    assert.deepEqual(stable(second), stable(first), "a second run measured something else");
  });
}

// Numbers the scenarios' prose states outright (not from a measured value):
// [file, step index, outcome value, check, what the prose says].
const PROSE_CLAIMS = [
  ["09-torn-tail.json", 1, "cut", (v) => v === 20, 'step 4 says plab check-aof reports "diff=20", the bytes the first restart cut'],
  ["06-aof-rewrite.json", 1, "incr", (v) => v / 1000 >= 25 && v / 1000 <= 35, "step 2 says an INCR takes about thirty bytes of RESP"],
  ["08-bgsave-cow.json", 1, "cow", (v) => v < 40_960, "step 2 compares the copies with fork's 40,960 bytes for ten pages"],
];

test("the numbers the scenarios' prose quotes are what the engine measures", async () => {
  const runs = new Map();
  for (const [file, step, name, check, claim] of PROSE_CLAIMS) {
    if (!runs.has(file)) runs.set(file, await runScenario(file));
    const value = runs.get(file).outcomes[step].values[name];
    assert.ok(check(value), `${file}: ${claim}, but the engine measured ${value}`);
  }
});

test("lines are checked with the engine's parser when a scenario loads", async () => {
  const { parse, close } = await engineParse();
  try {
    const scenario = (commands, values = { lost: { measure: "keys_lost" } }) => ({
      id: "x", title: "t", summary: "s", persistence: {},
      steps: [{ title: "t", prose: "p", commands, outcome: { values, why: "w" } }],
    });
    const errorsOf = async (s) => {
      try {
        await checkLines(parseScenario(s, "x.json"), parse, "x.json");
        return [];
      } catch (e) {
        assert.ok(e instanceof ScenarioError, e.message);
        return e.errors;
      }
    };
    assert.deepEqual(await errorsOf(scenario(["SET a 1", ".crash power", ".restart"])), []);
    const errors = await errorsOf(scenario(["SET \"a", ".crash torn", ".clock play", ".clock speed 10", "quit", ".restart"]));
    assert.deepEqual(errors, [
      "steps[0].commands[0]: the terminal cannot run it: Invalid argument(s)",
      "steps[0].commands[1]: a torn crash needs a seed (.crash torn 7), so every reader's disk keeps the same bytes",
      "steps[0].commands[2]: the clock stays paused in a scenario (runs must be the same for every reader): move it with .clock +N",
      "steps[0].commands[3]: the clock stays paused in a scenario (runs must be the same for every reader): move it with .clock +N",
      "steps[0].commands[4]: \"quit\" does nothing a reader can learn from here",
    ]);
    assert.deepEqual(await errorsOf(scenario(["SET a 1"])),
      ["steps[0].outcome.values.lost: measure keys_lost reads a restart's report, and the step has no .restart"]);
    assert.deepEqual(await errorsOf(scenario(["SET a 1", ".restart"], { lost: { measure: "keys_lost", after: 1 } })),
      ["steps[0].outcome.values.lost.after: command 1 is not a .restart"]);
    const noGate = scenario(["SET a 1"], { n: { measure: "fsyncs" } });
    noGate.steps[0].prediction = { kind: "number", question: "?", check: "n" };
    assert.deepEqual(await errorsOf(noGate),
      ['steps[0].prediction: has no .crash or .restart to come before: say which command it comes before with "before"']);
    // Every measure the vocabulary names is one the runner can read.
    for (const m of Object.values(MEASURES)) assert.ok(["restart", "snapshot", "reply"].includes(m.from));
  } finally {
    await close();
  }
});
