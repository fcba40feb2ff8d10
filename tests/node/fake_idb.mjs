// IndexedDB for the node tests (idb_mirror.test.mjs, idb_mirror_fuzz.mjs,
// persistlab.test.mjs): fake-indexeddb's IDBFactory and IDBKeyRange, and a
// spy through which every readwrite transaction a factory's databases open
// passes, to be recorded (with the options it was opened with) or aborted.
import { createRequire } from "node:module";

// The dev dependencies live in web/node_modules, which node's resolution
// does not search from tests/node: resolve them from web/ instead.
const require = createRequire(new URL("../../web/package.json", import.meta.url));
export const { IDBFactory, IDBKeyRange } = require("fake-indexeddb");

/**
 * Wraps `factory.open` in place so `onReadwrite(tx, options)` sees each
 * readwrite transaction as it is created.
 * @param {IDBFactory} factory
 * @param {(tx: IDBTransaction, options: object | undefined) => void} onReadwrite
 * @returns {IDBFactory} the same factory
 */
export function spyOnReadwrite(factory, onReadwrite) {
  const realOpen = factory.open.bind(factory);
  factory.open = (...args) => {
    const req = realOpen(...args);
    // Registered before the caller's onsuccess, so it runs first: the caller
    // never holds the unwrapped transaction().
    req.addEventListener("success", () => {
      const db = req.result;
      const realTx = db.transaction.bind(db);
      db.transaction = (stores, mode, options) => {
        const tx = realTx(stores, mode, options);
        if (mode === "readwrite") onReadwrite(tx, options);
        return tx;
      };
    });
    return req;
  };
  return factory;
}
