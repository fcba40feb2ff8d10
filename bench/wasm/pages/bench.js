// The measurements that run inside the page; bench/wasm/run.mjs calls them
// through window.plabBench and does the statistics and the budgets.
import { PersistLab } from "/dist/persistlab.js";

/** Throws unless reply is what the command should have answered. */
function expectReply(result, expected, what) {
  if (result.reply !== expected) {
    throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(result.reply)}`);
  }
}

/**
 * Runs `total` commands from make(i) through execMany in batches.
 * @returns {Promise<number>} elapsed ms (command strings are built before timing)
 */
async function timedBatches(lab, total, batchSize, make) {
  const batches = [];
  for (let i = 0; i < total; i += batchSize) {
    const batch = [];
    for (let j = i; j < Math.min(total, i + batchSize); j++) batch.push(make(j));
    batches.push(batch);
  }
  const t0 = performance.now();
  for (const batch of batches) await lab.execMany(batch);
  return performance.now() - t0;
}

/** Polls INFO persistence until no AOF rewrite is scheduled or running. */
async function waitForRewrite(lab, timeoutMs) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const { reply } = await lab.exec("INFO persistence");
    const field = (k) => new RegExp(`^${k}:(.*)$`, "m").exec(reply)?.[1]?.trim();
    if (field("aof_rewrite_in_progress") === "0" && field("aof_rewrite_scheduled") === "0") {
      return field("aof_last_bgrewrite_status");
    }
    if (performance.now() > deadline) throw new Error(`AOF rewrite still running after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

window.plabBench = {
  /** Commands/s for `total` commands made by kind ("set" or "incr"). */
  async throughput(name, config, kind, total, batchSize) {
    const lab = await PersistLab.open({ name, config });
    try {
      const make = kind === "set" ? (i) => `SET k${i} v` : () => "INCR counter";
      const ms = await timedBatches(lab, total, batchSize, make);
      // Check the work was really done, so a broken execMany can't look fast.
      if (kind === "set") expectReply(await lab.exec("DBSIZE"), total, "DBSIZE after the SETs");
      else expectReply(await lab.exec("GET counter"), String(total), "counter after the INCRs");
      return { ms, perSecond: total / (ms / 1000) };
    } finally {
      await lab.destroy();
    }
  },

  /** Latencies (ms) of `count` SETs, one exec at a time, under appendfsync always. */
  async durableWrites(name, count) {
    const lab = await PersistLab.open({
      name,
      config: { appendonly: "yes", appendfsync: "always", save: "" },
    });
    try {
      const latencies = [];
      for (let i = 0; i < count; i++) {
        const t0 = performance.now();
        const result = await lab.exec(["SET", `k${i}`, "v"]);
        latencies.push(performance.now() - t0);
        expectReply(result, "OK", "SET");
      }
      return latencies;
    } finally {
      await lab.destroy();
    }
  },

  /**
   * Builds the recovery bench's lab: `keys` SETs, BGREWRITEAOF with an RDB
   * preamble, then `tail` more writes that land in the new incremental AOF.
   */
  async buildRecoveryLab(name, keys, tail) {
    const lab = await PersistLab.open({
      name,
      config: { appendonly: "yes", appendfsync: "always", "aof-use-rdb-preamble": "yes", save: "" },
    });
    try {
      await timedBatches(lab, keys, 1000, (i) => `SET key:${i} value:${i}`);
      const started = await lab.exec("BGREWRITEAOF");
      const rewriteStatus = await waitForRewrite(lab, 60_000);
      await timedBatches(lab, tail, 1000, (i) => `SET tail:${i} ${i}`);
      const { reply: dbsize } = await lab.exec("DBSIZE");
      return { started: started.text, rewriteStatus, dbsize, files: lab.files() };
    } finally {
      await lab.close();
    }
  },

  /** Times PersistLab.open (IndexedDB load + recovery) of an existing lab. */
  async timedOpen(name, config) {
    const t0 = performance.now();
    const lab = await PersistLab.open({ name, config });
    const ms = performance.now() - t0;
    try {
      const { reply: dbsize } = await lab.exec("DBSIZE");
      return { ms, dbsize, report: lab.report };
    } finally {
      await lab.close();
    }
  },

  /**
   * Times the IndexedDB half of an open alone: the mirror's load of every
   * durable file (no lock, no engine). Splits a slow open into its parts.
   */
  async timedMirrorLoad(name) {
    const { openMirror } = await import("/dist/idb_mirror.js");
    const t0 = performance.now();
    const mirror = await openMirror(name);
    const ms = performance.now() - t0;
    let bytes = 0;
    for (const buf of mirror.image.inodes.values()) bytes += buf.length;
    mirror.close();
    return { ms, files: mirror.image.names.size, bytes };
  },

  /** Records and value bytes in every IndexedDB database of the lab. */
  async idbFootprint(name) {
    let records = 0;
    let bytes = 0;
    const dbs = (await indexedDB.databases()).filter((d) => d.name.endsWith(name));
    for (const { name: dbName } of dbs) {
      const db = await new Promise((ok, fail) => {
        const req = indexedDB.open(dbName);
        req.onsuccess = () => ok(req.result);
        req.onerror = () => fail(req.error);
      });
      const tx = db.transaction([...db.objectStoreNames], "readonly");
      await Promise.all([...db.objectStoreNames].map((store) => new Promise((ok, fail) => {
        const req = tx.objectStore(store).openCursor();
        req.onsuccess = () => {
          const cursor = req.result;
          if (!cursor) return ok();
          records++;
          const v = cursor.value;
          bytes += v?.byteLength ?? (typeof v === "string" ? v.length : 0);
          cursor.continue();
        };
        req.onerror = () => fail(req.error);
      })));
      db.close();
    }
    return { databases: dbs.map((d) => d.name), records, bytes };
  },

  destroy: (name) => PersistLab.destroy(name),
};
window.plabBenchReady = true;
