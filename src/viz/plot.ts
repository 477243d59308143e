/**
 * Chart types on the shared axes: lines (training curves, label-efficiency curves, spectra),
 * scatter (predicted vs true, with a 1:1 line), histograms (PIT, redshift distributions) and
 * categorical bars. Each returns a `Panel`; `toSvg` (svg.ts) makes it a document and
 * `gridLayout` (layout.ts) arranges several.
 *
 * Missing data: a non-finite x or y (or a value <= 0 on a log axis) lifts the pen, so masked
 * samples show as gaps rather than as lines drawn across them.
 */
import { badInput } from '../util/errors.js';
import { createAxes, type AxesOptions, type LegendEntry } from './axes.js';
import { dataExtent, niceDomain, niceLogDomain } from './scale.js';
import { decimateColumns, el, escapeXml, num, polylinePath, type Panel } from './svg.js';
import { THEME, seriesColor } from './theme.js';

export interface LineSeries {
  /** Legend text; unlabelled series are left out of the legend. */
  label?: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** Default: the palette colour of the series' index. */
  color?: string;
  /** Stroke width in pixels (default 1.5). */
  width?: number;
  /** SVG stroke-dasharray, e.g. '5 3'; solid by default. */
  dash?: string;
  /** Stroke opacity (default 1). */
  opacity?: number;
  /** Draw a dot on every point as well (default false): for curves of few points. */
  markers?: boolean;
  /** Shaded band between lower[i] and upper[i] (e.g. +-1 sigma), broken where either is missing. */
  lower?: ArrayLike<number>;
  upper?: ArrayLike<number>;
}

export interface ScatterSeries {
  label?: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  color?: string;
  /** Point radius in pixels (default 2.5). */
  radius?: number;
  /** Fill opacity (default 0.7, so dense regions read darker). */
  opacity?: number;
}

export interface ScatterOptions extends AxesOptions {
  /**
   * Draw the y = x line (default false). Without fixed domains both axes then get the same
   * nice range covering all x and y, so the line is the diagonal; the legend defaults to
   * the top left.
   */
  identityLine?: boolean;
}

export interface HistogramSeries {
  label?: string;
  /** counts.length + 1 increasing edges (see bin.ts `histogram`). */
  edges: ArrayLike<number>;
  counts: ArrayLike<number>;
  color?: string;
  /** 'bar' (filled, default) or 'step' (outline only, for overlaying many). */
  style?: 'bar' | 'step';
  /** Fill opacity of bars; default 0.85 for one series, 0.5 when several overlap. */
  opacity?: number;
}

export interface BarChartOptions extends AxesOptions {
  /** One colour for all bars or one per bar; default the first palette colour. */
  colors?: string | readonly string[];
}

function checkSameLength(what: string, a: ArrayLike<number>, b: ArrayLike<number>): void {
  if (a.length !== b.length) throw badInput(`${what}: x has ${a.length} values but y has ${b.length}`);
}

/** Line chart of one or more series. */
export function linePlot(series: readonly LineSeries[], options: AxesOptions = {}): Panel {
  series.forEach((s, i) => {
    checkSameLength(`line series ${s.label ?? i}`, s.x, s.y);
    if (s.lower) checkSameLength(`line series ${s.label ?? i} lower`, s.x, s.lower);
    if (s.upper) checkSameLength(`line series ${s.label ?? i} upper`, s.x, s.upper);
  });
  const axes = createAxes(options, {
    x: series.map((s) => s.x),
    y: series.flatMap((s) => [s.y, ...(s.lower ? [s.lower] : []), ...(s.upper ? [s.upper] : [])]),
  });
  const marks: string[] = [];
  const legend: LegendEntry[] = [];
  series.forEach((s, i) => {
    const color = s.color ?? seriesColor(i);
    const px = Array.from(s.x, (v) => axes.x.map(v));
    if (s.lower && s.upper) {
      const lo = Array.from(s.lower, (v) => axes.y.map(v));
      const hi = Array.from(s.upper, (v) => axes.y.map(v));
      const d = bandPath(px, lo, hi);
      if (d) marks.push(el('path', { d, fill: color, 'fill-opacity': 0.18, stroke: 'none' }));
    }
    const py = Array.from(s.y, (v) => axes.y.map(v));
    const thin = decimateColumns(px, py);
    const d = polylinePath(thin.x, thin.y);
    if (d) {
      marks.push(
        el('path', {
          d,
          fill: 'none',
          stroke: color,
          'stroke-width': s.width ?? 1.5,
          'stroke-dasharray': s.dash,
          'stroke-opacity': s.opacity,
          'stroke-linejoin': 'round',
          'stroke-linecap': 'round',
        }),
      );
    }
    if (s.markers) marks.push(dots(px, py, color, 3, 1));
    if (s.label) legend.push({ label: s.label, color, kind: 'line', dash: s.dash });
  });
  return axes.render(marks.join(''), legend);
}

/** Scatter plot of one or more point sets, optionally with the 1:1 line. */
export function scatterPlot(series: readonly ScatterSeries[], options: ScatterOptions = {}): Panel {
  series.forEach((s, i) => checkSameLength(`scatter series ${s.label ?? i}`, s.x, s.y));
  const { identityLine = false, ...axesOptions } = options;
  const axes = createAxes(identityLine ? withSharedDomain(axesOptions, series) : axesOptions, {
    x: series.map((s) => s.x),
    y: series.map((s) => s.y),
  });
  const marks: string[] = [];
  const legend: LegendEntry[] = [];
  if (identityLine) {
    // Sampled rather than two end points, so it stays y = x on mixed linear/log axes too.
    const [a, b] = [Math.min(axes.x.domain[0], axes.y.domain[0]), Math.max(axes.x.domain[1], axes.y.domain[1])];
    const logSpaced = axes.x.type === 'log' || axes.y.type === 'log';
    const n = 64;
    const t = Array.from({ length: n }, (_, i) =>
      logSpaced && a > 0 ? a * (b / a) ** (i / (n - 1)) : a + ((b - a) * i) / (n - 1),
    );
    const d = polylinePath(t.map((v) => axes.x.map(v)), t.map((v) => axes.y.map(v)));
    if (d) marks.push(el('path', { d, fill: 'none', stroke: THEME.reference, 'stroke-width': 1, 'stroke-dasharray': '5 4' }));
  }
  series.forEach((s, i) => {
    const color = s.color ?? seriesColor(i);
    const px = Array.from(s.x, (v) => axes.x.map(v));
    const py = Array.from(s.y, (v) => axes.y.map(v));
    marks.push(dots(px, py, color, s.radius ?? 2.5, s.opacity ?? 0.7));
    if (s.label) legend.push({ label: s.label, color, kind: 'point' });
  });
  return axes.render(marks.join(''), legend);
}

/**
 * For a 1:1 plot: unless a domain is fixed or the axes differ in type, both axes get the same
 * nice domain covering x and y and the same ticks, so y = x is the diagonal; the legend goes
 * top left (the corner a good prediction leaves empty).
 */
function withSharedDomain(options: AxesOptions, series: readonly ScatterSeries[]): AxesOptions {
  const xType = options.xScale ?? 'linear';
  const yType = options.yScale ?? 'linear';
  const legend = options.legend ?? 'top-left';
  if (options.xDomain || options.yDomain || xType !== yType) return { ...options, legend };
  const log = xType === 'log';
  const extent = dataExtent(series.flatMap((s) => [s.x, s.y]), log);
  if (!extent) return { ...options, legend };
  const ticks = options.xTickCount ?? options.yTickCount ?? 5;
  const shared = log ? niceLogDomain(extent[0], extent[1]) : niceDomain(extent[0], extent[1], ticks);
  return { ...options, legend, xDomain: shared, yDomain: shared, xTickCount: ticks, yTickCount: ticks };
}

/** Histogram bars (or steps) from pre-binned counts; see bin.ts for binning. */
export function histogramPlot(series: readonly HistogramSeries[], options: AxesOptions = {}): Panel {
  series.forEach((s, i) => {
    if (s.edges.length !== s.counts.length + 1) {
      throw badInput(`histogram series ${s.label ?? i}: ${s.edges.length} edges for ${s.counts.length} counts`);
    }
  });
  const axes = createAxes(options, {
    x: series.map((s) => s.edges),
    y: series.map((s) => s.counts),
    yIncludeZero: true,
  });
  // Bars grow from 0, or from the bottom of the axis when 0 is not on it (log axes).
  const baseline = axes.y.type === 'log' ? axes.plot.height : axes.y.map(0);
  const marks: string[] = [];
  const legend: LegendEntry[] = [];
  series.forEach((s, i) => {
    const color = s.color ?? seriesColor(i);
    const style = s.style ?? 'bar';
    if (style === 'bar') {
      const opacity = s.opacity ?? (series.length > 1 ? 0.5 : 0.85);
      const rects: string[] = [];
      for (let b = 0; b < s.counts.length; b++) {
        const x0 = axes.x.map(s.edges[b]);
        const x1 = axes.x.map(s.edges[b + 1]);
        const y = axes.y.map(s.counts[b]);
        if (![x0, x1, y].every(Number.isFinite)) continue; // empty bin on a log axis, or missing
        const top = Math.min(y, baseline);
        rects.push(el('rect', { x: Math.min(x0, x1), y: top, width: Math.abs(x1 - x0), height: Math.abs(baseline - y) }));
      }
      marks.push(el('g', { fill: color, 'fill-opacity': opacity, stroke: '#ffffff', 'stroke-width': 0.5 }, rects));
      if (s.label) legend.push({ label: s.label, color, kind: 'box' });
    } else {
      const xs: number[] = [];
      const ys: number[] = [];
      for (let b = 0; b < s.counts.length; b++) {
        const y = axes.y.map(s.counts[b]);
        xs.push(axes.x.map(s.edges[b]), axes.x.map(s.edges[b + 1]));
        ys.push(y, y);
      }
      const d = polylinePath(xs, ys);
      if (d) marks.push(el('path', { d, fill: 'none', stroke: color, 'stroke-width': 1.5 }));
      if (s.label) legend.push({ label: s.label, color, kind: 'line' });
    }
  });
  return axes.render(marks.join(''), legend);
}

/** One bar per category, labelled on the x axis. */
export function barChart(categories: readonly string[], values: ArrayLike<number>, options: BarChartOptions = {}): Panel {
  if (categories.length !== values.length) {
    throw badInput(`bar chart: ${categories.length} categories but ${values.length} values`);
  }
  if (categories.length === 0) throw badInput('bar chart: no categories');
  const { colors, ...axesOptions } = options;
  const n = categories.length;
  const axes = createAxes(
    { grid: true, ...axesOptions, xScale: 'linear', xDomain: [0, n], xTicks: categories.map((label, i) => ({ value: i + 0.5, label })) },
    { x: [], y: [values], yIncludeZero: true },
  );
  const baseline = axes.y.type === 'log' ? axes.plot.height : axes.y.map(0);
  const rects: string[] = [];
  for (let i = 0; i < n; i++) {
    const y = axes.y.map(values[i]);
    if (!Number.isFinite(y)) continue;
    const x0 = axes.x.map(i + 0.15);
    const x1 = axes.x.map(i + 0.85);
    const color = typeof colors === 'string' ? colors : (colors?.[i] ?? seriesColor(0));
    rects.push(
      el('rect', { x: x0, y: Math.min(y, baseline), width: x1 - x0, height: Math.abs(baseline - y), fill: color, 'fill-opacity': 0.85 }, [
        el('title', {}, `${escapeXml(categories[i])}: ${num(values[i])}`),
      ]),
    );
  }
  return axes.render(rects.join(''));
}

/** Filled circles at the finite points (one <circle> each: exact, and librsvg-safe). */
function dots(px: readonly number[], py: readonly number[], color: string, r: number, opacity: number): string {
  const circles: string[] = [];
  for (let i = 0; i < px.length; i++) {
    if (Number.isFinite(px[i]) && Number.isFinite(py[i])) circles.push(`<circle cx="${num(px[i])}" cy="${num(py[i])}" r="${num(r)}"/>`);
  }
  return circles.length ? el('g', { fill: color, 'fill-opacity': opacity }, circles) : '';
}

/** Closed polygons between two curves, one per run of points where x, lower and upper are all finite. */
function bandPath(px: readonly number[], lo: readonly number[], hi: readonly number[]): string {
  const parts: string[] = [];
  let run: number[] = [];
  const flush = () => {
    if (run.length >= 2) {
      const fwd = run.map((i, k) => `${k === 0 ? 'M' : 'L'}${num(px[i])} ${num(hi[i])}`).join('');
      const back = [...run].reverse().map((i) => `L${num(px[i])} ${num(lo[i])}`).join('');
      parts.push(`${fwd}${back}Z`);
    }
    run = [];
  };
  for (let i = 0; i < px.length; i++) {
    if (Number.isFinite(px[i]) && Number.isFinite(lo[i]) && Number.isFinite(hi[i])) run.push(i);
    else flush();
  }
  flush();
  return parts.join('');
}
