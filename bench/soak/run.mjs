#!/usr/bin/env node
// bench/soak: `plab serve` under a long mixed load with persistence doing
// everything at once (issue 13 §5):
//
//   node bench/soak/run.mjs [--minutes 10] [--kills 20] [--out FILE]
//
// - redis-benchmark runs a mixed load (SET GET INCR LPUSH LPOP SADD HSET
//   ZADD, -P 16, 50 clients, random keys) against the server the whole time;
// - the server runs with appendonly yes, appendfsync always, the RDB
//   preamble and auto-rewrite, and the script sends BGSAVE and BGREWRITEAOF
//   every few seconds;
// - an "acknowledger" client INCRs one counter in pipelined batches and
//   records the highest value the server acknowledged;
// - `--kills` times, evenly spread, the server gets SIGKILL mid-load and is
//   restarted on its files: the counter it recovers must be >= the last
//   acknowledged value (appendfsync always promises every acknowledged
//   write), and the script says how long the restart took;
// - RSS (VmRSS) is sampled every 5 s: the table shows the curve, so a leak
//   or an unbounded buffer shows as a climb.
// Not a test: it prints a table and writes it to bench/results/soak.md.
// Needs build/native/native/plab (PLAB_BIN overrides), redis-benchmark.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const args = parseArgs(process.argv.slice(2));
const plab = process.env.PLAB_BIN ?? join(root, "build/native/native/plab");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function parseArgs(argv) {
  const out = { minutes: 10, kills: 20, out: join(root, "bench/results/soak.md") };
  for (let i = 0; i < argv.length; i++) {
    const [name, value] = [argv[i], argv[i + 1]];
    if (name === "--minutes") out.minutes = Number(value);
    else if (name === "--kills") out.kills = Number(value);
    else if (name === "--out") out.out = value;
    else {
      console.error("usage: bench/soak/run.mjs [--minutes N] [--kills N] [--out FILE]");
      process.exit(2);
    }
    i++;
  }
  if (!(out.minutes > 0) || !(out.kills >= 0)) {
    console.error("--minutes must be > 0 and --kills >= 0");
    process.exit(2);
  }
  return out;
}

/** A free loopback port (the OS picks one; never 6379). */
async function freePort() {
  return new Promise((resolveP, reject) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolveP(port));
    });
    s.on("error", reject);
  });
}

/** One RESP reply from `buf` at `at`: { value, end }, or null when incomplete. */
function readReply(buf, at) {
  const eol = buf.indexOf("\r\n", at);
  if (eol < 0) return null;
  const type = String.fromCharCode(buf[at]);
  const line = buf.toString("latin1", at + 1, eol);
  if (type === "+" || type === "-") return { value: type === "-" ? new Error(line) : line, end: eol + 2 };
  if (type === ":") return { value: Number(line), end: eol + 2 };
  if (type === "$") {
    const n = Number(line);
    if (n < 0) return { value: null, end: eol + 2 };
    if (buf.length < eol + 2 + n + 2) return null;
    return { value: buf.toString("latin1", eol + 2, eol + 2 + n), end: eol + 4 + n };
  }
  if (type === "*") {
    const n = Number(line);
    const items = [];
    let end = eol + 2;
    for (let i = 0; i < n; i++) {
      const item = readReply(buf, end);
      if (item === null) return null;
      items.push(item.value);
      end = item.end;
    }
    return { value: items, end };
  }
  throw new Error(`unexpected RESP type ${type}`);
}

function encode(argv) {
  let s = `*${argv.length}\r\n`;
  for (const a of argv) s += `$${Buffer.byteLength(String(a))}\r\n${a}\r\n`;
  return s;
}

/** A minimal pipelining client: send(argvs) resolves with their replies in order. */
class Client {
  static connect(port) {
    return new Promise((resolveC, reject) => {
      const socket = net.connect(port, "127.0.0.1", () => resolveC(new Client(socket)));
      socket.once("error", reject);
    });
  }
  constructor(socket) {
    this.socket = socket;
    this.buf = Buffer.alloc(0);
    this.waiting = [];
    this.closed = false;
    socket.on("data", (d) => this.onData(d));
    const fail = (e) => {
      this.closed = true;
      for (const w of this.waiting.splice(0)) w.reject(e ?? new Error("connection closed"));
    };
    socket.on("error", fail);
    socket.on("close", () => fail(new Error("connection closed")));
  }
  onData(d) {
    this.buf = Buffer.concat([this.buf, d]);
    let at = 0;
    for (;;) {
      if (this.waiting.length === 0) break;
      const r = readReply(this.buf, at);
      if (r === null) break;
      at = r.end;
      const w = this.waiting[0];
      w.replies.push(r.value);
      if (w.replies.length === w.count) {
        this.waiting.shift();
        w.resolve(w.replies);
      }
    }
    this.buf = this.buf.subarray(at);
  }
  send(argvs) {
    if (this.closed) return Promise.reject(new Error("connection closed"));
    return new Promise((resolveS, reject) => {
      this.waiting.push({ count: argvs.length, replies: [], resolve: resolveS, reject });
      this.socket.write(argvs.map(encode).join(""));
    });
  }
  close() {
    this.socket.destroy();
  }
}

function rssKb(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Starts plab serve on `dir`; resolves with the process once it answers PING. */
async function startServer(dir, port) {
  const child = spawn(plab, ["serve", "--port", String(port), "--bind", "127.0.0.1", "--dir", dir,
    "--appendonly", "yes", "--appendfsync", "always", "--aof-use-rdb-preamble", "yes",
    "--auto-aof-rewrite-percentage", "100", "--auto-aof-rewrite-min-size", "8mb",
    "--save", "", "--logfile", join(dir, "server.log")], { stdio: "ignore" });
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`plab serve exited (${child.exitCode}); see ${dir}/server.log`);
    try {
      const c = await Client.connect(port);
      const [pong] = await c.send([["PING"]]);
      c.close();
      if (pong === "PONG") return { child, startMs: Date.now() - started };
    } catch {
      // not listening yet, or still loading
    }
    if (Date.now() - started > 60_000) throw new Error("plab serve did not answer within 60 s");
    await sleep(20);
  }
}

function startBenchmark(port) {
  // -n large and killed at the end: redis-benchmark has no duration flag.
  return spawn("redis-benchmark", ["-h", "127.0.0.1", "-p", String(port), "-c", "50", "-P", "16",
    "-r", "100000", "-d", "64", "-n", "100000000", "-l", "-q",
    "-t", "set,get,incr,lpush,lpop,sadd,hset,zadd"], { stdio: "ignore", detached: false }).on("error", () => {});
}

/** INCRs `soak:acked` in batches of 32 until stopped; tracks the highest acknowledged value. */
function startAcknowledger(port, state) {
  let stopped = false;
  const loop = async () => {
    while (!stopped) {
      let client;
      try {
        client = await Client.connect(port);
        while (!stopped) {
          const replies = await client.send(Array.from({ length: 32 }, () => ["INCR", "soak:acked"]));
          for (const r of replies) if (typeof r === "number" && r > state.acked) state.acked = r;
          state.acks += replies.length;
        }
      } catch {
        // the server was killed: wait for it to come back
        await sleep(50);
      } finally {
        client?.close();
      }
    }
  };
  const done = loop();
  return async () => {
    stopped = true;
    await done;
  };
}

async function main() {
  if (spawnSync("redis-benchmark", ["--version"]).status !== 0) throw new Error("redis-benchmark is missing (apt-get install redis-tools)");
  const dir = mkdtempSync(join(tmpdir(), "plab-soak-"));
  const port = await freePort();
  const totalMs = args.minutes * 60_000;
  const killEvery = args.kills > 0 ? totalMs / (args.kills + 1) : Infinity;
  const t0 = Date.now();
  let server = await startServer(dir, port);
  // redis-benchmark gives up when its server dies: one per server life.
  let bench = startBenchmark(port);
  const state = { acked: 0, acks: 0 };
  const stopAck = startAcknowledger(port, state);
  const samples = [];
  const kills = [];
  let admin = await Client.connect(port);
  let nextKill = killEvery;
  let nextSample = 0;
  let tick = 0;
  let failures = 0;
  while (Date.now() - t0 < totalMs) {
    await sleep(250);
    const elapsed = Date.now() - t0;
    tick++;
    if (tick % 12 === 0) {
      // Every ~3 s one of them; the server refuses overlaps as Redis does.
      const cmd = (tick / 12) % 2 === 0 ? "BGSAVE" : "BGREWRITEAOF";
      await admin.send([[cmd]]).catch(() => {});
    }
    if (elapsed >= nextSample) {
      const [stats] = await admin.send([["INFO", "stats"]]).catch(() => [""]);
      const ops = /instantaneous_ops_per_sec:(\d+)/.exec(String(stats))?.[1] ?? "?";
      samples.push({ s: Math.round(elapsed / 1000), rssKb: rssKb(server.child.pid), acked: state.acked, ops });
      nextSample += 5000;
    }
    if (elapsed >= nextKill && kills.length < args.kills) {
      nextKill += killEvery;
      const acked = state.acked;
      server.child.kill("SIGKILL");
      await new Promise((r) => server.child.exitCode !== null || server.child.signalCode !== null ? r() : server.child.once("exit", r));
      admin.close();
      server = await startServer(dir, port);
      admin = await Client.connect(port);
      bench.kill("SIGKILL");
      bench = startBenchmark(port);
      const [value] = await admin.send([["GET", "soak:acked"]]);
      const recovered = Number(value ?? 0);
      const ok = recovered >= acked;
      if (!ok) failures++;
      kills.push({ s: Math.round(elapsed / 1000), acked, recovered, startMs: server.startMs, ok });
      console.log(`kill ${kills.length}: acknowledged ${acked}, recovered ${recovered}, restart ${server.startMs} ms${ok ? "" : "  LOST ACKNOWLEDGED WRITES"}`);
    }
  }
  bench.kill("SIGKILL");
  await stopAck();
  const [info] = await admin.send([["INFO", "persistence"]]);
  admin.close();
  server.child.kill("SIGTERM");
  await new Promise((r) => server.child.exitCode !== null ? r() : server.child.once("exit", r));
  report({ samples, kills, failures, info, acks: state.acks, dir });
  rmSync(dir, { recursive: true, force: true });
  if (failures > 0) process.exitCode = 1;
}

function report({ samples, kills, failures, info, acks }) {
  const lines = [];
  lines.push("# bench/soak — plab serve under a mixed load with kills", "");
  lines.push(`Run ${new Date().toISOString().slice(0, 16)}Z: ${args.minutes} min, redis-benchmark -c 50 -P 16 (set,get,incr,lpush,lpop,sadd,hset,zadd) the whole time, ` +
    `BGSAVE / BGREWRITEAOF alternating every ~3 s, appendfsync always + RDB preamble + auto-rewrite, ${kills.length} SIGKILL-and-restart cycles. ` +
    `The acknowledger INCRed one counter ${acks} times in batches of 32.`, "");
  lines.push("## Kills: no acknowledged write may be lost (appendfsync always)", "");
  lines.push("| # | at s | last acknowledged | recovered | restart ms | verdict |", "|---|---|---|---|---|---|");
  kills.forEach((k, i) => lines.push(`| ${i + 1} | ${k.s} | ${k.acked} | ${k.recovered} | ${k.startMs} | ${k.ok ? "ok" : "**lost writes**"} |`));
  lines.push("", `${kills.length - failures} of ${kills.length} restarts kept every acknowledged write.`, "");
  lines.push("## RSS every 5 s (kB; restarts start from the loaded dataset)", "");
  lines.push("| s | RSS kB | acknowledged | ops/s (INFO) |", "|---|---|---|---|");
  for (const x of samples) lines.push(`| ${x.s} | ${x.rssKb} | ${x.acked} | ${x.ops} |`);
  const rss = samples.map((x) => x.rssKb).filter((x) => x > 0);
  if (rss.length > 0) {
    const half = rss.slice(Math.floor(rss.length / 2));
    lines.push("", `RSS min ${Math.min(...rss)} kB, max ${Math.max(...rss)} kB; second half max ${Math.max(...half)} kB.`);
  }
  const persistence = String(info ?? "").split("\r\n").filter((l) => /^(aof_rewrites|rdb_saves|aof_last_bgrewrite_status|rdb_last_bgsave_status|aof_last_write_status)/.test(l));
  lines.push("", "Final INFO persistence (since the last restart): " + persistence.join(", "), "");
  const text = lines.join("\n");
  console.log(text);
  writeFileSync(args.out, text);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
