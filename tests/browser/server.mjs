// A tiny static HTTP server for the browser tests and the wasm bench: no
// dependencies, 127.0.0.1 only, a free port picked by the OS.
//   /dist/...  -> build/wasm/dist/ (the built engine + JS API)
//   /...       -> tests/browser/pages/ (test pages)
// Paths under /csp/ get a strict Content-Security-Policy so a page there
// proves the module works on a site that forbids eval and inline scripts.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const repoRoot = resolve(here, "..", "..");

export const CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'";

// WebAssembly.instantiateStreaming refuses anything but application/wasm,
// and module scripts must be served with a JavaScript MIME type.
const MIME = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
};

/**
 * Maps a URL path to a file under one of the roots, or null when the path
 * escapes its root (e.g. "/dist/../../etc/passwd").
 * @param {string} urlPath decoded path, starting with "/"
 * @param {{distDir: string, pagesDir: string}} roots
 * @returns {string|null}
 */
function fileFor(urlPath, roots) {
  let root = roots.pagesDir;
  let rest = urlPath;
  if (urlPath === "/dist" || urlPath.startsWith("/dist/")) {
    root = roots.distDir;
    rest = urlPath.slice("/dist".length);
  }
  if (rest === "" || rest.endsWith("/")) rest += "index.html";
  const file = normalize(join(root, rest));
  if (file !== root && !file.startsWith(root + sep)) return null;
  return file;
}

/**
 * Starts the server.
 * @param {{distDir?: string, pagesDir?: string, port?: number}} [options]
 *   distDir defaults to build/wasm/dist, pagesDir to tests/browser/pages.
 * @returns {Promise<{url: string, close: () => Promise<void>}>}
 *   url is the origin without a trailing slash, e.g. "http://127.0.0.1:40123".
 */
export async function start(options = {}) {
  const roots = {
    distDir: resolve(options.distDir ?? join(repoRoot, "build", "wasm", "dist")),
    pagesDir: resolve(options.pagesDir ?? join(here, "pages")),
  };
  const server = createServer(async (req, res) => {
    let path;
    try {
      path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    } catch {
      res.writeHead(400).end("bad request");
      return;
    }
    const file = fileFor(path, roots);
    if (!file) {
      res.writeHead(403).end("forbidden");
      return;
    }
    let body;
    try {
      body = await readFile(file);
    } catch {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("not found");
      return;
    }
    const headers = {
      "Content-Type": MIME[extname(file)] ?? "application/octet-stream",
      "Content-Length": body.length,
      // The bench measures a warm HTTP cache; let the browser keep files
      // briefly but revalidate nothing during a run.
      "Cache-Control": "max-age=300",
    };
    if (path === "/csp" || path.startsWith("/csp/")) headers["Content-Security-Policy"] = CSP;
    res.writeHead(200, headers);
    res.end(req.method === "HEAD" ? undefined : body);
  });
  await new Promise((ok, fail) => {
    server.once("error", fail);
    server.listen(options.port ?? 0, "127.0.0.1", ok);
  });
  // Browsers keep connections alive; close them too so close() never hangs.
  const close = () => new Promise((ok) => {
    server.close(() => ok());
    server.closeAllConnections();
  });
  return { url: `http://127.0.0.1:${server.address().port}`, close };
}

// `node tests/browser/server.mjs` serves until Ctrl-C, for poking at pages by hand.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { url } = await start();
  console.log(`serving on ${url}/ (dist under ${url}/dist/)`);
}
