// One writer per lab: two tabs appending to the same IndexedDB mirror would
// interleave their journals and corrupt the durable disk, so opening a lab
// takes an exclusive lock on its name first, and a second opener is refused
// (not queued: a tab that waits silently for another to close looks hung).

/**
 * @typedef {{ release(): void }} LabLock
 * @typedef {{ request(name: string, options: { ifAvailable: boolean },
 *             callback: (lock: object | null) => Promise<void> | undefined)
 *             : Promise<unknown> }} LockManagerLike
 */

// Fallback only, for runtimes without the Web Locks API (Node 20 has no
// navigator.locks): it sees the current JS realm only, not other tabs or
// processes. Browsers always take the navigator.locks path.
const heldHere = new Set();

/** @param {string} name */
function alreadyOpen(name) {
  return new Error(`lab "${name}" is already open in another tab or window`);
}

/**
 * Takes the lab's lock or throws when someone (another tab, or this page)
 * holds it.
 * @param {string} name lab name
 * @param {{ locks?: LockManagerLike | null }} [opts]
 *   locks: the lock manager (default globalThis.navigator?.locks; null forces
 *   the in-process fallback)
 * @returns {Promise<LabLock>}
 */
export async function acquireLabLock(name, opts = {}) {
  const key = "persistlab:" + name;
  const locks = opts.locks === undefined ? globalThis.navigator?.locks : opts.locks;
  if (!locks) {
    if (heldHere.has(key)) throw alreadyOpen(name);
    heldHere.add(key);
    let held = true;
    return {
      release() {
        if (held) heldHere.delete(key);
        held = false;
      },
    };
  }
  return new Promise((resolve, reject) => {
    const request = locks.request(key, { ifAvailable: true }, (lock) => {
      if (lock === null) {
        reject(alreadyOpen(name));
        return undefined;
      }
      // The lock lasts as long as this promise is pending.
      return new Promise((unlock) => {
        let held = true;
        resolve({
          release() {
            if (held) unlock(undefined);
            held = false;
          },
        });
      });
    });
    // Settles after release (or at once with an error, e.g. in an opaque
    // origin); rejecting an already settled promise is a no-op.
    request.catch((err) => reject(err));
  });
}
