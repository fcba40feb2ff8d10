// A bar chart of one number per setup (uPlot, drawn on canvas), themed from
// the page's CSS variables and sized to its container. Charts are a picture
// of the results table, which is the accessible form: the chart is
// aria-hidden and its caption points at the table.

import uPlot from "uplot";

const HEIGHT = 210;

/** The page's theme colours (app.css :root variables). */
function theme() {
  const css = getComputedStyle(document.documentElement);
  const get = (name, fallback) => css.getPropertyValue(name).trim() || fallback;
  return {
    text: get("--text", "#1c2430"),
    muted: get("--muted", "#5b6675"),
    border: get("--border", "#d6dbe2"),
    colour: (name) => get(name, "#1f5fbf"),
    font: getComputedStyle(document.body).fontFamily || "system-ui, sans-serif",
  };
}

/**
 * @param {HTMLElement} host an empty element whose width the chart follows
 * @param {{ labels: string[], values: (number | null)[], colours: string[],
 *           format: (v: number) => string, integer?: boolean }} data
 *   colours: CSS variable names (e.g. "--danger"), one per bar; format: the
 *   number drawn above a bar; integer: counts (no fractional axis ticks)
 * @returns {{ destroy(): void }}
 */
export function barChart(host, data) {
  let plot = null;
  const build = () => {
    plot?.destroy();
    plot = new uPlot(options(data, theme(), Math.max(200, host.clientWidth)), [
      data.labels.map((_, i) => i),
      data.values.map((v) => v ?? 0),
    ], host);
  };
  build();
  const resize = new ResizeObserver(() => {
    const width = Math.max(200, host.clientWidth);
    if (plot && Math.abs(plot.width - width) > 1) plot.setSize({ width, height: HEIGHT });
  });
  resize.observe(host);
  // Light and dark follow the system: redraw with the other palette.
  const scheme = matchMedia("(prefers-color-scheme: dark)");
  scheme.addEventListener("change", build);
  return {
    destroy() {
      resize.disconnect();
      scheme.removeEventListener("change", build);
      plot?.destroy();
      plot = null;
    },
  };
}

function options({ labels, values, colours, format, integer = false }, t, width) {
  const fills = colours.map(t.colour);
  const axisFont = `12px ${t.font}`;
  const max = Math.max(0, ...values.map((v) => v ?? 0));
  return {
    width,
    height: HEIGHT,
    legend: { show: false },
    cursor: { show: false },
    select: { show: false },
    padding: [18, 8, 0, 4],
    scales: {
      x: { time: false, range: [-0.5, labels.length - 0.5] },
      y: { range: [0, max > 0 ? max * 1.12 : 1] },
    },
    axes: [
      {
        stroke: t.text,
        font: axisFont,
        size: 40,
        grid: { show: false },
        ticks: { show: false },
        splits: () => labels.map((_, i) => i),
        values: (_, splits) => splits.map((i) => labels[i] ?? ""),
      },
      {
        stroke: t.muted,
        font: axisFont,
        size: 56,
        grid: { stroke: t.border, width: 1 },
        ticks: { stroke: t.border, width: 1 },
        // Counts have no fractional ticks; small measures keep theirs.
        values: (_, splits) => splits.map((v) => {
          if (Number.isInteger(v)) return v.toLocaleString("en-US");
          return !integer && max < 10 ? String(Number(v.toFixed(2))) : "";
        }),
      },
    ],
    series: [
      {},
      {
        width: 0,
        fill: fills[0],
        points: { show: false },
        paths: uPlot.paths.bars({
          size: [0.62, 72],
          radius: 0.08,
          disp: { fill: { unit: 3, values: () => fills } },
        }),
      },
    ],
    hooks: { draw: [(u) => drawValues(u, values, format, t)] },
  };
}

/** Each bar's number above it (unknown values as "?"). */
function drawValues(u, values, format, t) {
  const { ctx } = u;
  const ratio = devicePixelRatio || 1;
  ctx.save();
  ctx.font = `600 ${Math.round(12 * ratio)}px ${t.font}`;
  ctx.fillStyle = t.text;
  ctx.textAlign = "center";
  ctx.textBaseline = "bottom";
  values.forEach((v, i) => {
    const x = u.valToPos(i, "x", true);
    const y = u.valToPos(v ?? 0, "y", true) - 4 * ratio;
    ctx.fillText(v === null ? "?" : format(v), x, y);
  });
  ctx.restore();
}
