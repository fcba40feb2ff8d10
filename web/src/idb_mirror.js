// The IndexedDB copy of the engine's durable disk.
//
// The wasm engine's SimDisk journals every change to its durable state as
// ops (see core/io/sim_disk.h, "DURABILITY JOURNAL"); a Mirror applies them
// to one IndexedDB database per lab, so a reload boots the engine from
// exactly what had become durable before the tab went away.
//
// Layout (one database "persistlab:<lab>", version 2):
//   chunks: key [inode, offset] -> Uint8Array: an 8-byte header holding
//           `offset` (little-endian float64), then the inode's bytes from
//           there. A load checks that the records tile the file and that
//           each sits under its own offset: a lost or stale record is
//           refused instead of silently shifting every later byte.
//           Version 1 stored the bare bytes; opening upgrades it.
//   names:  key path -> inode
//   dirs:   key path -> 1
// File bytes are stored as appended chunks, never rewritten whole: an AOF
// that grows by a few bytes per fsync must cost IndexedDB a few bytes, not a
// copy of the file. The chunks of an inode always tile [0, size) in order.
//
// mirror.image is kept up to date by every commit (the engine boots from it,
// and a truncate rewrites the chunk it cuts from these bytes). Its
// Uint8Arrays are views that a later commit may replace: copy to keep.

const DB_VERSION = 2;

// Bytes before a chunk's data in its record: the chunk's offset.
const HEADER = 8;
const STORES = ["chunks", "names", "dirs"];

// Appends in one commit merge into one chunk up to this size, and bigger
// appends are split at it: it bounds what a truncate into the middle of a
// chunk has to rewrite, while keeping the record count (and so load time)
// low for bulk writes such as an RDB file.
const CHUNK_MAX = 1 << 20;

/** @param {string} name */
function dbName(name) {
  return "persistlab:" + name;
}

/**
 * @typedef {{ off: number, len: number, stored: boolean, pending: boolean,
 *             dead: boolean, inode: number }} Chunk
 *   stored: the chunk has a record in IndexedDB; pending: its record must be
 *   (re)written by the commit being planned; dead: truncated or dropped.
 * @typedef {{ buf: Uint8Array, size: number, chunks: Chunk[] }} File
 * @typedef {{ inodes: Map<number, Uint8Array>, names: Map<string, number>,
 *             dirs: Set<string> }} Image
 * @typedef {{ kind: "append", inode: number, offset: number, data: Uint8Array }
 *         | { kind: "truncate", inode: number, offset: number }
 *         | { kind: "link", inode: number, path: string }
 *         | { kind: "unlink", path: string }
 *         | { kind: "drop", inode: number }
 *         | { kind: "mkdir", path: string }
 *         | { kind: "rmdir", path: string }} DurableOp
 * @typedef {{ transactions: number, bytesPut: number, bytesAppended: number,
 *             chunks: number }} MirrorStats
 */

/**
 * Resolves with an IDBRequest's result, rejects with an Error naming `what`.
 * @param {IDBRequest} req
 * @param {string} what
 * @returns {Promise<any>}
 */
function requestResult(req, what) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(new Error(what + ": " + errorText(req.error)));
  });
}

/** @param {any} err */
function errorText(err) {
  if (!err) return "unknown error";
  return err.name ? err.name + ": " + err.message : String(err);
}

/** @param {number} n */
function isIndex(n) {
  return Number.isSafeInteger(n) && n >= 0;
}

/**
 * Appends `data` to a growable file ({ buf, size }); returns the offset it
 * was written at. The buffer grows geometrically, so a stream of small
 * appends (an AOF) copies O(n) bytes in all.
 * @param {{ buf: Uint8Array, size: number }} file
 * @param {Uint8Array} data
 */
export function appendBytes(file, data) {
  const at = file.size;
  const end = at + data.length;
  if (end > file.buf.length) {
    const grown = new Uint8Array(Math.max(end, Math.ceil(file.buf.length * 1.5)));
    grown.set(file.buf.subarray(0, at));
    file.buf = grown;
  }
  file.buf.set(data, at);
  file.size = end;
  return at;
}

/**
 * A chunk's record: its offset, then its bytes (a fresh buffer: a view
 * would make IndexedDB clone its whole backing buffer).
 * @param {Uint8Array} bytes
 * @param {number} offset
 */
function chunkRecord(bytes, offset) {
  const record = new Uint8Array(HEADER + bytes.length);
  new DataView(record.buffer).setFloat64(0, offset, true);
  record.set(bytes, HEADER);
  return record;
}

/**
 * The offset a record says it starts at, or -1 when it is not a record.
 * @param {unknown} record
 */
function recordOffset(record) {
  if (!(record instanceof Uint8Array) || record.length < HEADER) return -1;
  const off = new DataView(record.buffer, record.byteOffset, HEADER).getFloat64(0, true);
  return isIndex(off) ? off : -1;
}

/**
 * Checks that `records` (an inode's chunk records in key order, stored
 * under `keys`) tile [0, size) with no gap or overlap, each under the key
 * of its own offset; returns the chunks, or throws an Error naming the lab,
 * the inode and the offsets.
 * @param {string} lab
 * @param {number} inode
 * @param {unknown[]} records
 * @param {[number, number][]} keys
 * @returns {{ list: Chunk[], size: number }}
 */
function tileChunks(lab, inode, records, keys) {
  /** @type {Chunk[]} */
  const list = [];
  let size = 0;
  for (let k = 0; k < records.length; k++) {
    const record = records[k];
    const off = recordOffset(record);
    if (off >= 0 && keys[k][1] !== off) {
      // Stored under another offset than it holds: a later commit would
      // address it by its offset and leave the stale record behind.
      throw new Error(`lab "${lab}" is inconsistent in IndexedDB: file #${inode} has a chunk for offset ${off} stored as offset ${keys[k][1]} ` +
        `(a record is stale); its files were left as they are — delete the lab to start over`);
    }
    if (off !== size) {
      const found = off < 0 ? "a record that is not a chunk" : `a chunk at ${off}`;
      throw new Error(`lab "${lab}" is inconsistent in IndexedDB: file #${inode} expected a chunk at offset ${size}, found ${found} ` +
        `(a record is missing or stale); its files were left as they are — delete the lab to start over`);
    }
    const len = /** @type {Uint8Array} */ (record).length - HEADER;
    list.push({ off: size, len, stored: true, pending: false, dead: false, inode });
    size += len;
  }
  return { list, size };
}

/**
 * Upgrades a version-1 database in its versionchange transaction: each
 * bare chunk gets the header holding its key's offset.
 * @param {IDBTransaction} tx
 */
function upgradeChunks(tx) {
  const cursor = tx.objectStore("chunks").openCursor();
  cursor.onsuccess = () => {
    const c = cursor.result;
    if (!c) return;
    const [, off] = /** @type {[number, number]} */ (c.key);
    c.update(chunkRecord(/** @type {Uint8Array} */ (c.value), off));
    c.continue();
  };
}

export class Mirror {
  /**
   * Use openMirror(); the constructor only wires up a loaded database.
   * @param {string} name
   * @param {IDBDatabase} db
   * @param {typeof IDBKeyRange} keyRange
   */
  constructor(name, db, keyRange) {
    this.name = name;
    /** @type {Image} */
    this.image = { inodes: new Map(), names: new Map(), dirs: new Set() };
    /** @type {MirrorStats} */
    this.stats = { transactions: 0, bytesPut: 0, bytesAppended: 0, chunks: 0 };
    this._db = db;
    this._keyRange = keyRange;
    /** @type {Map<number, File>} */
    this._files = new Map();
    /** Set once a transaction failed: the stored state no longer matches the
     *  in-memory one, so every later commit is refused (reopen to recover).
     *  @type {Error | null} */
    this._failed = null;
    this._closed = false;
    /** Transactions created but not finished, so a failure can abort the
     *  later ones (they were planned on top of the failed one's changes). */
    this._inFlight = new Set();
    // Another context wants to delete or upgrade the database: get out of
    // its way instead of blocking it forever.
    db.onversionchange = () => this.close();
  }

  /**
   * Applies `ops` in one readwrite transaction; resolves when it completed.
   * @param {DurableOp[]} ops
   * @param {{ durability?: "strict" | "relaxed" }} [options]
   * @returns {Promise<void>}
   */
  commit(ops, options = {}) {
    const durability = options.durability ?? "strict";
    if (this._failed) {
      return Promise.reject(new Error(`mirror "${this.name}": an earlier commit failed (${this._failed.message}); reopen the lab`));
    }
    if (this._closed) return Promise.reject(new Error(`mirror "${this.name}" is closed`));
    if (ops.length === 0) return Promise.resolve();
    const invalid = this._validate(ops);
    if (invalid) return Promise.reject(new Error(`mirror "${this.name}": ${invalid}`));

    // Created synchronously, before returning: IndexedDB runs readwrite
    // transactions over the same stores in creation order, which is what
    // keeps un-awaited commits in call order.
    let tx;
    try {
      tx = this._db.transaction(STORES, "readwrite", { durability });
    } catch (err) {
      return Promise.reject(new Error(`mirror "${this.name}": cannot start a transaction: ${errorText(err)}`));
    }
    this.stats.transactions++;
    this._inFlight.add(tx);
    /** @type {string | null} */
    let applyError = null;
    const done = new Promise((resolve, reject) => {
      tx.oncomplete = () => {
        this._inFlight.delete(tx);
        resolve();
      };
      tx.onabort = () => {
        this._inFlight.delete(tx);
        const cause = applyError ?? (tx.error ? errorText(tx.error) : this._failed ? "an earlier commit failed" : "aborted");
        const err = new Error(`mirror "${this.name}": commit of ${ops.length} ops failed: ${cause}`);
        if (!this._failed) this._failed = err;
        // Later commits were planned on top of this one's changes: none of
        // them may land without it.
        for (const later of this._inFlight) {
          try {
            later.abort();
          } catch {
            // Already finishing: its own handlers report it.
          }
        }
        reject(err);
      };
    });
    try {
      this._apply(ops, tx);
    } catch (err) {
      // Only a bug or a broken IndexedDB gets here: validation passed.
      applyError = "applying ops: " + errorText(err);
      this._failed = new Error(applyError);
      tx.abort();
    }
    return done;
  }

  /** Closes the database connection; later commits reject. */
  close() {
    this._closed = true;
    this._db.close();
  }

  /**
   * Checks ops against the current sizes before anything changes, so a bad
   * batch is refused whole and the mirror stays usable.
   * @param {DurableOp[]} ops
   * @returns {string | null} what is wrong, or null
   */
  _validate(ops) {
    /** @type {Map<number, number>} sizes as the ops so far leave them */
    const sizes = new Map();
    const sizeOf = (/** @type {number} */ inode) =>
      sizes.has(inode) ? sizes.get(inode) : this._files.get(inode)?.size ?? 0;
    for (let i = 0; i < ops.length; i++) {
      const op = /** @type {any} */ (ops[i]);
      const at = `op ${i} (${op?.kind})`;
      switch (op?.kind) {
        case "append":
          if (!isIndex(op.inode) || !isIndex(op.offset)) return `${at}: bad inode or offset`;
          if (!(op.data instanceof Uint8Array)) return `${at}: data is not a Uint8Array`;
          if (op.offset !== sizeOf(op.inode)) {
            return `${at}: inode ${op.inode} has ${sizeOf(op.inode)} bytes, append at ${op.offset}`;
          }
          sizes.set(op.inode, op.offset + op.data.length);
          break;
        case "truncate":
          if (!isIndex(op.inode) || !isIndex(op.offset)) return `${at}: bad inode or offset`;
          if (op.offset > sizeOf(op.inode)) {
            return `${at}: inode ${op.inode} has ${sizeOf(op.inode)} bytes, truncate to ${op.offset}`;
          }
          sizes.set(op.inode, op.offset);
          break;
        case "link":
          if (!isIndex(op.inode) || typeof op.path !== "string") return `${at}: bad inode or path`;
          break;
        case "drop":
          if (!isIndex(op.inode)) return `${at}: bad inode`;
          sizes.set(op.inode, 0);
          break;
        case "unlink":
        case "mkdir":
        case "rmdir":
          if (typeof op.path !== "string") return `${at}: bad path`;
          break;
        default:
          return `${at}: unknown op kind`;
      }
    }
    return null;
  }

  /**
   * Updates the in-memory image and index and issues the transaction's
   * requests: deletes and name changes in op order, then one put per new or
   * shortened chunk with its final bytes.
   * @param {DurableOp[]} ops
   * @param {IDBTransaction} tx
   */
  _apply(ops, tx) {
    const chunks = tx.objectStore("chunks");
    const names = tx.objectStore("names");
    const dirs = tx.objectStore("dirs");
    /** @type {Set<Chunk>} */
    const pending = new Set();
    for (const op of ops) {
      switch (op.kind) {
        case "append":
          this._append(op.inode, op.data, pending);
          break;
        case "truncate":
          this._truncate(op.inode, op.offset, chunks, pending);
          break;
        case "link":
          this._file(op.inode);
          this.image.names.set(op.path, op.inode);
          names.put(op.inode, op.path);
          break;
        case "unlink":
          this.image.names.delete(op.path);
          names.delete(op.path);
          break;
        case "drop":
          this._drop(op.inode, chunks);
          break;
        case "mkdir":
          this.image.dirs.add(op.path);
          dirs.put(1, op.path);
          break;
        case "rmdir":
          this.image.dirs.delete(op.path);
          dirs.delete(op.path);
          break;
      }
    }
    for (const c of pending) {
      c.pending = false;
      if (c.dead) continue;
      const file = /** @type {File} */ (this._files.get(c.inode));
      chunks.put(chunkRecord(file.buf.subarray(c.off, c.off + c.len), c.off), [c.inode, c.off]);
      this.stats.bytesPut += c.len;
      if (!c.stored) this.stats.chunks++;
      c.stored = true;
    }
  }

  /**
   * The inode's file, created empty if the mirror has not seen it.
   * @param {number} inode
   * @returns {File}
   */
  _file(inode) {
    let file = this._files.get(inode);
    if (!file) {
      file = { buf: new Uint8Array(0), size: 0, chunks: [] };
      this._files.set(inode, file);
      this.image.inodes.set(inode, file.buf);
    }
    return file;
  }

  /**
   * @param {number} inode
   * @param {Uint8Array} data
   * @param {Set<Chunk>} pending
   */
  _append(inode, data, pending) {
    const file = this._file(inode);
    let pos = appendBytes(file, data);
    const end = file.size;
    this.image.inodes.set(inode, file.buf.subarray(0, end));
    this.stats.bytesAppended += data.length;
    while (pos < end) {
      const last = file.chunks[file.chunks.length - 1];
      if (last && last.pending && last.len < CHUNK_MAX) {
        // Still to be written by this commit: grow it instead of adding a record.
        const take = Math.min(end - pos, CHUNK_MAX - last.len);
        last.len += take;
        pos += take;
      } else {
        const c = { off: pos, len: Math.min(end - pos, CHUNK_MAX), stored: false, pending: true, dead: false, inode };
        file.chunks.push(c);
        pending.add(c);
        pos += c.len;
      }
    }
  }

  /**
   * @param {number} inode
   * @param {number} cut
   * @param {IDBObjectStore} store
   * @param {Set<Chunk>} pending
   */
  _truncate(inode, cut, store, pending) {
    const file = this._file(inode);
    if (cut >= file.size) return;
    const list = file.chunks;
    // First chunk that ends after the cut (chunks tile [0, size) in order).
    let lo = 0;
    let hi = list.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid].off + list[mid].len > cut) hi = mid;
      else lo = mid + 1;
    }
    let first = lo;
    if (list[lo].off < cut) {
      // Straddles the cut: rewrite just this chunk, shorter.
      list[lo].len = cut - list[lo].off;
      list[lo].pending = true;
      pending.add(list[lo]);
      first = lo + 1;
    }
    let stored = false;
    for (let i = first; i < list.length; i++) {
      list[i].dead = true;
      if (list[i].stored) {
        stored = true;
        this.stats.chunks--;
      }
    }
    list.length = first;
    if (stored) store.delete(this._keyRange.bound([inode, cut], [inode, Infinity]));
    file.size = cut;
    this.image.inodes.set(inode, file.buf.subarray(0, cut));
  }

  /**
   * @param {number} inode
   * @param {IDBObjectStore} store
   */
  _drop(inode, store) {
    const file = this._files.get(inode);
    if (!file) return;
    let stored = false;
    for (const c of file.chunks) {
      c.dead = true;
      if (c.stored) {
        stored = true;
        this.stats.chunks--;
      }
    }
    if (stored) store.delete(this._keyRange.bound([inode, 0], [inode, Infinity]));
    this._files.delete(inode);
    this.image.inodes.delete(inode);
  }

  /**
   * Loads the durable state. Each record's header holds its offset, the
   * chunks must tile [0, size) in key order, and each must be stored under
   * its own offset (a record under another key would outlive the commit
   * that replaces it; found by the fuzz loop). Each
   * named inode's chunks (and their keys) come from one getAll (and one
   * getAllKeys) over its key range, far faster than a cursor step per
   * record.
   */
  async _load() {
    const first = await this._read((tx, got) => {
      const chunks = tx.objectStore("chunks");
      const names = tx.objectStore("names");
      got.count = chunks.count();
      got.paths = names.getAllKeys();
      got.dirs = tx.objectStore("dirs").getAllKeys();
      const targets = names.getAll();
      got.targets = targets;
      // Issued from the callback so they join this transaction.
      targets.onsuccess = () => {
        for (const inode of new Set(targets.result)) this._chunkRange(chunks, inode, got);
      };
    });
    /** @type {Map<number, { records: Uint8Array[], keys: [number, number][] }>} */
    const values = new Map();
    let loaded = 0;
    for (const inode of new Set(first.targets)) {
      values.set(inode, { records: first["i" + inode], keys: first["k" + inode] });
      loaded += first["i" + inode].length;
    }
    if (loaded < first.count) {
      // Chunks of inodes no name refers to: the engine never leaves any
      // between batches, but the mirror keeps them as it was told to (and
      // the model test holds it to that), so find them by key.
      const strays = await this._read((tx, got) => {
        const chunks = tx.objectStore("chunks");
        const keys = chunks.getAllKeys();
        got.keys = keys;
        keys.onsuccess = () => {
          for (const [inode] of keys.result) {
            if (!values.has(inode) && !("i" + inode in got)) this._chunkRange(chunks, inode, got);
          }
        };
      });
      for (const key of Object.keys(strays)) {
        if (key.startsWith("i")) values.set(Number(key.slice(1)), { records: strays[key], keys: strays["k" + key.slice(1)] });
      }
    }
    for (const [inode, { records: parts, keys }] of values) {
      const { list, size } = tileChunks(this.name, inode, parts, keys);
      const buf = new Uint8Array(size);
      for (let k = 0; k < parts.length; k++) buf.set(parts[k].subarray(HEADER), list[k].off);
      this._files.set(inode, { buf, size, chunks: list });
      this.image.inodes.set(inode, buf);
      this.stats.chunks += list.length;
    }
    for (let i = 0; i < first.paths.length; i++) {
      this.image.names.set(first.paths[i], first.targets[i]);
      // A named empty file has no chunks, but it is still a durable inode.
      this._file(first.targets[i]);
    }
    for (const d of first.dirs) this.image.dirs.add(d);
  }

  /**
   * Issues the reads of an inode's chunk records and their keys (one range
   * each) into `got` as "i<inode>" and "k<inode>".
   * @param {IDBObjectStore} chunks
   * @param {number} inode
   * @param {Record<string, IDBRequest>} got
   */
  _chunkRange(chunks, inode, got) {
    const range = this._keyRange.bound([inode, 0], [inode, Infinity]);
    got["i" + inode] = chunks.getAll(range);
    got["k" + inode] = chunks.getAllKeys(range);
  }

  /**
   * Runs `issue` in a readonly transaction; resolves, once it completed,
   * with the results of the requests `issue` put into its second argument.
   * @param {(tx: IDBTransaction, got: Record<string, IDBRequest>) => void} issue
   * @returns {Promise<Record<string, any>>}
   */
  _read(issue) {
    return new Promise((resolve, reject) => {
      const tx = this._db.transaction(STORES, "readonly");
      /** @type {Record<string, IDBRequest>} */
      const got = {};
      tx.oncomplete = () => {
        /** @type {Record<string, any>} */
        const out = {};
        for (const key of Object.keys(got)) out[key] = got[key].result;
        resolve(out);
      };
      tx.onabort = () => reject(new Error(`loading lab "${this.name}": ${errorText(tx.error)}`));
      issue(tx, got);
    });
  }
}

/**
 * Opens (creating if needed) the lab's database and loads its durable state.
 * @param {string} name lab name
 * @param {{ indexedDB?: IDBFactory, IDBKeyRange?: typeof IDBKeyRange }} [opts]
 *   (default globalThis.indexedDB and globalThis.IDBKeyRange)
 * @returns {Promise<Mirror>}
 */
export async function openMirror(name, opts = {}) {
  const factory = opts.indexedDB ?? globalThis.indexedDB;
  const keyRange = opts.IDBKeyRange ?? globalThis.IDBKeyRange;
  if (!factory || !keyRange) throw new Error("IndexedDB is not available here");
  const req = factory.open(dbName(name), DB_VERSION);
  req.onupgradeneeded = (event) => {
    const db = req.result;
    for (const store of STORES) {
      if (!db.objectStoreNames.contains(store)) db.createObjectStore(store);
    }
    if (event.oldVersion === 1) upgradeChunks(/** @type {IDBTransaction} */ (req.transaction));
  };
  const db = await requestResult(req, `opening lab "${name}"`);
  const mirror = new Mirror(name, db, keyRange);
  try {
    await mirror._load();
  } catch (err) {
    db.close();
    throw err;
  }
  return mirror;
}

/**
 * Deletes the lab's database; resolves also when it did not exist.
 * @param {string} name lab name
 * @param {{ indexedDB?: IDBFactory, blockedMs?: number }} [opts]
 *   blockedMs: how long to wait for other connections to close (default 2000)
 * @returns {Promise<void>}
 */
export function deleteMirror(name, opts = {}) {
  const factory = opts.indexedDB ?? globalThis.indexedDB;
  if (!factory) return Promise.reject(new Error("IndexedDB is not available here"));
  const blockedMs = opts.blockedMs ?? 2000;
  return new Promise((resolve, reject) => {
    const req = factory.deleteDatabase(dbName(name));
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    let timer;
    req.onsuccess = () => {
      clearTimeout(timer);
      resolve();
    };
    req.onerror = () => {
      clearTimeout(timer);
      reject(new Error(`deleting lab "${name}": ${errorText(req.error)}`));
    };
    // Blocked means a connection ignored versionchange (a Mirror closes on
    // it): give it a moment, then tell the caller rather than hang. The
    // deletion itself stays queued and happens once that connection closes.
    req.onblocked = () => {
      timer = setTimeout(() => {
        reject(new Error(`cannot delete lab "${name}": it is still open in another tab or window`));
      }, blockedMs);
    };
  });
}
