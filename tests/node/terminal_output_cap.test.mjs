// The terminal's one writer for replies (web/app/terminal/output_cap.js):
// CRLF line ends, and long replies cut to their head with a note saying how
// much was left out, so KEYS * over 100k keys never floods the page.
import assert from "node:assert/strict";
import { test } from "node:test";
import { capOutput, crlf, utf8Length } from "../../web/app/terminal/output_cap.js";

/** A redis-cli style KEYS reply of n lines. */
function keysReply(n) {
  return Array.from({ length: n }, (_, i) => `${i + 1}) "key:${i}"`).join("\n");
}

test("short replies pass whole, with \\n turned into \\r\\n (and \\r\\n left alone)", () => {
  assert.deepEqual(capOutput('1) "a"\n2) "b"'), { text: '1) "a"\r\n2) "b"', capped: false, shownLines: 2, totalLines: 2 });
  assert.equal(capOutput("a\r\nb\n").text, "a\r\nb\r\n");
  assert.equal(capOutput("").text, "");
  assert.equal(crlf("x\ny"), "x\r\ny");
});

test("100k lines: the first 1,000 are shown, then a dim note with the rest and the full size", () => {
  const reply = keysReply(100000);
  const started = performance.now();
  const out = capOutput(reply);
  const ms = performance.now() - started;
  assert.equal(out.capped, true);
  assert.equal(out.shownLines, 1000);
  assert.equal(out.totalLines, 100000);
  const lines = out.text.split("\r\n");
  assert.equal(lines.length, 1001);
  assert.equal(lines[0], '1) "key:0"');
  assert.equal(lines[999], '1000) "key:999"');
  assert.equal(lines[1000], `\x1b[2m… 99,000 more lines not shown (the full reply is ${utf8Length(reply).toLocaleString("en-US")} bytes)\x1b[22m`);
  assert.ok(ms < 500, `capping took ${ms} ms`);
});

test("the character cap cuts at a line end; one huge line is cut inside with a byte count", () => {
  const long = Array.from({ length: 10 }, (_, i) => `${i}`.padEnd(99, "x")).join("\n"); // 10 lines of 99 chars
  const out = capOutput(long, { maxChars: 450 });
  assert.equal(out.shownLines, 4); // line 4 ends at char 399, line 5 at 499
  assert.match(out.text, /\r\n\x1b\[2m… 6 more lines not shown \(the full reply is 999 bytes\)\x1b\[22m$/);
  const huge = "é".repeat(1000);
  const cut = capOutput(huge, { maxChars: 100 });
  assert.ok(cut.text.startsWith("é".repeat(100)));
  assert.match(cut.text, /… 1,800 more bytes not shown \(the full reply is 2,000 bytes\)/);
  assert.match(capOutput("a\nb\nc", { maxLines: 2 }).text, /^a\r\nb\r\n.*1 more line not shown \(the full reply is 5 bytes\)/);
});

test("utf8Length counts bytes like TextEncoder", () => {
  for (const s of ["abc", "é", "名前", "😀x", "a\u{10ffff}"]) {
    assert.equal(utf8Length(s), new TextEncoder().encode(s).length, s);
  }
});
