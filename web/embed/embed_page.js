// embed.html: one lab, configured by URL parameters, for a page that embeds
// it in an iframe. The parameters are <persist-lab>'s attributes, with the
// same names and rules (options.js); they are read from the query and from
// the fragment (#commands=...: a fragment never reaches the server, so a
// long command list can't hit a URL length limit there), the fragment
// winning. A bad parameter shows a message instead of the lab.
//
// The page tells its parent how tall it is whenever that changes:
//   parent.postMessage({ type: "persistlab:height", height, id }, "*")
// height: CSS pixels (an integer); id: the `id` parameter ("" without one).
// persist-lab-frame.js, included by the parent page, applies it to the
// iframe the message came from. The message says nothing but the height.

import { labName, readOptions } from "./options.js";
import { problemsBox } from "./problems.js";
import { mountLab } from "./lab_view.js";

const query = new URLSearchParams(location.search);
const fragment = new URLSearchParams(location.hash.slice(1));
const param = (name) => fragment.get(name) ?? query.get(name);

const root = /** @type {HTMLElement} */ (document.getElementById("lab"));
const { options, problems } = readOptions(param);
root.dataset.theme = options.theme;

/** Which iframe of its parent this page is (1-based; 1 when not framed). */
function framePosition() {
  if (window.parent === window) return 1;
  for (let i = 0; i < window.parent.frames.length; i++) {
    if (window.parent.frames[i] === window) return i + 1;
  }
  return 1;
}

/** The embedding page's path when it is on this origin ("" otherwise). */
function parentPath() {
  try {
    const referrer = new URL(document.referrer);
    return referrer.origin === location.origin ? referrer.pathname : "";
  } catch {
    return "";
  }
}

function showProblems(list) {
  root.dataset.state = "error";
  root.style.height = "";
  root.replaceChildren(problemsBox(list));
}

/** Posts the page's height to the parent whenever it changes. */
function reportHeight() {
  if (window.parent === window) return;
  let last = -1;
  const send = () => {
    const height = Math.ceil(document.body.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    window.parent.postMessage({ type: "persistlab:height", height, id: options.id }, "*");
  };
  new ResizeObserver(() => requestAnimationFrame(send)).observe(document.body);
  send();
}

function start() {
  if (problems.length > 0) {
    showProblems(problems);
    return;
  }
  root.style.height = `${options.height}px`;
  root.dataset.state = "loading";
  const name = labName("frame", parentPath(), options.id, framePosition());
  let lab = null;
  const context = {
    name,
    base: new URL(".", document.baseURI).href,
    isCurrent: () => true,
    fail: showProblems,
    restart: () => location.reload(),
  };
  lab = mountLab(root, options, context);
  // Off-screen (the parent scrolled the iframe away), the lab's clock pauses.
  new IntersectionObserver((entries) => lab?.visible(entries[entries.length - 1].isIntersecting)).observe(root);
}

reportHeight();
start();
