/**
 * The latency plot of docs/benchmarks.md, drawn as a small SVG by hand (no plotting dependency for one chart):
 * latency against uploads in flight, p50 solid and p99 dashed, one colour per series.
 */

/** One series (e.g. "record (callback path)") at one concurrency: its p50 and p99, ms. */
export interface LatencyPoint {
  series: string;
  concurrency: number;
  p50: number;
  p99: number;
}

const WIDTH = 760;
const HEIGHT = 360;
const MARGIN = { left: 64, right: 290, top: 24, bottom: 48 };
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];

/** A round upper bound for the y axis and its tick step. */
function yScale(max: number): { top: number; step: number } {
  const rough = max / 5;
  const magnitude = 10 ** Math.floor(Math.log10(rough || 1));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= rough) ?? 10 * magnitude;
  return { top: Math.ceil(max / step) * step || step, step };
}

export function latencyPlot(points: LatencyPoint[]): string {
  const levels = [...new Set(points.map((p) => p.concurrency))].sort((a, b) => a - b);
  const { top, step } = yScale(Math.max(...points.map((p) => p.p99)));
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  // Levels evenly spaced (1, 8, 32, 64 read better so than on a linear or log axis).
  const x = (level: number) => MARGIN.left + (levels.indexOf(level) / Math.max(levels.length - 1, 1)) * plotW;
  const y = (ms: number) => MARGIN.top + plotH - (ms / top) * plotH;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" font-family="sans-serif" font-size="12">`,
    '<title>Latency against uploads in flight: upload to record and record to hook, p50 and p99</title>',
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
  ];
  for (let ms = 0; ms <= top; ms += step) {
    out.push(
      `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${y(ms)}" y2="${y(ms)}" stroke="#ddd"/>`,
      `<text x="${MARGIN.left - 8}" y="${y(ms) + 4}" text-anchor="end">${ms}</text>`,
    );
  }
  for (const level of levels) {
    out.push(`<text x="${x(level)}" y="${MARGIN.top + plotH + 18}" text-anchor="middle">${level}</text>`);
  }
  out.push(
    `<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 10}" text-anchor="middle">uploads in flight</text>`,
    `<text transform="translate(16 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">ms</text>`,
  );
  let legendY = MARGIN.top + 8;
  const series = [...new Set(points.map((p) => p.series))];
  for (const [k, name] of series.entries()) {
    const colour = COLOURS[k % COLOURS.length];
    const line = points.filter((p) => p.series === name).sort((a, b) => a.concurrency - b.concurrency);
    for (const [which, dash] of [
      ['p50', ''],
      ['p99', ' stroke-dasharray="6 4"'],
    ] as const) {
      const d = line.map((p, i) => `${i ? 'L' : 'M'}${x(p.concurrency)},${y(p[which])}`).join(' ');
      out.push(
        `<path d="${d}" fill="none" stroke="${colour}" stroke-width="2"${dash}/>`,
        `<line x1="${WIDTH - MARGIN.right + 12}" x2="${WIDTH - MARGIN.right + 40}" y1="${legendY}" y2="${legendY}" stroke="${colour}" stroke-width="2"${dash}/>`,
        `<text x="${WIDTH - MARGIN.right + 46}" y="${legendY + 4}">${name} ${which}</text>`,
      );
      legendY += 20;
    }
  }
  out.push('</svg>', '');
  return out.join('\n');
}
