import type { PathResult } from './bench-results.js';
import type { Distribution } from './bench-types.js';

/** One panel: direct and gateway distributions of one figure. */
interface Panel {
  title: string;
  direct: Distribution;
  gateway: Distribution;
}

const PANEL_WIDTH = 320;
const PANEL_HEIGHT = 230;
const MARGIN = { left: 48, right: 12, top: 34, bottom: 38 };
const COLORS = { direct: '#2b6cb0', gateway: '#dd6b20' };
/** Percentile ticks on a "nines" axis: x = −log10(1 − p), so the tail gets as much room as the median. */
const TICKS = [0, 50, 90, 99, 99.9];
const MAX_NINES = 3;

const nines = (percentile: number) => Math.min(MAX_NINES, -Math.log10(1 - percentile / 100));

function points(distribution: Distribution): Array<[percentile: number, value: number]> {
  const curve: Array<[number, number]> = distribution.percentiles
    .slice(0, 100)
    .map((value, percentile) => [percentile, value]);
  curve.push([99.9, distribution.p999]);
  return curve.filter(([, value]) => Number.isFinite(value));
}

const escapeXml = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

function renderPanel(panel: Panel, offsetX: number): string {
  const plotWidth = PANEL_WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = PANEL_HEIGHT - MARGIN.top - MARGIN.bottom;
  const top = Math.max(panel.direct.p999, panel.gateway.p999, 0.001);
  const yMax = niceCeiling(top * 1.05);
  const x = (percentile: number) => offsetX + MARGIN.left + (nines(percentile) / MAX_NINES) * plotWidth;
  const y = (value: number) => MARGIN.top + plotHeight - (Math.min(value, yMax) / yMax) * plotHeight;
  const line = (distribution: Distribution, color: string) =>
    `<polyline fill="none" stroke="${color}" stroke-width="1.8" points="${points(distribution)
      .map(([p, value]) => `${x(p).toFixed(1)},${y(value).toFixed(1)}`)
      .join(' ')}"/>`;
  const parts: string[] = [
    `<text x="${offsetX + PANEL_WIDTH / 2}" y="18" text-anchor="middle" font-weight="600">${escapeXml(panel.title)}</text>`,
    `<rect x="${offsetX + MARGIN.left}" y="${MARGIN.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#ccc"/>`,
  ];
  for (const tick of TICKS) {
    const tickX = x(tick).toFixed(1);
    parts.push(
      `<line x1="${tickX}" y1="${MARGIN.top}" x2="${tickX}" y2="${MARGIN.top + plotHeight}" stroke="#eee"/>`,
      `<text x="${tickX}" y="${MARGIN.top + plotHeight + 14}" text-anchor="middle">p${tick}</text>`,
    );
  }
  for (let index = 0; index <= 4; index++) {
    const value = (yMax * index) / 4;
    const tickY = y(value).toFixed(1);
    parts.push(
      `<line x1="${offsetX + MARGIN.left}" y1="${tickY}" x2="${offsetX + MARGIN.left + plotWidth}" y2="${tickY}" stroke="#eee"/>`,
      `<text x="${offsetX + MARGIN.left - 4}" y="${tickY}" text-anchor="end" dominant-baseline="middle">${formatMs(value)}</text>`,
    );
  }
  parts.push(
    `<text x="${offsetX + MARGIN.left + plotWidth / 2}" y="${PANEL_HEIGHT - 6}" text-anchor="middle" fill="#555">percentile (ms on the y axis)</text>`,
    line(panel.direct, COLORS.direct),
    line(panel.gateway, COLORS.gateway),
  );
  return parts.join('\n');
}

function formatMs(value: number): string {
  if (value === 0) return '0';
  return value < 1 ? value.toFixed(2) : value < 10 ? value.toFixed(1) : value.toFixed(0);
}

/** 1, 2 or 5 times a power of ten, at or above `value`. */
function niceCeiling(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

/**
 * A hand-written SVG of one path's distributions, direct against gateway: time to first token at 1 stream, and time
 * to first token and the gap between tokens at the largest number of paced streams measured. Percentiles run on a
 * "nines" axis so that the p99 tail, where a gateway's cost hides, is as wide as the median.
 */
export function renderDistributionChart(path: PathResult): string {
  const panels: Panel[] = [
    { title: 'TTFT, 1 stream', direct: path.ttftSingle.direct.ttft, gateway: path.ttftSingle.gateway.ttft },
  ];
  const largest = path.ladder.at(-1);
  if (largest) {
    panels.push(
      {
        title: `TTFT, ${largest.concurrency} paced streams`,
        direct: largest.direct.ttft,
        gateway: largest.gateway.ttft,
      },
      {
        title: `gap between tokens, ${largest.concurrency} streams`,
        direct: largest.direct.gaps,
        gateway: largest.gateway.gaps,
      },
    );
  }
  const width = PANEL_WIDTH * panels.length;
  const height = PANEL_HEIGHT + 28;
  const legendY = PANEL_HEIGHT + 16;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="11">`,
    `<title>${escapeXml(path.label)}: direct vs gateway</title>`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    ...panels.map((panel, index) => renderPanel(panel, index * PANEL_WIDTH)),
    `<text x="12" y="${legendY}" font-weight="600">${escapeXml(path.label)}</text>`,
    `<line x1="${width - 210}" y1="${legendY - 4}" x2="${width - 190}" y2="${legendY - 4}" stroke="${COLORS.direct}" stroke-width="2"/>`,
    `<text x="${width - 186}" y="${legendY}">direct</text>`,
    `<line x1="${width - 130}" y1="${legendY - 4}" x2="${width - 110}" y2="${legendY - 4}" stroke="${COLORS.gateway}" stroke-width="2"/>`,
    `<text x="${width - 106}" y="${legendY}">through the gateway</text>`,
    '</svg>',
    '',
  ].join('\n');
}
