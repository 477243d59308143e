import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { histogram } from '../../src/viz/bin.js';
import { barChart, histogramPlot, linePlot, scatterPlot } from '../../src/viz/plot.js';
import { toSvg, type Panel } from '../../src/viz/svg.js';
import { SkyclipError } from '../../src/util/errors.js';
import { checkXml, type XmlSummary } from './xml-check.js';

function parse(panel: Panel): XmlSummary & { svg: string } {
  const svg = toSvg(panel);
  assert.ok(!/NaN|Infinity|undefined/.test(svg), 'no NaN/Infinity/undefined leaks into the SVG');
  return { ...checkXml(svg), svg };
}

/** `d` of the paths stroked with `color`. */
function pathsOf(doc: XmlSummary, color: string): string[] {
  return doc.elements.filter((e) => e.tag === 'path' && e.attrs.stroke === color).map((e) => e.attrs.d);
}

const moves = (d: string) => (d.match(/M/g) ?? []).length;
const isBadInput = (e: unknown) => e instanceof SkyclipError && e.code === 'BAD_INPUT';

describe('linePlot', () => {
  it('draws each series, breaking lines at NaN, with title, labels and an escaped legend', () => {
    const x = [0, 1, 2, 3, 4, 5, 6];
    const doc = parse(
      linePlot(
        [
          { label: 'train <loss>', x, y: [5, 4, NaN, 3, 2, NaN, 1], color: '#123456' },
          { label: 'val & test', x, y: [5, 4.5, 4, 3.5, 3, 2.5, 2], color: '#abcdef', dash: '4 2' },
        ],
        { title: 'Loss "curve"', xLabel: 'step', yLabel: 'loss' },
      ),
    );
    const [train] = pathsOf(doc, '#123456');
    assert.equal(moves(train), 3, `three runs around two NaNs: ${train}`);
    const [val] = pathsOf(doc, '#abcdef');
    assert.equal(moves(val), 1);
    for (const t of ['Loss "curve"', 'step', 'loss', 'train <loss>', 'val & test']) assert.ok(doc.texts.includes(t), t);
    // The plot area is a nested, clipping <svg>.
    assert.ok(doc.elements.some((e) => e.tag === 'svg' && e.attrs.overflow === 'hidden'));
  });

  it('puts the data on the nice axis ticks', () => {
    const doc = parse(linePlot([{ x: [0.13, 0.87], y: [3, 97] }], { width: 500, height: 300 }));
    assert.ok(doc.texts.includes('0.0') && doc.texts.includes('1.0'), doc.texts.join(','));
    assert.ok(doc.texts.includes('0') && doc.texts.includes('100'), doc.texts.join(','));
  });

  it('on a log y axis leaves gaps at values <= 0 and labels powers of ten', () => {
    const doc = parse(linePlot([{ x: [1, 2, 3, 4, 5], y: [100, 10, 0, 1, 0.01], color: '#000001' }], { yScale: 'log' }));
    assert.equal(moves(pathsOf(doc, '#000001')[0]), 2);
    assert.ok(doc.texts.includes('0.01') && doc.texts.includes('100'), doc.texts.join(','));
  });

  it('shades a band between lower and upper and draws markers', () => {
    const doc = parse(linePlot([{ x: [1, 2, 3], y: [1, 2, 3], lower: [0.5, 1.5, 2.5], upper: [1.5, 2.5, 3.5], markers: true, color: '#0000aa' }]));
    assert.ok(doc.elements.some((e) => e.tag === 'path' && e.attrs.fill === '#0000aa' && e.attrs.d.endsWith('Z')));
    assert.equal(doc.counts.circle, 3);
  });

  it('draws labelled reference lines', () => {
    const doc = parse(linePlot([{ x: [0, 10], y: [0, 10] }], { vLines: [{ at: [4, 5], label: 'pair', color: '#ff0000' }], hLines: [{ at: 2, color: '#00ff00' }] }));
    assert.equal(moves(pathsOf(doc, '#ff0000')[0]), 2);
    assert.equal(pathsOf(doc, '#00ff00').length, 1);
    assert.ok(doc.texts.includes('pair'));
  });

  it('rejects mismatched arrays and impossible options', () => {
    assert.throws(() => linePlot([{ x: [1, 2], y: [1] }]), isBadInput);
    assert.throws(() => linePlot([{ x: [1, 2], y: [1, 2] }], { yScale: 'log', yDomain: [0, 10] }), isBadInput);
    assert.throws(() => linePlot([{ x: [1, 2], y: [1, 2] }], { width: 20 }), isBadInput);
  });
});

describe('scatterPlot', () => {
  it('draws one circle per finite point and a 1:1 line on equal axes', () => {
    const x = [0.1, 0.5, NaN, 0.9, 1.3];
    const y = [0.12, 0.45, 0.3, 0.95, 1.25];
    const doc = parse(scatterPlot([{ label: 'gal', x, y }], { identityLine: true, width: 400, height: 400 }));
    assert.equal(doc.counts.circle, 4 + 1); // 4 points + the legend swatch
    const dashed = doc.elements.filter((e) => e.tag === 'path' && e.attrs['stroke-dasharray'] === '5 4');
    assert.equal(dashed.length, 1);
    // Same domain on both axes: the tick labels come in pairs.
    const labels = doc.texts.filter((t) => /^-?[0-9.]+$/.test(t));
    const counts = new Map<string, number>();
    for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
    assert.ok([...counts.values()].every((c) => c === 2), labels.join(','));
  });
});

describe('histogram binning', () => {
  it('counts into half-open bins, the last one closed', () => {
    const h = histogram([0, 0.1, 0.25, 0.5, 0.99, 1, 1.5, -0.1, NaN], { bins: 4, range: [0, 1] });
    assert.deepEqual(h.edges, [0, 0.25, 0.5, 0.75, 1]);
    assert.deepEqual(h.counts, [2, 1, 1, 2]);
    assert.equal(h.outside, 2);
    assert.equal(h.skipped, 1);
  });

  it('normalizes to unit area as density', () => {
    const h = histogram([0.1, 0.2, 0.3, 0.6], { bins: 2, range: [0, 1], density: true });
    assert.deepEqual(h.counts, [1.5, 0.5]);
    const area = h.counts.reduce((a, c, i) => a + c * (h.edges[i + 1] - h.edges[i]), 0);
    assert.equal(area, 1);
  });

  it('defaults to the data range and rejects bad bins', () => {
    const h = histogram([2, 4, 6], { bins: 2 });
    assert.deepEqual(h.edges, [2, 4, 6]);
    assert.deepEqual(h.counts, [1, 2]);
    assert.throws(() => histogram([1], { bins: 0 }), isBadInput);
  });
});

describe('histogramPlot and barChart', () => {
  it('draws one bar per non-empty bin from zero', () => {
    const h = histogram([0.1, 0.1, 0.6, 0.9], { bins: 4, range: [0, 1] });
    const doc = parse(histogramPlot([{ label: 'PIT', ...h, color: '#111111' }], { hLines: [{ at: 1, label: 'uniform' }] }));
    const bars = doc.elements.filter((e) => e.tag === 'rect' && e.attrs.width && Number(e.attrs.height) > 0 && !e.attrs.stroke && !e.attrs.fill);
    // 4 bins, one of them empty (height 0 is skipped by the filter)
    assert.equal(bars.length, 3);
    const heights = bars.map((b) => Number(b.attrs.height));
    assert.ok(Math.abs(heights[0] - 2 * heights[1]) < 0.02, `${heights}`);
    assert.ok(doc.texts.includes('uniform') && doc.texts.includes('PIT'));
  });

  it('draws steps and rejects edges that do not fit the counts', () => {
    const doc = parse(histogramPlot([{ edges: [0, 1, 2], counts: [3, 1], style: 'step', color: '#222222' }]));
    assert.equal(pathsOf(doc, '#222222').length, 1);
    assert.throws(() => histogramPlot([{ edges: [0, 1], counts: [1, 2] }]), isBadInput);
  });

  it('labels categories on the x axis', () => {
    const doc = parse(barChart(['smooth', 'disk & bar', 'artifact'], [0.8, 0.6, 0.3], { colors: '#333333' }));
    assert.ok(['smooth', 'disk & bar', 'artifact'].every((c) => doc.texts.includes(c)));
    assert.equal(doc.elements.filter((e) => e.tag === 'rect' && e.attrs.fill === '#333333').length, 3);
    assert.throws(() => barChart(['a'], [1, 2]), isBadInput);
  });
});
