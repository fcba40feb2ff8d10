// Builds the playground site: one static directory a web server can serve
// as is (everything from our own origin, nothing from a CDN).
//   node web/build.mjs --engine build/wasm/dist --out build/wasm/site
// --engine is the directory holding the built engine (plab_wasm.mjs, the
// Emscripten glue, and plab_wasm.wasm). CMake runs this (wasm/CMakeLists.txt).
//
// Output:
//   index.html        the playground page (web/app/index.html)
//   app.js, app.css   the page: its modules and styles (xterm's and uPlot's
//                     stylesheets included); chunks/ holds what loads later
//                     (compare mode)
//   worker.js         the Web Worker that runs the labs: the JS API, the
//                     Emscripten glue and the shell
//   plab_wasm.wasm    the engine, fetched and compiled by the worker
import { build } from "esbuild";
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

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
mkdirSync(outDir, { recursive: true });
rmSync(join(outDir, "chunks"), { recursive: true, force: true }); // old hashes

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

await Promise.all([
  // The page, split: what the first screen needs is app.js; compare mode
  // (and its chart library) loads when its tab is opened.
  build({
    ...common,
    entryPoints: { app: join(webDir, "app", "main.js") },
    outdir: outDir,
    splitting: true,
    chunkNames: "chunks/[name]-[hash]",
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
  }),
]);
copyFileSync(join(webDir, "app", "index.html"), join(outDir, "index.html"));
copyFileSync(join(engineDir, "plab_wasm.wasm"), join(outDir, "plab_wasm.wasm"));
