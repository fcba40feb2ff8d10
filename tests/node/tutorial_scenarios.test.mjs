// The tutorial's scenario format without an engine: every shipped scenario
// validates; malformed ones are refused with the path of the bad field;
// the schema document and the validator agree on the measures; the
// Markdown subset is parsed and built into DOM nodes without ever turning
// text into markup; outcomes are read and judged as documented.
// (tutorial_runs.test.mjs runs the scenarios on the engine.)
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { test } from "node:test";

const tutorialDir = new URL("../../web/app/tutorial/", import.meta.url);
const scenariosDir = new URL("../../web/scenarios/", import.meta.url);
const { validateScenario, parseScenario, ScenarioError, gateIndex, persistenceFor, startTime } =
  await import(new URL("scenario.js", tutorialDir).href);
const { MEASURES, evaluateOutcome, formatValue, conditionHolds, filesMatching } = await import(new URL("measures.js", tutorialDir).href);
const { parseMarkdown, parseInline, renderMarkdown, safeHref } = await import(new URL("markdown.js", tutorialDir).href);

const files = readdirSync(scenariosDir).filter((f) => f.endsWith(".json") && f !== "schema.json").sort();
const load = (file) => JSON.parse(readFileSync(new URL(file, scenariosDir), "utf8"));

/** A small valid scenario to break in one place at a time. */
function minimal() {
  return {
    id: "x",
    title: "A title",
    summary: "A summary.",
    persistence: { appendonly: "yes" },
    steps: [
      { title: "Intro", prose: "Hello." },
      {
        title: "Crash",
        prose: ["One.", "Two."],
        commands: ["SET a 1", ".crash power", ".restart"],
        prediction: {
          kind: "choice", question: "Lost?",
          choices: [{ label: "none", when: { value: "lost", equals: 0 } }, { label: "some", when: { value: "lost", min: 1 } }],
        },
        outcome: { values: { lost: { measure: "keys_lost", label: "Keys lost" } }, why: "{lost} lost." },
      },
    ],
  };
}

test("the shipped scenarios: at least the nine of issue 12, each valid, ids matching file names", () => {
  assert.ok(files.length >= 9, `only ${files.length} scenarios`);
  for (const file of files) {
    const data = load(file);
    assert.deepEqual(validateScenario(data, { id: file.replace(/\.json$/, "") }), [], file);
    assert.ok(data.steps.some((s) => s.prediction), `${file} asks the reader for no prediction`);
  }
});

test("every shipped prediction is checked against an outcome value the same step reads", () => {
  for (const file of files) {
    for (const [i, step] of load(file).steps.entries()) {
      if (!step.prediction) continue;
      const names = Object.keys(step.outcome.values);
      if (step.prediction.kind === "number") assert.ok(names.includes(step.prediction.check), `${file} step ${i}`);
      else assert.ok(step.prediction.choices.length >= 2, `${file} step ${i}`);
    }
  }
});

test("the minimal example is valid", () => {
  assert.deepEqual(validateScenario(minimal()), []);
});

/** [what to break, the error that must name it] */
const MALFORMED = [
  [(s) => { s.steps[1].prediction.choices.pop(); }, "steps[1].prediction.choices: needs at least 2 choices"],
  [(s) => { delete s.title; }, "title: must be a string, not undefined"],
  [(s) => { s.id = "Bad Id"; }, "id: must be lower case letters, digits and -"],
  [(s) => { s.steps = []; }, "steps: needs at least 1 steps"],
  [(s) => { s.steps[0].tilte = "typo"; }, "steps[0].tilte: unknown field"],
  [(s) => { s.steps[1].outcome.values.lost.measure = "key_lost"; }, 'steps[1].outcome.values.lost.measure: unknown measure "key_lost"'],
  [(s) => { s.steps[1].outcome.why = "{gone} lost."; }, "steps[1].outcome.why: {gone} names no outcome value"],
  [(s) => { s.steps[1].prediction.choices[0].when = { value: "nope", equals: 0 }; }, "steps[1].prediction.choices[0].when.value: names no outcome value"],
  [(s) => { s.steps[1].prediction.choices[1].when = { value: "lost", min: 5, max: 1 }; }, "steps[1].prediction.choices[1].when: min is larger than max"],
  [(s) => { s.steps[1].prediction.choices[1].when = { value: "lost", equals: 1, min: 1 }; }, 'steps[1].prediction.choices[1].when: needs either "equals" or "min"/"max"'],
  [(s) => { s.steps[1].prediction.kind = "guess"; }, 'steps[1].prediction.kind: must be "choice" or "number"'],
  [(s) => { s.steps[1].prediction = { kind: "number", question: "How many?", check: "gone" }; }, "steps[1].prediction.check: names no outcome value"],
  [(s) => { delete s.steps[1].outcome; }, "steps[1].prediction: needs an outcome in the same step"],
  [(s) => { s.steps[1].commands.push("SET a 1\nSET b 2"); }, "steps[1].commands[3]: must be one line"],
  [(s) => { s.steps[1].outcome.values.lost.after = 9; }, "steps[1].outcome.values.lost.after: must be between 1 and 3"],
  [(s) => { s.steps[1].outcome.values.lost.since = 0; }, "steps[1].outcome.values.lost.since: measure keys_lost is not a counter"],
  [(s) => { s.steps[1].outcome.values.n = { measure: "ids_reissued" }; }, 'steps[1].outcome.values.n: measure ids_reissued needs "key"'],
  [(s) => { s.steps[1].outcome.values.lost.field = "x"; }, "steps[1].outcome.values.lost.field: measure keys_lost takes no field"],
  [(s) => { s.persistence = { "Append Only": "yes" }; }, "persistence.Append Only: is not a Redis parameter name"],
  [(s) => { s.persistence.appendonly = true; }, "persistence.appendonly: must be a string or a number, not boolean true"],
  [(s) => { s.start = "9am"; }, 'start: must be a UTC time like "2025-01-01T09:00:00Z"'],
  [(s) => { s.steps[1].reset = { persistance: {} }; }, "steps[1].reset.persistance: unknown field"],
  [(s) => { s.steps[1].prediction.choices[0].when = { largest: "lost", among: ["lost"] }; }, "steps[1].prediction.choices[0].when.among: needs at least 2 names"],
  [(s) => { s.steps[0].prose = ""; }, "steps[0].prose: must not be empty"],
];

test("malformed scenarios are refused with the path of the bad field", () => {
  for (const [breakIt, expected] of MALFORMED) {
    const s = minimal();
    breakIt(s);
    const errors = validateScenario(s);
    assert.ok(errors.some((e) => e.startsWith(expected)), `expected "${expected}", got ${JSON.stringify(errors)}`);
  }
});

test("parseScenario names the file and every problem; the id must match the file", () => {
  const s = minimal();
  s.steps[1].prediction.choices.pop();
  s.steps[0].tilte = "typo";
  assert.throws(() => parseScenario(s, "x.json"), (e) => e instanceof ScenarioError && e.file === "x.json" &&
    e.errors.length === 2 && /^x\.json: 2 problems:\n {2}steps\[0\]\.tilte/.test(e.message));
  assert.throws(() => parseScenario(minimal(), "y.json"), /id: is "x" but the file is y\.json/);
  assert.throws(() => parseScenario([], "z.json"), /a scenario must be a JSON object, not a list/);
});

test("the schema document lists exactly the validator's measures", () => {
  const schema = load("schema.json");
  const names = schema.$defs.measureRef.properties.measure.anyOf.map((m) => m.const);
  assert.deepEqual([...names].sort(), Object.keys(MEASURES).sort());
  for (const m of schema.$defs.measureRef.properties.measure.anyOf) assert.ok(m.description.length > 20, m.const);
  assert.deepEqual(Object.keys(schema.properties).sort(), ["$schema", "id", "persistence", "start", "steps", "summary", "title"]);
  assert.deepEqual(Object.keys(schema.$defs.step.properties).sort(), ["commands", "outcome", "prediction", "prose", "reset", "title"]);
});

test("where the prediction gates, which settings a step opens with, when a run starts", () => {
  const s = minimal();
  assert.equal(gateIndex(s.steps[1], ["command", "crash", "restart"]), 2);
  assert.equal(gateIndex({ ...s.steps[1], prediction: { ...s.steps[1].prediction, before: 1 } }, ["command", "crash", "restart"]), 1);
  assert.equal(gateIndex(s.steps[0], []), Infinity);
  s.steps[1].reset = { persistence: { appendfsync: "always" } };
  assert.deepEqual(persistenceFor(s, 0), { appendonly: "yes" });
  assert.deepEqual(persistenceFor(s, 1), { appendonly: "yes", appendfsync: "always" });
  assert.equal(startTime(s), Date.UTC(2025, 0, 1, 9));
  assert.equal(startTime({ start: "2030-06-01T00:00:00Z" }), Date.UTC(2030, 5, 1));
});

// --- Markdown ------------------------------------------------------------------

test("Markdown: paragraphs, lists, bold, emphasis, code, links", () => {
  const blocks = parseMarkdown("A **bold** and *em* `co*de*`.\n\n- one\n- two [x](https://redis.io/docs)\n  more\n\nLast _under_score_");
  assert.equal(blocks.length, 3);
  assert.deepEqual(blocks[0].children, [
    { type: "text", text: "A " }, { type: "strong", children: [{ type: "text", text: "bold" }] },
    { type: "text", text: " and " }, { type: "em", children: [{ type: "text", text: "em" }] },
    { type: "text", text: " " }, { type: "code", text: "co*de*" }, { type: "text", text: "." },
  ]);
  assert.equal(blocks[1].type, "ul");
  assert.equal(blocks[1].items.length, 2);
  assert.deepEqual(blocks[1].items[1][1], { type: "link", href: "https://redis.io/docs", children: [{ type: "text", text: "x" }] });
  assert.deepEqual(blocks[1].items[1][2], { type: "text", text: " more" });
  assert.deepEqual(blocks[2].children, [{ type: "text", text: "Last _under_score_" }]);
  assert.deepEqual(parseMarkdown(["one", "two"]).map((b) => b.type), ["p", "p"]);
});

test("Markdown: stray marks, escapes and HTML stay text", () => {
  const text = (s) => parseInline(s).map((n) => (n.type === "text" ? n.text : `<${n.type}>`)).join("");
  assert.equal(text("5 * 3 and a*b"), "5 * 3 and a*b");
  assert.equal(text("\\*not em\\* \\`x\\`"), "*not em* `x`");
  assert.equal(text("<script>alert(1)</script>"), "<script>alert(1)</script>");
  assert.equal(text("<img src=x onerror=alert(1)>"), "<img src=x onerror=alert(1)>");
  assert.equal(text("**unclosed"), "**unclosed");
  assert.equal(text("[no link]"), "[no link]");
});

test("Markdown: only https and same-origin links become links", () => {
  for (const ok of ["https://redis.io", "/docs/", "#top", "other.html", "./a?b=c", "../up"]) assert.ok(safeHref(ok), ok);
  for (const bad of ["javascript:alert(1)", "JavaScript:x", "data:text/html,x", "http://x.org", "//evil.example", "mailto:a@b", "vbscript:x", "a b"]) {
    assert.ok(!safeHref(bad), bad);
  }
  const nodes = parseInline("[click](javascript:alert(1)) and [ok](/docs)");
  assert.deepEqual(nodes[0], { type: "text", text: "click" });
  assert.equal(nodes.find((n) => n.type === "link").href, "/docs");
});

/** A tiny DOM: enough for dom.js's h() and for reading the result back. */
function fakeDocument() {
  class FakeNode {}
  class Text extends FakeNode {
    constructor(text) {
      super();
      this.text = text;
    }
  }
  class Element extends FakeNode {
    constructor(tag) {
      super();
      this.tag = tag;
      this.attrs = {};
      this.children = [];
      this.dataset = {};
      this.className = "";
    }
    setAttribute(n, v) { this.attrs[n] = v; }
    addEventListener() {}
    append(...xs) { for (const x of xs) this.children.push(x instanceof FakeNode ? x : new Text(String(x))); }
  }
  const serialize = (n) => (n instanceof Text ? n.text.replace(/&/g, "&amp;").replace(/</g, "&lt;")
    : `<${n.tag}${Object.entries(n.attrs).map(([k, v]) => ` ${k}="${v}"`).join("")}>${n.children.map(serialize).join("")}</${n.tag}>`);
  return { Node: FakeNode, document: { createElement: (tag) => new Element(tag) }, serialize };
}

test("Markdown to DOM: elements from the subset only, text as text nodes, placeholders filled as text", async () => {
  const fake = fakeDocument();
  globalThis.Node = fake.Node;
  globalThis.document = fake.document;
  try {
    const { h } = await import(new URL("../dom.js", tutorialDir).href);
    const html = (src, values) => renderMarkdown(parseMarkdown(src), h, values).map(fake.serialize).join("");
    assert.equal(html("A **b** <i>x</i> `<b>`"), "<p>A <strong>b</strong> &lt;i>x&lt;/i> <code>&lt;b></code></p>");
    assert.equal(html("[doc](https://redis.io)"), '<p><a href="https://redis.io" target="_blank" rel="noopener noreferrer">doc</a></p>');
    assert.equal(html("[here](/docs)"), '<p><a href="/docs">here</a></p>');
    assert.equal(html("- a\n- *b*"), "<ul><li>a</li><li><em>b</em></li></ul>");
    // A value that looks like Markdown or HTML stays text.
    assert.equal(html("Lost {n} and {unknown}.", { n: "**3** <b>" }), "<p>Lost **3** &lt;b> and {unknown}.</p>");
  } finally {
    delete globalThis.Node;
    delete globalThis.document;
  }
});

// --- measures and verdicts -------------------------------------------------------

/** A record shaped like the engine's JSON (recovery_report.h, keyspace_diff.h, protocol.js). */
function record() {
  const snapshot = (fsyncs, files, persistence = {}) => ({ state: "running", stats: { fsyncs, dir_syncs: 1, bytes_written: 100 }, files, persistence });
  return {
    start: snapshot(2, []),
    commands: [
      { line: "INCR id", kind: "command", output: "(integer) 25", snapshot: snapshot(3, [{ name: "appendonlydir/a.1.incr.aof", written: 300, durable: 200 }, { name: "dump.rdb", written: 50, durable: 50 }], { rdb_last_cow_size: "152", aof_enabled: "1" }) },
      { line: ".crash power", kind: "crash", output: "", snapshot: { ...snapshot(3, []), state: "down" } },
      {
        line: ".restart", kind: "restart", output: "", snapshot: snapshot(4, []),
        restart: {
          report: { source: "rdb", keys_after: 7, total_millis: 12.345, error: "", files: [
            { name: "dump.rdb", kind: "rdb", bytes: 113, keys_loaded: 7, keys_expired: 1, commands: 0, truncated_bytes: 0, millis: 12.3 }] },
          diff: {
            lost: [{ db: 0, key: "s", type: "string", before: '"x"', after: "", note: "" }],
            changed: [{ db: 0, key: "id", type: "string", before: '"25"', after: '"10"', note: "As an INCR counter: IDs 11–25 will be issued again (15 values)." }],
            added: [], broken: [], counts: { lost: 1, changed: 1, added: 0, unchanged: 5, broken: 0 }, promise: null,
          },
        },
      },
      { line: "GET id", kind: "command", output: '"10"', snapshot: snapshot(4, []) },
    ],
  };
}
const KINDS = ["command", "crash", "restart", "command"];

test("measures read the engine's report, diff, snapshot and replies", () => {
  const values = {
    lost: { measure: "keys_lost" }, differ: { measure: "keys_differ" }, after: { measure: "keys_after_load" },
    expired: { measure: "keys_expired_on_load" }, ms: { measure: "recovery_ms" }, source: { measure: "loaded_from" },
    ids: { measure: "ids_reissued", key: "id" }, none: { measure: "ids_reissued", key: "s2" },
    before: { measure: "value_before", key: "id" }, now: { measure: "value_after", key: "id" },
    fs: { measure: "fsyncs", since: 0, after: 1 }, incr: { measure: "disk_bytes", file: "appendonlydir/*.incr.aof", after: 1 },
    cow: { measure: "info", field: "rdb_last_cow_size", after: 1 }, down: { measure: "server_down", after: 2 },
    reply: { measure: "reply_number", after: 4 }, text: { measure: "reply_text", after: 4 }, failed: { measure: "recovery_failed" },
  };
  const step = { outcome: { values, why: "" } };
  const o = evaluateOutcome(step, record(), KINDS, null);
  assert.deepEqual(o.values, {
    lost: 1, differ: 2, after: 7, expired: 1, ms: 12.345, source: "rdb", ids: 15, none: 0, before: 25, now: 10,
    fs: 1, incr: 300, cow: 152, down: true, reply: 10, text: "10", failed: false,
  });
  assert.equal(o.verdict, null);
  assert.equal(o.texts.cow, "152 bytes");
  assert.equal(o.texts.source, "the RDB snapshot (dump.rdb)");
  assert.equal(o.shown.find((v) => v.name === "fs").source, "snapshot:0-1");
  assert.equal(o.shown.find((v) => v.name === "lost").source, "restart:3");
});

test("a failed restart: recovery_failed, and nothing read from a report it never sent", () => {
  const r = record();
  r.commands[2].restart = { failed: true, error: "recovery failed: Unexpected end of file" };
  const step = { outcome: { values: { failed: { measure: "recovery_failed" }, lost: { measure: "keys_lost" } }, why: "" } };
  const o = evaluateOutcome(step, r, KINDS, null);
  assert.equal(o.values.failed, true);
  assert.equal(o.values.lost, null);
  assert.equal(o.texts.lost, "not reported");
});

test("verdicts: right, wrong, skipped, and no choice fitting", () => {
  const choice = {
    prediction: { kind: "choice", question: "?", choices: [
      { label: "none", when: { value: "lost", equals: 0 } }, { label: "one", when: { value: "lost", min: 1, max: 1 } }] },
    outcome: { values: { lost: { measure: "keys_lost" } }, why: "" },
  };
  assert.equal(evaluateOutcome(choice, record(), KINDS, { choice: 1 }).verdict, "right");
  assert.equal(evaluateOutcome(choice, record(), KINDS, { choice: 0 }).verdict, "wrong");
  assert.equal(evaluateOutcome(choice, record(), KINDS, { skipped: true }).verdict, "skipped");
  const noFit = { ...choice, prediction: { ...choice.prediction, choices: [choice.prediction.choices[0], { label: "many", when: { value: "lost", min: 5 } }] } };
  assert.equal(evaluateOutcome(noFit, record(), KINDS, { choice: 0 }).verdict, "unmatched");
  const number = { prediction: { kind: "number", question: "?", check: "ids", tolerance: 2 },
    outcome: { values: { ids: { measure: "ids_reissued", key: "id" } }, why: "" } };
  assert.equal(evaluateOutcome(number, record(), KINDS, { number: 13 }).verdict, "right");
  assert.equal(evaluateOutcome(number, record(), KINDS, { number: 12 }).verdict, "wrong");
});

test("conditions: largest and smallest are strict, all combines", () => {
  const v = { a: 3, b: 9, c: 9, d: 1 };
  assert.ok(conditionHolds({ smallest: "d" }, v));
  assert.ok(!conditionHolds({ largest: "b" }, v), "a tie is no largest");
  assert.ok(conditionHolds({ largest: "b", among: ["a", "b", "d"] }, v));
  assert.ok(conditionHolds({ all: [{ value: "a", min: 3 }, { value: "d", max: 1 }] }, v));
  assert.ok(!conditionHolds({ value: "missing", equals: 0 }, v));
  assert.ok(!conditionHolds({ largest: "a", among: ["a", "x"] }, v), "a missing value never wins");
});

test("values are shown with their unit; files match by pattern", () => {
  assert.equal(formatValue(null, "keys"), "not reported");
  assert.equal(formatValue(1, "keys"), "1 key");
  assert.equal(formatValue(50001, "keys"), "50,001 keys");
  assert.equal(formatValue(3.14159, "ms"), "3.14 ms");
  assert.equal(formatValue(274.94, "ms"), "274.9 ms");
  assert.equal(formatValue(31060, "bytes"), "31,060 bytes (30.3 KB)");
  assert.equal(formatValue(true, "bool"), "yes");
  const files = [{ name: "appendonlydir/a.1.base.rdb" }, { name: "appendonlydir/a.1.incr.aof" }, { name: "dump.rdb" }];
  assert.deepEqual(filesMatching(files, "appendonlydir/*").map((f) => f.name), ["appendonlydir/a.1.base.rdb", "appendonlydir/a.1.incr.aof"]);
  assert.deepEqual(filesMatching(files, "dump.rdb").length, 1);
  assert.deepEqual(filesMatching(files, "dump?rdb").length, 0, "only * is a wildcard");
});
