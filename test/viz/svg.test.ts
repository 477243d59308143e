import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gridLayout } from '../../src/viz/layout.js';
import { decimateColumns, el, escapeXml, num, polylinePath, text, toSvg, type Panel } from '../../src/viz/svg.js';
import { checkXml } from './xml-check.js';

describe('svg primitives', () => {
  it('escapes the five XML specials and drops control characters', () => {
    assert.equal(escapeXml(`a<b & "c" 'd'>\u0001`), 'a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;');
    assert.equal(escapeXml('H\u03b1 [OII]'), 'H\u03b1 [OII]');
  });

  it('builds elements, skipping unset attributes and escaping values', () => {
    assert.equal(el('rect', { x: 1.234, y: 0, fill: undefined, stroke: false }), '<rect x="1.23" y="0"/>');
    assert.equal(el('g', { 'data-n': 'a"b' }, ['<x/>', '<y/>']), '<g data-n="a&quot;b"><x/><y/></g>');
    assert.equal(text('1 < 2', { x: 3 }), '<text x="3">1 &lt; 2</text>');
  });

  it('formats numbers with at most 2 decimals and no -0', () => {
    assert.equal(num(1.005e3), '1005');
    assert.equal(num(0.126), '0.13');
    assert.equal(num(-0.001), '0');
  });

  it('lifts the pen at non-finite points so masked samples leave gaps', () => {
    assert.equal(polylinePath([0, 1, 2, 3, 4], [0, 1, NaN, 3, 4]), 'M0 0L1 1M3 3L4 4');
    assert.equal(polylinePath([0, 1, 2], [NaN, 5, NaN]), 'M1 5h0'); // lone point stays visible
    assert.equal(polylinePath([0, Infinity, 2, 3], [1, 1, 1, 1]), 'M0 1h0M2 1L3 1');
    assert.equal(polylinePath([NaN], [NaN]), '');
    assert.equal(polylinePath([0, 1], [0, 1e12]), 'M0 0L1 1000000'); // clamped for cairo
  });

  it('thins a line to first/min/max/last per pixel column, keeping gaps', () => {
    assert.deepEqual(decimateColumns([0.1, 0.2, 0.3, 0.4, 0.5], [5, 1, 9, 3, 4]), { x: [0.1, 0.2, 0.3, 0.5], y: [5, 1, 9, 4] });
    assert.deepEqual(decimateColumns([0.5, 1.5, 2.5], [1, 2, 3]), { x: [0.5, 1.5, 2.5], y: [1, 2, 3] });
    const gap = decimateColumns([0.1, 0.2, 0.3, 0.4], [1, NaN, NaN, 4]);
    assert.deepEqual(gap.x.map(String), ['0.1', 'NaN', '0.4']);
  });

  it('thinning keeps every column\'s vertical extent and the ends (the picture is unchanged)', () => {
    let seed = 1;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const xs = Array.from({ length: 5000 }, (_, i) => i * 0.06); // 300 columns, ~17 points each
    const ys = xs.map(() => rand() * 100);
    const thin = decimateColumns(xs, ys);
    assert.ok(thin.x.length <= 4 * 300 && thin.x.length >= 2 * 300, `${thin.x.length}`);
    const extent = (x: number[], y: number[]) => {
      const m = new Map<number, [number, number]>();
      x.forEach((v, i) => {
        const c = Math.floor(v);
        const [lo, hi] = m.get(c) ?? [Infinity, -Infinity];
        m.set(c, [Math.min(lo, y[i]), Math.max(hi, y[i])]);
      });
      return [...m.entries()];
    };
    assert.deepEqual(extent(thin.x, thin.y), extent(xs, ys));
    assert.deepEqual([thin.x[0], thin.x.at(-1)], [xs[0], xs.at(-1)]);
  });

  it('wraps a panel into a standalone, well-formed document with a background', () => {
    const panel: Panel = { width: 100, height: 50, body: text('<&>', { x: 1, y: 20 }) };
    const svg = toSvg(panel);
    const doc = checkXml(svg);
    assert.equal(doc.root, 'svg');
    assert.equal(doc.elements[0].attrs.width, '100');
    assert.equal(doc.elements[0].attrs.xmlns, 'http://www.w3.org/2000/svg');
    assert.equal(doc.elements[1].attrs.fill, 'white');
    assert.deepEqual(doc.texts, ['<&>']);
    assert.equal(checkXml(toSvg(panel, { background: 'none' })).counts.rect, undefined);
  });
});

describe('xml checker (the tests above rely on it rejecting bad markup)', () => {
  it('rejects unbalanced, crossed and unescaped markup', () => {
    assert.throws(() => checkXml('<svg><g></svg>'), /closes/);
    assert.throws(() => checkXml('<svg><g>'), /unclosed/);
    assert.throws(() => checkXml('<svg><text>a & b</text></svg>'), /bare '&'/);
    assert.throws(() => checkXml('<svg><text>a > b</text></svg>'), /raw '>'/);
    assert.throws(() => checkXml('<svg a=1/>'), /quoted/);
    assert.throws(() => checkXml('<svg/><svg/>'), /second root/);
  });
});

describe('gridLayout', () => {
  const cell = (w: number, h: number, label: string): Panel => ({ width: w, height: h, body: text(label) });

  it('places panels row by row in equal cells', () => {
    const grid = gridLayout([cell(100, 50, 'a'), cell(80, 40, 'b'), cell(100, 50, 'c')], { columns: 2, gap: 8 });
    assert.equal(grid.width, 8 + 2 * (100 + 8));
    assert.equal(grid.height, 8 + 2 * (50 + 8));
    const doc = checkXml(toSvg(grid));
    const nested = doc.elements.filter((e) => e.tag === 'svg').slice(1);
    assert.deepEqual(
      nested.map((e) => [e.attrs.x, e.attrs.y, e.attrs.width]),
      [['8', '8', '100'], ['116', '8', '80'], ['8', '66', '100']],
    );
    assert.deepEqual(doc.texts, ['a', 'b', 'c']);
  });

  it('adds a title band and defaults to a near-square grid', () => {
    const panels = Array.from({ length: 5 }, (_, i) => cell(10, 10, String(i)));
    const grid = gridLayout(panels, { title: 'T & U', gap: 0 });
    assert.equal(grid.width, 3 * 10); // ceil(sqrt(5)) = 3 columns
    assert.equal(grid.height, 32 + 2 * 10);
    assert.ok(checkXml(toSvg(grid)).texts.includes('T & U'));
    assert.throws(() => gridLayout([]), /no panels/);
  });
});
