// Smoke test for the bare WebAssembly module (no IndexedDB, no JS API):
// loads plab_wasm.mjs in node, runs a few commands through the embind Lab
// and compares the RESP replies with what Redis 7.0 sends.
// Usage: node tests/wasm/smoke.mjs build/wasm/dist/plab_wasm.mjs
// Exits non-zero on the first mismatch.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";

const modulePath = resolve(process.argv[2] ?? "build/wasm/dist/plab_wasm.mjs");
const wasmPath = modulePath.replace(/\.mjs$/, ".wasm");

// Node 18+ has a global fetch(), which Emscripten would try to use on a
// file path; hand it the binary directly instead.
const { default: createPlab } = await import(pathToFileURL(modulePath).href);
const plab = await createPlab({ wasmBinary: readFileSync(wasmPath) });
const { encodeBatch } = await import(new URL("../../web/src/resp.js", import.meta.url).href);
const lab = new plab.Lab(Date.now());
const opened = JSON.parse(lab.open([]));
if (!opened.ok) throw new Error(`open failed: ${opened.error}`);
const decoder = new TextDecoder();
const run = (commands) => decoder.decode(lab.runBatch(encodeBatch(commands)));

const cases = [
  ["PING", "+PONG\r\n"],
  ["PING hello", "$5\r\nhello\r\n"],
  ['ECHO "hello world"', "$11\r\nhello world\r\n"],
  ["ECHO", "-ERR wrong number of arguments for 'echo' command\r\n"],
  ["SELECT 3", "+OK\r\n"],
  ["SELECT 99", "-ERR DB index is out of range\r\n"],
  ["NOSUCHCMD a b",
   "-ERR unknown command 'NOSUCHCMD', with args beginning with: 'a' 'b' \r\n"],
  ['ECHO "unbalanced', "-ERR Protocol error: unbalanced quotes in request\r\n"],
];

let failed = 0;
for (const [line, want] of cases) {
  const got = run([line]);
  if (got !== want) {
    failed++;
    console.log(`FAIL ${line}\n  want ${JSON.stringify(want)}\n  got  ${JSON.stringify(got)}`);
  }
}
// Two commands in one batch, one of them a binary-safe argv.
const fed = run(["PING", ["ECHO", new Uint8Array([120, 0])]]);
if (fed !== "+PONG\r\n$2\r\nx\0\r\n") {
  failed++;
  console.log(`FAIL batch: got ${JSON.stringify(fed)}`);
}
// A malformed batch is refused (null), never an abort.
if (lab.runBatch(new Uint8Array([0x41, 9, 0, 0, 0])) !== null) {
  failed++;
  console.log("FAIL malformed batch was not refused");
}
lab.delete();

const passed = cases.length + 2 - failed;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
