// Scenario a: appendfsync always. In "write" mode the page writes until the
// test reloads it, reporting each acknowledged write; in "check" mode it
// reopens the lab and reports what survived.
import { AckBatcher, ask, dump, loadApi, main, nextTask, params, report } from "./harness.js";

main(async () => {
  const PersistLab = await loadApi();
  const name = params.get("lab");
  const lab = await PersistLab.open({
    name,
    config: { appendonly: "yes", appendfsync: "always", save: "" },
  });
  window.plabCleanup = () => lab.destroy();
  const mode = await ask("mode");
  if (mode === "check") {
    const { reply: counter } = await lab.exec("GET counter");
    report({ type: "state", counter, keys: await dump(lab, "key:*"), report: lab.report });
    return;
  }
  report({ type: "writing" });
  const acks = new AckBatcher();
  // Until the reload stops this page: under "always" a resolved exec means
  // the write is in IndexedDB, so each ack is a promise the test checks.
  for (let i = 1; ; i++) {
    const incr = await lab.exec(["INCR", "counter"]);
    if (typeof incr.reply !== "number") throw new Error(`INCR replied ${JSON.stringify(incr.reply)}`);
    acks.add({ kind: "incr", value: incr.reply });
    const set = await lab.exec(["SET", `key:${i}`, String(i)]);
    if (set.reply !== "OK") throw new Error(`SET replied ${JSON.stringify(set.reply)}`);
    acks.add({ kind: "set", key: `key:${i}`, value: String(i) });
    await nextTask();
  }
});
