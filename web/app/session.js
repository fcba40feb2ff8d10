// A lab as a page shows it: a RemoteLab (running in the worker) whose
// events feed a Store — snapshots, timeline marks, the last restart's
// report. The playground page and the <persist-lab> element both connect
// their labs this way; panels then draw from the store.

import { marksFromEvent } from "./marks.js";

/**
 * Feeds `store` from `lab`'s events, from now on.
 * @param {import("../src/worker/lab_client.js").RemoteLab} lab
 * @param {import("./store.js").Store} store
 * @param {{ onState?: (snapshot: any) => void, onError?: (e: { message: string }) => void }} [hooks]
 */
export function connectLab(lab, store, hooks = {}) {
  store.set({ lab: lab.snapshot, receivedAt: performance.now() });
  lab.on("state", (snapshot) => {
    store.set({ lab: snapshot, receivedAt: performance.now() });
    hooks.onState?.(snapshot);
  });
  for (const event of ["save", "rewrite", "fsync", "crash", "restart", "log"]) {
    lab.on(event, (detail) => {
      for (const mark of marksFromEvent(event, detail)) store.addMark(mark);
      if (event === "restart") {
        store.set({ restart: { report: detail.report, diff: detail.diff, text: detail.text, at: detail.at } });
      }
    });
  }
  if (hooks.onError) lab.on("error", hooks.onError);
  if (lab.report) {
    store.set({ restart: { report: lab.report, diff: null, text: lab.reportText, at: lab.snapshot.clock.now } });
  }
}
