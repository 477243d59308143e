/**
 * SVG building blocks: escaping, element strings, compact number formatting, polylines that
 * break at missing points, and the `Panel` that every chart returns. Strings only, so the
 * output is deterministic, diff-able and needs no DOM.
 */

/**
 * A rendered chart or layout: SVG markup in its own coordinates (origin top left, `width` x
 * `height` user units). Panels nest (a grid places panels inside a panel); `toSvg` makes the
 * final document.
 */
export interface Panel {
  readonly width: number;
  readonly height: number;
  /** SVG elements (no <svg> wrapper) drawn in [0, width] x [0, height]. */
  readonly body: string;
}

/** Escapes text for element content and double-quoted attribute values. */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
    // Control characters other than tab/newline are not allowed in XML 1.0 at all.
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
}

/**
 * A coordinate or length with at most 2 decimals and no trailing zeros: enough for 1/100
 * pixel, and it keeps spectra of thousands of points small.
 */
export function num(v: number): string {
  const r = Math.round(v * 100) / 100;
  return Object.is(r, -0) ? '0' : String(r);
}

export type AttrValue = string | number | undefined | null | false;
export type Attrs = Record<string, AttrValue>;

function attrString(attrs: Attrs): string {
  let out = '';
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    const text = typeof value === 'number' ? num(value) : escapeXml(value);
    out += ` ${key}="${text}"`;
  }
  return out;
}

/**
 * One element. `children` is raw markup (already built with `el`/`text`); omit it for a
 * self-closing element. Attributes that are undefined, null or false are left out.
 */
export function el(tag: string, attrs: Attrs = {}, children?: string | readonly string[]): string {
  const inner = Array.isArray(children) ? children.join('') : (children as string | undefined);
  return inner === undefined ? `<${tag}${attrString(attrs)}/>` : `<${tag}${attrString(attrs)}>${inner}</${tag}>`;
}

/** A <text> element with escaped content. */
export function text(content: string, attrs: Attrs = {}): string {
  return el('text', attrs, escapeXml(content));
}

/**
 * Path data through (x[i], y[i]) that lifts the pen at every point with a non-finite
 * coordinate, so masked samples show as gaps instead of straight lines bridging them.
 * An isolated valid point (NaN on both sides) gets a zero-length segment so that a round
 * line cap still shows it. Returns '' when nothing is drawable.
 */
export function polylinePath(xs: ArrayLike<number>, ys: ArrayLike<number>): string {
  const n = Math.min(xs.length, ys.length);
  const parts: string[] = [];
  let penDown = false;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(xs[i]) || !Number.isFinite(ys[i])) {
      penDown = false;
      continue;
    }
    const x = clampCoord(xs[i]);
    const y = clampCoord(ys[i]);
    const nextValid = i + 1 < n && Number.isFinite(xs[i + 1]) && Number.isFinite(ys[i + 1]);
    if (!penDown) {
      parts.push(`M${num(x)} ${num(y)}`);
      if (!nextValid) parts.push('h0'); // lone point
      penDown = true;
    } else {
      parts.push(`L${num(x)} ${num(y)}`);
    }
  }
  return parts.join('');
}

/**
 * Thins a long polyline for display without changing how it looks: consecutive points that
 * fall in the same pixel column are reduced to the first, lowest, highest and last of them
 * (in their original order), the "M4" reduction. A spectrum of 7781 pixels drawn 900 pixels
 * wide keeps ~4 points per column instead of ~9. Non-finite points are kept (one per run) so
 * gaps survive. Input is in pixel coordinates.
 */
export function decimateColumns(xs: ArrayLike<number>, ys: ArrayLike<number>): { x: number[]; y: number[] } {
  const n = Math.min(xs.length, ys.length);
  const outX: number[] = [];
  const outY: number[] = [];
  let start = -1; // first index of the current column run
  let lo = -1;
  let hi = -1;
  let column = NaN;
  const flush = (end: number) => {
    if (start < 0) return;
    for (const i of [...new Set([start, lo, hi, end])].sort((a, b) => a - b)) {
      outX.push(xs[i]);
      outY.push(ys[i]);
    }
    start = -1;
  };
  for (let i = 0; i < n; i++) {
    const x = xs[i];
    const y = ys[i];
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      flush(i - 1);
      if (outX.length === 0 || (Number.isFinite(outY[outY.length - 1]) && Number.isFinite(outX[outX.length - 1]))) {
        outX.push(NaN);
        outY.push(NaN);
      }
      continue;
    }
    const c = Math.floor(x);
    if (start >= 0 && c === column) {
      if (y < ys[lo]) lo = i;
      if (y > ys[hi]) hi = i;
      continue;
    }
    flush(i - 1);
    start = lo = hi = i;
    column = c;
  }
  flush(n - 1);
  return { x: outX, y: outY };
}

/**
 * Finite pixel coordinates are clamped to +-1e6 (infinities are missing data, not clamped): far outside any view (clipping hides them), but
 * inside what cairo/librsvg can rasterize without overflowing its fixed-point numbers.
 */
export function clampCoord(v: number): number {
  return v > 1e6 ? 1e6 : v < -1e6 ? -1e6 : v;
}

/** Places a panel at (x, y) inside another, clipped to its own box (nested <svg> clips). */
export function placePanel(panel: Panel, x: number, y: number): string {
  return el('svg', { x, y, width: panel.width, height: panel.height, overflow: 'hidden' }, panel.body);
}

export interface SvgDocumentOptions {
  /** Fill behind everything; default 'white' (PNG output is otherwise transparent). 'none' for none. */
  background?: string;
  /** Default font family for all text; default 'DejaVu Sans, Liberation Sans, Arial, sans-serif'. */
  fontFamily?: string;
}

export const DEFAULT_FONT_FAMILY = 'DejaVu Sans, Liberation Sans, Arial, sans-serif';

/** A complete standalone SVG document for a panel. */
export function toSvg(panel: Panel, options: SvgDocumentOptions = {}): string {
  const background = options.background ?? 'white';
  const fontFamily = options.fontFamily ?? DEFAULT_FONT_FAMILY;
  const bg = background === 'none' ? '' : el('rect', { width: panel.width, height: panel.height, fill: background });
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${num(panel.width)}" height="${num(panel.height)}" ` +
    `viewBox="0 0 ${num(panel.width)} ${num(panel.height)}" font-family="${escapeXml(fontFamily)}">` +
    bg +
    panel.body +
    '</svg>\n'
  );
}
