// Loads the engine (plab_wasm.mjs + plab_wasm.wasm, next to this file).
// The .wasm is compiled once per page; every lab gets its own instance, so
// an abort in one lab's engine can't take another lab down.

import createPlab from "./plab_wasm.mjs";

const compiled = new Map(); // url -> Promise<WebAssembly.Module>

const isNode = typeof process !== "undefined" && !!process.versions?.node;

async function compile(url) {
  if (isNode && url.protocol === "file:") {
    // The specifiers are built at run time so bundlers leave them alone.
    const fs = await import(/* @vite-ignore */ "node:" + "fs/promises");
    const { fileURLToPath } = await import(/* @vite-ignore */ "node:" + "url");
    return WebAssembly.compile(await fs.readFile(fileURLToPath(url)));
  }
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not fetch the engine (${url}): HTTP ${response.status}`);
  if (WebAssembly.compileStreaming &&
      response.headers.get("content-type")?.startsWith("application/wasm")) {
    return WebAssembly.compileStreaming(response);
  }
  return WebAssembly.compile(await response.arrayBuffer());
}

/**
 * A fresh engine instance (the embind module: `new engine.Lab(ms)`).
 * @param {string | URL} [wasmUrl] where plab_wasm.wasm is (default: next to this file)
 */
export async function instantiateEngine(wasmUrl) {
  const url = new URL(wasmUrl ?? "./plab_wasm.wasm", import.meta.url);
  const key = url.href;
  if (!compiled.has(key)) {
    const p = compile(url);
    compiled.set(key, p);
    p.catch(() => compiled.delete(key));
  }
  const module = await compiled.get(key);
  // Emscripten's promise never settles when our instantiateWasm hook fails
  // (its abort path assumes its own loader), so the hook rejects this
  // promise itself: a failed instantiation must reject open(), not hang it.
  return new Promise((resolve, reject) => {
    createPlab({
      // Emscripten's hook for bringing our own instance: it gets the imports
      // and a callback; returning {} says "asynchronous, wait for it".
      instantiateWasm(imports, done) {
        WebAssembly.instantiate(module, imports).then(
          (instance) => done(instance, module),
          (e) => reject(new Error(`could not instantiate the engine: ${e?.message ?? e}`)));
        return {};
      },
    }).then(resolve, reject);
  });
}
