import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { linePlot } from '../../src/viz/plot.js';
import { svgToPng, svgToPngBuffer } from '../../src/viz/raster.js';
import { toSvg } from '../../src/viz/svg.js';

describe('svgToPng (sharp / librsvg)', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'skyclip-viz-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const svg = toSvg(
    linePlot([{ label: 'a', x: [0, 1, 2, 3], y: [0, 1, NaN, 3] }], { width: 320, height: 200, title: 'Raster', xLabel: 'x' }),
  );

  it('writes a PNG of the SVG size, with a drawing on it', async () => {
    const path = join(dir, 'sub', 'plot.png'); // the folder does not exist yet
    const info = await svgToPng(svg, path);
    assert.deepEqual([info.width, info.height], [320, 200]);
    const meta = await sharp(path).metadata();
    assert.equal(meta.format, 'png');
    assert.deepEqual([meta.width, meta.height], [320, 200]);
    const stats = await sharp(path).stats();
    // White background, dark axes and text, a coloured line: far from constant.
    assert.ok(stats.channels.slice(0, 3).every((c) => c.max === 255 && c.min < 128 && c.stdev > 5), JSON.stringify(stats.channels));
  });

  it('renders at a higher density with scale', async () => {
    const png = await svgToPngBuffer(svg, { scale: 2 });
    const meta = await sharp(png).metadata();
    assert.deepEqual([meta.width, meta.height], [640, 400]);
    await assert.rejects(svgToPngBuffer(svg, { scale: 0 }), /scale must be positive/);
  });
});
