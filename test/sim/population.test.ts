/**
 * Label distributions of the mock population against PHYSICS.md: redshift ranges and the BGS
 * median, class and rare-class rates, the quenched population, the main sequence, the mass-to-light
 * and size-mass relations, Sersic indices and axis ratios, magnitude limits, and determinism.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { ObjectParams } from '../../src/sim/population.js';
import { splitOf } from '../../src/sim/population.js';
import {
  MAIN_SEQUENCE_SCATTER_DEX,
  bellLogMassToLightR,
  mainSequenceLogSfr,
  massToLightEvolution,
  sizeMassLogReKpc,
} from '../../src/sim/relations.js';
import { Simulator } from '../../src/sim/survey.js';
import { M_SUN_R_AB } from '../../src/sim/units.js';

const N = 2000;
let sim: Simulator;
let objs: ObjectParams[];

before(async () => {
  sim = await Simulator.create({ seed: 11 });
  objs = Array.from({ length: N }, (_, i) => sim.draw(i));
});

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
};
const frac = (xs: ObjectParams[], pred: (p: ObjectParams) => boolean) => xs.filter(pred).length / xs.length;
/** |observed - expected| within k binomial sigmas. */
function binomialOk(observed: number, p: number, n: number, k = 4): boolean {
  return Math.abs(observed - p) <= k * Math.sqrt((p * (1 - p)) / n) + 1 / n;
}

describe('redshifts and samples', () => {
  it('BGS: 0.05 <= z <= 0.4 with median ~0.2; LRG tail: 0.4 < z < 1.1', () => {
    const bgs = objs.filter((p) => p.sample === 'BGS_BRIGHT' || p.sample === 'BGS_FAINT').map((p) => p.z);
    const lrg = objs.filter((p) => p.sample === 'LRG').map((p) => p.z);
    assert.ok(Math.min(...bgs) >= 0.05 && Math.max(...bgs) <= 0.4, 'Math.min(...bgs) >= 0.05 && Math.max(...bgs) <= 0.4');
    assert.ok(Math.abs(median(bgs) - 0.2) < 0.015, `BGS median z ${median(bgs)}`);
    assert.ok(Math.min(...lrg) >= 0.4 && Math.max(...lrg) <= 1.1, 'Math.min(...lrg) >= 0.4 && Math.max(...lrg) <= 1.1');
  });

  it('obey the magnitude limits (BGS r < 20.175, bright r < 19.5; LRG z < 20.4)', () => {
    for (const p of objs) {
      if (!p.galaxy) continue;
      const sed = p.galaxy.physics.sed;
      if (p.sample === 'LRG') assert.ok(sim.population.observedMag(sed, 'z') <= 20.4 + 1e-9, 'sim.population.observedMag(sed, z) <= 20.4 + 1e-9');
      else {
        const r = sim.population.observedMag(sed, 'r');
        assert.ok(r <= 20.175 + 1e-9, `${p.id} r = ${r}`);
        assert.equal(p.sample === 'BGS_BRIGHT', r < 19.5);
      }
    }
  });

  it('contain QSOs (0.5-1 %) and stars (< 1 %) at the configured rates', () => {
    const { qso, star } = sim.config.fractions;
    assert.ok(qso >= 0.005 && qso <= 0.01 && star < 0.01, 'defaults outside PHYSICS.md ranges');
    assert.ok(binomialOk(frac(objs, (p) => p.cls === 'QSO'), qso, N), 'binomialOk(frac(objs, (p) => p.cls === QSO), qso, N)');
    assert.ok(binomialOk(frac(objs, (p) => p.cls === 'STAR'), star, N), 'binomialOk(frac(objs, (p) => p.cls === STAR), star, N)');
  });
});

describe('star formation and stellar populations', () => {
  const galaxies = () => objs.filter((p) => p.galaxy && !p.postStarburst && p.sample !== 'LRG');

  it('has a quenched population (sSFR < 1e-11) of about a third of the BGS sample', () => {
    const q = frac(galaxies(), (p) => p.galaxy!.physics.quenched);
    assert.ok(q > 0.25 && q < 0.45, `quenched fraction ${q}`);
    for (const p of galaxies()) assert.equal(p.galaxy!.physics.quenched, p.galaxy!.physics.logSsfr < -11);
  });

  it('puts star-forming galaxies on the Speagle+14 main sequence with 0.2 dex scatter', () => {
    const res = galaxies()
      .filter((p) => p.galaxy!.physics.logSsfr > -10.8)
      .map((p) => {
        const ph = p.galaxy!.physics;
        return Math.log10(ph.sfr) - mainSequenceLogSfr(ph.logMstar, sim.population.cosmology.ageGyr(ph.z));
      });
    const m = res.reduce((a, b) => a + b, 0) / res.length;
    const sd = Math.sqrt(res.reduce((a, b) => a + (b - m) ** 2, 0) / res.length);
    // Selection trims the low-SFR tail a little: mean within 0.05 dex of the relation, scatter ~0.2.
    assert.ok(Math.abs(m) < 0.06, `mean offset ${m}`);
    assert.ok(Math.abs(sd - MAIN_SEQUENCE_SCATTER_DEX) < 0.04, `scatter ${sd}`);
  });

  it('ties luminosity to mass through the Bell+03 M/L of the spectrum’s own colour', () => {
    for (const p of objs) {
      if (!p.galaxy) continue;
      const ph = p.galaxy.physics;
      assert.ok(Math.abs(ph.logMassToLightR - (bellLogMassToLightR(ph.restGminusR) + massToLightEvolution(ph.z))) < 1e-12, 'Math.abs(ph.logMassToLightR - (bellLogMassToLightR(ph.restGminusR) + m');
      const logLr = 0.4 * (M_SUN_R_AB - ph.absMagR);
      assert.ok(Math.abs(ph.logMstar - logLr - ph.logMassToLightR) < 1e-9, 'Math.abs(ph.logMstar - logLr - ph.logMassToLightR) < 1e-9');
    }
    // And the colours span the relation's range: red passive, blue star-forming.
    const q = galaxies().filter((p) => p.galaxy!.physics.quenched).map((p) => p.galaxy!.physics.restGminusR);
    const sf = galaxies().filter((p) => p.galaxy!.physics.logSsfr > -10).map((p) => p.galaxy!.physics.restGminusR);
    assert.ok(median(q) > 0.7 && median(sf) < 0.5, `rest g-r: passive ${median(q)}, star-forming ${median(sf)}`);
  });

  it('gives passive spectra Dn4000 ~1.8-2.1 and star-forming ones ~1.1-1.4, and older ages', () => {
    const q = galaxies().filter((p) => p.galaxy!.physics.logSsfr < -11.5);
    const sf = galaxies().filter((p) => p.galaxy!.physics.logSsfr > -10);
    const dq = median(q.map((p) => p.galaxy!.physics.dn4000));
    const dsf = median(sf.map((p) => p.galaxy!.physics.dn4000));
    assert.ok(dq > 1.75 && dq < 2.1, `passive Dn4000 ${dq}`);
    assert.ok(dsf > 1.1 && dsf < 1.4, `star-forming Dn4000 ${dsf}`);
    assert.ok(median(q.map((p) => p.galaxy!.physics.tage)) > median(sf.map((p) => p.galaxy!.physics.tage)) + 2, 'median(q.map((p) => p.galaxy!.physics.tage)) > median(sf.map((p) => p.');
  });
});

describe('structure', () => {
  it('follows the van der Wel+14 size-mass relation with ~0.2 dex scatter', () => {
    const res = objs
      .filter((p) => p.galaxy && p.galaxy.structure.type === 'spiral')
      .map((p) => Math.log10(p.galaxy!.structure.disk!.reKpc) - sizeMassLogReKpc(p.galaxy!.physics.logMstar, p.z, false));
    const m = res.reduce((a, b) => a + b, 0) / res.length;
    const sd = Math.sqrt(res.reduce((a, b) => a + (b - m) ** 2, 0) / res.length);
    assert.ok(Math.abs(m) < 0.03 && Math.abs(sd - 0.2) < 0.03, `offset ${m}, scatter ${sd}`);
  });

  it('has discs with n in 0.5-2 and spheroids with n in 2.5-6 (PHYSICS.md)', () => {
    for (const p of objs) {
      const s = p.galaxy?.structure;
      if (!s) continue;
      if (s.disk) assert.ok(s.disk.n >= 0.5 && s.disk.n <= 2, 's.disk.n >= 0.5 && s.disk.n <= 2');
      if (s.bulge) assert.ok(s.bulge.n >= 2.5 && s.bulge.n <= 6, 's.bulge.n >= 2.5 && s.bulge.n <= 6');
    }
    const ell = objs.filter((p) => p.galaxy?.structure.type === 'elliptical').map((p) => p.galaxy!.structure.bulge!.n);
    assert.ok(Math.abs(median(ell) - 4) < 0.2, 'Math.abs(median(ell) - 4) < 0.2');
  });

  it('draws disc axis ratios uniform in 0.2-1 and elliptical ones peaking at 0.7-0.8', () => {
    const disks = objs.filter((p) => p.galaxy?.structure.disk).map((p) => p.galaxy!.structure.disk!.q);
    assert.ok(Math.min(...disks) >= 0.2 && Math.max(...disks) <= 1, 'Math.min(...disks) >= 0.2 && Math.max(...disks) <= 1');
    for (const [lo, hi] of [[0.2, 0.4], [0.4, 0.6], [0.6, 0.8], [0.8, 1]]) {
      const f = disks.filter((q) => q >= lo && q < hi).length / disks.length;
      assert.ok(Math.abs(f - 0.25) < 0.05, `disc q in ${lo}-${hi}: ${f}`);
    }
    const ell = objs.filter((p) => p.galaxy?.structure.type === 'elliptical').map((p) => p.galaxy!.structure.bulge!.q);
    const bins = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    for (const q of ell) bins[Math.min(9, Math.floor(q * 10))]++;
    const mode = bins.indexOf(Math.max(...bins)) / 10;
    assert.ok(mode === 0.7 || mode === 0.8, `elliptical q mode ${mode}`);
  });
});

describe('rare classes and splits', () => {
  it('occur at the configured rates and can be boosted for tests and demos', async () => {
    const gal = objs.filter((p) => p.galaxy);
    assert.ok(binomialOk(frac(gal, (p) => !!p.merger), sim.config.rates.merger, gal.length), 'binomialOk(frac(gal, (p) => !!p.merger), sim.config.rates.merger, gal.');
    assert.ok(binomialOk(frac(gal, (p) => !!p.tidal), sim.config.rates.tidal * (1 - sim.config.rates.merger), gal.length), 'binomialOk(frac(gal, (p) => !!p.tidal), sim.config.rates.tidal * (1 - ');
    const boosted = await Simulator.create({ seed: 11, rates: { lensPerMassiveElliptical: 1, postStarburst: 0.05 } });
    const b = Array.from({ length: 400 }, (_, i) => boosted.draw(i));
    const massiveE = b.filter((p) => p.galaxy && p.galaxy.physics.quenched && p.galaxy.physics.logMstar > 11 && !p.postStarburst && p.galaxy.structure.type !== 'spiral');
    assert.ok(massiveE.length > 10 && massiveE.every((p) => p.lens), 'every massive elliptical is a lens at rate 1');
    // Galaxy-scale SIS lenses: Einstein radii of a few tenths to ~2 arcsec, sources behind the lens.
    for (const p of massiveE) assert.ok(p.lens!.thetaEArcsec > 0.1 && p.lens!.thetaEArcsec < 4 && p.lens!.source.z > p.z + 0.2, `${p.id}: thetaE ${p.lens!.thetaEArcsec}`);
    assert.ok(b.filter((p) => p.postStarburst).length > 5, 'E+A galaxies appear at the boosted rate');
  });

  it('are deterministic: the same (seed, index) gives the same object in any order', async () => {
    const again = await Simulator.create({ seed: 11 });
    for (const i of [1999, 5, 1234, 0]) assert.deepEqual(again.draw(i), objs[i]);
    const other = await Simulator.create({ seed: 12 });
    assert.notDeepEqual(other.draw(5), objs[5]);
  });

  it('splits train / val / test 80 / 10 / 10 from the id alone', () => {
    const splits = objs.map((p) => splitOf(p.id, sim.config.split));
    assert.ok(binomialOk(splits.filter((s) => s === 'train').length / N, 0.8, N), 'binomialOk(splits.filter((s) => s === train).length / N, 0.8, N)');
    assert.ok(binomialOk(splits.filter((s) => s === 'val').length / N, 0.1, N), 'binomialOk(splits.filter((s) => s === val).length / N, 0.1, N)');
    assert.equal(splitOf('s11-000042', { train: 0.8, val: 0.1 }), splitOf('s11-000042', { train: 0.8, val: 0.1 }));
  });
});
