// Opening xterm 6 under a strict Content Security Policy (no 'unsafe-inline'
// for styles).
//
// When it opens, xterm 6 creates three <style> elements and rewrites their
// text later: the DOM renderer's theme rules (colours, cursor, selection,
// font, blink keyframes; on every theme change), its row rule (spans are
// inline blocks), and the scrollbar slider colours. Each insertion and each
// rewrite of an inline <style> is a CSP violation, and the rules are not
// applied (the terminal draws without colours or cursor). xterm takes no
// nonce (xtermjs/xterm.js#4445; its constructable-stylesheet change #4611
// was reverted in #4680 after a Chromium crash).
//
// Constructable stylesheets are not inline styles, and CSP allows them. So
// while xterm opens, document.createElement("style") hands out a stand-in:
// an inert <template> whose textContent is forwarded to a CSSStyleSheet
// adopted by the document, and whose remove() drops that sheet again. xterm
// only ever sets textContent on these elements and removes them, so it
// cannot tell. All three are created inside open(), and nothing else runs
// then, so the page's own createElement is untouched outside that call.
//
// One more inline-style path exists in xterm's DOM renderer: setAttribute
// ("style") for 24-bit colours and for minimumContrastRatio above 1. The
// terminal keeps the default contrast ratio and the replies use the 16
// ANSI colours only, so that path is never taken.

/**
 * @param {Document} doc
 * @param {CSSStyleSheet[]} sheets  collects the sheets created
 */
function styleStandIn(doc, sheets) {
  const view = /** @type {Window & typeof globalThis} */ (doc.defaultView);
  const sheet = new view.CSSStyleSheet();
  doc.adoptedStyleSheets = [...doc.adoptedStyleSheets, sheet];
  sheets.push(sheet);
  const element = Document.prototype.createElement.call(doc, "template");
  let text = "";
  Object.defineProperty(element, "textContent", {
    configurable: true,
    get: () => text,
    set: (value) => {
      text = value == null ? "" : String(value);
      sheet.replaceSync(text);
    },
  });
  element.remove = () => {
    doc.adoptedStyleSheets = doc.adoptedStyleSheets.filter((s) => s !== sheet);
    Element.prototype.remove.call(element);
  };
  return element;
}

/**
 * Opens `terminal` in `parent` with its style rules in adopted stylesheets.
 * @param {{ open(parent: HTMLElement): void }} terminal  an xterm Terminal
 * @param {HTMLElement} parent
 * @returns {{ sheets: CSSStyleSheet[], dispose(): void }}
 */
export function openWithAdoptedStyles(terminal, parent) {
  const doc = parent.ownerDocument;
  /** @type {CSSStyleSheet[]} */
  const sheets = [];
  const own = Object.getOwnPropertyDescriptor(doc, "createElement");
  doc.createElement = function createElement(tag, options) {
    if (String(tag).toLowerCase() === "style") return styleStandIn(doc, sheets);
    return Document.prototype.createElement.call(this, tag, options);
  };
  try {
    terminal.open(parent);
  } finally {
    if (own) Object.defineProperty(doc, "createElement", own);
    else delete doc.createElement;
  }
  return {
    sheets,
    dispose() {
      doc.adoptedStyleSheets = doc.adoptedStyleSheets.filter((s) => !sheets.includes(s));
    },
  };
}
