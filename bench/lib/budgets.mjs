// What the browser benchmarks (bench/playground, bench/embed) share: a
// table of measurements against budgets, written to bench/results/ and
// printed, and the statistics they report.
import { writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";

export const ms = (n) => `${n.toFixed(1)} ms`;

/** @param {number[]} xs */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Nearest-rank percentile. @param {number[]} xs @param {number} p in (0, 100] */
export function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)];
}

export class BudgetTable {
  constructor() {
    this.rows = [];
  }

  /** A row; `ok` null means "no budget". Echoed to stderr as it comes. */
  row(what, value, budget, ok) {
    this.rows.push({ what, value, budget, verdict: ok === null ? "" : ok ? "met" : "**missed**" });
    console.error(`${what}: ${value}${budget ? ` (budget ${budget}: ${ok ? "met" : "missed"})` : ""}`);
  }

  /**
   * Writes the markdown table to `file` and prints it.
   * @param {string} file
   * @param {string} title the heading
   * @param {{ quick?: boolean, about?: string[] }} [options] about: lines under the machine line
   */
  write(file, title, { quick = false, about = [] } = {}) {
    const lines = [
      `# ${title}`,
      "",
      `Headless Chromium (${process.env.PLAB_CHROMIUM ?? "/usr/bin/chromium"}), ${cpus().length} cores, load average ${loadavg()[0].toFixed(2)} at the end, ${new Date().toISOString().slice(0, 10)}${quick ? ", --quick" : ""}.`,
      ...about,
      "",
      "| what | measured | budget | |",
      "|---|---|---|---|",
      ...this.rows.map((r) => `| ${r.what} | ${r.value} | ${r.budget} | ${r.verdict} |`),
    ];
    const table = lines.join("\n") + "\n";
    writeFileSync(file, table);
    console.log(table);
  }
}
