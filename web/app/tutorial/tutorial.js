// The tutorial view: the scenarios in web/scenarios/ (listed by
// scenarios/index.json, which web/build.mjs writes), each run step by step
// in a lab of its own.
//
// This first version lists the scenarios; the scenario runner is being
// built (issue 12).

import { h, replace } from "../dom.js";

/**
 * @param {HTMLElement} container  #view-tutorial
 * @param {{ worker: import("../../src/worker/lab_client.js").LabWorker }} context
 * @returns {Promise<{ open(id: string, step?: number): Promise<void> }>}
 */
export async function mountTutorial(container, context) {
  void context;
  const list = h("ul", { class: "scenario-list" });
  replace(container, h("section", { class: "pane" }, h("h2", { class: "pane-title" }, "Tutorial"), list));
  const response = await fetch(new URL("scenarios/index.json", document.baseURI));
  const scenarios = response.ok ? await response.json() : [];
  replace(list, scenarios.length === 0
    ? h("li", { class: "empty" }, "No scenarios yet.")
    : scenarios.map((s) => h("li", null, h("strong", null, s.title), " ", s.summary)));
  return { open: async () => {} };
}
