// The playground terminal's command knowledge (web/app/terminal/command_docs.js)
// read from the real engine's COMMAND DOCS reply: completion of command and
// subcommand names, and redis-cli 7's grey argument hints as words are typed.
//
// Needs the wasm build: PLAB_DIST (default build/wasm/dist).
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import { CommandDocs, hintAfter, isSensitive, renderSyntax, splitWords } from "../../web/app/terminal/command_docs.js";
import { LineEditor } from "../../web/app/terminal/line_editor.js";

const root = new URL("../../", import.meta.url);
const dist = resolve(process.env.PLAB_DIST ?? new URL("build/wasm/dist", root).pathname);
const { PersistLab } = await import(pathToFileURL(`${dist}/persistlab.js`).href);
const require = createRequire(new URL("web/package.json", root));
const { IDBFactory, IDBKeyRange } = await import(pathToFileURL(require.resolve("fake-indexeddb")).href);

const EXTRA = [
  { name: ".crash", hint: "process|power|torn", summary: "Crashes the lab." },
  { name: ".clock", hint: "+1s|+15m|pause|play|speed [factor]" },
  { name: ".restart", hint: "" },
];

/** The engine's COMMAND DOCS reply, as the JS API decodes it (RESP2: flat arrays). */
async function engineDocs() {
  const lab = await PersistLab.open({
    name: "docs", config: { save: "" }, indexedDB: new IDBFactory(), IDBKeyRange,
    clock: { paused: true, start: 1767225600000 },
  });
  const { reply } = await lab.exec("COMMAND DOCS");
  await lab.destroy();
  return reply;
}

const reply = await engineDocs();
const docs = new CommandDocs(reply, EXTRA);

/** The same reply with every map as a Map, as a RESP3 decoding would give it. */
function asMaps(value, isMap) {
  if (!Array.isArray(value)) return value;
  if (!isMap) return value.map((v) => asMaps(v, false));
  const map = new Map();
  for (let i = 0; i < value.length; i += 2) {
    const key = value[i];
    const mapValued = key === "subcommands" || (typeof key === "string" && !["arguments", "flags", "summary", "since", "group", "name", "type", "token"].includes(key));
    map.set(key, key === "arguments" ? value[i + 1].map((a) => asMaps(a, true)) : asMaps(value[i + 1], mapValued));
  }
  return map;
}

test("the reply arrives as RESP2 flat arrays: command name, then its docs", () => {
  assert.ok(Array.isArray(reply));
  const at = reply.indexOf("set");
  assert.ok(at >= 0 && at % 2 === 0);
  assert.ok(Array.isArray(reply[at + 1]));
  assert.ok(reply[at + 1].includes("arguments"));
});

test("command names are upper case and include containers, the lab's dot-commands, HELP and CLEAR", () => {
  const names = docs.names;
  for (const name of ["SET", "GET", "CONFIG", "OBJECT", "ZADD", ".crash", ".clock", "HELP", "CLEAR"]) {
    assert.ok(names.includes(name), name);
  }
  assert.ok(!names.includes("CONFIG SET")); // subcommands complete after their container
  assert.equal(names.length, reply.length / 2 + EXTRA.length + 2);
  assert.deepEqual(docs.lookup(["config", "set"]).entry.name, "CONFIG SET");
  assert.deepEqual(docs.entries.get("CONFIG").subcommands, ["GET", "SET", "RESETSTAT", "HELP"]);
  assert.deepEqual(docs.entries.get("OBJECT").subcommands, ["ENCODING", "REFCOUNT", "HELP"]);
});

test("completion: case-insensitive prefixes of command names, offered upper case", () => {
  assert.deepEqual(docs.complete("se"), { start: 0, candidates: ["SELECT", "SET", "SETEX", "SETNX", "SETRANGE"] });
  assert.deepEqual(docs.complete("zad"), { start: 0, candidates: ["ZADD"] });
  assert.deepEqual(docs.complete("  hgetal"), { start: 2, candidates: ["HGETALL"] });
  assert.deepEqual(docs.complete("nosuch").candidates, []);
  assert.deepEqual(docs.complete(".c").candidates, [".clock", ".crash"]);
  assert.equal(docs.complete("").candidates.length, docs.names.length);
});

test("completion of subcommands after a container, of names after HELP, of a dot-command's choices", () => {
  assert.deepEqual(docs.complete("config "), { start: 7, candidates: ["GET", "SET", "RESETSTAT", "HELP"] });
  assert.deepEqual(docs.complete("CONFIG s"), { start: 7, candidates: ["SET"] });
  assert.deepEqual(docs.complete("object enc").candidates, ["ENCODING"]);
  assert.deepEqual(docs.complete("SET k").candidates, []); // arguments are not completed
  assert.deepEqual(docs.complete("help zra").candidates, ["ZRANDMEMBER", "ZRANGE", "ZRANGEBYLEX", "ZRANGEBYSCORE", "ZRANGESTORE", "ZRANK"]);
  assert.deepEqual(docs.complete("help @so").candidates, ["@sorted-set"]);
  assert.deepEqual(docs.complete("HELP config r").candidates, ["RESETSTAT"]);
  assert.deepEqual(docs.complete(".crash p").candidates, ["process", "power"]);
  assert.deepEqual(docs.complete(".crash power ").candidates, []);
});

test("Tab in the line editor with the engine's docs: unique, common prefix, subcommand, listing", () => {
  const editor = new LineEditor({ complete: (b) => docs.complete(b), hint: (l) => docs.hint(l) });
  editor.feed("conf\t");
  assert.equal(editor.line, "CONFIG ");
  editor.feed("s\t");
  assert.equal(editor.line, "CONFIG SET ");
  editor.feed("\x15zra\t");
  assert.equal(editor.line, "ZRAN");
  const listed = editor.feed("\t").output;
  for (const name of ["ZRANDMEMBER", "ZRANGE", "ZRANGEBYLEX", "ZRANGEBYSCORE", "ZRANGESTORE", "ZRANK"]) {
    assert.ok(listed.includes(name), name);
  }
  assert.equal(editor.line, "ZRAN");
});

test("SET: the full syntax, then the hint shrinks as arguments are typed", () => {
  const ttl = "[EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]";
  assert.equal(docs.entries.get("SET").params, `key value [NX|XX] [GET] ${ttl}`);
  const cases = [
    ["SET", ` key value [NX|XX] [GET] ${ttl}`],
    ["set ", `key value [NX|XX] [GET] ${ttl}`],
    ["SET k", ` value [NX|XX] [GET] ${ttl}`],
    ["SET k ", `value [NX|XX] [GET] ${ttl}`],
    ["SET k v ", `[NX|XX] [GET] ${ttl}`],
    ["SET k v E", ` [NX|XX] [GET] ${ttl}`], // a word that fits nothing yet: hint as if not typed
    ["SET k v EX", " seconds [NX|XX] [GET]"],
    ["SET k v ex ", "seconds [NX|XX] [GET]"],
    ["SET k v EX 10 ", "[NX|XX] [GET]"],
    ["SET k v KEEPTTL ", "[NX|XX] [GET]"],
    ["SET k v XX ", `[GET] ${ttl}`],
    ["SET k v GET NX ", ttl],
    ["SET k v NX GET PX 5 ", ""],
    ["SET k v FOOBAR ", ""], // a word that fits nowhere: no hint
    ["SET k v NX XX ", ""], // a one-of taken twice
    ['SET "my key" "a value" ', `[NX|XX] [GET] ${ttl}`],
    ['SET "my key', ""], // unbalanced quotes
  ];
  for (const [line, hint] of cases) assert.equal(docs.hint(line), hint, line);
});

test("CONFIG SET and OBJECT ENCODING get their own hints; a container hints its subcommands", () => {
  assert.equal(docs.hint("CONFIG SET "), "parameter value [parameter value ...]");
  assert.equal(docs.hint("config set maxmemory "), "value [parameter value ...]");
  assert.equal(docs.hint("CONFIG SET save 60 "), "[parameter value ...]");
  assert.equal(docs.hint("CONFIG SET save 60 appendonly "), "value [parameter value ...]");
  assert.equal(docs.hint("CONFIG GET "), "parameter [parameter ...]");
  assert.equal(docs.hint("OBJECT ENCODING "), "key");
  assert.equal(docs.hint("OBJECT ENCODING k "), "");
  assert.equal(docs.hint("CONFIG"), " GET|SET|RESETSTAT|HELP");
  assert.equal(docs.hint("CONFIG NOSUCH "), "");
});

test("ZADD: options in any order until the score starts, then score/member pairs repeat", () => {
  const pairs = "score member [score member ...]";
  assert.equal(docs.entries.get("ZADD").params, `key [NX|XX] [GT|LT] [CH] [INCR] ${pairs}`);
  assert.equal(docs.hint("ZADD z "), `[NX|XX] [GT|LT] [CH] [INCR] ${pairs}`);
  assert.equal(docs.hint("ZADD z CH "), `[NX|XX] [GT|LT] [INCR] ${pairs}`);
  assert.equal(docs.hint("ZADD z ch lt nx "), `[INCR] ${pairs}`);
  assert.equal(docs.hint("ZADD z 1 "), "member [score member ...]");
  assert.equal(docs.hint("ZADD z NX 1 one "), "[score member ...]");
  assert.equal(docs.hint("ZADD z 1 one 2 "), "member [score member ...]");
});

test("other shapes: optional groups, repeats that stop before the next token, one-of choices", () => {
  assert.equal(docs.hint("SCAN 0 "), "[MATCH pattern] [COUNT count] [TYPE type]");
  assert.equal(docs.hint("SCAN 0 COUNT "), "count [MATCH pattern] [TYPE type]");
  assert.equal(docs.hint("SCAN 0 COUNT 5 "), "[MATCH pattern] [TYPE type]");
  assert.equal(docs.hint("MGET a "), "[key ...]");
  assert.equal(docs.hint("MGET a b c "), "[key ...]");
  assert.equal(docs.hint("SINTERCARD 2 a b LIMIT "), "limit");
  assert.equal(docs.hint("LMPOP 2 a b LEFT "), "[COUNT count]");
  assert.equal(docs.hint("HELLO 3 AUTH u "), "password [SETNAME clientname]");
  // A later option closes a repeated one, even one inside a block.
  assert.equal(docs.hint("CLIENT LIST ID 1 "), "[client-id ...] [TYPE NORMAL|MASTER|REPLICA|PUBSUB]");
  assert.equal(docs.hint("CLIENT LIST ID 1 2 TYPE normal "), "");
  assert.equal(docs.hint("CLIENT LIST TYPE normal ID 5 "), "[client-id ...]");
  assert.equal(docs.hint("CLIENT KILL ID 7 "), "[TYPE NORMAL|MASTER|SLAVE|REPLICA|PUBSUB] [USER username] [ADDR ip:port] [LADDR ip:port] [SKIPME YES|NO]");
  assert.equal(docs.hint("GET k "), "");
  assert.equal(docs.hint("NOSUCH "), "");
  assert.equal(docs.hint("3 INCR "), "key"); // redis-cli's repeat count
  assert.deepEqual(docs.complete("10 inc").candidates, ["INCR", "INCRBY", "INCRBYFLOAT"]);
  assert.equal(docs.hint("   "), "");
});

test("dot-commands: their hint string, shortened a word per argument as redis-cli 7.0 did", () => {
  assert.equal(docs.hint(".crash"), " process|power|torn");
  assert.equal(docs.hint(".CRASH "), "process|power|torn");
  assert.equal(docs.hint(".crash power "), "");
  assert.equal(docs.hint(".clock speed "), "[factor]");
  assert.equal(docs.hint(".restart "), "");
});

test("RESP3-shaped docs (Maps) give the same names, syntax and hints", () => {
  const fromMaps = new CommandDocs(asMaps(reply, true), EXTRA);
  assert.ok(fromMaps.entries.get("SET").params.startsWith("key value [NX|XX]"));
  for (const name of ["SET", "ZADD", "CONFIG SET", "OBJECT ENCODING", "CLIENT KILL"]) {
    assert.equal(fromMaps.entries.get(name).params, docs.entries.get(name).params, name);
  }
  assert.equal(fromMaps.hint("SET k v EX "), "seconds [NX|XX] [GET]");
  assert.deepEqual(fromMaps.complete("config s").candidates, ["SET"]);
});

test("before the docs arrive, only the terminal's and the lab's own commands are known", () => {
  const none = new CommandDocs(null, EXTRA);
  assert.deepEqual(none.names, [".clock", ".crash", ".restart", "CLEAR", "HELP"]);
  assert.equal(none.hint("SET "), "");
  assert.equal(none.hint(".crash "), "process|power|torn");
});

test("argument types from Redis's docs the engine does not use: integers, doubles, display text, tokens repeated", () => {
  const arg = (name, type, extra = {}) => ({
    name, type, token: null, optional: false, multiple: false, multipleToken: false, display: null, args: [], ...extra,
  });
  const args = [
    arg("key", "key"),
    arg("count", "integer", { optional: true }),
    arg("score", "double", { token: "MIN" }),
    arg("range", "block", { optional: true, multiple: true, multipleToken: true, token: "RANGE", args: [arg("from", "unix-time"), arg("to", "string", { display: "end" })] }),
    arg("empty", "pure-token", { token: "", optional: true }),
  ];
  assert.equal(renderSyntax(args), 'key [count] MIN score [RANGE from end [RANGE from end ...]] [""]');
  assert.equal(hintAfter(args, ["k", "5"]), 'MIN score [RANGE from end [RANGE from end ...]] [""]');
  assert.equal(hintAfter(args, ["k", "five"]), null); // not an integer, not the MIN token
  assert.equal(hintAfter(args, ["k", "MIN", "1.5e3"]), '[RANGE from end [RANGE from end ...]] [""]');
  assert.equal(hintAfter(args, ["k", "MIN", "x"]), null); // not a double
  assert.equal(hintAfter(args, ["k", "MIN", "-inf", "RANGE", "10"]), 'end [RANGE from end ...] [""]');
  assert.equal(hintAfter(args, ["k", "MIN", "1", "RANGE", "1", "2", "RANGE"]), 'from end [RANGE from end ...] [""]');
  assert.equal(hintAfter(args, ["k", "MIN", "1", "RANGE", "soon"]), null); // unix-time is an integer
});

test("splitWords splits like redis-cli: quotes, escapes, the word being typed", () => {
  assert.deepEqual(splitWords('SET "a b" \'c d\' e'), { words: ["SET", "a b", "c d", "e"], open: true });
  assert.deepEqual(splitWords('ECHO "x\\ty\\x41" '), { words: ["ECHO", "x\tyA"], open: false });
  assert.deepEqual(splitWords("ECHO 'it\\'s'"), { words: ["ECHO", "it's"], open: true });
  assert.equal(splitWords('ECHO "open'), null);
  assert.equal(splitWords('ECHO "a"b'), null); // a closing quote must end the word
  assert.deepEqual(splitWords("   "), { words: [], open: false });
});

test("sensitive lines stay out of history, as in redis-cli", () => {
  for (const line of ["AUTH pw", "auth user pw", "HELLO 3 AUTH u p", "MIGRATE h 1 k 0 5 AUTH pw",
    "ACL SETUSER bob on >pw", "CONFIG SET requirepass x", "config set save 60 masterauth x"]) {
    assert.equal(isSensitive(line), true, line);
  }
  for (const line of ["GET auth", "HELLO 3", "CONFIG SET save 60", "ACL WHOAMI", "SET requirepass x"]) {
    assert.equal(isSensitive(line), false, line);
  }
});
