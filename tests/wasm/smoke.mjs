// Smoke test for the WebAssembly build: loads plab_wasm.mjs in node, runs a
// few commands and compares the RESP replies with what Redis 7.0 sends.
// Usage: node tests/wasm/smoke.mjs build/wasm/wasm/plab_wasm.mjs
// Exits non-zero on the first mismatch.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";

const modulePath = resolve(process.argv[2] ?? "build/wasm/wasm/plab_wasm.mjs");
const wasmPath = modulePath.replace(/\.mjs$/, ".wasm");

// Node 18+ has a global fetch(), which Emscripten would try to use on a
// file path; hand it the binary directly instead.
const { default: createPlab } = await import(pathToFileURL(modulePath).href);
const plab = await createPlab({ wasmBinary: readFileSync(wasmPath) });
const lab = new plab.Lab(true);

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
  const got = lab.execute(line);
  if (got !== want) {
    failed++;
    console.log(`FAIL ${line}\n  want ${JSON.stringify(want)}\n  got  ${JSON.stringify(got)}`);
  }
}
// Raw RESP through feed(): two pipelined commands in one call.
const fed = lab.feed("*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$1\r\nx\r\n");
if (fed !== "+PONG\r\n$1\r\nx\r\n") {
  failed++;
  console.log(`FAIL feed pipeline: got ${JSON.stringify(fed)}`);
}
lab.delete();

const passed = cases.length + 1 - failed;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
