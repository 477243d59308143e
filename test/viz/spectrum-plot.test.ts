import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SPECTRAL_LINES, SPECTRUM_DEFAULTS, smoothMasked, spectrumPlot, validPixels } from '../../src/viz/spectrum-plot.js';
import { toSvg } from '../../src/viz/svg.js';
import { checkXml } from './xml-check.js';

/** A DESI-like grid, 3600-9824 A at 0.8 A, with a flat continuum and a few masked stretches. */
function mockSpectrum() {
  const n = 7781;
  const wavelength = Float64Array.from({ length: n }, (_, i) => 3600 + 0.8 * i);
  const flux = Float64Array.from(wavelength, (w) => 1 + 0.0001 * (w - 3600) + Math.sin(w));
  const ivar = new Float64Array(n).fill(4);
  for (let i = 100; i < 200; i++) ivar[i] = 0; // a masked stretch
  for (let i = 3000; i < 3010; i++) ivar[i] = 0; // another
  flux[5000] = NaN; // a non-finite flux is masked too
  return { wavelength, flux, ivar };
}

describe('spectrum helpers', () => {
  it('marks pixels valid where flux is finite and ivar > 0', () => {
    assert.deepEqual([...validPixels({ wavelength: [1, 2, 3, 4], flux: [1, NaN, 3, 4], ivar: [1, 1, 0, -1] })], [1, 0, 0, 0]);
    assert.deepEqual([...validPixels({ wavelength: [1, 2], flux: [1, 2] })], [1, 1]);
  });

  it('smooths over valid neighbours only, leaving masked pixels as gaps', () => {
    const out = smoothMasked([1, 2, 100, 4, 5], [1, 1, 0, 1, 1], 3);
    assert.deepEqual([...out], [1.5, 1.5, NaN, 4.5, 4.5]);
    assert.deepEqual([...smoothMasked([1, 2, 3, 4, 5], [1, 1, 1, 1, 1], 5)], [2, 2.5, 3, 3.5, 4]);
    assert.throws(() => smoothMasked([1], [1], 0), /positive integer/);
  });
});

describe('spectrumPlot', () => {
  it('draws masked pixels as gaps over grey bands, and a smoothed line', () => {
    const spec = mockSpectrum();
    const svg = toSvg(spectrumPlot(spec, { smooth: 9, title: 'SF galaxy', width: 900, height: 320 }));
    assert.ok(!/NaN|Infinity/.test(svg));
    const doc = checkXml(svg);
    const raw = doc.elements.find((e) => e.tag === 'path' && e.attrs.stroke === SPECTRUM_DEFAULTS.rawColorSmoothed);
    const smooth = doc.elements.find((e) => e.tag === 'path' && e.attrs.stroke === SPECTRUM_DEFAULTS.smoothColor);
    assert.ok(raw && smooth);
    // Four valid runs around three masked stretches, in both lines.
    assert.equal(raw.attrs.d.match(/M/g)?.length, 4);
    assert.equal(smooth.attrs.d.match(/M/g)?.length, 4);
    const shaded = doc.elements.findIndex((e) => e.tag === 'g' && e.attrs.fill === SPECTRUM_DEFAULTS.maskFill);
    assert.ok(shaded >= 0);
    assert.equal(doc.elements.slice(shaded + 1, shaded + 4).filter((e) => e.tag === 'rect').length, 3);
    assert.ok(doc.texts.includes(SPECTRUM_DEFAULTS.xLabel));
  });

  it('marks the lines that fall in range at the given redshift, in wavelength order', () => {
    const z = 0.1;
    const doc = checkXml(toSvg(spectrumPlot(mockSpectrum(), { redshift: z, width: 1000 })));
    for (const name of ['[OII]', 'H\u03b2', '[OIII]', 'H\u03b1', '[NII]', '[SII]', 'Ca II K,H']) assert.ok(doc.texts.includes(name), name);
    // Emission markers: x positions are linear in observed wavelength rest * (1 + z).
    const emission = doc.elements.filter((e) => e.tag === 'path' && e.attrs.stroke === SPECTRUM_DEFAULTS.emissionColor);
    const xs = emission.flatMap((e) => [...e.attrs.d.matchAll(/M([-0-9.]+) /g)].map((m) => Number(m[1])));
    const rest = SPECTRAL_LINES.filter((l) => l.kind === 'emission').flatMap((l) => l.rest);
    assert.equal(xs.length, rest.length);
    const obs = [...rest].sort((a, b) => a - b).map((w) => w * (1 + z));
    const sorted = [...xs].sort((a, b) => a - b);
    const k = (sorted[sorted.length - 1] - sorted[0]) / (obs[obs.length - 1] - obs[0]);
    obs.forEach((w, i) => assert.ok(Math.abs(sorted[0] + k * (w - obs[0]) - sorted[i]) < 0.02, `line ${w}`));
  });

  it('leaves out lines redshifted beyond the spectrum', () => {
    const doc = checkXml(toSvg(spectrumPlot(mockSpectrum(), { redshift: 1.0 })));
    assert.ok(doc.texts.includes('[OII]')); // 7454 A
    assert.ok(!doc.texts.includes('H\u03b1') && !doc.texts.includes('[OIII]'));
  });

  it('fits the y range to the smoothed line when there is one, so noise does not hide the continuum', () => {
    const wavelength = Array.from({ length: 400 }, (_, i) => 4000 + i);
    const flux = wavelength.map((_, i) => 10 + (i % 2 ? 40 : -40)); // S/N 0.25 around a flat 10
    const maxTick = (smooth: number) =>
      Math.max(...checkXml(toSvg(spectrumPlot({ wavelength, flux }, { smooth, xLabel: '', yLabel: '' }))).texts.map(Number).filter((v) => v < 1000));
    assert.ok(maxTick(0) >= 40, `raw: ${maxTick(0)}`);
    assert.ok(maxTick(10) <= 20, `smoothed: ${maxTick(10)}`);
  });

  it('rejects inconsistent input', () => {
    assert.throws(() => spectrumPlot({ wavelength: [1, 2], flux: [1] }), /differ in length/);
    assert.throws(() => spectrumPlot({ wavelength: [1, 2], flux: [1, 2] }, { redshift: -2 }), /redshift/);
  });
});
