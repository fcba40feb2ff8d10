// Compare mode's data and pure logic (web/app/compare/workloads.js and
// analysis.js): the built-in workloads, the history filter, the search of a
// recovered digest among the recorded ones, loss accounting against each
// setup's bound, and the sentences that describe the ordering. The
// experiment itself (six labs in the worker) is exercised in Chromium.
import assert from "node:assert/strict";
import { test } from "node:test";

const compareDir = new URL("../../web/app/compare/", import.meta.url);
const W = await import(new URL("workloads.js", compareDir).href);
const A = await import(new URL("analysis.js", compareDir).href);

const MAX_CRASH_DELAY_MS = 600_000; // compare.js LIMITS.delay

test("every built-in workload spans a few virtual minutes", () => {
  assert.ok(W.WORKLOADS.length >= 5);
  for (const w of W.WORKLOADS) {
    const span = W.spanMs(w);
    assert.ok(span >= 2 * 60_000 && span <= 10 * 60_000, `${w.id} spans ${span} ms`);
    assert.equal(new Set(W.WORKLOADS.map((x) => x.id)).size, W.WORKLOADS.length);
  }
});

test("the built-in workloads include the explainer's cases", () => {
  const all = W.WORKLOADS.flatMap((w) => w.templates).join("\n");
  for (const command of ["INCR ", "EX ", "HSET ", "HINCRBY ", "ZINCRBY "]) assert.ok(all.includes(command), command);
});

test("expanding a workload is deterministic and fills every placeholder", () => {
  for (const w of W.WORKLOADS) {
    const a = W.expandWorkload(w);
    const b = W.expandWorkload(w);
    assert.equal(a.length, w.size);
    assert.deepEqual(a, b);
    for (const line of a) assert.ok(!/[{}]/.test(line), `${w.id}: ${line}`);
  }
});

test("{n} follows the round, so HSET payment:{n} names the ID the INCR before it issued", () => {
  const lines = W.expandWorkload({ templates: ["INCR id", "HSET p:{n} x {i}"], size: 6 });
  assert.deepEqual(lines, ["INCR id", "HSET p:1 x 2", "INCR id", "HSET p:2 x 4", "INCR id", "HSET p:3 x 6"]);
});

test("{rand N} stays within 1..N, varies, and differs between placeholders of one line", () => {
  const lines = W.expandWorkload({ templates: ["ZINCRBY b {rand 5} p:{rand 5}"], size: 400 });
  const draws = lines.map((l) => l.split(" ")).map(([, , a, b]) => [Number(a), Number(b.slice(2))]);
  const seen = new Set(draws.flat());
  assert.deepEqual([...seen].sort(), [1, 2, 3, 4, 5]);
  assert.ok(draws.some(([a, b]) => a !== b));
});

test("built-in workloads avoid commands with random results", () => {
  const random = /^(spop|srandmember|randomkey|zrandmember|hrandfield)$/;
  for (const w of W.WORKLOADS) {
    for (const t of w.templates) assert.ok(!random.test(W.commandName(t)), `${w.id}: ${t}`);
  }
});

test("a key given a TTL by a built-in workload outlives the run and the longest crash delay", () => {
  for (const w of W.WORKLOADS) {
    for (const t of w.templates) {
      if (!W.setsTtl(t)) continue;
      const m = /\s(EX|PX)\s+(\d+)/i.exec(t);
      assert.ok(m, `${w.id}: a TTL the test can read in ${t}`);
      const ttlMs = Number(m[2]) * (m[1].toUpperCase() === "EX" ? 1000 : 1);
      assert.ok(ttlMs > W.spanMs(w) + MAX_CRASH_DELAY_MS, `${w.id}: ${t}`);
    }
  }
});

test("the terminal's history keeps command lines, drops dot-commands, expands repeats", () => {
  const lines = W.historyLines(["SET a 1", ".crash power", "  ", "3 INCR n", 42, ".restart", "get a", "1000 INCR m"], 5);
  assert.deepEqual(lines, ["SET a 1", "INCR n", "INCR n", "INCR n", "get a", "INCR m", "INCR m", "INCR m", "INCR m", "INCR m"]);
  assert.deepEqual(W.historyLines("not an array"), []);
  assert.deepEqual(W.historyLines(null), []);
});

test("setsTtl recognises TTL commands and SET's expiry options only", () => {
  for (const l of ["EXPIRE k 10", "set k v ex 5", "SET k v PXAT 1", "SETEX k 1 v", "getex k persist"]) assert.ok(W.setsTtl(l), l);
  for (const l of ["SET k v", "SET ex v", "HSET h ex 1", "PERSIST k"]) assert.ok(!W.setsTtl(l), l);
});

test("each setup opens with the parameters that make it what it is", () => {
  const opts = { saveRules: "60 1", rewriteMinSize: "1mb" };
  const byId = Object.fromEntries(A.SETUPS.map((s) => [s.id, A.setupConfig(s, opts)]));
  assert.deepEqual(Object.keys(byId), ["none", "rdb", "always", "everysec", "no", "hybrid"]);
  assert.deepEqual(byId.none, { appendonly: "no", save: "" });
  assert.deepEqual(byId.rdb, { appendonly: "no", save: "60 1" });
  for (const id of ["always", "everysec", "no"]) {
    assert.equal(byId[id].appendonly, "yes");
    assert.equal(byId[id].appendfsync, id);
    assert.equal(byId[id]["aof-use-rdb-preamble"], "no");
    assert.equal(byId[id].save, "");
  }
  assert.equal(byId.hybrid["aof-use-rdb-preamble"], "yes");
  assert.equal(byId.hybrid.appendfsync, "everysec");
  assert.equal(byId.hybrid["auto-aof-rewrite-min-size"], "1mb");
  assert.equal(A.configText(byId.rdb), 'appendonly no · save "60 1"');
  assert.equal(A.configText(byId.none), 'appendonly no · save ""');
});

test("the recovered digest is found at the last step that had it", () => {
  const digests = ["e", "a", "b", "b", "c"];
  assert.equal(A.lastMatchingStep(digests, "c"), 4);
  assert.equal(A.lastMatchingStep(digests, "b"), 3);
  assert.equal(A.lastMatchingStep(digests, "e"), 0);
  assert.equal(A.lastMatchingStep(digests, "z"), -1);
});

/** n write steps, one every `pace` ms from t0 + pace; `notWrites` are SELECTs. */
function steps(n, { pace = 250, t0 = 0, notWrites = [] } = {}) {
  return Array.from({ length: n }, (_, k) => {
    const write = !notWrites.includes(k);
    return { line: write ? `INCR c` : "SELECT 0", write, acked: write, at: t0 + (k + 1) * pace };
  });
}
const digestsFor = (n) => Array.from({ length: n + 1 }, (_, k) => `d${k}`);

test("writes lost are exactly the acknowledged writes after the matched step", () => {
  const s = steps(10, { notWrites: [8] });
  const d = digestsFor(10);
  const r = A.accountLoss({ steps: s, digests: d, recovered: "d6", boundStart: -Infinity });
  assert.equal(r.matched, 6);
  assert.equal(r.lost, 3); // steps 6, 7 and 9 (step 8 is a SELECT)
  assert.equal(r.firstLostAt, 7 * 250);
  assert.equal(r.within, true);
  assert.equal(A.accountLoss({ steps: s, digests: d, recovered: "d10", boundStart: Infinity }).lost, 0);
  assert.equal(A.accountLoss({ steps: s, digests: d, recovered: "d0", boundStart: -Infinity }).lost, 9);
});

test("writes the engine refused are not acknowledged, so not counted as lost", () => {
  const s = steps(4);
  s[3].acked = false;
  assert.equal(A.accountLoss({ steps: s, digests: digestsFor(4), recovered: "d2", boundStart: -Infinity }).lost, 1);
});

test("a recovered state that matches no step is reported as never having existed", () => {
  const r = A.accountLoss({ steps: steps(3), digests: digestsFor(3), recovered: "zz", boundStart: -Infinity });
  assert.equal(r.neverExisted, true);
  assert.equal(r.lost, null);
  assert.equal(r.within, false);
  const down = A.accountLoss({ steps: steps(3), digests: digestsFor(3), recovered: null, boundStart: 0 });
  assert.equal(down.neverExisted, false);
  assert.equal(down.within, null);
});

test("a loss is within the bound only if every lost write was acknowledged inside its window", () => {
  const s = steps(40, { pace: 250 }); // writes at 250 .. 10000
  const d = digestsFor(40);
  const everysec = A.SETUPS.find((x) => x.id === "everysec");
  const start = A.boundStart(everysec, null, { crashAt: 10_000, lastSaveStart: null, slackMs: 100 });
  assert.equal(start, 10_000 - 2000 - 100);
  // Lost the writes from 8250 on: inside the 2 s window.
  assert.equal(A.accountLoss({ steps: s, digests: d, recovered: "d32", boundStart: start }).within, true);
  // Lost the writes from 7500 on: one of them is older than the window.
  assert.equal(A.accountLoss({ steps: s, digests: d, recovered: "d29", boundStart: start }).within, false);
});

test("bounds: none may lose everything, always nothing, RDB what came after the last save's fork", () => {
  const at = { crashAt: 60_000, lastSaveStart: 30_000, slackMs: 100 };
  const by = (id) => A.SETUPS.find((s) => s.id === id);
  assert.equal(A.boundStart(by("none"), null, at), -Infinity);
  assert.equal(A.boundStart(by("always"), null, at), Infinity);
  assert.equal(A.boundStart(by("rdb"), null, at), 30_000);
  assert.equal(A.boundStart(by("rdb"), null, { ...at, lastSaveStart: null }), -Infinity);
  assert.equal(A.boundStart(by("no"), null, at), 60_000 - 30_000 - 100);
  // The engine's stated window wins over the fallback.
  assert.equal(A.boundStart(by("everysec"), { windowMs: 1000 }, at), 60_000 - 1000 - 100);
  assert.equal(A.boundStart(by("everysec"), { windowMs: null }, at), 60_000 - 2000 - 100);
  assert.equal(A.boundStart(by("always"), { windowMs: 0 }, at), Infinity);
});

test("the engine's promise decides the bound when the lab states one", () => {
  const at = { crashAt: 60_000, lastSaveStart: 30_000, slackMs: 100 };
  const by = (id) => A.SETUPS.find((s) => s.id === id);
  // "less than window_ms before the crash": a write exactly 1100 ms before is promised.
  assert.equal(A.boundStart(by("everysec"), { kind: "window", window_ms: 1100 }, at), 60_000 - 1100 + 1);
  assert.equal(A.boundStart(by("rdb"), { kind: "since-save", since_ms: 12_345 }, at), 12_345);
  assert.equal(A.boundStart(by("everysec"), { kind: "window", windowMs: 900 }, at), 60_000 - 900 + 1);
  assert.equal(A.boundStart(by("always"), { kind: "no-loss" }, at), Infinity);
  assert.equal(A.boundStart(by("none"), { kind: "none" }, at), -Infinity);
  // A kind without its number falls back to the documented bound.
  assert.equal(A.boundStart(by("rdb"), { kind: "since-save" }, at), 30_000);
});

test("a process crash may lose nothing under any AOF policy", () => {
  const at = { crashAt: 60_000, crashKind: "process", lastSaveStart: null, slackMs: 100 };
  for (const s of A.SETUPS) {
    const start = A.boundStart(s, { kind: "window", window_ms: 1100 }, at);
    if (s.kind === "aof") assert.equal(start, Infinity, s.id);
    else assert.notEqual(start, Infinity, s.id);
  }
});

test("writes that change nothing the digest sees are counted", () => {
  const s = steps(4);
  assert.equal(A.invisibleWrites(s, ["a", "b", "b", "c", "c"]), 2);
  assert.equal(A.invisibleWrites(s, ["a", "b", "c", "d", "e"]), 0);
});

const setup = (id) => A.SETUPS.find((s) => s.id === id);
const row = (id, lost, within = true) => ({ setup: setup(id), lost, within });

test("the ordering sentence ranks setups by writes lost, ties joined", () => {
  const rows = [row("none", 100), row("rdb", 100), row("always", 0), row("everysec", 4), row("no", 60), row("hybrid", 4)];
  const [order, ...rest] = A.orderingSentences(rows, 100);
  assert.equal(order, "From fewest to most writes lost: AOF always (0) < AOF everysec = hybrid (4) < AOF no (60) < none = RDB (100).");
  assert.ok(rest.includes("AOF always lost nothing."));
  assert.ok(rest.some((s) => s.startsWith("RDB lost the most of the setups that write to disk: 100 writes (100% of the workload).")));
  assert.ok(rest.some((s) => s.includes("as much as no persistence at all")));
  assert.ok(rest.includes("Every setup stayed within its stated bound."));
});

test("the ordering sentences follow the numbers, not a fixed story", () => {
  const rows = [row("none", 500), row("rdb", 20), row("always", 0), row("everysec", 0), row("no", 90, false), row("hybrid", 0)];
  const out = A.orderingSentences(rows, 500);
  assert.ok(out.includes("AOF always, AOF everysec and hybrid lost nothing."));
  assert.ok(out.some((s) => s.startsWith("AOF no lost the most of the setups that write to disk: 90 writes (18% of the workload).")));
  assert.ok(!out.some((s) => s.includes("no persistence at all")));
  assert.ok(out.includes("AOF no lost more than its stated bound allows."));
  assert.ok(!out.includes("Every setup stayed within its stated bound."));
});

test("setups whose state never existed are left out of the ranking and named", () => {
  const rows = [row("none", 10), { setup: setup("rdb"), lost: null, within: false, neverExisted: true }, row("always", 0)];
  const out = A.orderingSentences(rows, 10);
  assert.equal(out[0], "From fewest to most writes lost: AOF always (0) < none (10).");
  assert.ok(out.includes("RDB recovered a state that never existed: a bug, shown here rather than hidden."));
  assert.ok(!out.some((s) => s.includes("stated bound")));
  assert.deepEqual(A.orderingSentences([{ setup: setup("rdb"), lost: null, within: null }], 5).length, 1);
});

test("percentages and word lists read naturally", () => {
  assert.equal(A.percent(0, 10), "0%");
  assert.equal(A.percent(10, 10), "100%");
  assert.equal(A.percent(1, 3), "33%");
  assert.equal(A.percent(1, 40), "2.5%");
  assert.equal(A.percent(1, 5000), "<0.1%");
  assert.equal(A.percent(1, 0), "—");
  assert.equal(A.listWords(["a"]), "a");
  assert.equal(A.listWords(["a", "b", "c"]), "a, b and c");
  assert.equal(A.writes(1), "1 write");
  assert.equal(A.writes(1200), "1,200 writes");
});

test("divergent samples name the steps where labs held different data", () => {
  const samples = [{ step: 5, digests: ["a", "a", "a"] }, { step: 10, digests: ["b", "b", "x"] }];
  assert.deepEqual(A.divergentSamples(samples), [10]);
  assert.deepEqual(A.divergentSamples([]), []);
});
