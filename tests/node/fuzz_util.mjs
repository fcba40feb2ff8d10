// A small fuzz loop for the JS side (the native targets use libFuzzer, see
// tests/fuzz/): replays the committed seeds and saved crashes of a target,
// then mutates them (seeded random: bit flips, interesting bytes, numbers
// swapped for huge or negative ones, inserted, deleted, duplicated and
// spliced ranges) for a time budget. Node has no coverage feedback here, so
// an input joins the pool when its outcome has a signature not seen yet
// (the `run` callback returns one, e.g. the error message's first words).
//
// Budget: PLAB_FUZZ_SECONDS (default 2, so `node --test tests/node/`
// stays quick; scripts/fuzz and scripts/test pass 30 or more). Seed:
// PLAB_FUZZ_SEED, else a random one; it is printed, so a run replays.
// A broken invariant saves the input to tests/fuzz/regressions/<target>/
// and fails with the reason; the file is replayed first from then on.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const fuzzDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../fuzz");

/** Deterministic PRNG (mulberry32), so a failing seed can be replayed. */
export function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n) => Math.floor(next() * n);
  const bytes = (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = int(256);
    return out;
  };
  return { next, int, bytes, pick: (list) => list[int(list.length)] };
}

/** The committed seeds and saved crashes of `target`, crashes first. */
export function savedInputs(target) {
  const out = [];
  for (const kind of ["regressions", "corpus"]) {
    const dir = path.join(fuzzDir, kind, target);
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir).sort()) {
      if (f.startsWith(".")) continue;
      out.push({ name: `${kind}/${target}/${f}`, bytes: new Uint8Array(fs.readFileSync(path.join(dir, f))) });
    }
  }
  return out;
}

const INTERESTING = [0, 1, 0x7f, 0x80, 0xff, 13, 10, 42, 36, 45, 43, 58, 95, 35, 37, 48, 57];
const NUMBERS = ["-1", "0", "1", "2", "-2", "4294967295", "4294967296", "9007199254740993",
  "-9223372036854775808", "99999999999999999999", "1e3", "nan", "inf", " 1", "+1"];

/** One to four random edits of `input` (a fresh array). */
export function mutate(input, rnd, pool) {
  let b = Array.from(input);
  const edits = 1 + rnd.int(4);
  for (let e = 0; e < edits; e++) {
    const at = rnd.int(b.length + 1);
    switch (rnd.int(8)) {
      case 0:
        if (b.length) b[rnd.int(b.length)] ^= 1 << rnd.int(8);
        break;
      case 1:
        if (b.length) b[rnd.int(b.length)] = INTERESTING[rnd.int(INTERESTING.length)];
        break;
      case 2: {
        const n = 1 + rnd.int(8);
        b.splice(at, 0, ...Array.from({ length: n }, () => rnd.int(256)));
        break;
      }
      case 3:
        b.splice(at, 1 + rnd.int(Math.max(1, b.length >> 3)));
        break;
      case 4: {
        const from = rnd.int(b.length + 1);
        b.splice(at, 0, ...b.slice(from, from + 1 + rnd.int(32)));
        break;
      }
      case 5: {
        // Swap a run of digits for another number.
        const text = b.map((x) => String.fromCharCode(x)).join("");
        const runs = [...text.matchAll(/-?[0-9]+/g)];
        if (!runs.length) break;
        const m = runs[rnd.int(runs.length)];
        const repl = Array.from(NUMBERS[rnd.int(NUMBERS.length)], (c) => c.charCodeAt(0));
        b.splice(m.index, m[0].length, ...repl);
        break;
      }
      case 6: {
        const other = pool[rnd.int(pool.length)];
        const from = rnd.int(other.length + 1);
        b.splice(at, 0, ...other.slice(from, from + 1 + rnd.int(64)));
        break;
      }
      default:
        b = b.slice(0, at);
    }
  }
  return Uint8Array.from(b);
}

function save(target, bytes) {
  const dir = path.join(fuzzDir, "regressions", target);
  fs.mkdirSync(dir, { recursive: true });
  const name = "crash-" + createHash("sha1").update(bytes).digest("hex");
  fs.writeFileSync(path.join(dir, name), bytes);
  return path.join("tests/fuzz/regressions", target, name);
}

/**
 * Runs `run(bytes)` on every saved input, then on mutations until the
 * budget is spent. `run` returns an outcome signature (a string) when every
 * invariant held and throws (an Error whose message says what broke)
 * otherwise. Resolves with the number of executions; rejects on the first
 * broken invariant, after saving the input (unless it already was saved).
 * @param {string} target
 * @param {(bytes: Uint8Array) => string | Promise<string>} run
 */
export async function fuzzLoop(target, run) {
  const seconds = Number(process.env.PLAB_FUZZ_SECONDS ?? 2);
  const seed = Number(process.env.PLAB_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 32));
  const rnd = prng(seed);
  const saved = savedInputs(target);
  if (saved.length === 0) throw new Error(`no seeds in tests/fuzz/corpus/${target}`);
  const seen = new Set();
  const pool = [];
  let execs = 0;
  const attempt = async (bytes, savedName) => {
    execs++;
    let signature;
    try {
      signature = await run(bytes);
    } catch (err) {
      const where = savedName ?? save(target, bytes);
      throw new Error(`fuzz ${target}: ${err.message} (input ${where}; seed ${seed})`, { cause: err });
    }
    if (!seen.has(signature)) {
      seen.add(signature);
      pool.push(bytes);
    }
  };
  for (const s of saved) await attempt(s.bytes, s.name);
  for (const s of saved) if (!pool.includes(s.bytes)) pool.push(s.bytes);
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    const input = rnd.next() < 0.03
      ? Uint8Array.from({ length: rnd.int(64) }, () => rnd.int(256))
      : mutate(pool[rnd.int(pool.length)], rnd, pool);
    await attempt(input);
  }
  console.log(`fuzz ${target}: ${execs} execs in ${seconds} s (seed ${seed}, ${seen.size} outcomes)`);
  return execs;
}
