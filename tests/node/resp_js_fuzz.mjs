// Fuzz loop for the JS reply decoder (web/src/resp.js parseReply), seeded
// with replies a real redis-server 7.0.15 sent in RESP2 and RESP3
// (tests/fuzz/corpus/resp_js/, tests/fuzz/make_corpus.mjs). See
// fuzz_util.mjs for the loop and its budget (PLAB_FUZZ_SECONDS).
//
// Invariants: parseReply either throws an Error or returns an end inside
// the input, past the type byte; a value it returned, encoded again as
// RESP3, decodes to an equal value ending exactly at the end of that
// encoding.
import assert from "node:assert/strict";
import { test } from "node:test";

import { parseReply } from "../../web/src/resp.js";
import { fuzzLoop } from "./fuzz_util.mjs";

const enc = new TextEncoder();

/** RESP3 bytes that decode to `v` (the decoder's value model). */
function encode(v) {
  if (v === null) return "_\r\n";
  if (typeof v === "boolean") return v ? "#t\r\n" : "#f\r\n";
  if (typeof v === "bigint") return `(${v}\r\n`;
  if (typeof v === "number") {
    if (Number.isSafeInteger(v) && !Object.is(v, -0)) return `:${v}\r\n`;
    // String(-0) is "0": spell the sign out, or ":-0" (which decodes to -0)
    // would come back as +0 and break the round trip.
    if (Object.is(v, -0)) return ",-0\r\n";
    return `,${Number.isNaN(v) ? "nan" : String(v).replace("Infinity", "inf")}\r\n`;
  }
  if (typeof v === "string") return `$${enc.encode(v).length}\r\n${v}\r\n`;
  if (Array.isArray(v)) return `*${v.length}\r\n` + v.map(encode).join("");
  if (v instanceof Map) {
    let s = `%${v.size}\r\n`;
    for (const [k, x] of v) s += encode(k) + encode(x);
    return s;
  }
  if (typeof v === "object" && typeof v.error === "string") return `-${v.error}\r\n`;
  throw new Error(`parseReply returned a value outside its model: ${String(v)}`);
}

function check(bytes) {
  let r;
  try {
    r = parseReply(bytes, 0);
  } catch (err) {
    if (!(err instanceof Error)) throw new Error(`threw a non-Error: ${String(err)}`);
    return "throws " + err.message.split(" ").slice(0, 3).join(" ").replace(/[0-9]+/g, "N");
  }
  if (!Number.isInteger(r.end) || r.end < 1 || r.end > bytes.length) {
    throw new Error(`returned end ${r.end} for a ${bytes.length}-byte input`);
  }
  const again = enc.encode(encode(r.value));
  const r2 = parseReply(again, 0);
  assert.deepStrictEqual(r2.value, r.value, "the value re-encoded decodes to another value");
  if (r2.end !== again.length) throw new Error("the re-encoded value does not end where it should");
  return "ok " + String.fromCharCode(bytes[0]);
}

test("parseReply keeps its invariants on mutated Redis replies", { timeout: 600_000 }, async () => {
  const execs = await fuzzLoop("resp_js", check);
  assert.ok(execs > 0);
});
