// The one-writer-per-lab lock: the in-process fallback Node 20 uses, and
// the Web Locks path against a small LockManager stand-in that refuses an
// ifAvailable request for a held name, as the real one does.
import assert from "node:assert/strict";
import { test } from "node:test";

import { acquireLabLock } from "../../web/src/lab_lock.js";

const refused = (name) => new RegExp(`^Error: lab "${name}" is already open in another tab or window$`);

/** Exclusive locks by name; the callback's promise holds the lock. */
class FakeLocks {
  constructor() {
    this.held = new Set();
    this.requests = [];
  }

  request(name, options, callback) {
    this.requests.push({ name, options });
    if (this.held.has(name)) return Promise.resolve(callback(null));
    this.held.add(name);
    return Promise.resolve(callback({ name, mode: "exclusive" })).finally(() => this.held.delete(name));
  }
}

/** Lets pending promise callbacks run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

for (const [label, makeOpts] of [
  ["fallback (no navigator.locks)", () => ({ locks: null })],
  ["Web Locks", () => ({ locks: new FakeLocks() })],
]) {
  test(`${label}: a second acquire of the same lab is refused until release`, async () => {
    const opts = makeOpts();
    const first = await acquireLabLock("alpha", opts);
    await assert.rejects(acquireLabLock("alpha", opts), (err) => refused("alpha").test(String(err)));
    first.release();
    await settle();
    const again = await acquireLabLock("alpha", opts);
    await assert.rejects(acquireLabLock("alpha", opts), (err) => refused("alpha").test(String(err)));
    again.release();
    // release() twice is harmless and does not free someone else's lock.
    again.release();
    await settle();
    const third = await acquireLabLock("alpha", opts);
    again.release();
    await settle();
    await assert.rejects(acquireLabLock("alpha", opts), (err) => refused("alpha").test(String(err)));
    third.release();
  });

  test(`${label}: different labs are independent`, async () => {
    const opts = makeOpts();
    const a = await acquireLabLock("one", opts);
    const b = await acquireLabLock("two", opts);
    await assert.rejects(acquireLabLock("one", opts), (err) => refused("one").test(String(err)));
    await assert.rejects(acquireLabLock("two", opts), (err) => refused("two").test(String(err)));
    a.release();
    await settle();
    const a2 = await acquireLabLock("one", opts);
    await assert.rejects(acquireLabLock("two", opts), (err) => refused("two").test(String(err)));
    a2.release();
    b.release();
  });
}

test("Web Locks: asks for the lab's name without waiting, holds it until release", async () => {
  const locks = new FakeLocks();
  const lock = await acquireLabLock("beta", { locks });
  assert.deepEqual(locks.requests, [{ name: "persistlab:beta", options: { ifAvailable: true } }]);
  await settle();
  assert.ok(locks.held.has("persistlab:beta"), "held after acquire returned");
  lock.release();
  await settle();
  assert.ok(!locks.held.has("persistlab:beta"), "freed by release");
});

test("Node 20 without navigator.locks takes the fallback by default", async () => {
  assert.equal(globalThis.navigator?.locks, undefined);
  const lock = await acquireLabLock("gamma");
  await assert.rejects(acquireLabLock("gamma"), (err) => refused("gamma").test(String(err)));
  lock.release();
  (await acquireLabLock("gamma")).release();
});
