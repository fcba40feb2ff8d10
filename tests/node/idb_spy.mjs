// A spy on an IndexedDB factory for the node tests (idb_mirror.test.mjs,
// persistlab.test.mjs): every readwrite transaction opened on a database the
// factory opens passes through a callback, which may record it (and the
// options it was opened with) or abort it.

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
