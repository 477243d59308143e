/**
 * The frame every x/y chart shares: margins, scales, grid, ticks and labels, title, legend
 * and reference lines. A chart computes its data extents, asks `createAxes` for scales, draws
 * its marks in plot-area coordinates and hands them back to `render`, which clips them to
 * the plot area (a nested <svg>) and wraps the frame around them.
 */
import { badInput } from '../util/errors.js';
import { withDefaults } from './defaults.js';
import {
  dataExtent,
  linearScale,
  logScale,
  niceDomain,
  niceLogDomain,
  type Scale,
  type ScaleType,
} from './scale.js';
import { el, num, text, type Panel } from './svg.js';
import { THEME, textWidth } from './theme.js';

/** A labelled vertical or horizontal line across the plot (1:1 expectations, line markers). */
export interface RefLine {
  /** Data coordinate; several values draw several lines that share one label (doublets). */
  at: number | readonly number[];
  label?: string;
  /** Default THEME.reference. */
  color?: string;
  /** SVG stroke-dasharray; default '4 3'. */
  dash?: string;
  /** Default 1. */
  width?: number;
}

/** Tick positions and labels chosen by the caller (e.g. category names). */
export interface TickSpec {
  value: number;
  label: string;
}

export type LegendPosition = 'top-right' | 'top-left' | 'bottom-right' | 'bottom-left' | 'none';

export interface AxesOptions {
  /** Whole chart size in pixels (user units). Defaults 640 x 400. */
  width?: number;
  height?: number;
  /** Title above the plot area; none by default. */
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** 'linear' (default) or 'log'. On a log axis values <= 0 are not drawn (gaps in lines). */
  xScale?: ScaleType;
  yScale?: ScaleType;
  /** Fixed data ranges; by default the extent of the data, widened to nice ticks. */
  xDomain?: readonly [number, number];
  yDomain?: readonly [number, number];
  /** Widen automatic domains to nice tick values (default true). Fixed domains are kept as given. */
  nice?: boolean;
  /** Approximate tick counts; defaults scale with the plot size (one per ~90 px in x, ~55 px in y). */
  xTickCount?: number;
  yTickCount?: number;
  /** Explicit x ticks (replaces the automatic ones), e.g. category names of a bar chart. */
  xTicks?: readonly TickSpec[];
  /** Light grid lines at the ticks (default true). */
  grid?: boolean;
  /** Base font size in pixels (default 12); the title is 1.15x. */
  fontSize?: number;
  /** Where the legend goes inside the plot area (default 'top-right'); drawn only for labelled series. */
  legend?: LegendPosition;
  /** Vertical reference lines at x values. */
  vLines?: readonly RefLine[];
  /** Horizontal reference lines at y values. */
  hLines?: readonly RefLine[];
}

/** Defaults of the AxesOptions that have one. */
export const AXES_DEFAULTS = Object.freeze({
  width: 640,
  height: 400,
  xScale: 'linear' as ScaleType,
  yScale: 'linear' as ScaleType,
  nice: true,
  grid: true,
  fontSize: 12,
  legend: 'top-right' as LegendPosition,
});

export interface LegendEntry {
  label: string;
  color: string;
  /** How the swatch is drawn. */
  kind: 'line' | 'point' | 'box';
  dash?: string;
}

/** Data extents a chart reports so the frame can choose domains. */
export interface Extents {
  x: readonly ArrayLike<number>[];
  y: readonly ArrayLike<number>[];
  /** Force the automatic linear y domain to contain 0 (bars grow from 0). */
  yIncludeZero?: boolean;
}

export interface Axes {
  readonly x: Scale;
  readonly y: Scale;
  /** The plot area inside the chart, in chart pixels; scales map into [0, width] x [0, height]. */
  readonly plot: { left: number; top: number; width: number; height: number };
  readonly fontSize: number;
  /** Wraps marks drawn in plot-area coordinates into the finished chart. */
  render(marks: string, legend?: readonly LegendEntry[]): Panel;
}

function positiveNumber(name: string, v: number): number {
  if (!(Number.isFinite(v) && v > 0)) throw badInput(`${name} must be a positive number, got ${v}`);
  return v;
}

function chooseDomain(
  axis: 'x' | 'y',
  type: ScaleType,
  fixed: readonly [number, number] | undefined,
  arrays: readonly ArrayLike<number>[],
  nice: boolean,
  includeZero: boolean,
  tickCount: number,
): [number, number] {
  if (fixed) {
    const [a, b] = fixed;
    if (!(Number.isFinite(a) && Number.isFinite(b) && a !== b)) {
      throw badInput(`${axis}Domain must be two different finite numbers, got [${a}, ${b}]`);
    }
    if (type === 'log' && !(a > 0 && b > 0)) throw badInput(`${axis}Domain on a log axis must be positive, got [${a}, ${b}]`);
    return [Math.min(a, b), Math.max(a, b)];
  }
  const extent = dataExtent(arrays, type === 'log');
  if (type === 'log') {
    const [lo, hi] = extent ?? [1, 10]; // nothing drawable: an empty decade
    return nice ? niceLogDomain(lo, hi) : lo === hi ? niceLogDomain(lo, hi) : [lo, hi];
  }
  let [lo, hi] = extent ?? [0, 1];
  if (includeZero) [lo, hi] = [Math.min(lo, 0), Math.max(hi, 0)];
  if (nice || lo === hi) return niceDomain(lo, hi, tickCount);
  return [lo, hi];
}

/**
 * Sets up scales and margins for a chart of the given data extents. Throws BAD_INPUT for
 * impossible options (non-positive sizes, log domains <= 0).
 */
export function createAxes(options: AxesOptions, extents: Extents): Axes {
  const o = withDefaults(AXES_DEFAULTS, options);
  const width = positiveNumber('width', o.width);
  const height = positiveNumber('height', o.height);
  const fs = positiveNumber('fontSize', o.fontSize);

  // Vertical layout first: the y ticks depend only on the plot height.
  const top = o.title ? Math.round(fs * 2.4) : Math.round(fs);
  const bottom = Math.round(fs * 2.2 + (o.xLabel ? fs * 1.5 : 0));
  const plotHeight = height - top - bottom;
  if (plotHeight < 10) throw badInput(`height ${height} leaves no room for the plot`);
  const yTickCount = o.yTickCount ?? Math.max(2, Math.round(plotHeight / 55));
  const yDomain = chooseDomain('y', o.yScale, o.yDomain, extents.y, o.nice, !!extents.yIncludeZero && o.yScale === 'linear', yTickCount);
  const yScaleForTicks = makeScale(o.yScale, yDomain, [plotHeight, 0]);
  const yTicks = yScaleForTicks.ticks(yTickCount);
  const yLabels = yTicks.map((v) => yScaleForTicks.format(v, yTicks));

  // Horizontal layout: the left margin fits the widest y tick label.
  const yLabelWidth = Math.max(0, ...yLabels.map((s) => textWidth(s, fs)));
  const left = Math.round(yLabelWidth + fs * 0.9 + (o.yLabel ? fs * 1.6 : 0) + 4);
  const xTicksFor = (scale: Scale, count: number): TickSpec[] => {
    if (o.xTicks) return [...o.xTicks];
    const ticks = scale.ticks(count);
    return ticks.map((value) => ({ value, label: scale.format(value, ticks) }));
  };
  // The right margin must hold half of a tick label sitting on the right edge; find the
  // ticks with a provisional width, then narrow the plot if the last label needs it.
  let right = Math.round(fs * 1.4);
  let plotWidth = width - left - right;
  const xTickCount = o.xTickCount ?? Math.max(2, Math.round(plotWidth / 90));
  const xDomain = chooseDomain('x', o.xScale, o.xDomain, extents.x, o.nice, false, xTickCount);
  let x = makeScale(o.xScale, xDomain, [0, plotWidth]);
  const xTickSpecs = xTicksFor(x, xTickCount);
  const last = xTickSpecs[xTickSpecs.length - 1];
  if (last) {
    const overhang = x.map(last.value) + textWidth(last.label, fs) / 2 + 2 - plotWidth;
    if (overhang > right) {
      right = Math.ceil(overhang);
      plotWidth = width - left - right;
      x = makeScale(o.xScale, xDomain, [0, plotWidth]);
    }
  }
  if (plotWidth < 10) throw badInput(`width ${width} leaves no room for the plot`);
  const y = yScaleForTicks;
  const yTickSpecs: TickSpec[] = yTicks.map((value, i) => ({ value, label: yLabels[i] }));
  const plot = { left, top, width: plotWidth, height: plotHeight };

  function render(marks: string, legend: readonly LegendEntry[] = []): Panel {
    const parts: string[] = [];
    const inside: string[] = []; // plot-area coordinates, clipped
    if (o.grid) {
      const lines = [
        ...xTickSpecs.map((t) => x.map(t.value)).filter(Number.isFinite).map((px) => `M${num(px)} 0V${num(plotHeight)}`),
        ...yTickSpecs.map((t) => y.map(t.value)).filter(Number.isFinite).map((py) => `M0 ${num(py)}H${num(plotWidth)}`),
      ];
      if (lines.length) inside.push(el('path', { d: lines.join(''), stroke: THEME.grid, 'stroke-width': 1, fill: 'none' }));
    }
    inside.push(marks);
    inside.push(refLines(o.vLines ?? [], 'v', x, plotWidth, plotHeight, fs));
    inside.push(refLines(o.hLines ?? [], 'h', y, plotWidth, plotHeight, fs));
    parts.push(el('svg', { x: left, y: top, width: plotWidth, height: plotHeight, overflow: 'hidden' }, inside.join('')));

    // Frame and ticks, in chart coordinates.
    const tickLen = 4;
    const tickPath: string[] = [];
    const tickText: string[] = [];
    for (const t of xTickSpecs) {
      const px = x.map(t.value);
      if (!(px >= -0.5 && px <= plotWidth + 0.5)) continue;
      tickPath.push(`M${num(left + px)} ${num(top + plotHeight)}v${tickLen}`);
      tickText.push(text(t.label, { x: left + px, y: top + plotHeight + tickLen + fs, 'text-anchor': 'middle' }));
    }
    for (const t of yTickSpecs) {
      const py = y.map(t.value);
      if (!(py >= -0.5 && py <= plotHeight + 0.5)) continue;
      tickPath.push(`M${num(left)} ${num(top + py)}h${-tickLen}`);
      tickText.push(text(t.label, { x: left - tickLen - 3, y: top + py + fs * 0.35, 'text-anchor': 'end' }));
    }
    parts.push(el('rect', { x: left, y: top, width: plotWidth, height: plotHeight, fill: 'none', stroke: THEME.axis, 'stroke-width': 1 }));
    if (tickPath.length) parts.push(el('path', { d: tickPath.join(''), stroke: THEME.axis, 'stroke-width': 1 }));
    parts.push(el('g', { 'font-size': fs, fill: THEME.text }, tickText));

    if (o.title) {
      parts.push(text(o.title, { x: left + plotWidth / 2, y: top - fs * 0.9, 'text-anchor': 'middle', 'font-size': fs * 1.15, 'font-weight': 'bold', fill: THEME.text }));
    }
    if (o.xLabel) {
      parts.push(text(o.xLabel, { x: left + plotWidth / 2, y: height - fs * 0.5, 'text-anchor': 'middle', 'font-size': fs, fill: THEME.text }));
    }
    if (o.yLabel) {
      const cx = fs * 1.0;
      const cy = top + plotHeight / 2;
      parts.push(text(o.yLabel, { x: cx, y: cy, transform: `rotate(-90 ${num(cx)} ${num(cy)})`, 'text-anchor': 'middle', 'font-size': fs, fill: THEME.text }));
    }
    if (o.legend !== 'none' && legend.length > 0) parts.push(renderLegend(legend, o.legend, plot, fs));
    return { width, height, body: parts.join('') };
  }

  return { x, y, plot, fontSize: fs, render };
}

function makeScale(type: ScaleType, domain: [number, number], range: [number, number]): Scale {
  return type === 'log' ? logScale(domain, range) : linearScale(domain, range);
}

/** A white outline painted under label glyphs so they stay legible over data. */
const HALO = { stroke: '#ffffff', 'stroke-width': 3, 'stroke-linejoin': 'round', 'paint-order': 'stroke' } as const;

/**
 * Reference lines with their labels. Vertical-line labels sit at the top of the plot and are
 * spread over as many rows as needed so neighbours (e.g. H-alpha and [NII]) do not overlap.
 */
function refLines(lines: readonly RefLine[], dir: 'v' | 'h', scale: Scale, pw: number, ph: number, fs: number): string {
  if (lines.length === 0) return '';
  const out: string[] = [];
  const labelSize = fs * 0.85;
  const rowsEnd: number[] = []; // right edge of the last label in each row (vertical lines)
  const placed = lines
    .map((line) => {
      const values = typeof line.at === 'number' ? [line.at] : [...line.at];
      const px = values.map((v) => scale.map(v)).filter((p) => Number.isFinite(p) && p >= 0 && p <= (dir === 'v' ? pw : ph));
      return { line, px };
    })
    .filter((p) => p.px.length > 0)
    .sort((a, b) => Math.min(...a.px) - Math.min(...b.px));
  for (const { line, px } of placed) {
    const color = line.color ?? THEME.reference;
    const d = px.map((p) => (dir === 'v' ? `M${num(p)} 0V${num(ph)}` : `M0 ${num(p)}H${num(pw)}`)).join('');
    out.push(el('path', { d, stroke: color, 'stroke-width': line.width ?? 1, 'stroke-dasharray': line.dash ?? '4 3', fill: 'none' }));
    if (!line.label) continue;
    const centre = px.reduce((a, b) => a + b, 0) / px.length;
    if (dir === 'v') {
      const w = textWidth(line.label, labelSize);
      const x0 = Math.min(Math.max(centre - w / 2, 1), pw - w - 1); // keep the label inside
      let row = rowsEnd.findIndex((end) => end + 3 <= x0);
      if (row === -1) {
        row = rowsEnd.length;
        rowsEnd.push(0);
      }
      rowsEnd[row] = x0 + w;
      out.push(text(line.label, { x: x0, y: labelSize * (1.1 + row * 1.15), 'font-size': labelSize, fill: color, ...HALO }));
    } else {
      const w = textWidth(line.label, labelSize);
      out.push(text(line.label, { x: pw - w - 4, y: centre - 3, 'font-size': labelSize, fill: color, ...HALO }));
    }
  }
  return out.join('');
}

function renderLegend(
  entries: readonly LegendEntry[],
  position: Exclude<LegendPosition, 'none'>,
  plot: { left: number; top: number; width: number; height: number },
  fs: number,
): string {
  const row = fs * 1.4;
  const swatch = 18;
  const pad = 6;
  const w = pad * 3 + swatch + Math.max(...entries.map((e) => textWidth(e.label, fs)));
  const h = pad * 2 + row * entries.length - (row - fs);
  const inset = 8;
  const x0 = position.endsWith('right') ? plot.left + plot.width - w - inset : plot.left + inset;
  const y0 = position.startsWith('top') ? plot.top + inset : plot.top + plot.height - h - inset;
  const items = entries.map((e, i) => {
    const cy = y0 + pad + i * row + fs * 0.5;
    const sx = x0 + pad;
    const mark =
      e.kind === 'line'
        ? el('path', { d: `M${num(sx)} ${num(cy)}h${swatch}`, stroke: e.color, 'stroke-width': 2, 'stroke-dasharray': e.dash })
        : e.kind === 'point'
          ? el('circle', { cx: sx + swatch / 2, cy, r: 3.5, fill: e.color })
          : el('rect', { x: sx + swatch / 2 - 6, y: cy - 5, width: 12, height: 10, fill: e.color, 'fill-opacity': 0.75 });
    return mark + text(e.label, { x: sx + swatch + pad, y: cy + fs * 0.35, 'font-size': fs, fill: THEME.text });
  });
  return el('g', {}, [
    el('rect', { x: x0, y: y0, width: w, height: h, fill: THEME.legendFill, 'fill-opacity': THEME.legendOpacity, stroke: THEME.legendStroke, rx: 3 }),
    ...items,
  ]);
}
