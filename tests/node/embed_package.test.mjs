// The npm package of web/ (what a docs site depends on): `npm pack` of a
// copy of web/package.json with its prepack step, into a temporary
// directory; the tarball unpacked into a project's node_modules; then, from
// that project, `import { PersistLab } from "persistlab"` through the
// package's exports, a lab on fake-indexeddb, and a PING. Also: the element
// and the engine files are in the package, and the sources are not.
//
// Needs the wasm build: PLAB_DIST (default build/wasm/dist) holds the JS API;
// the site is next to it (PLAB_SITE, default PLAB_DIST/../site).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const dist = resolve(process.env.PLAB_DIST ?? join(root, "build", "wasm", "dist"));
const site = resolve(process.env.PLAB_SITE ?? join(dist, "..", "site"));
const work = mkdtempSync(join(tmpdir(), "plab-pack-"));
after(() => rmSync(work, { recursive: true, force: true }));

/** Packs a copy of web/ (package.json + prepack.mjs): returns the tarball's path and file list. */
function pack() {
  const source = join(work, "web");
  mkdirSync(source);
  for (const file of ["package.json", "prepack.mjs"]) copyFileSync(join(root, "web", file), join(source, file));
  const out = execFileSync("npm", ["pack", "--json", "--pack-destination", work], {
    cwd: source, env: { ...process.env, PLAB_SITE: site, PLAB_DIST: dist }, encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  const [info] = JSON.parse(out);
  return { tarball: join(work, info.filename), files: info.files.map((f) => f.path) };
}

const packed = pack();

test("the package holds the JS API, the element and the engine files, and no sources", () => {
  for (const file of ["package.json", "dist/persistlab.js", "dist/plab_wasm.wasm", "dist/worker.js",
    "dist/persist-lab.js", "dist/persist-lab-frame.js", "dist/embed.html", "dist/docs/index.html", "dist/index.html"]) {
    assert.ok(packed.files.includes(file), `${file} is not in the package`);
  }
  assert.ok(packed.files.some((f) => /^dist\/assets\/embed-lab-\w+\.js$/.test(f)), "no lab module in dist/assets");
  assert.deepEqual(packed.files.filter((f) => !f.startsWith("dist/") && f !== "package.json"), []);
});

test("a project that depends on the package imports the JS API through its exports and gets PONG", () => {
  const project = join(work, "project");
  const installed = join(project, "node_modules", "persistlab");
  mkdirSync(installed, { recursive: true });
  execFileSync("tar", ["xzf", packed.tarball, "-C", installed, "--strip-components=1"]);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "docs-site", type: "module", private: true }));
  const fakeIdb = pathToFileURL(createRequire(join(root, "web", "package.json")).resolve("fake-indexeddb")).href;
  writeFileSync(join(project, "check.mjs"), [
    'import { PersistLab } from "persistlab";',
    `import { IDBFactory, IDBKeyRange } from ${JSON.stringify(fakeIdb)};`,
    'const lab = await PersistLab.open({ name: "packed", indexedDB: new IDBFactory(), IDBKeyRange, clock: { paused: true } });',
    'const ping = await lab.exec("PING");',
    'await lab.exec("SET k v");',
    'const get = await lab.exec("GET k");',
    "await lab.close();",
    'console.log(JSON.stringify({ ping: ping.reply, get: get.text, element: import.meta.resolve("persistlab/element") }));',
  ].join("\n"));
  const out = JSON.parse(execFileSync(process.execPath, ["check.mjs"], { cwd: project, encoding: "utf8" }));
  assert.equal(out.ping, "PONG");
  assert.equal(out.get, '"v"');
  assert.equal(out.element, pathToFileURL(join(installed, "dist", "persist-lab.js")).href);
  assert.ok(existsSync(fileURLToPath(out.element)));
});
