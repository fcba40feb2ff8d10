// What an embed shows instead of a lab when it can't start: the bad
// attributes (or URL parameters) and what each must be, or the engine's
// refusal. Values are shown as text, never as markup.

/** A tiny h(): tag, class, children. */
function el(tag, className, ...children) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  node.append(...children);
  return node;
}

/**
 * @param {Array<{ attribute: string, message: string }>} problems
 * @returns {HTMLElement}
 */
export function problemsBox(problems) {
  const box = el("div", "plab-error",
    el("strong", null, "This PersistLab lab can't start."),
    el("ul", null, ...problems.map((p) => el("li", null,
      ...(p.attribute ? [el("code", null, p.attribute), " "] : []), p.message))));
  box.setAttribute("role", "alert");
  return box;
}

/** The box shown before a lab loads: the lab's height, so nothing moves when it arrives. */
export function placeholderBox() {
  return el("div", "plab-placeholder",
    el("strong", null, "PersistLab"),
    el("span", null, "A Redis 7.0 lab with real persistence, running in your browser. It starts when you scroll to it."));
}
