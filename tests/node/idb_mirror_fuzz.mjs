// Fuzz loop for the IndexedDB mirror's loader (web/src/idb_mirror.js
// openMirror), on fake-indexeddb as tests/node/idb_mirror.test.mjs uses it.
// Run by scripts/fuzz (and scripts/test's fuzz stage) through
// `node --test`; see fuzz_util.mjs for the loop and PLAB_FUZZ_SECONDS.
//
// An input is a little program that fills a fresh database the way the
// mirror, an older version of it, or damage could have left it:
//   byte 0: bit 0 set = a version-1 database (bare chunks, upgraded on open)
//   then records, each starting with a byte whose low 2 bits choose:
//     0 chunk   inode (next % 4), offset (next; with bit 7 of the mode
//               byte set, the inode's current end instead), length (next %
//               24), the bytes; in version 2 the mode byte's bit 6 stores a
//               wrong header offset, bit 5 a record that is not a chunk
//     1 name    "f<next % 6>" -> inode (next % 5)
//     2 dir     "d<next % 3>"
//     3 delete  one of the chunk records written so far (next)
// Invariants, against a model of the same records: the load succeeds
// exactly when every inode's records tile [0, size) (by their header
// offset, which must equal their key's, or by their key in version 1),
// with the model's bytes, names and
// directories; a refused load says the lab is inconsistent and leaves every
// record as it was; a loaded mirror accepts an append, a truncate, a link
// and an unlink, and reopening gives the image it then held.
import assert from "node:assert/strict";
import { test } from "node:test";

import { openMirror } from "../../web/src/idb_mirror.js";
import { IDBFactory, IDBKeyRange } from "./fake_idb.mjs";
import { fuzzLoop } from "./fuzz_util.mjs";

const HEADER = 8;

/** The records `bytes` describes (see the header comment). */
function decode(bytes) {
  const v1 = (bytes[0] & 1) === 1;
  let at = 1;
  const next = () => (at < bytes.length ? bytes[at++] : 0);
  /** @type {Map<string, { inode: number, off: number, value: unknown }>} */
  const chunks = new Map();
  const names = new Map();
  const dirs = new Set();
  const ends = new Map();
  while (at < bytes.length) {
    const mode = next();
    switch (mode & 3) {
      case 0: {
        const inode = next() % 4;
        const raw = next();
        const off = mode & 0x80 ? ends.get(inode) ?? 0 : raw;
        const data = Uint8Array.from({ length: next() % 24 }, () => next());
        let value;
        if (v1) {
          value = data;
        } else if (mode & 0x20) {
          value = (mode & 0x10) ? "not bytes" : data.slice(0, HEADER - 1);
        } else {
          value = new Uint8Array(HEADER + data.length);
          const header = mode & 0x40 ? raw ^ 0x55 : off;
          new DataView(value.buffer).setFloat64(0, header, true);
          value.set(data, HEADER);
        }
        chunks.set(`${inode},${off}`, { inode, off, value });
        ends.set(inode, Math.max(ends.get(inode) ?? 0, off + data.length));
        break;
      }
      case 1:
        names.set("f" + (next() % 6), next() % 5);
        break;
      case 2:
        dirs.add("d" + (next() % 3));
        break;
      default: {
        const keys = [...chunks.keys()];
        if (keys.length) chunks.delete(keys[next() % keys.length]);
      }
    }
  }
  return { v1, chunks, names, dirs };
}

/** What a correct load gives: { error: true } or the image. */
function model({ v1, chunks, names, dirs }) {
  const byInode = new Map();
  for (const c of chunks.values()) {
    if (!byInode.has(c.inode)) byInode.set(c.inode, []);
    byInode.get(c.inode).push(c);
  }
  const inodes = new Map();
  for (const [inode, list] of byInode) {
    list.sort((a, b) => a.off - b.off);
    const parts = [];
    let size = 0;
    for (const c of list) {
      let off = -1;
      let data = null;
      if (v1) {
        off = c.off;
        data = c.value;
      } else if (c.value instanceof Uint8Array && c.value.length >= HEADER) {
        off = new DataView(c.value.buffer).getFloat64(0, true);
        data = c.value.subarray(HEADER);
      }
      // A record must sit under its own offset: one stored elsewhere would
      // outlive the commit that replaces it (found by this loop).
      if (off !== size || off !== c.off) return { error: true };
      parts.push(data);
      size += data.length;
    }
    const buf = new Uint8Array(size);
    let o = 0;
    for (const p of parts) {
      buf.set(p, o);
      o += p.length;
    }
    inodes.set(inode, buf);
  }
  for (const inode of names.values()) if (!inodes.has(inode)) inodes.set(inode, new Uint8Array(0));
  return { inodes, names, dirs };
}

function openRaw(factory, version, upgrade) {
  return new Promise((resolve, reject) => {
    const req = factory.open("persistlab:fuzz", version);
    req.onupgradeneeded = () => upgrade(req.result, req.transaction);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function fill(factory, db) {
  const conn = await openRaw(factory, db.v1 ? 1 : 2, (idb, tx) => {
    for (const s of ["chunks", "names", "dirs"]) idb.createObjectStore(s);
    for (const c of db.chunks.values()) tx.objectStore("chunks").put(c.value, [c.inode, c.off]);
    for (const [p, inode] of db.names) tx.objectStore("names").put(inode, p);
    for (const d of db.dirs) tx.objectStore("dirs").put(1, d);
  });
  conn.close();
}

/** Every record of every store, for "a refused load changed nothing". */
async function dumpAll(factory) {
  const conn = await openRaw(factory, undefined, () => {});
  const tx = conn.transaction(["chunks", "names", "dirs"], "readonly");
  const got = {};
  for (const s of ["chunks", "names", "dirs"]) {
    got[s + "Keys"] = tx.objectStore(s).getAllKeys();
    got[s] = tx.objectStore(s).getAll();
  }
  await new Promise((resolve) => (tx.oncomplete = resolve));
  conn.close();
  return Object.fromEntries(Object.entries(got).map(([k, r]) => [k, r.result]));
}

function copyImage(image) {
  return {
    inodes: new Map([...image.inodes].map(([k, v]) => [k, Uint8Array.from(v)])),
    names: new Map(image.names),
    dirs: new Set(image.dirs),
  };
}

function assertImage(got, want, what) {
  assert.deepStrictEqual(new Map([...got.inodes].map(([k, v]) => [k, [...v]])),
    new Map([...want.inodes].map(([k, v]) => [k, [...v]])), `${what}: file bytes`);
  assert.deepStrictEqual(got.names, want.names, `${what}: names`);
  assert.deepStrictEqual(got.dirs, want.dirs, `${what}: dirs`);
}

async function check(bytes) {
  if (bytes.length === 0) return "empty";
  const db = decode(bytes);
  const want = model(db);
  const env = { indexedDB: new IDBFactory(), IDBKeyRange };
  await fill(env.indexedDB, db);
  const before = db.v1 ? null : await dumpAll(env.indexedDB);
  let mirror;
  try {
    mirror = await openMirror("fuzz", env);
  } catch (err) {
    if (!want.error) throw new Error(`a consistent database was refused: ${err.message}`);
    if (!/is inconsistent in IndexedDB/.test(err.message)) throw new Error(`refused without saying why: ${err.message}`);
    if (before) assert.deepStrictEqual(await dumpAll(env.indexedDB), before, "a refused load changed the records");
    return "refused";
  }
  if (want.error) {
    mirror.close();
    throw new Error("an inconsistent database loaded");
  }
  assertImage(mirror.image, want, "loaded");
  // The loaded mirror carries on: one commit of each kind, then a reopen.
  const [inode, buf] = [...mirror.image.inodes][0] ?? [7, new Uint8Array(0)];
  await mirror.commit([
    { kind: "append", inode, offset: buf.length, data: Uint8Array.from([bytes.length & 0xff, 1, 2]) },
    { kind: "truncate", inode, offset: Math.floor((buf.length + 3) / 2) },
    { kind: "link", inode, path: "fuzz-link" },
    { kind: "unlink", path: "f0" },
    { kind: "mkdir", path: "d-new" },
  ].filter((op) => op.kind !== "unlink" || mirror.image.names.has("f0")));
  const held = copyImage(mirror.image);
  mirror.close();
  const again = await openMirror("fuzz", env);
  assertImage(again.image, held, "reopened after a commit");
  again.close();
  return `loaded ${db.v1 ? 1 : 2} ${want.inodes.size}`;
}

test("openMirror loads exactly the consistent databases, on mutated record sets", { timeout: 600_000 }, async () => {
  const execs = await fuzzLoop("idb_mirror", check);
  assert.ok(execs > 0);
});
