// npm pack's prepack step: fills dist/ with what the package ships — the
// built site (the <persist-lab> loader, embed.html, the lab worker, the
// engine, the playground and the docs page) and the JS API bundled with the
// engine's glue (persistlab.js, next to plab_wasm.wasm as it expects).
// Build first, then pack:
//   ./scripts/build wasm            # build/wasm/site and build/wasm/dist
//   cd web && npm pack
// PLAB_SITE and PLAB_DIST point elsewhere (default: ../build/wasm/site and
// ../build/wasm/dist, from this file).
import { copyFileSync, cpSync, existsSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const site = resolve(process.env.PLAB_SITE ?? join(here, "..", "build", "wasm", "site"));
const dist = resolve(process.env.PLAB_DIST ?? join(here, "..", "build", "wasm", "dist"));
const out = join(process.cwd(), "dist");

for (const [file, what] of [[join(site, "persist-lab.js"), "the site"], [join(dist, "persistlab.js"), "the JS API"]]) {
  if (!existsSync(file)) {
    console.error(`prepack: ${what} is not built (no ${file}): run ./scripts/build wasm first, then npm pack`);
    process.exit(1);
  }
}
rmSync(out, { recursive: true, force: true });
cpSync(site, out, { recursive: true });
copyFileSync(join(dist, "persistlab.js"), join(out, "persistlab.js"));
console.error(`prepack: dist/ holds ${site} and ${join(dist, "persistlab.js")}`);
