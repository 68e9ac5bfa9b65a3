import { describe, expect, it } from 'vitest';
import { type LatencyPoint, latencyPlot } from '../../bench/plot';

const points: LatencyPoint[] = [1, 8, 32, 64].flatMap((concurrency, i) => [
  { series: 'record (callback path)', concurrency, p50: 10 + i, p99: 40 + 10 * i },
  { series: 'record (event path)', concurrency, p50: 20 + i, p99: 137 },
]);

describe('latencyPlot', () => {
  const svg = latencyPlot(points);

  it('draws p50 and p99 of each series, each a line through the four levels', () => {
    const paths = [...svg.matchAll(/<path d="([^"]+)"/g)].map((m) => m[1] ?? '');
    expect(paths).toHaveLength(4);
    for (const d of paths) {
      const xs = [...d.matchAll(/[ML]([\d.]+),/g)].map((m) => Number(m[1]));
      expect(xs).toHaveLength(4);
      expect(xs).toEqual([...xs].sort((a, b) => a - b));
    }
    for (const label of [
      'record (callback path) p50',
      'record (callback path) p99',
      'record (event path) p50',
      'record (event path) p99',
    ]) {
      expect(svg).toContain(`>${label}</text>`);
    }
  });

  it('has a y axis reaching past the largest p99, in round steps, and the levels as x labels', () => {
    const ticks = [...svg.matchAll(/text-anchor="end">(\d+)</g)].map((m) => Number(m[1]));
    expect(ticks[0]).toBe(0);
    expect(Math.max(...ticks)).toBeGreaterThanOrEqual(137);
    expect(Math.max(...ticks)).toBeLessThan(137 * 2);
    for (const level of [1, 8, 32, 64]) expect(svg).toContain(`text-anchor="middle">${level}</text>`);
    expect(svg).toMatch(/^<svg [^>]*>\n<title>[^<]+<\/title>/);
  });
});
