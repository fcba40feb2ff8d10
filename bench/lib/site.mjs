// What the browser benchmarks (bench/playground, bench/embed) know about the
// built site they measure: where it is (build/wasm/site, PLAB_SITE
// overrides), where results go, whether --quick was asked for, and sizes as
// gzip -9 in kB.
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = resolve(fileURLToPath(new URL(".", import.meta.url)), "..", "..");
export const siteDir = resolve(process.env.PLAB_SITE ?? join(repoRoot, "build", "wasm", "site"));
export const quick = process.argv.includes("--quick");
export const KB = 1000; // budgets in kB (10^3 bytes): the stricter reading

/** bench/results/<name>. */
export const resultsPath = (name) => join(repoRoot, "bench", "results", name);

/** A site file's size gzipped at level 9, in bytes. @param {string} file relative to the site */
export const gzipped = (file) => gzipSync(readFileSync(join(siteDir, file)), { level: 9 }).length;

/** Bytes as "12.3 kB". */
export const kB = (n) => `${(n / KB).toFixed(1)} kB`;
