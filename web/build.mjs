// Builds the playground site: one static directory a web server can serve
// as is (everything from our own origin, nothing from a CDN).
//   node web/build.mjs --engine build/wasm/dist --out build/wasm/site
// --engine is the directory holding the built engine (plab_wasm.mjs, the
// Emscripten glue, and plab_wasm.wasm). CMake runs this (wasm/CMakeLists.txt).
//
// Output:
//   index.html        the playground page (web/app/index.html, pointing at
//                     the hashed names below)
//   assets/           the page's modules and styles (xterm's and uPlot's
//                     stylesheets included), named by content hash:
//                     app-*.js, app-*.css, and the chunks that load later
//                     (compare mode)
//   worker.js         the Web Worker that runs the labs: the JS API, the
//                     Emscripten glue and the shell
//   scenarios/        the tutorial scenarios (web/scenarios/*.json) and
//                     their index.json
//   plab_wasm.wasm    the engine, fetched and compiled by the worker
//   persist-lab.js, embed.html, docs/ ...
//                     embedding PersistLab in documentation pages: the
//                     <persist-lab> loader, the iframe page, the docs page
//                     (web/embed/build.mjs lists them)
import { build } from "esbuild";
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { buildEmbed } from "./embed/build.mjs";
import { fillTemplate, outputOf, preloadLinks } from "./build_util.mjs";

const webDir = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: { engine: { type: "string" }, out: { type: "string" }, dev: { type: "boolean" } },
});
if (!values.engine || !values.out) {
  console.error("usage: node web/build.mjs --engine DIR --out DIR [--dev]");
  process.exit(2);
}
const engineDir = resolve(values.engine);
const outDir = resolve(values.out);
// The directory is the build's alone: start empty (no stale hashed files).
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });

// engine_loader.js imports "./plab_wasm.mjs", which only exists in the
// engine's build directory: point the import there.
const engineGlue = {
  name: "engine-glue",
  setup(b) {
    b.onResolve({ filter: /\/plab_wasm\.mjs$/ }, () => ({ path: join(engineDir, "plab_wasm.mjs") }));
  },
};

const common = {
  bundle: true,
  format: "esm",
  minify: !values.dev,
  sourcemap: values.dev ? "inline" : false,
  target: "es2022",
  logLevel: "warning",
  // Bundlers must leave node's modules to node (engine_loader.js builds
  // their names at run time; this keeps esbuild quiet about them).
  external: ["node:*"],
  legalComments: "eof",
};

// The page's files carry a hash of their content in their name (assets/),
// so a server can let browsers keep them for good (web/serve.mjs does);
// index.html, worker.js and the engine keep their names and are
// revalidated instead.
const [page, , style] = await Promise.all([
  // The page, split: what the first screen needs is the app entry and the
  // chunks it imports; compare mode (and its chart library) loads when its
  // tab is opened.
  build({
    ...common,
    entryPoints: { app: join(webDir, "app", "main.js") },
    outdir: outDir,
    entryNames: "assets/[name]-[hash]",
    chunkNames: "assets/[name]-[hash]",
    splitting: true,
    metafile: true,
  }),
  build({
    ...common,
    entryPoints: { worker: join(webDir, "src", "worker", "lab_worker.js") },
    outdir: outDir,
    plugins: [engineGlue],
  }),
  build({
    ...common,
    entryPoints: { app: join(webDir, "app", "app.css") },
    outdir: outDir,
    entryNames: "assets/[name]-[hash]",
    metafile: true,
  }),
]);

const script = outputOf(outDir, page, "main.js");
const sheet = outputOf(outDir, style, "app.css");
// The entry imports the chunks it shares with compare mode; without a hint
// the browser only discovers them once the entry is parsed. modulepreload
// fetches them alongside it.
writeFileSync(join(outDir, "index.html"), fillTemplate(join(webDir, "app", "index.html"), {
  '<link rel="stylesheet" href="app.css">': `<link rel="stylesheet" href="${sheet.url}">`,
  '<script type="module" src="app.js"></script>':
    [`<script type="module" src="${script.url}"></script>`, ...preloadLinks(outDir, script.output)].join("\n"),
}));
copyFileSync(join(engineDir, "plab_wasm.wasm"), join(outDir, "plab_wasm.wasm"));
copyScenarios();
await buildEmbed({ webDir, outDir, common });

/**
 * The tutorial scenarios (web/scenarios/*.json, data a docs author edits)
 * go to scenarios/ as they are, with an index the page lists them from:
 * scenarios/index.json = [{ id, title, summary }] in file-name order.
 * A scenario that is not valid JSON fails the build, naming the file;
 * the page validates the rest (web/app/tutorial/).
 */
function copyScenarios() {
  const from = join(webDir, "scenarios");
  const to = join(outDir, "scenarios");
  mkdirSync(to, { recursive: true });
  const index = [];
  for (const file of readdirSync(from).filter((f) => f.endsWith(".json") && f !== "schema.json").sort()) {
    const text = readFileSync(join(from, file), "utf8");
    let scenario;
    try {
      scenario = JSON.parse(text);
    } catch (e) {
      throw new Error(`web/scenarios/${file}: not JSON: ${e.message}`);
    }
    writeFileSync(join(to, file), text);
    index.push({ id: file.replace(/\.json$/, ""), title: scenario.title ?? file, summary: scenario.summary ?? "" });
  }
  if (existsSync(join(from, "schema.json"))) copyFileSync(join(from, "schema.json"), join(to, "schema.json"));
  writeFileSync(join(to, "index.json"), JSON.stringify(index, null, 1));
}
