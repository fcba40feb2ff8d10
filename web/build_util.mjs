// What the site build's two halves (web/build.mjs, web/embed/build.mjs)
// share: finding a hashed output by its entry, and filling an HTML template.
import { readFileSync } from "node:fs";
import { relative, resolve, sep } from "node:path";

/** `path` (as esbuild's metafile names it) as a URL relative to the site `outDir`. */
export function siteUrl(outDir, path) {
  return relative(outDir, resolve(path)).split(sep).join("/");
}

/**
 * The output built from entry `source`: its URL in the site and its
 * metafile entry (imports, ...).
 * @param {string} outDir
 * @param {import("esbuild").BuildResult} result built with metafile: true
 * @param {string} source the entry's file name
 */
export function outputOf(outDir, result, source) {
  const [path, output] = Object.entries(result.metafile.outputs).find(([, o]) => o.entryPoint?.endsWith(source));
  return { url: siteUrl(outDir, path), output };
}

/** The modulepreload hints for the chunks `output` imports statically. */
export function preloadLinks(outDir, output) {
  return output.imports.filter((i) => i.kind === "import-statement")
    .map((i) => `<link rel="modulepreload" href="${siteUrl(outDir, i.path)}">`);
}

/** A template with each needle replaced; a missing needle fails the build. */
export function fillTemplate(file, replacements) {
  let text = readFileSync(file, "utf8");
  for (const [needle, replacement] of Object.entries(replacements)) {
    if (!text.includes(needle)) throw new Error(`${file} no longer has ${needle}`);
    text = text.replace(needle, replacement);
  }
  return text;
}
