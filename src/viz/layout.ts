/**
 * Small multiples: panels arranged row by row in a grid, with an optional overall title.
 * Every cell is as large as the largest panel, so panels of one size line up exactly.
 */
import { badInput } from '../util/errors.js';
import { placePanel, text, type Panel } from './svg.js';
import { THEME } from './theme.js';

export interface GridOptions {
  /** Panels per row; default ceil(sqrt(n)), a near-square grid. */
  columns?: number;
  /** Space between cells and around the grid, in pixels (default 8). */
  gap?: number;
  /** Title across the top; none by default. */
  title?: string;
  /** Title font size in pixels (default 16). */
  titleSize?: number;
}

export function gridLayout(panels: readonly Panel[], options: GridOptions = {}): Panel {
  if (panels.length === 0) throw badInput('grid layout: no panels');
  const columns = options.columns ?? Math.ceil(Math.sqrt(panels.length));
  if (!(Number.isInteger(columns) && columns > 0)) throw badInput(`grid columns must be a positive integer, got ${columns}`);
  const gap = options.gap ?? 8;
  const titleSize = options.titleSize ?? 16;
  const rows = Math.ceil(panels.length / columns);
  const cellW = Math.max(...panels.map((p) => p.width));
  const cellH = Math.max(...panels.map((p) => p.height));
  const top = options.title ? Math.round(titleSize * 2) : 0;
  const width = gap + columns * (cellW + gap);
  const height = top + gap + rows * (cellH + gap);
  const body = panels.map((p, i) => {
    const col = i % columns;
    const row = Math.floor(i / columns);
    return placePanel(p, gap + col * (cellW + gap), top + gap + row * (cellH + gap));
  });
  if (options.title) {
    body.unshift(
      text(options.title, { x: width / 2, y: titleSize * 1.4, 'text-anchor': 'middle', 'font-size': titleSize, 'font-weight': 'bold', fill: THEME.text }),
    );
  }
  return { width, height, body: body.join('') };
}
