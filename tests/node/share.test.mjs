// Shareable-session links (web/app/share.js): a recording round-trips
// through a link, and every kind of bad or hostile parameter is refused
// with a message instead of reaching the lab.
import assert from "node:assert/strict";
import { test } from "node:test";
import { readLink, sessionLink, SESSION_VERSION } from "../../web/app/share.js";

const base = "http://127.0.0.1:8080/";
const recording = {
  start: 1767225600000,
  config: { appendonly: "yes", appendfsync: "everysec", save: "" },
  lines: [[0, ".policy aof everysec"], [2000, 'SET "a b" "é€😀"'], [2000, ".crash torn 42"], [2500, ".restart"]],
};
const encode = (value) => Buffer.from(JSON.stringify(value)).toString("base64url");

test("a recording round-trips through a link, unicode included", () => {
  const link = sessionLink(recording, base);
  assert.match(link, /^http:\/\/127\.0\.0\.1:8080\/\?session=[A-Za-z0-9_-]+$/);
  const { session, problems } = readLink(new URL(link).search);
  assert.deepEqual(problems, []);
  assert.deepEqual(session, { v: SESSION_VERSION, ...recording });
});

test("scenario and step are read, and checked", () => {
  assert.deepEqual(readLink("?scenario=payment-ids&step=3"), { scenario: "payment-ids", step: 3, problems: [] });
  const bad = readLink("?scenario=../../etc/passwd&step=2");
  assert.equal(bad.scenario, undefined);
  assert.match(bad.problems.join(" "), /not a scenario name/);
  assert.match(readLink("?scenario=a&step=0").problems[0], /not a step number/);
  assert.match(readLink("?scenario=a&step=1e3").problems[0], /not a step number/);
  assert.match(readLink("?step=2").problems[0], /step without a scenario/);
});

test("bad or hostile sessions are refused with the reason", () => {
  const cases = [
    ["%%%", /not readable/],
    [encode([1, 2]), /not a session/],
    [encode({ ...recording, v: 2 }), /another version/],
    [encode({ v: 1, start: -5, config: {}, lines: [] }), /start time/],
    [encode({ v: 1, start: 0, config: [], lines: [] }), /settings are not/],
    [encode({ v: 1, start: 0, config: { "Bad Name": "1" }, lines: [] }), /not a Redis parameter name/],
    [encode({ v: 1, start: 0, config: { save: 5 }, lines: [] }), /bad value/],
    [encode({ v: 1, start: 0, config: {}, lines: "SET a 1" }), /not a list/],
    [encode({ v: 1, start: 0, config: {}, lines: [[0, "SET a 1\nFLUSHALL"]] }), /not one line/],
    [encode({ v: 1, start: 0, config: {}, lines: [[5, "A"], [1, "B"]] }), /bad time/],
    [encode({ v: 1, start: 0, config: {}, lines: [[0, "x".repeat(9000)]] }), /not one line/],
    [encode({ v: 1, start: 0, config: {}, lines: Array.from({ length: 2001 }, () => [0, "PING"]) }), /more than 2000/],
  ];
  for (const [param, reason] of cases) {
    const { session, problems } = readLink(`?session=${param}`);
    assert.equal(session, undefined, String(reason));
    assert.equal(problems.length, 1);
    assert.match(problems[0], reason);
  }
  assert.match(readLink(`?session=${"A".repeat(600 * 1024)}`).problems[0], /too long/);
});

test("unknown parameters are named (shortened), not used", () => {
  const { problems } = readLink(`?foo=1&${"x".repeat(100)}=2&session=`);
  assert.match(problems[0], /Ignored what this page does not know in the link: "foo", "x{40}"/);
});
