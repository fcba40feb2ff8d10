// Scenario e: the same lab in two tabs. Each tab tries to open the lab and
// reports the outcome; the test then drives close/reopen through
// window.plabLock.
import { loadApi, main, params, report } from "./harness.js";

main(async () => {
  const PersistLab = await loadApi();
  const name = params.get("lab");
  let lab = null;

  /** Tries to open the lab; reports {opened} or {error}. */
  async function tryOpen() {
    try {
      lab = await PersistLab.open({ name, config: { appendonly: "yes", save: "" } });
      const { reply } = await lab.exec("PING");
      return { opened: true, ping: reply };
    } catch (e) {
      return { opened: false, error: e?.message ?? String(e) };
    }
  }

  window.plabLock = {
    tryOpen,
    close: async () => { await lab?.close(); lab = null; },
    destroy: async () => { await lab?.destroy(); lab = null; },
  };
  report({ type: "attempt", tab: params.get("tab"), ...(await tryOpen()) });
});
