// The lab's virtual clock: Redis's notion of "now" (TTLs, save points,
// everysec fsyncs, the kernel's 30 s writeback). It runs in real time by
// default and can be paused, sped up or jumped forward, so a tutorial can
// show "60 s later" without waiting a minute.

export class LabClock {
  /**
   * @param {{ start?: number, speed?: number, paused?: boolean }} options
   *   start: Unix ms (default Date.now()); speed: virtual ms per real ms.
   * @param {() => Promise<void>} onAdvance runs the engine up to
   *   the new time (cron, fsyncs) after advance().
   */
  constructor(options, onAdvance) {
    const { start = Date.now(), speed = 1, paused = false } = options;
    // Infinity or NaN would make now() NaN or Infinity, which the engine
    // reads as a time and the UI prints: refuse them where they come in.
    if (!Number.isFinite(start) || start < 0) throw new RangeError("clock start must be a finite, non-negative Unix time in ms");
    checkSpeed(speed);
    this._base = start;
    this._anchor = performance.now();
    this._speed = speed;
    this._paused = Boolean(paused);
    this._onAdvance = onAdvance;
  }

  /** Virtual Unix time in ms. */
  now() {
    if (this._paused) return Math.floor(this._base);
    return Math.floor(this._base + (performance.now() - this._anchor) * this._speed);
  }

  get paused() {
    return this._paused;
  }

  get rate() {
    return this._speed;
  }

  pause() {
    this._rebase();
    this._paused = true;
  }

  resume() {
    this._rebase();
    this._paused = false;
  }

  /** Virtual ms per real ms (1 = real time). */
  speed(factor) {
    checkSpeed(factor);
    this._rebase();
    this._speed = factor;
  }

  /**
   * Jumps `ms` forward; resolves once the engine has run every cron period
   * in between and the resulting fsyncs are in IndexedDB.
   */
  async advance(ms) {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError("advance takes a finite, non-negative number of ms");
    this._rebase();
    this._base += ms;
    await this._onAdvance();
  }

  _rebase() {
    this._base = this.now();
    this._anchor = performance.now();
  }
}

/** Virtual ms per real ms: finite and positive (a number, not a string). */
function checkSpeed(factor) {
  if (typeof factor !== "number" || !Number.isFinite(factor) || factor <= 0) {
    throw new RangeError("speed must be a finite, positive number");
  }
}
