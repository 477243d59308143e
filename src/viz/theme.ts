/**
 * Colours and sizes shared by every chart, in one place so figures across the project look
 * alike and a change of style is one edit.
 */

/**
 * Tableau 10: distinct in hue and lightness, and the first four stay apart for the common
 * colour-vision deficiencies. Series take colours in this order unless given one.
 */
export const PALETTE: readonly string[] = Object.freeze([
  '#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f',
  '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac',
]);

/** The palette colour for series `i`, cycling. */
export function seriesColor(i: number): string {
  return PALETTE[((i % PALETTE.length) + PALETTE.length) % PALETTE.length];
}

export const THEME = Object.freeze({
  /** Text: titles, labels, ticks. */
  text: '#222222',
  /** Axis lines and tick marks. */
  axis: '#555555',
  /** Grid lines: faint, so data stays in front. */
  grid: '#e6e6e6',
  /** Reference lines (1:1, expectations) when no colour is given. */
  reference: '#888888',
  /** Legend box fill and its opacity: mostly opaque so it reads over data. */
  legendFill: '#ffffff',
  legendOpacity: 0.85,
  legendStroke: '#cccccc',
  /** Average advance of a character, in em, for DejaVu Sans digits and lower case. Used to
   *  size margins and legends without measuring text (no font engine here). */
  charWidthEm: 0.62,
});

/** Approximate rendered width of `text` at `fontSize` (see THEME.charWidthEm). */
export function textWidth(text: string, fontSize: number): number {
  return [...text].length * fontSize * THEME.charWidthEm;
}
