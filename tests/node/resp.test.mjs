// The JS reply decoder (web/src/resp.js) on the cases its fuzz loop
// (resp_js_fuzz.mjs) found or could only find by luck: values keep every
// byte, and a hostile stream gets an Error with a message, never a crash
// of the page's call stack.
import assert from "node:assert/strict";
import { test } from "node:test";

import { parseReply } from "../../web/src/resp.js";

const bytes = (...parts) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === "string" ? Array.from(p, (c) => c.charCodeAt(0)) : p)));

test("a bulk string keeps a leading byte order mark", () => {
  const bom = [0xef, 0xbb, 0xbf];
  const r = parseReply(bytes("$7\r\n", bom, "abcd\r\n"), 0);
  assert.equal(r.value, "\ufeffabcd");
  assert.equal(r.end, 13);
  const two = parseReply(bytes("$6\r\n", bom, bom, "\r\n"), 0);
  assert.equal(two.value, "\ufeff\ufeff");
});

test("an error reply keeps a leading byte order mark", () => {
  const r = parseReply(bytes("-", [0xef, 0xbb, 0xbf], "ERR x\r\n"), 0);
  assert.deepEqual(r.value, { error: "\ufeffERR x" });
});

test("nesting past the limit is refused with the offset", () => {
  const deep = "*1\r\n".repeat(5000) + "_\r\n";
  assert.throws(() => parseReply(bytes(deep), 0), /nested deeper than 1000 levels at offset 4004/);
  const ok = parseReply(bytes("*1\r\n".repeat(1000) + "_\r\n"), 0);
  assert.equal(ok.end, 4003);
});

test("integers and doubles keep their sign, including -0", () => {
  assert.ok(Object.is(parseReply(bytes(":-0\r\n"), 0).value, -0));
  assert.ok(Object.is(parseReply(bytes(",-0\r\n"), 0).value, -0));
  assert.equal(parseReply(bytes(",-inf\r\n"), 0).value, -Infinity);
  assert.equal(parseReply(bytes("(-12345678901234567890\r\n"), 0).value, -12345678901234567890n);
});
