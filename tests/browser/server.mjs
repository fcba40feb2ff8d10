// The static server for the JS API's browser tests and bench/wasm: web/serve.mjs
// with two mounts, 127.0.0.1 only, a free port picked by the OS.
//   /dist/...  -> build/wasm/dist/ (the built engine + JS API)
//   /...       -> tests/browser/pages/ (test pages)
// Paths under /csp/ get a strict Content-Security-Policy so a page there
// proves the module works on a site that forbids eval and inline scripts.
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startServer } from "../../web/serve.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const repoRoot = resolve(here, "..", "..");

export const CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'";

/**
 * Starts the server.
 * @param {{distDir?: string, pagesDir?: string, port?: number}} [options]
 *   distDir defaults to build/wasm/dist, pagesDir to tests/browser/pages.
 * @returns {Promise<{url: string, close: () => Promise<void>}>}
 *   url is the origin without a trailing slash, e.g. "http://127.0.0.1:40123".
 */
export function start(options = {}) {
  return startServer({
    root: options.pagesDir ?? join(here, "pages"),
    mounts: { "/dist": options.distDir ?? join(repoRoot, "build", "wasm", "dist") },
    port: options.port ?? 0,
    csp: null,
    headers: (path) => (path === "/csp" || path.startsWith("/csp/") ? { "Content-Security-Policy": CSP } : {}),
  });
}

// `node tests/browser/server.mjs` serves until Ctrl-C, for poking at pages by hand.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { url } = await start();
  console.log(`serving on ${url}/ (dist under ${url}/dist/)`);
}
