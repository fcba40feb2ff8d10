// Regenerates the seed corpora under tests/fuzz/corpus/<target>/ from files
// that a real redis-server 7.0.15 and PersistLab's `plab serve` write, plus
// tests/testdata/ and a few hand-built blobs for the encodings Redis 7.0 no
// longer writes (ziplist, zipmap, quicklist v1). Not run by CI: its output
// is committed. Run it after changing what the seeds should cover:
//
//   node tests/fuzz/make_corpus.mjs [path/to/plab]
//
// Each server runs on a free loopback port in a temporary directory (never
// 6379). The plab binary defaults to $PLAB_BIN or build/native/src/plab.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const corpusDir = path.join(here, "corpus");
const plabBin = process.argv[2] ?? process.env.PLAB_BIN ?? path.join(root, "build/native/native/plab");

// ---- a tiny RESP client --------------------------------------------------

function encodeCommand(args) {
  const parts = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = Buffer.isBuffer(a) ? a : Buffer.from(String(a));
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from("\r\n"));
  }
  return Buffer.concat(parts);
}

// Returns the end offset of the reply starting at `at`, or -1 if incomplete.
function replyEnd(buf, at) {
  if (at >= buf.length) return -1;
  const eol = buf.indexOf("\r\n", at);
  if (eol < 0) return -1;
  const type = String.fromCharCode(buf[at]);
  const head = buf.toString("latin1", at + 1, eol);
  let next = eol + 2;
  if (type === "$" || type === "=" || type === "!") {
    const n = Number(head);
    if (n < 0) return next;
    return buf.length >= next + n + 2 ? next + n + 2 : -1;
  }
  if ("*~>%|".includes(type)) {
    const n = Number(head);
    if (n < 0) return next;
    const count = type === "%" || type === "|" ? 2 * n : n;
    for (let i = 0; i < count; i++) {
      next = replyEnd(buf, next);
      if (next < 0) return -1;
    }
    return next;
  }
  return next;
}

class Client {
  constructor(port) {
    this.port = port;
    this.buf = Buffer.alloc(0);
    this.waiters = [];
  }
  async connect() {
    for (let i = 0; i < 100; i++) {
      try {
        await new Promise((resolve, reject) => {
          this.sock = net.connect(this.port, "127.0.0.1", resolve);
          this.sock.once("error", reject);
        });
        this.sock.on("data", (d) => {
          this.buf = Buffer.concat([this.buf, d]);
          this.pump();
        });
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    throw new Error(`cannot connect to port ${this.port}`);
  }
  pump() {
    while (this.waiters.length > 0) {
      const end = replyEnd(this.buf, 0);
      if (end < 0) return;
      const raw = this.buf.subarray(0, end);
      this.buf = this.buf.subarray(end);
      this.waiters.shift()(raw);
    }
  }
  /** Sends one command; resolves with the raw reply bytes. */
  raw(...args) {
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.sock.write(encodeCommand(args));
    });
  }
  /** The payload of a bulk reply (DUMP), as a Buffer. */
  async bulk(...args) {
    const r = await this.raw(...args);
    if (r[0] !== 0x24) throw new Error(`${args[0]}: ${r.toString()}`);
    const eol = r.indexOf("\r\n");
    return r.subarray(eol + 2, r.length - 2);
  }
  async ok(...args) {
    const r = await this.raw(...args);
    if (r[0] === 0x2d) throw new Error(`${args.join(" ")}: ${r.toString()}`);
    return r;
  }
  close() {
    this.sock.destroy();
  }
}

// ---- servers ---------------------------------------------------------------

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function startServer(bin, extra) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plab-corpus-"));
  const port = await freePort();
  // plab takes redis-server's options after its `serve` subcommand.
  const sub = bin === "redis-server" ? [] : ["serve"];
  const args = [...sub, "--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", ...extra];
  const proc = spawn(bin, args, { stdio: "ignore" });
  const client = new Client(port);
  await client.connect();
  return {
    dir,
    client,
    async stop() {
      client.close();
      proc.kill("SIGKILL");
      await new Promise((r) => proc.once("exit", r));
    },
  };
}

async function waitFor(client, field, want) {
  for (let i = 0; i < 200; i++) {
    const info = (await client.raw("INFO", "persistence")).toString();
    if (new RegExp(`${field}:${want}\\b`).test(info)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${field}:${want}`);
}

// ---- writing seeds -------------------------------------------------------

const written = new Map(); // target -> Set of content hashes

function seed(target, name, bytes) {
  const dir = path.join(corpusDir, target);
  fs.mkdirSync(dir, { recursive: true });
  const hash = createHash("sha1").update(bytes).digest("hex").slice(0, 8);
  const seen = written.get(target) ?? new Set();
  written.set(target, seen);
  if (seen.has(hash)) return;
  seen.add(hash);
  fs.writeFileSync(path.join(dir, `${name}-${hash}`), bytes);
}

// The string an RDB value holds, for DUMP payloads of string-blob types
// (rdbcompression no, so it is a plain length then the bytes).
function rdbString(buf, at) {
  const b = buf[at];
  const kind = b >> 6;
  if (kind === 0) return buf.subarray(at + 1, at + 1 + (b & 0x3f));
  if (kind === 1) {
    const n = ((b & 0x3f) << 8) | buf[at + 1];
    return buf.subarray(at + 2, at + 2 + n);
  }
  if (b === 0x80) {
    const n = buf.readUInt32BE(at + 1);
    return buf.subarray(at + 5, at + 5 + n);
  }
  throw new Error(`unexpected string encoding ${b.toString(16)}`);
}

// A DUMP reply without its 10-byte footer (RDB version + CRC64).
const dumpValue = (d) => d.subarray(0, d.length - 10);

// A varied dataset, written through any RESP server.
async function writeDataset(c) {
  await c.ok("SET", "int", "12345");
  await c.ok("SET", "str", "hello world");
  await c.ok("SET", "big", "x".repeat(300) + "tail");
  await c.ok("SET", Buffer.from([0x6b, 0x00, 0xff, 0x0d, 0x0a]), Buffer.from([1, 2, 3, 0, 13, 10]));
  await c.ok("SET", "ttl", "v", "PXAT", "4102444800000");
  await c.ok("RPUSH", "list", "a", "b", "3", "-4", "x".repeat(70), "12345678901");
  for (let i = 0; i < 40; i++) await c.ok("RPUSH", "longlist", `item-${i}`, String(i * 1000));
  await c.ok("HSET", "hsmall", "f1", "v1", "f2", "2", "f3", "-300");
  const fields = [];
  for (let i = 0; i < 20; i++) fields.push(`field${i}`, `value${i}`);
  await c.ok("HSET", "hbig", ...fields);
  await c.ok("HSET", "hlong", "f", "y".repeat(100));
  await c.ok("SADD", "sint16", "1", "2", "3", "-100");
  await c.ok("SADD", "sint32", "1", "100000", "-70000");
  await c.ok("SADD", "sint64", "1", "5000000000", "-9223372036854775808");
  await c.ok("SADD", "sstr", "a", "b", "c");
  await c.ok("ZADD", "zsmall", "1", "a", "2.5", "b", "-3", "c", "inf", "pinf", "-inf", "ninf");
  const members = [];
  for (let i = 0; i < 20; i++) members.push(String(i / 3), `m${i}`);
  await c.ok("ZADD", "zbig", ...members);
  await c.ok("ZADD", "zlong", "1", "m".repeat(80));
  await c.ok("SELECT", "3");
  await c.ok("SET", "db3", "three");
  await c.ok("HSET", "h3", "a", "b");
  await c.ok("SELECT", "0");
}

// Redis: RDB files (with and without compression, with small-encoding
// thresholds of 2 so the plain types appear), DUMP payloads of every
// encoding, and a multi-part AOF directory after rewrites.
async function fromRedis() {
  for (const [label, extra] of [
    ["redis", []],
    ["redis-nocompress", ["--rdbcompression", "no"]],
    ["redis-tiny", ["--hash-max-listpack-entries", "2", "--zset-max-listpack-entries", "2",
      "--set-max-intset-entries", "2", "--list-max-listpack-size", "2", "--rdbcompression", "no"]],
  ]) {
    const s = await startServer("redis-server", extra);
    await writeDataset(s.client);
    await s.client.ok("SAVE");
    seed("rdb_loader", label, fs.readFileSync(path.join(s.dir, "dump.rdb")));
    await s.stop();
  }
  await dumpsFromRedis();
  await aofFromRedis();
  await respFromRedis();
}

async function dumpsFromRedis() {
  const s = await startServer("redis-server", ["--rdbcompression", "no", "--enable-debug-command", "yes"]);
  const c = s.client;
  await writeDataset(c);
  for (const key of ["hsmall", "hbig", "zsmall", "zbig"]) {
    const d = dumpValue(await c.bulk("DUMP", key));
    seed("listpack", key, rdbString(d, 1));
  }
  for (const key of ["sint16", "sint32", "sint64"]) {
    const d = dumpValue(await c.bulk("DUMP", key));
    seed("intset", key, rdbString(d, 1));
  }
  for (const key of ["list", "longlist"]) seed("quicklist", key, dumpValue(await c.bulk("DUMP", key)));
  // Several nodes, and PLAIN nodes (elements over the packed threshold).
  await c.ok("CONFIG", "SET", "list-max-listpack-size", "3");
  await c.ok("RPUSH", "multi", "1", "2", "3", "4", "5", "6", "seven", "eight");
  seed("quicklist", "multinode", dumpValue(await c.bulk("DUMP", "multi")));
  await c.ok("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "100");
  await c.ok("RPUSH", "plain", "small", "p".repeat(150), "also small");
  seed("quicklist", "plain-node", dumpValue(await c.bulk("DUMP", "plain")));
  await s.stop();
}

async function aofFromRedis() {
  for (const [label, extra] of [
    ["preamble", ["--aof-use-rdb-preamble", "yes"]],
    ["resp", ["--aof-use-rdb-preamble", "no", "--aof-timestamp-enabled", "yes"]],
  ]) {
    const s = await startServer("redis-server", ["--appendonly", "yes", "--appendfsync", "always",
      "--rdbcompression", "no", ...extra]);
    const c = s.client;
    await c.ok("SET", "before", "rewrite");
    await c.ok("RPUSH", "l", "a", "b");
    await c.ok("BGREWRITEAOF");
    await waitFor(c, "aof_rewrite_in_progress", 0);
    await writeDataset(c);
    await c.ok("MULTI");
    await c.ok("INCR", "counter");
    await c.ok("EXPIRE", "str", "100");
    await c.ok("EXEC");
    await c.ok("DEL", "big");
    await c.ok("SELECT", "5");
    await c.ok("LPUSH", "q", "x");
    await c.ok("BGREWRITEAOF");
    await waitFor(c, "aof_rewrite_in_progress", 0);
    await c.ok("SET", "after", "second rewrite");
    await c.ok("HDEL", "hbig", "field1");
    await s.stop();
    const dir = path.join(s.dir, "appendonlydir");
    for (const f of fs.readdirSync(dir)) {
      const bytes = fs.readFileSync(path.join(dir, f));
      if (f.endsWith(".manifest")) {
        seed("aof_manifest", `redis-${label}`, bytes);
        continue;
      }
      if (bytes.length === 0 || bytes.length > 20000) continue;
      const kind = f.includes(".base.") ? "base" : "incr";
      if (!f.endsWith(".rdb")) seed("aof_reader", `redis-${label}-${kind}`, bytes);
      // aof_replay: layout 0 = empty BASE + this INCR; 1 = this as BASE.
      seed("aof_replay", `redis-${label}-${kind}`, Buffer.concat([Buffer.from([kind === "base" ? 1 : 0, 0]), bytes]));
    }
  }
}

// Replies in RESP2 and RESP3, for the JS reply decoder.
async function respFromRedis() {
  const s = await startServer("redis-server", []);
  const c = s.client;
  await writeDataset(c);
  const commands = [
    ["PING"], ["GET", "str"], ["GET", "missing"], ["INCR", "n"], ["LRANGE", "list", "0", "-1"],
    ["HGETALL", "hsmall"], ["SMEMBERS", "sint16"], ["ZRANGE", "zsmall", "0", "-1", "WITHSCORES"],
    ["NOSUCHCOMMAND"], ["INCR", "str"], ["EXISTS", "str", "int"], ["TTL", "ttl"],
    ["OBJECT", "ENCODING", "int"], ["DEBUG", "PROTOCOL", "bignum"], ["ZSCORE", "zsmall", "b"],
    ["CONFIG", "GET", "maxmemory*"], ["SCAN", "0", "COUNT", "5"], ["XINFO", "HELP"],
  ];
  for (const proto of [2, 3]) {
    if (proto === 3) await c.raw("HELLO", "3");
    const parts = [];
    for (const cmd of commands) parts.push(await c.raw(...cmd));
    seed("resp_js", `redis-resp${proto}`, Buffer.concat(parts));
    for (const p of parts.slice(0, 8)) seed("resp_js", `redis-resp${proto}-one`, p);
  }
  await s.stop();
}

// PersistLab: an RDB, a preamble AOF and a RESP AOF written by plab serve.
async function fromPlab() {
  if (!fs.existsSync(plabBin)) {
    console.error(`no plab binary at ${plabBin}: skipping PersistLab-written seeds`);
    return;
  }
  const s = await startServer(plabBin, ["--appendonly", "yes", "--appendfsync", "always",
    "--aof-use-rdb-preamble", "no"]);
  const c = s.client;
  await writeDataset(c);
  await c.ok("SAVE");
  seed("rdb_loader", "plab", fs.readFileSync(path.join(s.dir, "dump.rdb")));
  await c.ok("CONFIG", "SET", "aof-use-rdb-preamble", "yes");
  await c.ok("BGREWRITEAOF");
  await waitFor(c, "aof_rewrite_in_progress", 0);
  await c.ok("SET", "after", "rewrite");
  await c.ok("MULTI");
  await c.ok("SADD", "s", "1");
  await c.ok("EXEC");
  await s.stop();
  const dir = path.join(s.dir, "appendonlydir");
  for (const f of fs.readdirSync(dir)) {
    const bytes = fs.readFileSync(path.join(dir, f));
    if (f.endsWith(".manifest")) seed("aof_manifest", "plab", bytes);
    else if (bytes.length > 0 && bytes.length < 20000) {
      const kind = f.includes(".base.") ? "base" : "incr";
      if (kind === "incr") seed("aof_reader", `plab-${kind}`, bytes);
      seed("aof_replay", `plab-${kind}`, Buffer.concat([Buffer.from([kind === "base" ? 1 : 0, 0]), bytes]));
    }
  }
}

// ---- hand-built blobs --------------------------------------------------

function u32le(n) {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}
function u16le(n) {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
}

// One ziplist entry's encoding + data (without prevlen) for `v`.
function ziplistEncoding(v) {
  if (typeof v === "number") {
    if (v >= 0 && v <= 12) return Buffer.from([0xf1 + v]);
    if (v >= -128 && v <= 127) return Buffer.from([0xfe, v & 0xff]);
    if (v >= -32768 && v <= 32767) {
      const b = Buffer.alloc(3);
      b[0] = 0xc0;
      b.writeInt16LE(v, 1);
      return b;
    }
    if (v >= -(2 ** 23) && v < 2 ** 23) {
      const b = Buffer.alloc(4);
      b[0] = 0xf0;
      b.writeIntLE(v, 1, 3);
      return b;
    }
    if (v >= -(2 ** 31) && v < 2 ** 31) {
      const b = Buffer.alloc(5);
      b[0] = 0xd0;
      b.writeInt32LE(v, 1);
      return b;
    }
    const b = Buffer.alloc(9);
    b[0] = 0xe0;
    b.writeBigInt64LE(BigInt(v), 1);
    return b;
  }
  const s = Buffer.from(v);
  if (s.length < 64) return Buffer.concat([Buffer.from([s.length]), s]);
  if (s.length < 16384) return Buffer.concat([Buffer.from([0x40 | (s.length >> 8), s.length & 0xff]), s]);
  const h = Buffer.alloc(5);
  h[0] = 0x80;
  h.writeUInt32BE(s.length, 1);
  return Buffer.concat([h, s]);
}

function ziplist(values) {
  const entries = [];
  let prev = 0;
  let tail = 10;
  let at = 10;
  for (const v of values) {
    const enc = ziplistEncoding(v);
    const prevlen = prev < 254 ? Buffer.from([prev]) : Buffer.concat([Buffer.from([0xfe]), u32le(prev)]);
    const e = Buffer.concat([prevlen, enc]);
    tail = at;
    at += e.length;
    prev = e.length;
    entries.push(e);
  }
  const body = Buffer.concat(entries);
  const total = 10 + body.length + 1;
  return Buffer.concat([u32le(total), u32le(tail), u16le(values.length), body, Buffer.from([0xff])]);
}

function zipmap(pairs) {
  const len = (n) => (n < 254 ? Buffer.from([n]) : Buffer.concat([Buffer.from([254]), u32le(n)]));
  const parts = [Buffer.from([Math.min(pairs.length, 254)])];
  for (const [k, v, free = 0] of pairs) {
    parts.push(len(k.length), Buffer.from(k), len(v.length), Buffer.from([free]), Buffer.from(v), Buffer.alloc(free));
  }
  parts.push(Buffer.from([0xff]));
  return Buffer.concat(parts);
}

// An RDB length (rdbSaveLen) and a raw string.
function rdbLen(n) {
  if (n < 64) return Buffer.from([n]);
  if (n < 16384) return Buffer.from([0x40 | (n >> 8), n & 0xff]);
  const b = Buffer.alloc(5);
  b[0] = 0x80;
  b.writeUInt32BE(n, 1);
  return b;
}
const rdbStr = (b) => Buffer.concat([rdbLen(b.length), b]);

function handBuilt() {
  const lists = [
    ["a", "b", "c"],
    [0, 12, 13, -1, 127, 128, -129, 40000, -40000, 8000000, -8000000, 2 ** 31, -(2 ** 40)],
    ["x".repeat(70), "short", "y".repeat(300), "after a long one"],
    ["key", "value", "k2", "v2"],
  ];
  for (const [i, l] of lists.entries()) seed("ziplist", `hand-${i}`, ziplist(l));
  // 65535 in zllen means "count them".
  const counted = ziplist(["u", "v"]);
  counted.writeUInt16LE(65535, 8);
  seed("ziplist", "hand-unknown-count", counted);
  seed("zipmap", "hand-small", zipmap([["f1", "v1"], ["f2", "value two"]]));
  seed("zipmap", "hand-free", zipmap([["a", "1", 3], ["bb", "22", 0], ["c", "x".repeat(260)]]));
  // Quicklist v1 (type 14): nodes that are ziplists, as Redis 3.2 .. 6.2 wrote.
  const nodes = [ziplist(["a", "b", 1]), ziplist(["c", "x".repeat(80)])];
  seed("quicklist", "hand-v1", Buffer.concat([Buffer.from([14]), rdbLen(nodes.length), ...nodes.map(rdbStr)]));
  // Manifests in the shapes Redis's parser distinguishes.
  const manifests = [
    "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n",
    "# comment\nfile \"quoted name.aof\" seq 2 type h\nfile appendonly.aof.3.base.aof seq 3 type b\n" +
      "file appendonly.aof.5.incr.aof seq 5 type i\nfile appendonly.aof.6.incr.aof seq 6 type i\n",
    "file appendonly.aof seq 1 type b\n",
  ];
  for (const [i, m] of manifests.entries()) seed("aof_manifest", `hand-${i}`, Buffer.from(m));
}

// Request streams: a 5-byte header (flags, split seed) then the bytes.
function respRequests() {
  const streams = [
    encodeCommand(["SET", "k", "v"]),
    Buffer.concat([encodeCommand(["PING"]), encodeCommand(["MSET", "a", "1", "b", Buffer.from([0, 13, 10])]),
      Buffer.from("GET a\r\n"), Buffer.from("\r\n"), Buffer.from("set \"quoted \\x41 \\n\" 'single'\n")]),
    Buffer.from("*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n"),
    Buffer.from("*2\r\n$3\r\nGET\r\n$-1\r\n"),
    Buffer.from("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$20\r\n0123456789abcdefghij\r\n"),
    Buffer.from("ECHO \"unbalanced\n"),
    Buffer.from("*1\r\n+PING\r\n"),
    Buffer.concat([Buffer.from("*12\r\n"), ...Array.from({ length: 12 }, () => Buffer.from("$1\r\nx\r\n"))]),
  ];
  const headers = [[0, 0, 0, 0, 1], [2, 1, 2, 3, 4], [4, 0xff, 0, 0x10, 7], [1, 0, 0, 0, 2]];
  for (const [i, s] of streams.entries()) {
    seed("resp_parser", `stream-${i}`, Buffer.concat([Buffer.from(headers[i % headers.length]), s]));
  }
}

// tests/testdata: golden files already in the repository.
function fromTestdata() {
  const td = path.join(root, "tests/testdata");
  for (const f of fs.readdirSync(td)) {
    if (f.endsWith(".rdb") && fs.statSync(path.join(td, f)).size < 20000) {
      seed("rdb_loader", `testdata-${f}`, fs.readFileSync(path.join(td, f)));
    }
  }
  for (const f of fs.readdirSync(path.join(td, "aof"))) {
    if (!f.endsWith(".aof")) continue;
    const bytes = fs.readFileSync(path.join(td, "aof", f));
    seed("aof_reader", `testdata-${f}`, bytes);
    seed("aof_replay", `testdata-${f}`, Buffer.concat([Buffer.from([0, 0]), bytes]));
  }
}

// The IndexedDB mirror loop's seeds: little programs that fill a database
// (the format is described in tests/node/idb_mirror_fuzz.mjs).
function idbMirrorSeeds() {
  const seeds = {
    "one-file": [0, 0x80, 1, 0, 5, 104, 101, 108, 108, 111, 1, 0, 1, 2, 0],
    "two-files": [0, 0x80, 1, 0, 3, 97, 98, 99, 0x80, 1, 0, 2, 100, 101, 1, 0, 1, 1, 3, 2,
      0x80, 2, 0, 1, 120],
    "v1-upgrade": [1, 0x80, 1, 0, 3, 97, 98, 99, 0x80, 1, 0, 2, 100, 101, 1, 0, 1],
    "gap": [0, 0x80, 1, 0, 2, 97, 98, 0, 1, 9, 1, 99, 1, 0, 1],
    "stale-header": [0, 0xc0, 1, 0, 2, 97, 98, 1, 0, 1],
    "not-a-chunk": [0, 0xa0, 1, 0, 2, 97, 98],
    "deleted-chunk": [0, 0x80, 1, 0, 2, 97, 98, 0x80, 1, 0, 2, 99, 100, 3, 0, 1, 0, 1],
    "stray-inode": [0, 0x80, 3, 0, 2, 97, 98, 1, 2, 1, 2, 1],
  };
  for (const [name, bytes] of Object.entries(seeds)) seed("idb_mirror", name, Buffer.from(bytes));
}

fs.rmSync(corpusDir, { recursive: true, force: true });
await fromRedis();
await fromPlab();
handBuilt();
respRequests();
fromTestdata();
idbMirrorSeeds();
let total = 0;
for (const t of fs.readdirSync(corpusDir).sort()) {
  const files = fs.readdirSync(path.join(corpusDir, t));
  const bytes = files.reduce((n, f) => n + fs.statSync(path.join(corpusDir, t, f)).size, 0);
  total += bytes;
  console.log(`${t.padEnd(14)} ${String(files.length).padStart(3)} files ${String(bytes).padStart(8)} bytes`);
}
console.log(`total ${total} bytes`);
