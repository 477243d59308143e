/**
 * Physics of rendered mock objects: lines land where redshift puts them, image fluxes equal the
 * synthetic photometry of the spectrum (independently integrated here), passive galaxies are redder,
 * uncovered wavelengths are masked, and the noise levels are the ones the config asks for.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { DESI_OFFSET, DESI_START, DESI_STEP } from '../../src/sim/desi.js';
import { BANDS, responseAt, type Filter } from '../../src/sim/filters.js';
import type { ObjectParams } from '../../src/sim/population.js';
import { Simulator, type SimulatedObject } from '../../src/sim/survey.js';
import { C_ANGSTROM_PER_S, NANOMAGGY_CGS, SPECTRUM_UNIT_CGS } from '../../src/sim/units.js';
import { loadFilters } from '../../src/sim/filters.js';
import { DEFAULT_DATA_DIR } from '../../src/sim/paths.js';

let sim: Simulator;
const filters = loadFilters(DEFAULT_DATA_DIR);

before(async () => {
  sim = await Simulator.create({ seed: 3 });
});

/** First `count` objects (scanning indices) whose parameters satisfy `pred`. */
function find(pred: (p: ObjectParams) => boolean, count = 1, limit = 3000): ObjectParams[] {
  const out: ObjectParams[] = [];
  for (let i = 0; i < limit && out.length < count; i++) {
    const p = sim.draw(i);
    if (pred(p)) out.push(p);
  }
  assert.equal(out.length, count, 'not enough matching objects');
  return out;
}

/**
 * AB synthetic photometry written independently of src/sim/filters.ts: the filter curve linearly
 * interpolated onto the spectrum's pixels, photon-weighted, trapezoid rule; nanomaggies out.
 */
function synthPhot(lambda: ArrayLike<number>, fLambda: ArrayLike<number>, filter: Filter): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i + 1 < lambda.length; i++) {
    const l0 = lambda[i];
    const l1 = lambda[i + 1];
    const r0 = responseAt(filter, l0);
    const r1 = responseAt(filter, l1);
    num += 0.5 * (l1 - l0) * (fLambda[i] * r0 * l0 + fLambda[i + 1] * r1 * l1);
    den += 0.5 * (l1 - l0) * (r0 / l0 + r1 / l1);
  }
  return (num * SPECTRUM_UNIT_CGS) / (C_ANGSTROM_PER_S * den) / NANOMAGGY_CGS;
}

function planeSum(img: ArrayLike<number>, b: number, size: number): number {
  let s = 0;
  for (let i = b * size * size; i < (b + 1) * size * size; i++) s += img[i];
  return s;
}

function render(p: ObjectParams): SimulatedObject {
  return sim.render(p, { truth: true });
}

describe('spectra', () => {
  it('put H-alpha at 6564.61 (1 + z): the emission peak of noiseless star-forming spectra', () => {
    const targets = find((p) => !!p.galaxy && !p.galaxy.physics.quenched && p.z > 0.05 && p.z < 0.4 && p.galaxy.physics.haFlux > 10, 4);
    for (const p of targets) {
      const obj = render(p);
      const spec = obj.truth!.spectrumNoiseless;
      const expected = 6564.61 * (1 + p.z); // vacuum H-alpha (PHYSICS.md)
      // The brightest pixel within +-150 A (H-alpha, [NII], continuum all in reach).
      let best = -1;
      for (let i = 0; i < spec.length; i++) {
        const l = DESI_START + DESI_STEP * i;
        if (Math.abs(l - expected) <= 150 && (best < 0 || spec[i] > spec[best])) best = i;
      }
      const peak = DESI_START + DESI_STEP * best;
      assert.ok(Math.abs(peak - expected) <= DESI_STEP, `z = ${p.z}: peak at ${peak}, expected ${expected.toFixed(2)}`);
    }
  });

  it('mask (ivar = 0, flux = 0) exactly where the templates do not reach', () => {
    const [gal] = find((p) => p.sample !== 'LRG' && !!p.galaxy && !p.merger && !p.lens && !p.postStarburst && p.z > 0.15);
    const [lrg] = find((p) => p.sample === 'LRG' && !p.lens);
    const [star] = find((p) => p.cls === 'STAR');
    const cases: Array<[ObjectParams, number, number]> = [
      [gal, 3500, 8998.5],
      [lrg, 3001.4, 6800.2],
    ];
    for (const [p, lo, hi] of cases) {
      const { spectrum } = render(p);
      for (let i = 0; i < spectrum.ivar.length; i++) {
        const rest = (DESI_START + DESI_STEP * i) / (1 + p.z);
        if (rest < lo - 1 || rest > hi + 1) assert.ok(spectrum.ivar[i] === 0 && spectrum.flux[i] === 0, `${p.sample} z ${p.z}: rest ${rest} not masked`);
        if (rest > lo + 2 && rest < hi - 2) assert.ok(spectrum.ivar[i] > 0, `${p.sample} z ${p.z}: rest ${rest} masked`);
      }
    }
    // Stars are seen at rest: the SDSS stellar templates stop near 3810-3830 and 9180-9215 A.
    const s = render(star).spectrum;
    assert.equal(s.ivar[0], 0, 'star spectrum at 3600 A must be masked');
    assert.equal(s.ivar[s.ivar.length - 1], 0, 'star spectrum at 9824 A must be masked');
    assert.ok(s.ivar[Math.round((6000 - DESI_START) / DESI_STEP)] > 0, 's.ivar[Math.round((6000 - DESI_START) / DESI_STEP)] > 0');
  });

  it('have continuum S/N per pixel ~1-5 for BGS and ~1-3 for LRGs (PHYSICS.md)', () => {
    const med = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1];
    const bgs = med(find((p) => p.sample === 'BGS_BRIGHT' || p.sample === 'BGS_FAINT', 40).map((p) => render(p).labels.spec_snr_r));
    assert.ok(bgs > 1 && bgs < 5, `BGS median S/N ${bgs}`);
    const lrg = med(find((p) => p.sample === 'LRG', 15).map((p) => render(p).labels.spec_snr_z));
    assert.ok(lrg > 0.8 && lrg < 3, `LRG median S/N ${lrg}`);
  });
});

describe('images and spectra agree', () => {
  it('image fluxes equal the synthetic g, r, z photometry of the noiseless spectrum to 1 %', () => {
    // Compact objects, so the whole profile is inside the stamp; model grid = the spectrum before
    // masking, extended to cover the filters (3000-11000 A).
    const picks = [
      ...find((p) => !!p.galaxy && !p.galaxy.physics.quenched && !p.merger && !p.lens && !p.tidal && (p.galaxy.structure.disk?.reKpc ?? 9) < 2.5 && p.z > 0.1, 2),
      ...find((p) => !!p.galaxy && p.galaxy.physics.quenched && !p.merger && !p.lens && !p.tidal && (p.galaxy.structure.bulge?.reKpc ?? 9) < 2 && p.z > 0.1, 2),
      ...find((p) => p.cls === 'STAR'),
      ...find((p) => p.cls === 'QSO'),
    ];
    const size = sim.config.image.size;
    for (const p of picks) {
      const obj = render(p);
      const t = obj.truth!;
      const lambda = sim.sed.modelLambda;
      BANDS.forEach((band, b) => {
        const phot = synthPhot(lambda, t.modelSpectrum, filters[band]);
        const image = planeSum(t.objectImage, b, size);
        assert.ok(Math.abs(image / phot - 1) < 0.01, `${p.id} ${p.cls} ${band}: image ${image}, spectrum ${phot}`);
        assert.ok(Math.abs(obj.labels[`flux_${band}`] / phot - 1) < 0.01, 'Math.abs(obj.labels[`flux_${band}`] / phot - 1) < 0.01');
      });
    }
  });

  it('the observed DESI spectrum alone gives the image r flux where it covers the band (0.05 < z < 0.4)', () => {
    const picks = find((p) => !!p.galaxy && p.sample !== 'LRG' && !p.merger && !p.lens && !p.tidal && !p.postStarburst && (p.galaxy.structure.disk?.reKpc ?? p.galaxy.structure.bulge!.reKpc) < 2.5, 3);
    for (const p of picks) {
      const obj = render(p);
      const lambda = Float64Array.from({ length: obj.truth!.spectrumNoiseless.length }, (_, i) => DESI_START + DESI_STEP * i);
      const phot = synthPhot(lambda, obj.truth!.spectrumNoiseless, filters.r);
      const image = planeSum(obj.truth!.objectImage, 1, sim.config.image.size);
      assert.ok(Math.abs(image / phot - 1) < 0.01, `${p.id}: image ${image}, DESI spectrum ${phot}`);
    }
    assert.equal(DESI_OFFSET, 750);
  });

  it('passive galaxies are redder in g - r than star-forming ones at the same redshift', () => {
    const gals = find((p) => !!p.galaxy && p.sample !== 'LRG', 500);
    for (const [zlo, zhi] of [[0.05, 0.15], [0.15, 0.25], [0.25, 0.4]]) {
      const colour = (quenched: boolean) => {
        const gr = gals
          .filter((p) => p.z >= zlo && p.z < zhi && p.galaxy!.physics.quenched === quenched)
          .map((p) => sim.population.observedMag(p.galaxy!.physics.sed, 'g') - sim.population.observedMag(p.galaxy!.physics.sed, 'r'))
          .sort((a, b) => a - b);
        assert.ok(gr.length >= 10, `too few galaxies in ${zlo}-${zhi}`);
        return gr[gr.length >> 1];
      };
      const q = colour(true);
      const sf = colour(false);
      assert.ok(q > sf + 0.2, `z ${zlo}-${zhi}: passive g-r ${q.toFixed(2)} vs star-forming ${sf.toFixed(2)}`);
    }
  });

  it('pixel noise has the per-object sky level of the catalogue', () => {
    const [p] = find((q) => q.cls === 'GALAXY' && !q.artifact);
    const obj = render(p);
    const size = sim.config.image.size;
    for (let b = 0; b < 3; b++) {
      // Residuals in the outer ring, where neither object nor (faint) neighbours dominate.
      const res: number[] = [];
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          if (Math.hypot(x - size / 2, y - size / 2) < size * 0.4) continue;
          const i = b * size * size + y * size + x;
          if (obj.truth!.noiselessImage[i] < 0.2 * p.conditions.noiseNmgy[b]) res.push(obj.image[i] - obj.truth!.noiselessImage[i]);
        }
      }
      const sd = Math.sqrt(res.reduce((s, v) => s + v * v, 0) / res.length);
      assert.ok(Math.abs(sd / p.conditions.noiseNmgy[b] - 1) < 0.08, `band ${b}: ${sd} vs ${p.conditions.noiseNmgy[b]} (${res.length} px)`);
    }
  });
});

describe('rare classes', () => {
  it('render: lenses show the source’s arcs and [OII] line, mergers and tidal features add light, E+A have no H-alpha', async () => {
    const boosted = await Simulator.create({ seed: 3, rates: { lensPerMassiveElliptical: 1, merger: 0.2, tidal: 0.3, postStarburst: 0.05, artifact: 0.05 } });
    const seen = { lens: 0, merger: 0, tidal: 0, psb: 0, artifact: 0 };
    for (let i = 0; i < 400 && Object.values(seen).some((v) => v < 2); i++) {
      const p = boosted.draw(i);
      const kind = p.lens ? 'lens' : p.merger ? 'merger' : p.tidal ? 'tidal' : p.postStarburst ? 'psb' : p.artifact ? 'artifact' : null;
      if (!kind || seen[kind] >= 2) continue;
      seen[kind]++;
      const obj = boosted.render(p, { truth: true });
      assert.ok(obj.image.every(Number.isFinite) && obj.spectrum.flux.every(Number.isFinite), `${p.id}: non-finite pixels`);
      if (p.lens && p.lens.source.z < 1.6) {
        assert.ok((obj.labels.lens_magnification ?? 0) > 1, `${p.id}: magnification ${obj.labels.lens_magnification}`);
        // The lensed source's [OII] sits on the lens spectrum (where the source's template covers).
        const spec = obj.truth!.modelSpectrum;
        const j = Math.round((3728.5 * (1 + p.lens.source.z) - 3000) / DESI_STEP);
        const side = (spec[j - 30] + spec[j + 30]) / 2;
        assert.ok(spec[j] > side, `${p.id}: no [OII] at z_s ${p.lens.source.z}`);
      }
      if (p.postStarburst) assert.ok(obj.labels.ha_flux === 0, 'E+A galaxies have no emission');
    }
    assert.ok(Object.values(seen).every((v) => v >= 1), `not every rare class appeared: ${JSON.stringify(seen)}`);
  });
});
