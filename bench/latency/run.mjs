#!/usr/bin/env node
// bench/latency: worst command latency while the keyspace grows to 5M keys
// (issue 14's "incremental rehash" target), plab serve vs Debian's
// redis-server 7.0.15 in the same run:
//
//   node bench/latency/run.mjs [--keys 5000000] [--runs 1] [--before PLAB] [--out FILE]
//
// For each server (started fresh, no persistence): a loader client writes
// SET key:<n> <16 bytes> for n = 0..keys-1, pipelined 1000 commands per
// write with two batches in flight, while a probe client on its own thread
// (redis-benchmark/redis-cli --latency style, but without their 10 ms
// pauses) times every round trip of PING and GET of a key already loaded,
// back to back. A table that doubles all at once stalls every client for
// the whole rehash, and the probe sees it as one slow round trip; an
// incremental rehash spreads the work over the following commands.
// --before runs a second plab binary too (e.g. a build of the commit before
// the incremental rehash), for a before/after row. Servers alternate run by
// run. Not a test: the numbers are whatever this (shared, 2-core) machine
// gives; the target is plab's worst latency <= Redis's. Writes the table to
// bench/results/latency.md (or FILE). Needs build/native/native/plab
// (PLAB_BIN overrides) and redis-server.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Counts complete RESP replies of the simple kinds these clients get. */
class ReplyCounter {
  constructor() {
    this.pending = Buffer.alloc(0);
  }
  /** Feeds bytes; returns how many replies completed. */
  feed(chunk) {
    let buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    let at = 0;
    let done = 0;
    for (;;) {
      const eol = buf.indexOf("\r\n", at);
      if (eol < 0) break;
      if (buf[at] === 0x24 /* $ */) {
        const n = Number(buf.toString("latin1", at + 1, eol));
        const end = n < 0 ? eol + 2 : eol + 4 + n;
        if (end > buf.length) break;
        at = end;
      } else {
        if (buf[at] === 0x2d /* - */) throw new Error(buf.toString("latin1", at, eol));
        at = eol + 2;
      }
      done++;
    }
    this.pending = buf.subarray(at);
    return done;
  }
}

function connect(port) {
  return new Promise((res, rej) => {
    const s = net.connect(port, "127.0.0.1", () => res(s));
    s.setNoDelay(true);
    s.once("error", rej);
  });
}

const resp = (...args) =>
  `*${args.length}\r\n` + args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join("");

// ---- the probe thread: round trips back to back until told to stop.
async function probeMain({ port, loaded, stop }) {
  const counts = new Int32Array(loaded);
  const halt = new Int32Array(stop);
  const sock = await connect(port);
  const parser = new ReplyCounter();
  const samples = [];
  const spikes = []; // [ms, keys loaded when it ended]
  let resolveReply = null;
  sock.on("data", (chunk) => {
    if (parser.feed(chunk) > 0 && resolveReply) resolveReply();
  });
  for (let i = 0; Atomics.load(halt, 0) === 0; i++) {
    const n = Atomics.load(counts, 0);
    const cmd = i % 2 === 0 || n === 0 ? resp("PING") : resp("GET", `key:${(i * 7919) % n}`);
    const t0 = process.hrtime.bigint();
    await new Promise((r) => {
      resolveReply = r;
      sock.write(cmd);
    });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    samples.push(ms);
    if (ms >= 10) spikes.push([ms, Atomics.load(counts, 0)]);
  }
  sock.destroy();
  parentPort.postMessage({ samples: Float64Array.from(samples), spikes });
}

// ---- the loader: SET key:0 .. key:(keys-1), two 1000-command batches in flight.
async function load(port, keys, counts) {
  const sock = await connect(port);
  const parser = new ReplyCounter();
  const batch = 1000;
  const value = "v".repeat(16);
  let acked = 0;
  let sent = 0;
  let wake = null;
  sock.on("data", (chunk) => {
    acked += parser.feed(chunk);
    Atomics.store(counts, 0, acked);
    if (wake) wake();
  });
  const t0 = process.hrtime.bigint();
  while (acked < keys) {
    while (sent < keys && sent - acked < 2 * batch) {
      let s = "";
      const end = Math.min(keys, sent + batch);
      for (let n = sent; n < end; n++) s += resp("SET", `key:${n}`, value);
      sock.write(s);
      sent = end;
    }
    await new Promise((r) => (wake = r));
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  sock.destroy();
  return secs;
}

function freePort() {
  return new Promise((res, rej) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
    s.on("error", rej);
  });
}

async function waitPong(port) {
  for (let i = 0; i < 500; i++) {
    try {
      const s = await connect(port);
      const ok = await new Promise((res) => {
        s.once("data", (d) => res(d.toString().startsWith("+PONG")));
        s.write(resp("PING"));
      });
      s.destroy();
      if (ok) return;
    } catch {}
    await sleep(20);
  }
  throw new Error(`no PONG on port ${port}`);
}

function startServer(server, port, dir) {
  const args =
    server.kind === "redis"
      ? ["--port", `${port}`, "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no"]
      : ["serve", "--port", `${port}`, "--dir", dir, "--save", ""];
  return spawn(server.bin, args, { stdio: "ignore" });
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

async function measure(server, keys) {
  const dir = mkdtempSync(join(tmpdir(), "plab-latency-"));
  const port = await freePort();
  const proc = startServer(server, port, dir);
  try {
    await waitPong(port);
    const loaded = new SharedArrayBuffer(4);
    const stop = new SharedArrayBuffer(4);
    const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { port, loaded, stop } });
    const result = new Promise((res, rej) => {
      worker.once("message", res);
      worker.once("error", rej);
    });
    await sleep(200); // the probe is connected and running
    const secs = await load(port, keys, new Int32Array(loaded));
    Atomics.store(new Int32Array(stop), 0, 1);
    const { samples, spikes } = await result;
    const sorted = Float64Array.from(samples).sort();
    return {
      secs,
      probes: sorted.length,
      p99: quantile(sorted, 0.99),
      p999: quantile(sorted, 0.999),
      max: sorted[sorted.length - 1],
      over10: spikes.length,
      worst: spikes.sort((a, b) => b[0] - a[0]).slice(0, 4),
    };
  } finally {
    proc.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
}

function parseArgs(argv) {
  const out = { keys: 5_000_000, runs: 1, before: null, out: join(root, "bench/results/latency.md") };
  for (let i = 0; i < argv.length; i += 2) {
    const [name, value] = [argv[i], argv[i + 1]];
    if (name === "--keys") out.keys = Number(value);
    else if (name === "--runs") out.runs = Number(value);
    else if (name === "--before") out.before = value;
    else if (name === "--out") out.out = value;
    else {
      console.error("usage: bench/latency/run.mjs [--keys N] [--runs N] [--before PLAB] [--out FILE]");
      process.exit(2);
    }
  }
  return out;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const servers = [
    { name: "redis-server 7.0.15", kind: "redis", bin: "redis-server" },
    { name: "plab", kind: "plab", bin: process.env.PLAB_BIN ?? join(root, "build/native/native/plab") },
  ];
  if (args.before) servers.push({ name: "plab before (all-at-once resize)", kind: "plab", bin: args.before });
  const started = Date.now();
  const loadBefore = loadavg()[0];
  const rows = [];
  for (let run = 0; run < args.runs; run++) {
    const order = run % 2 === 0 ? servers : [...servers].reverse();
    for (const server of order) {
      const r = await measure(server, args.keys);
      console.log(`${server.name}: max ${r.max.toFixed(2)} ms, p99.9 ${r.p999.toFixed(2)} ms`);
      rows.push({ server: server.name, run: run + 1, ...r });
    }
  }
  const ms = (x) => x.toFixed(2);
  const lines = [
    "## Worst command latency while growing to " + args.keys.toLocaleString("en-US") + " keys",
    "",
    `Measured ${new Date().toISOString().slice(0, 10)} by \`node bench/latency/run.mjs\` on ${cpus().length} cores ` +
      `(${cpus()[0].model.trim()}), shared with other work: load average ${loadBefore.toFixed(2)} before, ` +
      `${loadavg()[0].toFixed(2)} after; the run took ${Math.round((Date.now() - started) / 1000)} s.`,
    "A loader pipelines `SET key:<n>` (16-byte values, 1000 per write, 2 writes in flight) while a probe",
    "on its own thread times PING and GET round trips back to back. Servers started fresh, no persistence.",
    "Round trips include the probe's own scheduling on a busy machine: compare servers within the run.",
    "",
    "| server | run | load (s) | probes | p99 (ms) | p99.9 (ms) | max (ms) | probes >= 10 ms | worst ones (ms @ keys loaded) |",
    "|---|---|---|---|---|---|---|---|---|",
    ...rows.map(
      (r) =>
        `| ${r.server} | ${r.run} | ${r.secs.toFixed(1)} | ${r.probes} | ${ms(r.p99)} | ${ms(r.p999)} | ` +
        `${ms(r.max)} | ${r.over10} | ${r.worst.map(([t, k]) => `${ms(t)} @ ${k}`).join(", ")} |`,
    ),
    "",
  ];
  const text = lines.join("\n");
  console.log("\n" + text);
  writeFileSync(args.out, text);
}

if (isMainThread) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
} else {
  probeMain(workerData);
}
