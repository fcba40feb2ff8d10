// Scenario d: served with "default-src 'self'; script-src 'self'
// 'wasm-unsafe-eval'". The module must load, instantiate its wasm and answer
// PING without any CSP violation. A deliberate eval afterwards shows that the
// policy is enforced and that the listener would have seen a violation.
import { loadApi, main, report } from "../harness.js";

const violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  violations.push({ directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample });
});

/** Waits a task so queued securitypolicyviolation events are delivered. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

main(async () => {
  const PersistLab = await loadApi();
  const lab = await PersistLab.open({ name: "csp-ping", config: { save: "" } });
  const { reply, text } = await lab.exec("PING");
  await settle();
  const before = violations.slice();
  let evalBlocked = false;
  try {
    new Function("return 1")();
  } catch (e) {
    evalBlocked = e instanceof EvalError;
  }
  await settle();
  const controlViolations = violations.length - before.length;
  await lab.destroy();
  report({ type: "state", reply, text, violations: before, evalBlocked, controlViolations });
});
