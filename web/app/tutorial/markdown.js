// The Markdown subset tutorial scenarios are written in, parsed into a
// small tree and built into DOM nodes with dom.js's h() — never innerHTML:
// scenario text is data, and a "<script>" in it is just text.
//
// The subset (web/scenarios/schema.json documents it for authors):
//   blocks   paragraphs (separated by a blank line); bullet lists (lines
//            starting "- " or "* "; a line that does not start a new item
//            continues the previous one)
//   inline   **bold**, *emphasis*, `code`, [text](url), and a backslash
//            before punctuation for the character itself (\* \` \[ \\)
// A link goes to a page of this site (a relative URL: "/docs", "#top",
// "other.html") or to an https:// page; anything else (javascript:, data:,
// http:, mailto: ...) is shown as its text only. Underscores are plain text
// (Redis names like rdb_last_cow_size are full of them).

/**
 * @typedef {{ type: "text", text: string }
 *   | { type: "code", text: string }
 *   | { type: "strong" | "em", children: Inline[] }
 *   | { type: "link", href: string, children: Inline[] }} Inline
 * @typedef {{ type: "p", children: Inline[] } | { type: "ul", items: Inline[][] }} Block
 */

const BULLET = /^[-*] +/;

/**
 * Parses `source` (a string, or an array of blocks joined by blank lines).
 * @param {string | string[]} source
 * @returns {Block[]}
 */
export function parseMarkdown(source) {
  const text = Array.isArray(source) ? source.join("\n\n") : String(source ?? "");
  const blocks = [];
  for (const chunk of text.replace(/\r\n?/g, "\n").split(/\n[ \t]*\n/)) {
    const lines = chunk.split("\n").map((l) => l.trim()).filter((l) => l !== "");
    if (lines.length === 0) continue;
    if (BULLET.test(lines[0])) {
      const items = [];
      for (const line of lines) {
        if (BULLET.test(line) || items.length === 0) items.push(line.replace(BULLET, ""));
        else items[items.length - 1] += ` ${line}`;
      }
      blocks.push({ type: "ul", items: items.map((item) => parseInline(item)) });
    } else {
      blocks.push({ type: "p", children: parseInline(lines.join(" ")) });
    }
  }
  return blocks;
}

/**
 * Whether a link may point at `href`: an https:// page, or a relative URL
 * (same origin) that is not protocol-relative ("//host").
 * @param {string} href
 */
export function safeHref(href) {
  if (/^https:\/\/[^\s/]+/i.test(href)) return true;
  if (href.startsWith("//")) return false;
  // A relative URL has no scheme before its first "/", "?" or "#".
  return !/^[^/?#]*:/.test(href) && !/\s/.test(href);
}

const ESCAPABLE = /[\\`*_[\]()#+\-.!{}]/;

/**
 * Inline Markdown -> nodes. `inLink` stops links nesting.
 * @param {string} s
 * @returns {Inline[]}
 */
export function parseInline(s, inLink = false) {
  /** @type {Inline[]} */
  const out = [];
  let text = "";
  const flush = () => {
    if (text) out.push({ type: "text", text });
    text = "";
  };
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === "\\" && i + 1 < s.length && ESCAPABLE.test(s[i + 1])) {
      text += s[i + 1];
      i += 2;
      continue;
    }
    if (c === "`") {
      const end = s.indexOf("`", i + 1);
      if (end > i + 1) {
        flush();
        out.push({ type: "code", text: s.slice(i + 1, end) });
        i = end + 1;
        continue;
      }
    }
    if (c === "*") {
      const span = emphasis(s, i);
      if (span) {
        flush();
        out.push({ type: span.type, children: parseInline(span.inner, inLink) });
        i = span.end;
        continue;
      }
    }
    if (c === "[" && !inLink) {
      const link = linkAt(s, i);
      if (link) {
        flush();
        const children = parseInline(link.label, true);
        if (safeHref(link.href)) out.push({ type: "link", href: link.href, children });
        else out.push(...children);
        i = link.end;
        continue;
      }
    }
    text += c;
    i++;
  }
  flush();
  return out;
}

/** **strong** or *em* starting at i (not before a space), or null. */
function emphasis(s, i) {
  const strong = s.startsWith("**", i);
  const mark = strong ? "**" : "*";
  const from = i + mark.length;
  if (from >= s.length || /\s/.test(s[from])) return null;
  let end = from;
  for (;;) {
    end = s.indexOf(mark, end + 1);
    if (end < 0) return null;
    // A closing mark ends a word, and a single * is not half of a **.
    if (/\s/.test(s[end - 1]) || s[end - 1] === "\\") continue;
    if (!strong && (s[end + 1] === "*" || s[end - 1] === "*")) continue;
    break;
  }
  return { type: strong ? "strong" : "em", inner: s.slice(from, end), end: end + mark.length };
}

/** [label](href) starting at i, or null. */
function linkAt(s, i) {
  let depth = 0;
  let close = -1;
  for (let j = i; j < s.length; j++) {
    if (s[j] === "\\") j++;
    else if (s[j] === "[") depth++;
    else if (s[j] === "]" && --depth === 0) {
      close = j;
      break;
    }
  }
  if (close < 0 || s[close + 1] !== "(") return null;
  const end = s.indexOf(")", close + 2);
  if (end < 0) return null;
  const href = s.slice(close + 2, end).trim();
  if (href === "") return null;
  return { label: s.slice(i + 1, close), href, end: end + 1 };
}

/**
 * Builds DOM nodes for parsed Markdown with `h` (dom.js), replacing
 * `{name}` in text with `values[name]` (text, never Markdown).
 * @param {Block[]} blocks
 * @param {typeof import("../dom.js").h} h
 * @param {Record<string, string>} [values]
 * @returns {HTMLElement[]}
 */
export function renderMarkdown(blocks, h, values) {
  const inline = (nodes) => nodes.map((n) => {
    switch (n.type) {
      case "text": return values ? fill(n.text, values) : n.text;
      case "code": return h("code", null, values ? fill(n.text, values) : n.text);
      case "strong": return h("strong", null, inline(n.children));
      case "em": return h("em", null, inline(n.children));
      case "link": return /^https:/i.test(n.href)
        ? h("a", { href: n.href, target: "_blank", rel: "noopener noreferrer" }, inline(n.children))
        : h("a", { href: n.href }, inline(n.children));
      default: return "";
    }
  });
  return blocks.map((b) => b.type === "ul"
    ? h("ul", null, b.items.map((item) => h("li", null, inline(item))))
    : h("p", null, inline(b.children)));
}

/** "{name}" -> values[name]; unknown names stay as they are. */
export function fill(text, values) {
  return text.replace(/\{([a-z][a-z0-9_]*)\}/gi, (m, name) => (name in values ? values[name] : m));
}

/** The placeholder names used in `source` (for the validator). */
export function placeholders(source) {
  const text = Array.isArray(source) ? source.join("\n") : String(source ?? "");
  return [...text.matchAll(/\{([a-z][a-z0-9_]*)\}/gi)].map((m) => m[1]);
}
