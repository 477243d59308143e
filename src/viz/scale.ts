/**
 * Axis scales for the SVG plots: mapping data values to pixels, "nice" tick values (1, 2 or
 * 5 times a power of ten, the steps people read without effort), tick labels, and the data
 * extent that automatic axis ranges start from. Pure math, no SVG.
 */

export type ScaleType = 'linear' | 'log';

/** A data-to-pixel mapping with the ticks and labels of its axis. */
export interface Scale {
  readonly type: ScaleType;
  /** Data interval shown, [low, high]; both > 0 for log scales. */
  readonly domain: readonly [number, number];
  /** Pixel interval it maps to; may be reversed (y axes grow downwards in SVG). */
  readonly range: readonly [number, number];
  /** Pixel position of a value; NaN where the value cannot be shown (non-finite, <= 0 on log). */
  map(value: number): number;
  /** Tick values inside the domain, about `count` of them (log scales decide their own). */
  ticks(count: number): number[];
  /** Label for a tick value, with precision fitted to the tick spacing. */
  format(value: number, ticks: readonly number[]): string;
}

// Thresholds from d3-array's tickIncrement: a raw step is rounded to 1, 2, 5 or 10 times a
// power of ten at the geometric midpoints between those (sqrt(2), sqrt(10), sqrt(50)).
const E10 = Math.sqrt(50);
const E5 = Math.sqrt(10);
const E2 = Math.sqrt(2);

/**
 * The nice step (1, 2 or 5 x 10^k) closest to span / count. Returns 0 for an empty or
 * non-finite span.
 */
export function niceStep(span: number, count: number): number {
  if (!(Number.isFinite(span) && span > 0 && count > 0)) return 0;
  const raw = span / count;
  const power = Math.floor(Math.log10(raw));
  const error = raw / 10 ** power;
  const factor = error >= E10 ? 10 : error >= E5 ? 5 : error >= E2 ? 2 : 1;
  return factor * 10 ** power;
}

/** i * step without the float noise of 0.1 * 3 = 0.30000000000000004 when step < 1. */
function multiple(i: number, step: number): number {
  if (step >= 1) return i * step;
  const inverse = Math.round(1 / step);
  // 1/step is an integer for 10^-k and 5 x 10^-k; for 2 x 10^-k (inverse = 5 x 10^(k-1))
  // the division is still exact in decimal, so the result prints cleanly.
  return Math.abs(1 / inverse - step) < step * 1e-9 ? i / inverse : i * step;
}

/**
 * Nice tick values covering [min, max] (inclusive where a tick falls on an end), about
 * `count` of them. [min] when min === max; [] for non-finite input.
 */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (min > max) [min, max] = [max, min];
  if (min === max) return [min];
  const step = niceStep(max - min, count);
  if (step === 0) return [];
  const eps = step * 1e-9; // ends that are multiples up to rounding still get their tick
  const first = Math.ceil((min - eps) / step);
  const last = Math.floor((max + eps) / step);
  const ticks: number[] = [];
  for (let i = first; i <= last; i++) ticks.push(multiple(i, step) + 0); // + 0 turns -0 into 0
  return ticks;
}

/**
 * [min, max] widened outwards to multiples of the nice step, so the axis starts and ends on
 * a tick. A zero-width interval is widened to a unit around its value first.
 */
export function niceDomain(min: number, max: number, count = 5): [number, number] {
  if (min > max) [min, max] = [max, min];
  if (min === max) {
    const half = min === 0 ? 1 : Math.abs(min) * 0.5;
    [min, max] = [min - half, max + half];
  }
  // Twice, as d3 does: widening can change the step, which can widen the ends again.
  for (let pass = 0; pass < 2; pass++) {
    const step = niceStep(max - min, count);
    if (step === 0) break;
    min = multiple(Math.floor(min / step + 1e-9), step);
    max = multiple(Math.ceil(max / step - 1e-9), step);
  }
  return [min, max];
}

/** The largest 1, 2 or 5 x 10^k <= v (down = true) or the smallest >= v (down = false), v > 0. */
function nice125(v: number, down: boolean): number {
  const power = Math.floor(Math.log10(v));
  const candidates = [1, 2, 5, 10].map((m) => m * 10 ** power);
  if (down) return candidates.filter((c) => c <= v * (1 + 1e-12)).pop() ?? 10 ** power;
  return candidates.find((c) => c >= v * (1 - 1e-12)) ?? 10 ** (power + 1);
}

/**
 * A positive interval widened to 1-2-5 values (e.g. [0.8, 3] -> [0.5, 5]), so a log axis
 * ends on a labelled tick without jumping to the next power of ten.
 */
export function niceLogDomain(min: number, max: number): [number, number] {
  if (!(min > 0 && max > 0)) throw new RangeError(`log domain needs positive ends, got [${min}, ${max}]`);
  if (min > max) [min, max] = [max, min];
  if (min === max) return [nice125(min / 2, true), nice125(max * 2, false)];
  return [nice125(min, true), nice125(max, false)];
}

/**
 * Ticks for a log axis on [min, max] (both > 0): powers of ten, thinned to every 2nd, 3rd...
 * over many decades; 1-2-5 multiples added when fewer than 3 powers fall inside; plain linear
 * nice ticks when even that gives fewer than 2 (a domain narrower than a factor ~2.5).
 */
export function logTicks(min: number, max: number): number[] {
  if (!(min > 0 && max > 0 && Number.isFinite(min) && Number.isFinite(max))) return [];
  if (min > max) [min, max] = [max, min];
  const lo = Math.floor(Math.log10(min));
  const hi = Math.ceil(Math.log10(max));
  const inside = (v: number) => v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9);
  const powers: number[] = [];
  for (let k = lo; k <= hi; k++) if (inside(10 ** k)) powers.push(k);
  if (powers.length >= 3) {
    const every = Math.ceil(powers.length / 8);
    return powers.filter((k) => k % every === 0).map(pow10);
  }
  const withMultiples: number[] = [];
  for (let k = lo; k <= hi; k++) {
    for (const m of [1, 2, 5]) {
      const v = Number((m * 10 ** k).toPrecision(12));
      if (inside(v)) withMultiples.push(v);
    }
  }
  if (withMultiples.length >= 2) return withMultiples;
  return niceTicks(min, max, 4).filter((v) => v > 0);
}

/** 10^k as the float closest to the decimal, so labels print "0.001" and not "0.0010000000000000002". */
function pow10(k: number): number {
  return Number(`1e${k}`);
}

const SUPERSCRIPT: Record<string, string> = {
  '-': '\u207b', '0': '\u2070', '1': '\u00b9', '2': '\u00b2', '3': '\u00b3', '4': '\u2074',
  '5': '\u2075', '6': '\u2076', '7': '\u2077', '8': '\u2078', '9': '\u2079',
};

/** "10⁴" for an exact power of ten, else undefined. */
function powerOfTenLabel(v: number): string | undefined {
  const k = Math.round(Math.log10(v));
  if (v <= 0 || Math.abs(v - pow10(k)) > pow10(k) * 1e-9) return undefined;
  return `10${String(k).replace(/./g, (c) => SUPERSCRIPT[c] ?? c)}`;
}

/**
 * A tick label. Precision comes from the spacing of `ticks` (0.5 steps get one decimal,
 * 20 steps none), so labels of one axis line up; very large or very small magnitudes use
 * powers of ten (log axes) or exponent notation.
 */
export function formatTick(value: number, ticks: readonly number[], type: ScaleType = 'linear'): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) value = 0; // -0 would print as "-0.0"
  const magnitude = Math.abs(value);
  if (type === 'log') {
    if (magnitude >= 1e-3 && magnitude < 1e5) return String(Number(value.toPrecision(6)));
    return powerOfTenLabel(magnitude) ?? value.toExponential(1);
  }
  const step = ticks.length >= 2 ? Math.abs(ticks[1] - ticks[0]) : 0;
  if (step === 0) return String(Number(value.toPrecision(6))); // a lone tick: no spacing to match
  const largest = Math.max(magnitude, ...ticks.map(Math.abs));
  if (value !== 0 && (largest >= 1e6 || step < 1e-4)) {
    // Exponent notation with as many digits as the step resolves relative to the value.
    const digits = Math.max(0, Math.floor(Math.log10(magnitude)) - Math.floor(Math.log10(step)));
    return value.toExponential(Math.min(digits, 6)).replace(/\.?0+e/, 'e');
  }
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return value.toFixed(Math.min(decimals, 10));
}

/** A linear mapping of `domain` onto `range`. A zero-width domain maps everything to the middle. */
export function linearScale(domain: readonly [number, number], range: readonly [number, number]): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const width = d1 - d0;
  return {
    type: 'linear',
    domain: [d0, d1],
    range: [r0, r1],
    map: (v) => (!Number.isFinite(v) ? NaN : width === 0 ? (r0 + r1) / 2 : r0 + ((v - d0) / width) * (r1 - r0)),
    ticks: (count) => niceTicks(d0, d1, count),
    format: (v, ticks) => formatTick(v, ticks, 'linear'),
  };
}

/** A log10 mapping of a positive `domain` onto `range`; values <= 0 map to NaN (not drawable). */
export function logScale(domain: readonly [number, number], range: readonly [number, number]): Scale {
  const [d0, d1] = domain;
  if (!(d0 > 0 && d1 > 0)) throw new RangeError(`log scale needs a positive domain, got [${d0}, ${d1}]`);
  const inner = linearScale([Math.log10(d0), Math.log10(d1)], range);
  return {
    type: 'log',
    domain: [d0, d1],
    range: [range[0], range[1]],
    map: (v) => (v > 0 && Number.isFinite(v) ? inner.map(Math.log10(v)) : NaN),
    ticks: () => logTicks(d0, d1),
    format: (v, ticks) => formatTick(v, ticks, 'log'),
  };
}

/**
 * [min, max] over the finite values of all arrays (only the positive ones when `positive`,
 * as a log axis needs); undefined when there are none.
 */
export function dataExtent(arrays: Iterable<ArrayLike<number>>, positive = false): [number, number] | undefined {
  let min = Infinity;
  let max = -Infinity;
  for (const values of arrays) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (!Number.isFinite(v) || (positive && v <= 0)) continue;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  return min <= max ? [min, max] : undefined;
}
