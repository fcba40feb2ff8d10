// <persist-lab>: a PersistLab — Redis 7.0 with real RDB and AOF persistence,
// running in the reader's browser — inside a documentation page, loaded by
// one tag:
//
//   <script type="module" src="/persistlab/persist-lab.js"></script>
//   <persist-lab id="aof-demo" appendonly="yes" appendfsync="always"
//                commands="SET greeting hello; INCR visits" panels="crash report"></persist-lab>
//
// This file is the loader, and all a page downloads until an element is
// scrolled into view: it defines the element, draws a placeholder of the
// element's height at once (no layout shift when the lab arrives), links
// the element's stylesheet, and waits for an IntersectionObserver to see
// the element. Then it imports the lab module (lab_view.js: terminal,
// panels, store), which starts the page's one lab worker (one compiled
// engine for every element of the page) and opens a lab per element.
// Attributes are the whole API (options.js reads them; web/docs shows
// them); a bad value shows a message inside the element, never a broken
// page. Off-screen, an element's virtual clock is paused.

import { labName, OPTION_NAMES, readOptions } from "./options.js";
import { placeholderBox, problemsBox } from "./problems.js";

// web/build.mjs replaces these with the built files' names (relative to
// this file); unbuilt, the sources next to this file are used.
const LAB_MODULE = typeof __PLAB_LAB_MODULE__ === "string" ? __PLAB_LAB_MODULE__ : "./lab_view.js";
const STYLESHEET = typeof __PLAB_STYLESHEET__ === "string" ? __PLAB_STYLESHEET__ : "./persist-lab.css";
const here = import.meta.url;

/** @type {Promise<typeof import("./lab_view.js")> | null} */
let labModule = null;
const loadLabModule = () => (labModule ??= import(new URL(LAB_MODULE, here).href));

/** Links the element's stylesheet once per document (a file: the CSP may forbid inline styles). */
function linkStylesheet(doc) {
  const href = new URL(STYLESHEET, here).href;
  if ([...doc.querySelectorAll("link[rel=stylesheet]")].some((l) => l.href === href)) return;
  const link = doc.createElement("link");
  link.rel = "stylesheet";
  link.href = href;
  doc.head.append(link);
}

/** @type {IntersectionObserver | null} one for every element of the page */
let observer = null;
function watch(element) {
  observer ??= new IntersectionObserver((entries) => {
    for (const entry of entries) /** @type {PersistLabElement} */ (entry.target).visibility(entry.isIntersecting, entry.time);
  });
  observer.observe(element);
}

class PersistLabElement extends HTMLElement {
  static get observedAttributes() {
    return OPTION_NAMES;
  }

  constructor() {
    super();
    this._generation = 0;
    /** @type {{ visible(on: boolean): void, dispose(): void } | null} */
    this._lab = null;
    this._seen = false;
    this._restartQueued = false;
  }

  connectedCallback() {
    this._start();
  }

  disconnectedCallback() {
    this._stop();
  }

  attributeChangedCallback(name, before, after) {
    // Attributes are read when the element starts; a later change starts it
    // again with the new values (the lab's disk stays in its namespace).
    if (before === after || !this.isConnected || this._generation === 0 || this._restartQueued) return;
    this._restartQueued = true;
    queueMicrotask(() => {
      this._restartQueued = false;
      if (this.isConnected) this._restart();
    });
  }

  /** Starts again from the attributes (the lab's disk stays in its namespace). */
  _restart() {
    this._stop();
    this._start();
  }

  _start() {
    const generation = ++this._generation;
    const doc = this.ownerDocument;
    linkStylesheet(doc);
    this.classList.add("plab-scope");
    const { options, problems } = readOptions((name) => this.getAttribute(name));
    this.dataset.theme = options.theme;
    if (problems.length > 0) {
      this.showProblems(problems);
      return;
    }
    const position = [...doc.querySelectorAll("persist-lab")].indexOf(this) + 1;
    this._options = options;
    this._name = labName("embed", location.pathname, options.id, position);
    this._seen = false;
    this.dataset.state = "waiting";
    this.style.display = "block";
    this.style.height = `${options.height}px`;
    this.replaceChildren(placeholderBox());
    watch(this);
  }

  _stop() {
    this._generation++;
    observer?.unobserve(this);
    this._lab?.dispose();
    this._lab = null;
  }

  /**
   * The IntersectionObserver's news: the first time the element is seen,
   * the lab loads; afterwards its clock pauses off-screen.
   * @param {boolean} on
   * @param {number} at the observation's time (performance.now() clock)
   */
  visibility(on, at) {
    if (!on || this._seen) {
      this._lab?.visible(on);
      return;
    }
    this._seen = true;
    performance.mark("persist-lab:visible", { startTime: at, detail: this._name });
    this._load(this._generation);
  }

  async _load(generation) {
    this.dataset.state = "loading";
    try {
      const view = await loadLabModule();
      if (generation !== this._generation) return;
      const lab = view.mountLab(this, this._options, {
        name: this._name,
        base: new URL(".", here).href,
        isCurrent: () => generation === this._generation,
        fail: (problems) => this.showProblems(problems),
        restart: () => this._restart(),
      });
      this._lab = lab;
    } catch (e) {
      if (generation !== this._generation) return;
      this.showProblems([{ attribute: "", message: `the lab could not load: ${e?.message ?? e}` }]);
    }
  }

  /**
   * Replaces the element's content with what is wrong (also used by the lab
   * module for the engine's refusals).
   * @param {Array<{ attribute: string, message: string }>} problems
   */
  showProblems(problems) {
    this.dataset.state = "error";
    this.style.display = "block";
    this.style.height = "";
    this.replaceChildren(problemsBox(problems));
  }
}

if (!customElements.get("persist-lab")) customElements.define("persist-lab", PersistLabElement);
