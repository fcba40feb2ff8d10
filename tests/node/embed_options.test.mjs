// The embed's options (web/embed/options.js: <persist-lab>'s attributes and
// embed.html's parameters), its storage-namespace rule, and the build's
// scoping of the playground's stylesheet (web/embed/build.mjs scopeCss).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

const { labName, LIMITS, readOptions, splitLines } = await import(new URL("../../web/embed/options.js", import.meta.url).href);
const { scopeCss } = await import(new URL("../../web/embed/build.mjs", import.meta.url).href);

const read = (attrs) => readOptions((name) => (name in attrs ? attrs[name] : null));

test("no attributes: IndexedDB, auto theme, crash buttons and the report, 640 px", () => {
  const { options, problems } = read({});
  assert.deepEqual(problems, []);
  assert.deepEqual(options, {
    id: "", scenario: "", storage: "indexeddb", theme: "auto", config: {}, commands: [],
    panels: ["crash", "report"], height: 640,
  });
});

test("persistence settings come from config pairs and the shorthand attributes, the shorthands winning", () => {
  const { options, problems } = read({
    config: "aof-use-rdb-preamble yes\nAUTO-AOF-REWRITE-PERCENTAGE 50; appendfsync no",
    appendonly: "yes", appendfsync: "always", save: '""',
  });
  assert.deepEqual(problems, []);
  assert.deepEqual(options.config, {
    "aof-use-rdb-preamble": "yes", "auto-aof-rewrite-percentage": "50", appendfsync: "always", appendonly: "yes", save: "",
  });
});

test("commands split on new lines and on semicolons outside quotes", () => {
  assert.deepEqual(splitLines(`SET a "x;y"; SET b 'p;q'\nINCR n;;`), ['SET a "x;y"', "SET b 'p;q'", "INCR n", "", ""]);
  assert.deepEqual(read({ commands: "SET a 1;\n\n INCR n ; .crash power" }).options.commands, ["SET a 1", "INCR n", ".crash power"]);
});

test("panels: a subset in a fixed order, none, and a height that follows them", () => {
  assert.deepEqual(read({ panels: "disk, crash clock" }).options.panels, ["crash", "disk", "clock"]);
  assert.deepEqual(read({ panels: "none" }).options.panels, []);
  assert.equal(read({ panels: "crash" }).options.height, 400);
  assert.equal(read({ panels: "crash", height: "480px" }).options.height, 480);
});

test("each bad value is a problem naming its attribute, with the value quoted and cut", () => {
  const { problems } = read({
    storage: "../../x", height: "-1", theme: "<script>alert(1)</script>", id: "a b",
    panels: "report graphs", scenario: "../etc", config: "= 1", commands: "PING;".repeat(LIMITS.commands + 1),
  });
  const by = Object.fromEntries(problems.map((p) => [p.attribute, p.message]));
  assert.deepEqual(Object.keys(by).sort(), ["commands", "config", "height", "id", "panels", "scenario", "storage", "theme"]);
  assert.match(by.storage, /^must be indexeddb or memory, not "\.\.\/\.\.\/x"$/);
  assert.match(by.height, /from 200 to 2000, not "-1"/);
  assert.match(by.panels, /"graphs"/);
  assert.match(by.commands, /has 51 lines/);
  assert.ok(by.theme.length < 120, by.theme);
});

test("an attribute longer than the limit is refused before it is parsed", () => {
  const { options, problems } = read({ commands: "SET k v;".repeat(12_800) });
  assert.deepEqual(problems, [{ attribute: "commands", message: "is 102400 characters long (at most 4000)" }]);
  assert.deepEqual(options.commands, []);
});

test("a scenario can't be combined with settings or commands", () => {
  assert.deepEqual(read({ scenario: "whiteboard" }).problems, []);
  assert.equal(read({ scenario: "whiteboard", appendonly: "yes" }).problems[0].attribute, "scenario");
});

test("storage namespaces: page path + id, or + position; index.html and the two kinds never collide", () => {
  assert.equal(labName("embed", "/guide/aof.html", "demo", 3), "embed:/guide/aof.html#demo");
  assert.equal(labName("embed", "/guide/aof.html", "", 3), "embed:/guide/aof.html@3");
  assert.equal(labName("embed", "/guide/index.html", "", 1), labName("embed", "/guide/", "", 1));
  assert.notEqual(labName("embed", "/g/", "1", 1), labName("embed", "/g/", "", 1));
  assert.notEqual(labName("embed", "/g/", "x", 1), labName("frame", "/g/", "x", 1));
});

test("the playground's stylesheet, scoped: every rule under .plab-scope, the dark palette forced or chosen", () => {
  const app = readFileSync(new URL("../../web/app/app.css", import.meta.url), "utf8");
  const scoped = scopeCss(app);
  const [imports, rules] = [scoped.slice(0, scoped.indexOf(".plab-scope {")), scoped.slice(scoped.indexOf(".plab-scope {"))];
  assert.match(imports, /^@import "plab-scoped:\.\/terminal\/terminal\.css";$/m, "relative imports are scoped too");
  assert.match(imports, /^@import "uplot\/dist\/uPlot\.min\.css";$/m, "package stylesheets are imported as they are");
  assert.ok(rules.trimEnd().endsWith("}") && !/:root|@import/.test(rules));
  assert.match(rules, /@media \(prefers-color-scheme: dark\) \{ &:not\(\[data-theme="light"\]\) \{[^}]*--bg: #0d1117/);
  assert.match(rules, /&\[data-theme="dark"\] \{[^}]*--bg: #0d1117/);
  assert.equal(scopeCss(".x { color: red }\n"), ".plab-scope {\n.x { color: red }\n\n}\n");
  assert.throws(() => scopeCss(":root {\n  --bg: white;\n}\n"), /without its dark twin/);
});
