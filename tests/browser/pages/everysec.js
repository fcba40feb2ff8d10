// Scenario b: appendfsync everysec, then the whole browser is killed. In
// "write" mode each acknowledged SET is reported with the page's wall-clock
// time (Date.now, the same clock the test reads when it kills the browser).
import { AckBatcher, ask, dump, loadApi, main, nextTask, params, report } from "./harness.js";

main(async () => {
  const PersistLab = await loadApi();
  const lab = await PersistLab.open({
    name: params.get("lab"),
    config: { appendonly: "yes", appendfsync: "everysec", save: "" },
  });
  window.plabCleanup = () => lab.destroy();
  const mode = await ask("mode");
  if (mode === "check") {
    report({ type: "state", keys: await dump(lab, "key:*"), report: lab.report });
    return;
  }
  report({ type: "writing" });
  const acks = new AckBatcher();
  for (let i = 1; ; i++) {
    const set = await lab.exec(["SET", `key:${i}`, String(i)]);
    if (set.reply !== "OK") throw new Error(`SET replied ${JSON.stringify(set.reply)}`);
    acks.add({ key: `key:${i}`, value: String(i), t: Date.now() });
    // Yield so the lab's once-a-second fsync timer can run, as in a real page.
    await nextTask();
  }
});
