// The JS API (web/src/persistlab.js) end to end in node: the real wasm
// engine, IndexedDB from fake-indexeddb. Loss accounting per policy follows
// the AOF issue's expectations: a process crash loses nothing; a power loss
// loses nothing under always, at most the last ~2 s under everysec, at most
// the last ~30 s under no, and exactly what came after the last save with
// RDB only.
//
// Needs the wasm build: PLAB_DIST (default build/wasm/dist) holds
// persistlab.js next to plab_wasm.mjs/.wasm.
import assert from "node:assert/strict";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";

import { IDBFactory, IDBKeyRange, spyOnReadwrite } from "./fake_idb.mjs";

const root = new URL("../../", import.meta.url);
const dist = resolve(process.env.PLAB_DIST ?? new URL("build/wasm/dist", root).pathname);
const { PersistLab } = await import(pathToFileURL(`${dist}/persistlab.js`).href);

// Each test gets its own IndexedDB (a fresh "browser profile") and a paused
// virtual clock it moves by hand, so timing never depends on the machine.
function profile() {
  return new IDBFactory();
}

async function open(indexedDB, name, config, clock = { paused: true, start: 1767225600000 }) {
  return PersistLab.open({ name, config, indexedDB, IDBKeyRange, clock });
}

/** Sends `n` INCRs one at a time, `stepMs` of virtual time apart. */
async function incrEvery(lab, n, stepMs) {
  const acks = [];
  for (let i = 0; i < n; i++) {
    const { reply } = await lab.exec("INCR c");
    acks.push({ value: reply, at: lab.clock.now() });
    await lab.clock.advance(stepMs);
  }
  return acks;
}

async function counter(lab) {
  return Number((await lab.exec("GET c")).reply ?? 0);
}

test("exec answers like Redis and renders like redis-cli", async () => {
  const lab = await open(profile(), "basics", { save: "" });
  assert.deepEqual((await lab.exec("SET k v")).reply, "OK");
  const incr = await lab.exec(["INCRBY", "n", 41]);
  assert.equal(incr.reply, 41);
  assert.equal(incr.text, "(integer) 41");
  assert.equal((await lab.exec('SET s "a b"')).text, "OK");
  assert.equal((await lab.exec("GET s")).text, '"a b"');
  assert.equal((await lab.exec("GET nope")).reply, null);
  assert.equal((await lab.exec("GET nope")).text, "(nil)");
  const err = await lab.exec("NOSUCH x");
  assert.equal(err.reply.error, "ERR unknown command 'NOSUCH', with args beginning with: 'x' ");
  assert.match(err.text, /^\(error\) ERR unknown command/);
  assert.equal((await lab.exec('ECHO "unbalanced')).reply.error,
               "ERR Protocol error: unbalanced quotes in request");
  await lab.exec(["RPUSH", "l", "a", "b"]);
  const range = await lab.exec("LRANGE l 0 -1");
  assert.deepEqual(range.reply, ["a", "b"]);
  assert.equal(range.text, '1) "a"\n2) "b"');
  // Binary-safe arguments round-trip.
  await lab.exec(["SET", "bin", new Uint8Array([0, 255, 10])]);
  assert.equal((await lab.exec("STRLEN bin")).reply, 3);
  const many = await lab.execMany(["INCR m", "INCR m", ["GET", "m"]]);
  assert.deepEqual(many.map((r) => r.reply), [1, 2, "2"]);
  await lab.destroy();
});

test("bad calls are rejected promises, never engine errors", async () => {
  const lab = await open(profile(), "errors", { save: "" });
  await assert.rejects(lab.exec(""), /empty command/);
  await assert.rejects(lab.exec([]), /non-empty array/);
  await assert.rejects(lab.exec([{}]), /strings, numbers or Uint8Arrays/);
  await assert.rejects(lab.crash("meteor"), /crash kind/);
  assert.throws(() => lab.readFile("nope"), /no such file/);
  await lab.crash("process");
  await assert.rejects(lab.exec("PING"), /server is down \(process crash\); call restart/);
  await lab.destroy();
  await assert.rejects(lab.exec("PING"), /closed/);
  await assert.rejects(PersistLab.open({ name: "" }), /needs a name/);
  await assert.rejects(open(profile(), "badconf", { appendfsync: "sometimes" }),
                       /config 'appendfsync' 'sometimes'/);
});

test("a process crash loses nothing under every policy", async () => {
  for (const policy of ["always", "everysec", "no"]) {
    const idb = profile();
    const lab = await open(idb, "proc-" + policy, { appendonly: "yes", appendfsync: policy, save: "" });
    const acks = await incrEvery(lab, 20, 50);
    await lab.crash("process");
    const { report, diff } = await lab.restart();
    assert.equal(report.source, "aof");
    assert.equal(await counter(lab), acks.length, policy);
    assert.equal(diff.counts.lost + diff.counts.changed, 0, policy);
    await lab.destroy();
  }
});

test("a power loss keeps every acknowledged write under appendfsync always", async () => {
  const idb = profile();
  const lab = await open(idb, "always", { appendonly: "yes", appendfsync: "always", save: "" });
  const acks = await incrEvery(lab, 50, 10);
  await lab.crash("power");
  await lab.restart();
  assert.equal(await counter(lab), acks.length);
  await lab.close();
  // What IndexedDB holds is what the engine made durable: a new page sees it.
  const again = await open(idb, "always", { appendonly: "yes", appendfsync: "always", save: "" });
  assert.equal(await counter(again), acks.length);
  await again.destroy();
});

test("everysec loses at most the last two seconds on power loss", async () => {
  const lab = await open(profile(), "everysec", { appendonly: "yes", appendfsync: "everysec", save: "" });
  const acks = await incrEvery(lab, 100, 100); // 10 s of writes
  // One more, just after the fsync of second 10: it can't be durable yet.
  const { reply } = await lab.exec("INCR c");
  acks.push({ value: reply, at: lab.clock.now() });
  const crashAt = lab.clock.now();
  await lab.crash("power");
  const { diff } = await lab.restart();
  const value = await counter(lab);
  const mustHave = acks.filter((a) => a.at <= crashAt - 2000).length;
  assert.ok(value >= mustHave, `${value} >= ${mustHave}`);
  assert.ok(value < acks.length, "some of the last second's writes were not yet fsynced");
  // The diff tells the story: the counter went back.
  assert.equal(diff.counts.changed, 1);
  assert.equal(diff.changed[0].key, "c");
  assert.equal(diff.changed[0].before, `"${acks.length}"`);
  assert.equal(diff.changed[0].after, `"${value}"`);
  await lab.destroy();
});

test("appendfsync no loses at most the kernel's 30 s writeback window", async () => {
  const lab = await open(profile(), "nofsync", { appendonly: "yes", appendfsync: "no", save: "" });
  // 45 s of writes: the flusher wrote the file out once, at 30 s.
  const acks = await incrEvery(lab, 45, 1000);
  const crashAt = lab.clock.now();
  await lab.crash("power");
  await lab.restart();
  const value = await counter(lab);
  const mustHave = acks.filter((a) => a.at <= crashAt - 31000).length;
  assert.ok(value >= mustHave, `${value} >= ${mustHave}`);
  assert.ok(value < acks.length);
  await lab.destroy();
});

test("RDB only loses exactly what came after the last save", async () => {
  const lab = await open(profile(), "rdb", { appendonly: "no", save: "" });
  const saves = [];
  lab.on("save", (line) => saves.push(line));
  await incrEvery(lab, 10, 10);
  assert.equal((await lab.exec("SAVE")).reply, "OK");
  assert.equal(saves.length, 1);
  await incrEvery(lab, 5, 10);
  await lab.crash("power");
  const { report, diff } = await lab.restart();
  assert.equal(report.source, "rdb");
  assert.equal(await counter(lab), 10);
  assert.deepEqual(diff.changed.map((e) => [e.before, e.after]), [['"15"', '"10"']]);
  await lab.destroy();
});

test("a torn power loss restarts on a prefix of the history", async () => {
  for (const seed of [1, 2, 3]) {
    const lab = await open(profile(), "torn", { appendonly: "yes", appendfsync: "no", save: "" });
    await lab.execMany(Array.from({ length: 300 }, () => "INCR c"));
    await lab.crash("torn", { seed });
    const { report } = await lab.restart();
    const value = await counter(lab);
    assert.ok(value >= 0 && value <= 300, `seed ${seed}: ${value}`);
    assert.equal(report.error ?? "", "");
    await lab.destroy();
  }
});

test("files() shows written versus durable bytes", async () => {
  const lab = await open(profile(), "files", { appendonly: "yes", appendfsync: "everysec", save: "" });
  await lab.exec("SET k v");
  const incr = () => lab.files().find((f) => f.name.endsWith(".incr.aof"));
  assert.ok(incr().written > incr().durable, "written before the everysec fsync");
  const fsyncs = [];
  lab.on("fsync", (e) => fsyncs.push(e));
  // Redis fsyncs once the second changed: within 2 s.
  await lab.clock.advance(2000);
  assert.equal(incr().written, incr().durable);
  assert.ok(fsyncs.some((e) => e.files.some((f) => f.name.endsWith(".incr.aof"))));
  const bytes = lab.readFile(incr().name);
  assert.match(new TextDecoder().decode(bytes), /\*3\r\n\$3\r\nSET\r\n\$1\r\nk\r\n\$1\r\nv\r\n/);
  await lab.destroy();
});

test("two labs never see each other's data, and one name has one writer", async () => {
  const idb = profile();
  const left = await open(idb, "left", { save: "60 1" });
  const right = await open(idb, "right", { save: "60 1" });
  await left.exec("SET side left");
  assert.equal((await right.exec("GET side")).reply, null);
  await assert.rejects(open(idb, "left", {}), /already open/);
  await left.exec("SAVE");
  await left.close();
  const left2 = await open(idb, "left", {});
  assert.equal((await left2.exec("GET side")).reply, "left");
  await left2.destroy();
  await right.destroy();
  // destroy() deleted the data.
  const fresh = await open(idb, "left", {});
  assert.equal((await fresh.exec("DBSIZE")).reply, 0);
  await fresh.destroy();
});

test("an engine abort is reported as a crash and restart() recovers from IndexedDB", async () => {
  const lab = await open(profile(), "abort", { appendonly: "yes", appendfsync: "always", save: "" });
  const crashes = [];
  lab.on("crash", (e) => crashes.push(e));
  await lab.execMany(["SET a 1", "SET b 2"]);
  await assert.rejects(lab.exec("DEBUG PANIC"), /engine aborted/);
  assert.equal(crashes.length, 1);
  assert.equal(crashes[0].kind, "abort");
  assert.equal(lab.state, "down");
  await assert.rejects(lab.exec("PING"), /server is down/);
  const { report } = await lab.restart();
  assert.equal(report.keys_after, 2);
  assert.equal((await lab.exec("GET b")).reply, "2");
  await lab.destroy();
});

test("SHUTDOWN takes the lab down cleanly and restart() brings it back", async () => {
  const lab = await open(profile(), "shutdown", { save: "3600 1" });
  await lab.exec("SET k v");
  const [shutdown, after] = await lab.execMany(["SHUTDOWN", "PING"]);
  assert.equal(shutdown.reply, null);
  assert.equal(after.reply, null);
  assert.equal(lab.state, "down");
  const { report } = await lab.restart();
  assert.equal(report.source, "rdb");
  assert.equal((await lab.exec("GET k")).reply, "v");
  await lab.destroy();
});

test("IndexedDB receives appends, not file rewrites", async () => {
  const idb = profile();
  const lab = await open(idb, "budget", { appendonly: "yes", appendfsync: "always", save: "" });
  for (let i = 0; i < 300; i++) await lab.exec(["SET", `key:${i}`, "x".repeat(20)]);
  const durable = lab.files().reduce((n, f) => n + f.durable, 0);
  const put = lab.storage.bytesPut;
  assert.ok(put <= 1.5 * durable, `${put} bytes put for ${durable} durable bytes`);
  await lab.destroy();
});

test("the clock runs in real time, can be sped up, paused and resumed", async () => {
  const lab = await PersistLab.open({
    name: "clock", config: { appendonly: "yes", appendfsync: "everysec", save: "" },
    indexedDB: profile(), IDBKeyRange,
  });
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const t0 = lab.clock.now();
  assert.ok(Math.abs(t0 - Date.now()) < 1000, "starts at the wall clock");
  await lab.exec("SET k v");
  lab.clock.speed(50);
  await sleep(300); // ~15 s of virtual time: the lab's own timer ran cron
  const t1 = lab.clock.now();
  assert.ok(t1 - t0 >= 5000, `virtual time moved ${t1 - t0} ms`);
  const incr = lab.files().find((f) => f.name.endsWith(".incr.aof"));
  assert.equal(incr.written, incr.durable, "the everysec fsync ran on the timer");
  assert.equal((await lab.exec("TIME")).reply[0], String(Math.floor(lab.clock.now() / 1000)));
  lab.clock.pause();
  const t2 = lab.clock.now();
  await sleep(50);
  assert.equal(lab.clock.now(), t2);
  lab.clock.resume();
  await sleep(50);
  assert.ok(lab.clock.now() > t2);
  assert.throws(() => lab.clock.speed(0), /positive/);
  await lab.destroy();
});

test("a memory lab crashes and recovers like an IndexedDB one, shares no lock and survives an abort", async () => {
  const clock = { paused: true, start: 1767225600000 };
  await assert.rejects(PersistLab.open({ name: "m", storage: "disk" }), /storage must be "indexeddb" or "memory"/);
  const config = { appendonly: "yes", appendfsync: "always", save: "" };
  const a = await PersistLab.open({ name: "mem", storage: "memory", config, clock });
  // Same name, no lock: a memory lab belongs to its page alone.
  const b = await PersistLab.open({ name: "mem", storage: "memory", config: { save: "" }, clock });
  assert.equal(a.storageKind, "memory");
  for (let i = 0; i < 5; i++) await a.exec("INCR c");
  await b.exec("SET only-b 1");
  await a.crash("power");
  const { diff, text } = await a.restart();
  assert.equal(diff.counts.lost + diff.counts.changed, 0, "appendfsync always lost a write");
  assert.match(text, /Nothing lost/);
  assert.equal(await counter(a), 5);
  assert.equal((await a.exec("GET only-b")).reply, null, "labs share a disk");
  // An engine abort: restart() boots a new engine from the memory image.
  await assert.rejects(a.exec("DEBUG PANIC"), /engine aborted/);
  await a.restart();
  assert.equal(await counter(a), 5);
  assert.equal(a.storage.transactions > 0, true);
  await a.destroy();
  await b.destroy();
});

/**
 * An IndexedDB whose next readwrite transaction aborts once `failNext()`
 * was called: a quota error or a browser shutting down mid-commit.
 */
function failingProfile() {
  let fail = false;
  const idb = spyOnReadwrite(profile(), (tx) => {
    if (!fail) return;
    fail = false;
    queueMicrotask(() => tx.abort());
  });
  return { idb, failNext: () => { fail = true; } };
}

test("after a failed IndexedDB commit no reply goes out, and restart() recovers what IndexedDB holds", async () => {
  const { idb, failNext } = failingProfile();
  const lab = await open(idb, "commitfail", { appendonly: "yes", appendfsync: "always", save: "" });
  const errors = [];
  lab.on("error", (e) => errors.push(e));
  await lab.exec("SET durable 1");
  failNext();
  // The SET's commit fails; the GET issued behind it reads the SET's value
  // from memory, which never became durable: it must not be answered.
  const set = lab.exec("SET lost 2");
  const get = lab.exec("GET lost");
  await assert.rejects(set, /IndexedDB commit failed/);
  await assert.rejects(get, /IndexedDB commit failed/);
  assert.equal(errors.length, 1, "reported once");
  assert.equal(lab.state, "down");
  assert.match(lab.downReason, /IndexedDB commit failed/);
  await assert.rejects(lab.exec("PING"), /IndexedDB commit failed/);
  const { report } = await lab.restart();
  assert.equal(report.keys_after, 1, "recovered from IndexedDB, not from the engine's disk");
  assert.equal((await lab.exec("GET durable")).reply, "1");
  assert.equal((await lab.exec("GET lost")).reply, null);
  assert.equal((await lab.exec("SET again 3")).reply, "OK", "the lab works after restart()");
  await lab.destroy();
});

test("the clock refuses Infinity and NaN for speed, advance and start", async () => {
  const lab = await open(profile(), "clockbad", { save: "" });
  for (const bad of [Infinity, -Infinity, NaN, 0, -1, "2"]) {
    assert.throws(() => lab.clock.speed(bad), /finite, positive/, `speed(${bad})`);
  }
  for (const bad of [Infinity, NaN, -5]) {
    await assert.rejects(lab.clock.advance(bad), /finite, non-negative/, `advance(${bad})`);
  }
  assert.ok(Number.isFinite(lab.clock.now()), "the clock is still usable");
  await lab.destroy();
  await assert.rejects(open(profile(), "clockbad2", {}, { speed: Infinity }), /finite, positive/);
  await assert.rejects(open(profile(), "clockbad3", {}, { start: NaN }), /clock start/);
});

test("a failed wasm instantiation rejects open() instead of leaving it pending", async () => {
  const { mkdtemp, writeFile } = await import("node:fs/promises");
  const { tmpdir } = await import("node:os");
  // A valid module whose one import ("nop"."nop") the engine's imports lack.
  const bytes = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0,
    2, 11, 1, 3, 0x6e, 0x6f, 0x70, 3, 0x6e, 0x6f, 0x70, 0, 0]);
  assert.ok(WebAssembly.validate(bytes));
  const path = `${await mkdtemp(`${tmpdir()}/plab-`)}/bad.wasm`;
  await writeFile(path, bytes);
  const idb = profile();
  const opening = PersistLab.open({ name: "badwasm", indexedDB: idb, IDBKeyRange, wasmUrl: pathToFileURL(path) });
  const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error("open() still pending after 10 s")), 10_000).unref());
  await assert.rejects(Promise.race([opening, timeout]), /could not instantiate the engine/);
  // The lock was released: the name opens with the real engine.
  const lab = await PersistLab.open({ name: "badwasm", indexedDB: idb, IDBKeyRange });
  await lab.destroy();
});
