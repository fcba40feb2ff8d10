// The durable disk kept in this page's memory instead of IndexedDB: for
// labs that must not touch storage (compare mode runs six at once) and for
// browsers that give the page no IndexedDB (some private windows). It has
// the Mirror interface (image, stats, commit, close), so PersistLab drives
// both the same way; the difference is only what survives a reload —
// nothing here does.
//
// The image is what the engine reboots from after an abort (DEBUG PANIC):
// a memory lab recovers from its own durable bytes exactly as an IndexedDB
// lab does, just not across page loads.

import { appendBytes } from "./idb_mirror.js";

/** @typedef {import("./idb_mirror.js").DurableOp} DurableOp */

export class MemoryMirror {
  /** @param {string} name */
  constructor(name) {
    this.name = name;
    /** @type {import("./idb_mirror.js").Image} */
    this.image = { inodes: new Map(), names: new Map(), dirs: new Set() };
    /** Same fields as the IndexedDB mirror's; bytesPut counts appended bytes. */
    this.stats = { transactions: 0, bytesPut: 0, bytesAppended: 0, chunks: 0 };
    /** @type {Map<number, { buf: Uint8Array, size: number }>} */
    this._files = new Map();
  }

  /**
   * Applies `ops` at once (memory has no commit to wait for).
   * @param {DurableOp[]} ops
   * @returns {Promise<void>}
   */
  commit(ops) {
    if (ops.length === 0) return Promise.resolve();
    this.stats.transactions++;
    for (const op of ops) this._apply(op);
    return Promise.resolve();
  }

  /** Nothing to release: the image lives as long as the lab that uses it. */
  close() {}

  /** @param {DurableOp} op */
  _apply(op) {
    const { image } = this;
    switch (op.kind) {
      case "append":
        this._append(op.inode, op.data);
        break;
      case "truncate": {
        const file = this._file(op.inode);
        file.size = Math.min(file.size, op.offset);
        image.inodes.set(op.inode, file.buf.subarray(0, file.size));
        break;
      }
      case "link":
        this._file(op.inode);
        image.names.set(op.path, op.inode);
        break;
      case "unlink":
        image.names.delete(op.path);
        break;
      case "drop":
        this._files.delete(op.inode);
        image.inodes.delete(op.inode);
        break;
      case "mkdir":
        image.dirs.add(op.path);
        break;
      case "rmdir":
        image.dirs.delete(op.path);
        break;
      default:
        throw new Error(`memory mirror "${this.name}": unknown op kind ${/** @type {any} */ (op).kind}`);
    }
  }

  /** @param {number} inode */
  _file(inode) {
    let file = this._files.get(inode);
    if (!file) {
      file = { buf: new Uint8Array(0), size: 0 };
      this._files.set(inode, file);
      this.image.inodes.set(inode, file.buf);
    }
    return file;
  }

  /**
   * @param {number} inode
   * @param {Uint8Array} data
   */
  _append(inode, data) {
    const file = this._file(inode);
    appendBytes(file, data);
    this.image.inodes.set(inode, file.buf.subarray(0, file.size));
    this.stats.bytesAppended += data.length;
    this.stats.bytesPut += data.length;
  }
}
