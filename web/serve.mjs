// A small static web server for the playground (./scripts/play), the
// browser tests and the benchmarks: no dependencies, loopback only.
//   node web/serve.mjs [--root build/wasm/site] [--port 8080] [--host 127.0.0.1]
//
// What it does beyond sending files:
// - `.wasm` goes out as application/wasm, which WebAssembly.compileStreaming
//   requires; module scripts as text/javascript.
// - Caching: files named by their content hash (assets/*-HASH.js|css, see
//   web/build.mjs) are kept by the browser for good. Everything else carries
//   an ETag and `Cache-Control: no-cache`, so the browser keeps its copy,
//   revalidates it with one cheap 304 per load, and never runs a stale file
//   after a rebuild. A 304 keeps Chromium's HTTP cache entry, and with it
//   the compiled code V8 stores next to a streamed .wasm: a warm load skips
//   compiling the engine.
// - Every response gets a strict Content-Security-Policy (the playground
//   must work without 'unsafe-inline' or 'unsafe-eval'); --no-csp turns it
//   off for experiments.
// - Paths that escape a mount's directory are refused (403).
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const here = fileURLToPath(new URL(".", import.meta.url));

/** The policy the site is served with (and tested under). */
export const SITE_CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join("; ");

// web/build.mjs names the page's files by their content (assets/app-HASH.js):
// such a file never changes, so the browser may keep it without asking.
const IMMUTABLE = /^\/assets\/[^/]+-[A-Z0-9]{8}\.(js|css)$/;

const MIME = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".txt": "text/plain; charset=utf-8",
  ".rdb": "application/octet-stream",
};

/**
 * Maps a URL path to a file under the longest matching mount, or null when
 * it escapes that mount's directory.
 * @param {string} urlPath decoded, starting with "/"
 * @param {[string, string][]} mounts [prefix, dir], longest prefix first
 */
function fileFor(urlPath, mounts) {
  for (const [prefix, dir] of mounts) {
    if (prefix !== "/" && urlPath !== prefix && !urlPath.startsWith(prefix + "/")) continue;
    let rest = prefix === "/" ? urlPath : urlPath.slice(prefix.length);
    if (rest === "" || rest.endsWith("/")) rest += "index.html";
    const file = normalize(join(dir, rest));
    return file === dir || file.startsWith(dir + sep) ? file : null;
  }
  return null;
}

/**
 * Starts serving.
 * @param {{ root?: string, mounts?: Record<string, string>, port?: number, host?: string,
 *           csp?: string | null, headers?: (path: string) => Record<string, string> }} [options]
 *   root: the directory served at "/"; mounts: more URL prefixes -> directories;
 *   port 0 picks a free one; csp null sends none; headers adds per-path headers.
 * @returns {Promise<{ url: string, port: number, close: () => Promise<void> }>}
 */
export async function startServer(options = {}) {
  const all = { ...(options.mounts ?? {}) };
  if (options.root) all["/"] = options.root;
  const mounts = Object.entries(all)
    .map(([prefix, dir]) => [prefix.replace(/\/+$/, "") || "/", resolve(dir)])
    .sort((a, b) => b[0].length - a[0].length);
  const csp = options.csp === undefined ? SITE_CSP : options.csp;

  // Shared-session links (web/app/share.js) can be long; node's default
  // 16 KB header limit would refuse them before the page could say why.
  const server = createServer({ maxHeaderSize: 1 << 20 }, async (req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { Allow: "GET, HEAD" }).end();
      return;
    }
    let path;
    try {
      path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    } catch {
      res.writeHead(400).end("bad request");
      return;
    }
    const file = fileFor(path, mounts);
    if (!file) {
      res.writeHead(403).end("forbidden");
      return;
    }
    let info;
    try {
      info = await stat(file);
      if (info.isDirectory() && !path.endsWith("/")) {
        // /docs -> /docs/, so the page's relative links resolve inside it.
        const query = new URL(req.url ?? "/", "http://x").search;
        res.writeHead(301, { Location: `${encodeURI(path)}/${query}` }).end();
        return;
      }
      if (!info.isFile()) throw new Error("not a file");
    } catch {
      res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" }).end("not found");
      return;
    }
    const etag = `"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
    const headers = {
      "Content-Type": MIME[extname(file)] ?? "application/octet-stream",
      "Cache-Control": IMMUTABLE.test(path) ? "public, max-age=31536000, immutable" : "no-cache",
      ETag: etag,
      "X-Content-Type-Options": "nosniff",
      ...(csp ? { "Content-Security-Policy": csp } : {}),
      ...(options.headers?.(path) ?? {}),
    };
    if (req.headers["if-none-match"] === etag) {
      res.writeHead(304, headers).end();
      return;
    }
    const body = await readFile(file);
    res.writeHead(200, { ...headers, "Content-Length": body.length });
    res.end(req.method === "HEAD" ? undefined : body);
  });
  await new Promise((ok, fail) => {
    server.once("error", fail);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", ok);
  });
  const port = /** @type {import("node:net").AddressInfo} */ (server.address()).port;
  const close = () => new Promise((ok) => {
    server.close(() => ok());
    // Browsers keep connections alive; close them too so close() never hangs.
    server.closeAllConnections();
  });
  return { url: `http://${options.host ?? "127.0.0.1"}:${port}`, port, close };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      root: { type: "string", default: join(here, "..", "build", "wasm", "site") },
      port: { type: "string", default: "8080" },
      host: { type: "string", default: "127.0.0.1" },
      "no-csp": { type: "boolean", default: false },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`serve: bad --port ${values.port}`);
    process.exit(2);
  }
  try {
    const { url } = await startServer({
      root: values.root, port, host: values.host, csp: values["no-csp"] ? null : SITE_CSP,
    });
    console.log(`PersistLab playground: ${url}/`);
  } catch (e) {
    console.error(`serve: cannot listen on ${values.host}:${port}: ${e.message}`);
    process.exit(1);
  }
}
