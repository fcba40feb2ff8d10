// Scenario c: labs "left" and "right" open on one page must not share data,
// neither in memory nor in IndexedDB (checked again after a reload).
import { ask, dump, loadApi, main, params, report } from "./harness.js";

const config = { appendonly: "yes", appendfsync: "always", save: "" };

main(async () => {
  const PersistLab = await loadApi();
  const left = await PersistLab.open({ name: params.get("left"), config });
  const right = await PersistLab.open({ name: params.get("right"), config });
  window.plabCleanup = async () => {
    await left.destroy();
    await right.destroy();
  };
  if ((await ask("mode")) === "write") {
    await left.execMany([["SET", "only:left", "L"], ["SET", "shared", "from-left"], "INCR n"]);
    await right.execMany([["SET", "only:right", "R"], ["SET", "shared", "from-right"], "INCR n", "INCR n"]);
  }
  report({
    type: "state",
    left: await dump(left, "*"),
    right: await dump(right, "*"),
  });
});
