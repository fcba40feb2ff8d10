// Time to ready: from navigation start (performance.now() == 0) and from
// just before import() to the first PING answered by a freshly opened lab,
// with the import and the open timed on their own to show where time goes.
// The result lands in window.plabReady for bench/wasm/run.mjs to read.
const t0 = performance.now();
const { PersistLab } = await import("/dist/persistlab.js");
const tImported = performance.now();
const name = new URLSearchParams(location.search).get("lab");
try {
  const lab = await PersistLab.open({ name, config: { save: "" } });
  const tOpened = performance.now();
  const { reply } = await lab.exec("PING");
  const t1 = performance.now();
  await lab.destroy();
  window.plabReady = {
    reply,
    fromNavigation: t1,
    fromImport: t1 - t0,
    importMs: tImported - t0,
    openMs: tOpened - tImported,
  };
} catch (e) {
  window.plabReady = { error: e?.message ?? String(e) };
}
