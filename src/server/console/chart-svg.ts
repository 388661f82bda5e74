import type { SafeHtml } from "./html.js";
import { formatCount, html } from "./html.js";

/** Item statuses in stacking order (bottom first), with the colours the page's legend uses. */
export const STATUSES = [
  { id: "accepted", label: "accepted", colour: "#009e73" },
  { id: "rejected", label: "rejected", colour: "#d55e00" },
  { id: "filtered", label: "filtered", colour: "#7f8b99" },
] as const;
export type ItemStatus = (typeof STATUSES)[number]["id"];

/** One run's bar: its counts and how a person names the run. */
export interface StatusBar {
  /** Two short lines under the bar (date, time). */
  label: [string, string];
  /** What the bar's tooltip starts with: "build-feeds, 2026-12-05 09:10:04 UTC". */
  describe: string;
  counts: Record<ItemStatus, number>;
}

export interface StatusChartOptions {
  /** Unique in the page: the chart's title and description are referenced by id. */
  id: string;
  title: string;
  bars: readonly StatusBar[];
}

const WIDTH = 640;
const HEIGHT = 250;
const PLOT = { left: 64, right: 16, top: 34, bottom: 58 };

/**
 * Items by status over runs as stacked bars, oldest run on the left: hand-written SVG with labelled
 * axes, a legend, a tooltip (`<title>`) per bar and a text description for screen readers.
 */
export function statusChartSvg({ id, title, bars }: StatusChartOptions): SafeHtml {
  const plotWidth = WIDTH - PLOT.left - PLOT.right;
  const plotHeight = HEIGHT - PLOT.top - PLOT.bottom;
  const bottom = PLOT.top + plotHeight;
  const highest = Math.max(0, ...bars.map((bar) => total(bar)));
  const ticks = axisTicks(highest);
  const top = ticks[ticks.length - 1] ?? 1;
  const y = (value: number): number => bottom - (value / top) * plotHeight;
  const slot = plotWidth / Math.max(bars.length, 1);
  const barWidth = Math.min(44, slot * 0.6);

  const grid = ticks.map(
    (tick) =>
      html`<line
          x1="${PLOT.left}"
          x2="${WIDTH - PLOT.right}"
          y1="${round(y(tick))}"
          y2="${round(y(tick))}"
          stroke="#d9dee5"
        /><text x="${PLOT.left - 6}" y="${round(y(tick)) + 4}" text-anchor="end">${formatCount(tick)}</text>`,
  );
  const columns = bars.map((bar, index) => {
    const x = PLOT.left + slot * index + (slot - barWidth) / 2;
    let base = 0;
    const segments = STATUSES.map((status) => {
      const value = bar.counts[status.id];
      const from = y(base);
      base += value;
      const height = from - y(base);
      return value > 0
        ? html`<rect
            class="${status.id}"
            x="${round(x)}"
            y="${round(y(base))}"
            width="${round(barWidth)}"
            height="${round(height)}"
            fill="${status.colour}"
          />`
        : html``;
    });
    const centre = round(x + barWidth / 2);
    return html`<g class="bar" data-run="${bar.describe}"
      ><title>${barTitle(bar)}</title>${segments}<text x="${centre}" y="${bottom + 16}" text-anchor="middle"
        >${bar.label[0]}</text
      ><text x="${centre}" y="${bottom + 29}" text-anchor="middle">${bar.label[1]}</text></g
    >`;
  });
  const legend = STATUSES.map(
    (status, index) =>
      html`<g transform="translate(${PLOT.left + index * 100}, 10)"
        ><rect width="12" height="12" fill="${status.colour}" /><text x="17" y="10">${status.label}</text></g
      >`,
  );
  const description =
    bars.length === 0
      ? "No runs with figures yet."
      : `${bars.length} run${bars.length === 1 ? "" : "s"}, oldest first. ` +
        bars.map((bar) => `${bar.describe}: ${countsText(bar)}.`).join(" ");

  return html`<svg
    class="chart"
    id="${id}"
    role="img"
    aria-labelledby="${id}-title ${id}-desc"
    viewBox="0 0 ${WIDTH} ${HEIGHT}"
    width="${WIDTH}"
    height="${HEIGHT}"
    xmlns="http://www.w3.org/2000/svg"
  >
    <title id="${id}-title">${title}</title>
    <desc id="${id}-desc">${description}</desc>
    <g class="legend">${legend}</g>
    <g class="grid">${grid}</g>
    <line x1="${PLOT.left}" x2="${PLOT.left}" y1="${PLOT.top}" y2="${bottom}" stroke="#5b6573" />
    <line x1="${PLOT.left}" x2="${WIDTH - PLOT.right}" y1="${bottom}" y2="${bottom}" stroke="#5b6573" />
    <g class="bars">${columns}</g>
    <text
      class="axis-title"
      transform="translate(14, ${PLOT.top + plotHeight / 2}) rotate(-90)"
      text-anchor="middle"
    >
      items
    </text>
    <text class="axis-title" x="${PLOT.left + plotWidth / 2}" y="${HEIGHT - 6}" text-anchor="middle">
      run (oldest → newest)
    </text>
  </svg>`;
}

function total(bar: StatusBar): number {
  return bar.counts.accepted + bar.counts.rejected + bar.counts.filtered;
}

function barTitle(bar: StatusBar): string {
  return `${bar.describe}\n${countsText(bar)}`;
}

function countsText(bar: StatusBar): string {
  return STATUSES.map((status) => `${formatCount(bar.counts[status.id])} ${status.label}`).join(", ");
}

/**
 * Round tick values from 0 up to at least `highest`: steps of 1, 2 or 5 × 10ⁿ, about four of them,
 * so the axis reads 0, 250, 500, 750, 1,000 rather than 0, 263, 526…
 */
export function axisTicks(highest: number): number[] {
  if (highest <= 0) return [0, 1];
  const rough = highest / 4;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 2.5, 5, 10].map((factor) => factor * magnitude).find((candidate) => candidate >= rough);
  const size = Math.max(1, step ?? rough);
  const ticks: number[] = [];
  for (let tick = 0; tick < highest + size; tick += size) ticks.push(tick);
  return ticks;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
