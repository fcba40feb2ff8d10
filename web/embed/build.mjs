// The embedding half of the site build (web/build.mjs calls buildEmbed):
// the <persist-lab> loader, the lab module it imports, embed.html for
// iframes, the host page's resize snippet, and the docs page (/docs).
//
// Output, in the site directory:
//   persist-lab.js           the loader (stable name: docs pages point at it;
//                            revalidated by ETag) — ≤ 10 kB gzipped
//   persist-lab-frame.js     the snippet a page hosting embed.html iframes
//                            includes to let them resize to their content
//   embed.html               a lab from URL parameters, for an iframe
//   assets/embed-lab-*.js    the lab module (terminal, store, panels as
//                            chunks), imported by the loader once an element
//                            is in view; assets/embed-page-*.js (embed.html's)
//   assets/persist-lab-*.css the element's stylesheet (the playground's
//                            panel styles, scoped to the element)
//   docs/                    the docs page: index.html, docs.css, docs.js
// worker.js and plab_wasm.wasm are the playground's: one engine for both.
import { build } from "esbuild";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fillTemplate, outputOf as siteOutput, preloadLinks } from "../build_util.mjs";

const SCOPED = "plab-scoped:";

/**
 * A stylesheet of the playground with every rule nested under .plab-scope,
 * for a page where the lab is a guest. Its relative @imports are scoped the
 * same way (terminal.css, the tutorial's...); package stylesheets (xterm's)
 * are imported as they are. A :root palette (app.css's) becomes the
 * scope's: the dark one applies under the system's dark preference unless
 * data-theme="light", and always under data-theme="dark".
 * @param {string} css
 */
export function scopeCss(css) {
  const imports = [];
  let body = css.replace(/^@import\s+(["'])([^"']+)\1\s*;[ \t]*$/gm, (_, quote, spec) => {
    imports.push(`@import "${spec.startsWith(".") ? SCOPED : ""}${spec}";\n`);
    return "";
  });
  if (/^:root \{/m.test(body)) {
    const dark = /@media \(prefers-color-scheme: dark\) \{\s*:root \{([^{}]*)\}\s*\}/;
    const match = dark.exec(body);
    if (!match) throw new Error("a :root palette without its dark twin (a prefers-color-scheme: dark block of :root)");
    body = body
      .replace(dark, `@media (prefers-color-scheme: dark) { &:not([data-theme="light"]) {${match[1]}} }\n` +
        `&[data-theme="dark"] {${match[1]}}`)
      .replace(/^:root \{/m, "& {");
  }
  return `${imports.join("")}.plab-scope {\n${body}\n}\n`;
}

// Resolves `@import "plab-scoped:FILE"` to FILE's rules scoped (scopeCss).
const scopedImport = {
  name: "plab-scoped",
  setup(b) {
    b.onResolve({ filter: /^plab-scoped:/ }, (args) =>
      ({ path: resolve(args.resolveDir, args.path.slice(SCOPED.length)), namespace: "plab-scoped" }));
    b.onLoad({ filter: /.*/, namespace: "plab-scoped" }, (args) =>
      ({ contents: scopeCss(readFileSync(args.path, "utf8")), loader: "css", resolveDir: dirname(args.path) }));
  },
};

/**
 * @param {{ webDir: string, outDir: string, common: import("esbuild").BuildOptions }} site
 *   common: web/build.mjs's shared esbuild options (bundle, esm, minify...)
 */
export async function buildEmbed({ webDir, outDir, common }) {
  const embedDir = join(webDir, "embed");
  const outputOf = (result, source) => siteOutput(outDir, result, source);
  const [modules, style] = await Promise.all([
    build({
      ...common,
      entryPoints: { "embed-lab": join(embedDir, "lab_view.js"), "embed-page": join(embedDir, "embed_page.js") },
      outdir: outDir,
      entryNames: "assets/[name]-[hash]",
      chunkNames: "assets/embed-[name]-[hash]",
      splitting: true,
      metafile: true,
    }),
    build({
      ...common,
      entryPoints: { "persist-lab": join(embedDir, "persist-lab.css") },
      outdir: outDir,
      entryNames: "assets/[name]-[hash]",
      // Browsers without CSS nesting get it flattened.
      target: ["chrome100", "firefox100", "safari15"],
      plugins: [scopedImport],
      metafile: true,
    }),
  ]);
  const lab = outputOf(modules, "lab_view.js");
  const page = outputOf(modules, "embed_page.js");
  const sheet = outputOf(style, "persist-lab.css");

  // The loader knows the lab module's and the stylesheet's hashed names.
  await build({
    ...common,
    entryPoints: { "persist-lab": join(embedDir, "persist-lab.js") },
    outdir: outDir,
    define: { __PLAB_LAB_MODULE__: JSON.stringify(`./${lab.url}`), __PLAB_STYLESHEET__: JSON.stringify(`./${sheet.url}`) },
  });
  await build({ ...common, entryPoints: { "persist-lab-frame": join(embedDir, "persist-lab-frame.js") }, outdir: outDir });

  writeFileSync(join(outDir, "embed.html"), fillTemplate(join(embedDir, "embed.html"), {
    '<link rel="stylesheet" href="persist-lab.css">': `<link rel="stylesheet" href="${sheet.url}">`,
    '<script type="module" src="embed_page.js"></script>': [`<script type="module" src="${page.url}"></script>`,
      ...preloadLinks(outDir, page.output)].join("\n"),
  }));

  const docsOut = join(outDir, "docs");
  mkdirSync(docsOut, { recursive: true });
  for (const file of ["index.html", "docs.css", "docs.js"]) copyFileSync(join(webDir, "docs", file), join(docsOut, file));
}
