// Scenario f: under appendfsync no, a power loss loses the writes that never
// reached the (simulated) disk. restart() must say so (diff.counts.lost), and
// a page reload must come back to exactly the state restart() recovered: the
// IndexedDB mirror must hold the durable disk, not the page cache.
import { ask, dump, loadApi, main, params, report } from "./harness.js";

main(async () => {
  const PersistLab = await loadApi();
  const lab = await PersistLab.open({
    name: params.get("lab"),
    config: { appendonly: "yes", appendfsync: "no", save: "" },
  });
  window.plabCleanup = () => lab.destroy();
  if ((await ask("mode")) === "check") {
    const { reply: dbsize } = await lab.exec("DBSIZE");
    report({ type: "state", dbsize, keys: await dump(lab, "*") });
    return;
  }
  const batch = (from, to) => {
    const writes = [];
    for (let i = from; i < to; i++) writes.push(["SET", `k:${i}`, `v${i}`]);
    return writes;
  };
  // The first 100 keys reach the disk through the kernel's periodic
  // writeback (30 s of virtual time later); the next 100 are only in the
  // page cache when the power goes. So the reload below compares a real,
  // non-empty recovered state, and the diff must name exactly those 100.
  await lab.execMany(batch(0, 100));
  await lab.clock.advance(35_000);
  await lab.execMany(batch(100, 200));
  const { reply: before } = await lab.exec("DBSIZE");
  await lab.crash("power");
  const { report: recovery, diff } = await lab.restart();
  const { reply: after } = await lab.exec("DBSIZE");
  report({
    type: "restarted",
    before,
    after,
    diff,
    recovery,
    keys: await dump(lab, "*"),
  });
});
