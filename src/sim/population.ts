/**
 * Draws the physical parameters of one mock object: its class, redshift, stellar mass, star
 * formation, metallicity, age, the spectrum recipe that follows from them, its structure, rare
 * features and observing conditions. Nothing here renders pixels; survey.ts turns the parameters
 * into an image and a spectrum.
 *
 * Galaxies (in order, each step citing relations.ts):
 * 1. sample: BGS-like (0.05 < z < 0.4, r < 20.175) or LRG-like tail (0.4 < z < 1.1, z-band < 20.4);
 * 2. z from the sample's n(z); stellar mass from the Baldry+12 mass function above the lowest mass
 *    that could pass the magnitude limit at that z;
 * 3. quenched with the mass- and z-dependent quenched fraction; sSFR from the Speagle+14 main
 *    sequence (0.2 dex) or the quenched population (log sSFR ~ -12);
 * 4. the spectrum: sSFR picks a position on the 023..027 template sequence (neighbours mixed), where
 *    each template's sSFR is calibrated from its own H-alpha emission through Kennicutt 98 and the
 *    Bell+03 M/L (so the axis is the data's, not a guess); LRGs use 028; E+A galaxies 023 + an A star;
 * 5. metallicity from the Gallazzi+05 mass-metallicity relation; its residual deepens the metal lines
 *    and reddens the continuum; lines scaled to the SFR (lines.ts);
 * 6. absolute magnitude from the stellar mass and the Bell+03 M/L of the spectrum's own rest g - r;
 *    the object is kept only if its observed magnitude passes the sample's limit (else redrawn at the same z);
 * 7. mass-weighted age from the spectrum's Dn4000 (relations.ageFractionFromDn4000).
 */
import { Cosmology, C_KMS, MPC_CM } from './cosmology.js';
import type { SimConfig } from './config.js';
import { BANDS, type Band } from './filters.js';
import { KENNICUTT_HA, nebularLines } from './lines.js';
import { hashString, Rng, STREAM } from '../util/random.js';
import {
  MAIN_SEQUENCE_SCATTER_DEX,
  QUENCHED_LOG_SSFR,
  ageFractionFromDn4000,
  bellLogMassToLightR,
  gasMetallicityPP04,
  haAttenuation,
  mainSequenceLogSfr,
  massToLightEvolution,
  n2FromOxygen,
  o3FromN2,
  quenchedFraction,
  sizeMassLogReKpc,
  SIZE_SCATTER_DEX,
  stellarMassFunction,
  stellarMetallicityMedian,
  stellarMetallicityScatter,
  velocityDispersionKms,
} from './relations.js';
import { DESI_STEP } from './desi.js';
import { SedBuilder, type MixEntry, type RestSed, type SedSpec } from './sed.js';
import { MASTER_N, GALAXY_SEQUENCE, type TemplateId } from './templates.js';
import { M_SUN_R_AB, SPECTRUM_UNIT_CGS, TEN_PC_CM } from './units.js';

export type ObjectClass = 'GALAXY' | 'QSO' | 'STAR';
export type Sample = 'BGS_BRIGHT' | 'BGS_FAINT' | 'LRG' | 'QSO' | 'STAR';
export type GalaxyType = 'elliptical' | 'lenticular' | 'spiral';

/** A Sersic component; sizes are physical (kpc) so they do not depend on the stamp. */
export interface SersicShape {
  n: number;
  reKpc: number;
  /** Projected axis ratio b/a. */
  q: number;
}

export interface ArmParams {
  count: number;
  /** Logarithmic-spiral pitch angle (degrees): small = tightly wound. */
  pitchDeg: number;
  /** Fractional modulation of the disc light along the arms (0-1). */
  amplitude: number;
  phaseDeg: number;
}

export interface BarParams {
  strength: 'strong' | 'weak';
  /** Fraction of the disc light in the bar. */
  fraction: number;
  /** Bar effective radius along its long axis (kpc), in the disc plane. */
  lengthKpc: number;
  /** Bar axis ratio in the disc plane. */
  q: number;
  /** Angle of the bar from the disc's major axis, in the disc plane (degrees). */
  angleDeg: number;
}

export interface GalaxyStructure {
  type: GalaxyType;
  /** Bulge-to-total light ratio (all bands: bulge and disc share one SED). */
  bt: number;
  bulge: SersicShape | null;
  disk: SersicShape | null;
  /** Position angle of the major axis, degrees counter-clockwise from the +x (column) axis. */
  paDeg: number;
  arms: ArmParams | null;
  bar: BarParams | null;
}

export interface GalaxyPhysics {
  z: number;
  logMstar: number;
  logSsfr: number;
  /** Star-formation rate, Msun/yr. */
  sfr: number;
  quenched: boolean;
  /** log10(Z_MW / Zsun), mass-weighted stellar metallicity. */
  zmw: number;
  /** Mass-weighted stellar age, Gyr. */
  tage: number;
  /** Rest-frame (DECam) g - r and r - z of the continuum, and Dn4000. */
  restGminusR: number;
  restRminusZ: number;
  dn4000: number;
  /** log10(M/L_r): Bell+03 from the rest g - r plus the luminosity evolution term (relations.ts). */
  logMassToLightR: number;
  /** Rest-frame absolute AB magnitude in r. */
  absMagR: number;
  /** Position on the 023 (0) .. 027 (4) template sequence, or NaN for LRG/E+A recipes. */
  templatePosition: number;
  /** Observed (attenuated) H-alpha line flux, 1e-17 erg/s/cm2 (0 for quenched galaxies' trace lines too). */
  haFlux: number;
  sed: SedSpec;
}

export interface GalaxyParams {
  physics: GalaxyPhysics;
  structure: GalaxyStructure;
}

export interface LensParams {
  /** SIS Einstein radius, arcsec. */
  thetaEArcsec: number;
  sigmaKms: number;
  source: {
    z: number;
    sed: SedSpec;
    /** Source-plane Sersic profile (arcsec) and its offset from the lens axis (arcsec). */
    reArcsec: number;
    n: number;
    q: number;
    paDeg: number;
    offsetArcsec: [number, number];
  };
}

export interface MergerParams {
  kind: 'major' | 'minor';
  massRatio: number;
  companion: GalaxyParams;
  /** Projected separation (kpc) and direction (degrees) of the companion. */
  separationKpc: number;
  angleDeg: number;
  /** Fraction of the primary's light pulled into tidal tails. */
  tailFraction: number;
}

export interface TidalParams {
  kind: 'shells' | 'stream';
  strength: 'minor' | 'major';
  /** Fraction of the galaxy's light in the feature (taken from the galaxy, so flux is conserved). */
  fraction: number;
  angleDeg: number;
  /** Curvature sign and radial extent (units of R_e), for variety. */
  sense: 1 | -1;
  extentRe: number;
}

export interface ArtifactParams {
  kind: 'satellite-trail';
  band: Band;
  angleDeg: number;
  /** Perpendicular offset of the trail from the stamp centre, pixels. */
  offsetPx: number;
  /** Peak surface brightness, nanomaggies per pixel. */
  peakNmgy: number;
}

export interface Conditions {
  /** Gaussian PSF sigma per band (pixels), g r z. */
  psfSigmaPx: [number, number, number];
  /** Sky noise per pixel (nanomaggies), g r z. */
  noiseNmgy: [number, number, number];
  /** DESI program: bright (BGS, stars, ~180 s) or dark (LRG, QSO, ~1000 s). */
  program: 'bright' | 'dark';
  /** Multiplicative factor on the spectrum's sky noise (per-object conditions). */
  specNoiseFactor: number;
}

export interface PointSource {
  template: TemplateId;
  sed: SedSpec;
}

export interface ObjectParams {
  index: number;
  id: string;
  ra: number;
  dec: number;
  cls: ObjectClass;
  sample: Sample;
  z: number;
  galaxy: GalaxyParams | null;
  /** The star or the QSO (point sources). */
  point: PointSource | null;
  postStarburst: boolean;
  lens: LensParams | null;
  merger: MergerParams | null;
  tidal: TidalParams | null;
  artifact: ArtifactParams | null;
  conditions: Conditions;
  /** Offset of the object's centre from the stamp centre, pixels (x, y). */
  centerOffsetPx: [number, number];
}

/** Anchor of the template sequence: template position u has log sSFR logSsfr. */
export interface SsfrAnchor {
  id: TemplateId;
  position: number;
  logSsfr: number;
}

/** The id of object `index` in a survey with this seed, e.g. "s7-000042". */
export function objectId(seed: number, index: number): string {
  return `s${seed}-${String(index).padStart(6, '0')}`;
}

/** Deterministic train/val/test split from the id alone, so it is stable across N and runs. */
export function splitOf(id: string, split: { train: number; val: number }): 'train' | 'val' | 'test' {
  const u = hashString(id) / 4294967296;
  if (u < split.train) return 'train';
  if (u < split.train + split.val) return 'val';
  return 'test';
}

const LOG_MASS_MIN = 8.0;
const LOG_MASS_MAX = 12.4;
/** z grid of the screening tables: galaxies and lensed sources stay below 1.7. */
const Z_GRID_STEP = 0.02;
const Z_GRID_MAX = 1.7;
/** Templates galaxies are mixed from (the screening tables cover these). */
const TABLED_TEMPLATES: readonly TemplateId[] = [...GALAXY_SEQUENCE, 'lrg028', 'starA'];
/** DECam pivot wavelengths (A), where the screening applies the metallicity tilt. */
const PIVOT: Record<Band, number> = { g: 4820, r: 6423, z: 9158 };

interface RecipeOptions {
  forceQuenched?: boolean;
  forceStarForming?: boolean;
  postStarburst?: boolean;
  lrg?: boolean;
}

/** The scalar parameters of a galaxy before its spectrum is built. */
interface GalaxyRecipe {
  z: number;
  logM: number;
  logSsfr: number;
  sfr: number;
  templatePosition: number;
  zmw: number;
  sed: SedSpec;
}

/** Inverse-CDF sampler over a tabulated density on a uniform grid. */
class TabulatedSampler {
  private readonly x: Float64Array;
  private readonly cdf: Float64Array;

  constructor(lo: number, hi: number, n: number, density: (x: number) => number) {
    this.x = new Float64Array(n);
    this.cdf = new Float64Array(n);
    let acc = 0;
    let prev = density(lo);
    this.x[0] = lo;
    for (let i = 1; i < n; i++) {
      const xi = lo + ((hi - lo) * i) / (n - 1);
      const d = density(xi);
      acc += 0.5 * (d + prev) * (xi - this.x[i - 1]);
      this.x[i] = xi;
      this.cdf[i] = acc;
      prev = d;
    }
    for (let i = 0; i < n; i++) this.cdf[i] /= acc;
  }

  cdfAt(x: number): number {
    if (x <= this.x[0]) return 0;
    if (x >= this.x[this.x.length - 1]) return 1;
    const step = this.x[1] - this.x[0];
    const i = Math.floor((x - this.x[0]) / step);
    const f = (x - this.x[i]) / step;
    return this.cdf[i] * (1 - f) + this.cdf[i + 1] * f;
  }

  /** Sample with the CDF restricted to [cdfLo, cdfHi] (for truncated draws). */
  sample(u: number, cdfLo = 0, cdfHi = 1): number {
    const target = cdfLo + u * (cdfHi - cdfLo);
    let lo = 0;
    let hi = this.cdf.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (this.cdf[mid] < target) lo = mid;
      else hi = mid;
    }
    const span = this.cdf[hi] - this.cdf[lo];
    const f = span > 0 ? (target - this.cdf[lo]) / span : 0;
    return this.x[lo] + f * (this.x[hi] - this.x[lo]);
  }
}

/** Sersic index rounded to 0.01. */
export function roundN(n: number): number {
  return Math.round(n * 100) / 100;
}

/** Magnitude drawn from number counts dN/dm ~ 10^(slope m) on [lo, hi] (inverse CDF). */
export function drawCountsMagnitude(rng: Rng, lo: number, hi: number, slope: number): number {
  const k = slope * Math.LN10;
  const a = Math.exp(k * lo);
  const b = Math.exp(k * hi);
  return Math.log(a + rng.uniform() * (b - a)) / k;
}

export class Population {
  readonly config: SimConfig;
  readonly sed: SedBuilder;
  readonly cosmology: Cosmology;
  /** Template sequence calibration (log sSFR of 023..027), from the templates' own H-alpha. */
  readonly anchors: SsfrAnchor[];
  private readonly massSampler: TabulatedSampler;
  private readonly bgsZSampler: TabulatedSampler;
  /** Observed nanomaggies at M_r = 0 of each galaxy template, per band, on the z grid (step Z_GRID_STEP). */
  private readonly fluxTables = new Map<TemplateId, Record<Band, Float64Array>>();
  /** Rest-frame g flux (per unit rest r) and g - r of each galaxy template. */
  private readonly restGflux = new Map<TemplateId, number>();
  private readonly restGminusR = new Map<TemplateId, number>();
  /** Observed g/r and z/r flux ratios of each star template (stars are seen at z = 0). */
  private readonly starRatios = new Map<TemplateId, [number, number]>();
  private readonly rest: RestSed;
  private readonly scratch: Float64Array;
  private readonly scratchValid: Uint8Array;

  constructor(config: SimConfig, sed: SedBuilder) {
    this.config = config;
    this.sed = sed;
    this.cosmology = sed.cosmology;
    this.rest = sed.newRestSed();
    this.scratch = new Float64Array(sed.modelLambda.length);
    this.scratchValid = new Uint8Array(sed.modelLambda.length);
    this.anchors = this.calibrateSequence();
    this.massSampler = new TabulatedSampler(LOG_MASS_MIN, LOG_MASS_MAX, 2201, stellarMassFunction);
    const { zMin, zMax, z0, alpha } = config.bgs;
    this.bgsZSampler = new TabulatedSampler(zMin, zMax, 2001, (z) => z * z * Math.exp(-Math.pow(z / z0, alpha)));
    for (const id of TABLED_TEMPLATES) {
      const rest = this.sed.buildRest(this.plainSpec(id), this.rest);
      this.restGflux.set(id, Math.pow(10, -0.4 * rest.gMinusR));
      this.restGminusR.set(id, rest.gMinusR);
      this.fluxTables.set(id, this.fluxTable(id));
    }
    for (const id of Object.keys(config.star.typeWeights) as TemplateId[]) {
      const spec: SedSpec = { ...this.plainSpec(id), norm: { kind: 'apparent-r', mag: 22.5 } };
      this.scratch.fill(0);
      this.sed.observeInto(spec, this.sed.buildRest(spec, this.rest), this.scratch, this.scratchValid);
      const [g, r, zf] = this.sed.modelPhotometer.all(this.scratch);
      this.starRatios.set(id, [g / r, zf / r]);
    }
  }

  /** Observed g, r, z nanomaggies at M_r = 0 of a mix of galaxy templates at z (screening tables). */
  mixFluxes(mix: MixEntry[], z: number): [number, number, number] {
    const out: [number, number, number] = [0, 0, 0];
    for (const { id, weight } of mix) for (let b = 0; b < 3; b++) out[b] += weight * this.tableAt(id, BANDS[b], z);
    return out;
  }

  /** Observed g/r and z/r flux ratios of a star template. */
  starFluxRatios(id: TemplateId): [number, number] {
    const r = this.starRatios.get(id);
    if (!r) throw new Error(`no star colours for ${id}`);
    return r;
  }

  private plainSpec(id: TemplateId): SedSpec {
    return { mix: [{ id, weight: 1 }], metalScale: 1, tilt: 0, z: 0, lines: [], lineSigmaKms: 0, norm: { kind: 'absolute-r', mag: 0 } };
  }

  /**
   * log sSFR of each star-forming template from its own (removed) H-alpha emission:
   * L(Ha) = EW * L_lambda(6565) of the template's continuum, corrected for dust at 10^10 Msun
   * (Garn & Best 10), SFR by Kennicutt 98, M* from the Bell+03 M/L of the template's g - r.
   */
  private calibrateSequence(): SsfrAnchor[] {
    const anchors: SsfrAnchor[] = [{ id: 'gal023', position: 0, logSsfr: this.config.quenching.passiveTemplateLogSsfr }];
    const lib = this.sed.library;
    for (let k = 1; k < GALAXY_SEQUENCE.length; k++) {
      const id = GALAXY_SEQUENCE[k];
      const rest = this.sed.buildRest(this.plainSpec(id), this.rest);
      // Continuum f_lambda near H-alpha (median of the emission-free template, 6500-6630 A), at 10 pc for M_r = 0.
      const vals: number[] = [];
      for (let i = 0; i < MASTER_N; i++) {
        const l = lib.lambda[i];
        if (l > 6500 && l < 6630) vals.push(rest.flux[i]);
      }
      vals.sort((a, b) => a - b);
      const contUnits = vals[vals.length >> 1];
      const a10 = Math.pow(10, -0.4 * (0 - 22.5));
      const lLambda = 4 * Math.PI * TEN_PC_CM * TEN_PC_CM * a10 * contUnits * SPECTRUM_UNIT_CGS; // erg/s/A
      const lHa = lib.byId[id].removedHaEw * lLambda * Math.pow(10, 0.4 * haAttenuation(10));
      const sfr = KENNICUTT_HA * lHa;
      const logLr = 0.4 * (M_SUN_R_AB - 0);
      const logM = logLr + bellLogMassToLightR(rest.gMinusR);
      anchors.push({ id, position: k, logSsfr: Math.log10(sfr) - logM });
    }
    for (let k = 1; k < anchors.length; k++) {
      if (!(anchors[k].logSsfr > anchors[k - 1].logSsfr)) {
        throw new Error(`template sequence is not monotonic in sSFR: ${anchors.map((a) => `${a.id} ${a.logSsfr.toFixed(2)}`).join(', ')}`);
      }
    }
    return anchors;
  }

  /** Position on the 023..027 sequence for a log sSFR (piecewise linear through the anchors, clamped). */
  templatePosition(logSsfr: number): number {
    const a = this.anchors;
    if (logSsfr <= a[0].logSsfr) return 0;
    for (let k = 1; k < a.length; k++) {
      if (logSsfr <= a[k].logSsfr) {
        return a[k - 1].position + (logSsfr - a[k - 1].logSsfr) / (a[k].logSsfr - a[k - 1].logSsfr);
      }
    }
    return a[a.length - 1].position;
  }

  /** Neighbouring templates mixed at position u (light fractions in rest r). */
  static sequenceMix(u: number): MixEntry[] {
    const k = Math.min(GALAXY_SEQUENCE.length - 2, Math.floor(u));
    const f = Math.min(1, Math.max(0, u - k));
    return [
      { id: GALAXY_SEQUENCE[k], weight: 1 - f },
      { id: GALAXY_SEQUENCE[k + 1], weight: f },
    ];
  }

  /** Observed g, r, z nanomaggies of a template at M_r = 0, tabulated in z. */
  private fluxTable(id: TemplateId): Record<Band, Float64Array> {
    const n = Math.round(Z_GRID_MAX / Z_GRID_STEP) + 1;
    const out = { g: new Float64Array(n), r: new Float64Array(n), z: new Float64Array(n) };
    const spec = this.plainSpec(id);
    const rest = this.sed.buildRest(spec, this.rest, Z_GRID_MAX);
    for (let i = 0; i < n; i++) {
      this.scratch.fill(0);
      this.sed.observeInto({ ...spec, z: Math.max(0.005, i * Z_GRID_STEP) }, rest, this.scratch, this.scratchValid);
      for (const b of BANDS) out[b][i] = this.sed.modelPhotometer.nanomaggies(this.scratch, b);
    }
    return out;
  }

  private tableAt(id: TemplateId, band: Band, z: number): number {
    const table = this.fluxTables.get(id)![band];
    const x = Math.min(z, Z_GRID_MAX) / Z_GRID_STEP;
    const i = Math.min(Math.floor(x), table.length - 2);
    const f = x - i;
    // Fluxes fall steeply with z: interpolate in log.
    return Math.exp(Math.log(table[i]) * (1 - f) + Math.log(table[i + 1]) * f);
  }

  /** Draws object `index`'s parameters (deterministic in (seed, index)). */
  draw(index: number): ObjectParams {
    const c = this.config;
    const id = objectId(c.seed, index);
    const rng = Rng.stream(c.seed, index, STREAM.population);
    const pos = Rng.stream(c.seed, index, STREAM.position);
    const fp = c.footprint;
    const ra = pos.range(fp.raMin, fp.raMax);
    const sinLo = Math.sin((fp.decMin * Math.PI) / 180);
    const sinHi = Math.sin((fp.decMax * Math.PI) / 180);
    const dec = (Math.asin(pos.range(sinLo, sinHi)) * 180) / Math.PI;
    const centerOffsetPx: [number, number] = [pos.range(-0.5, 0.5), pos.range(-0.5, 0.5)];

    const u = rng.uniform();
    const cls: ObjectClass = u < c.fractions.qso ? 'QSO' : u < c.fractions.qso + c.fractions.star ? 'STAR' : 'GALAXY';
    const base = { index, id, ra, dec, centerOffsetPx, postStarburst: false, lens: null, merger: null, tidal: null };
    const rare = Rng.stream(c.seed, index, STREAM.rare);

    if (cls === 'STAR') {
      const point = this.drawStar(rng);
      const conditions = this.drawConditions(index, 'bright');
      return { ...base, cls, sample: 'STAR', z: point.sed.z, galaxy: null, point, artifact: this.drawArtifact(rare, conditions), conditions };
    }
    if (cls === 'QSO') {
      const point = this.drawQso(rng);
      const conditions = this.drawConditions(index, 'dark');
      return { ...base, cls, sample: 'QSO', z: point.sed.z, galaxy: null, point, artifact: this.drawArtifact(rare, conditions), conditions };
    }

    const isLrg = rng.chance(c.fractions.lrg);
    const postStarburst = !isLrg && rare.chance(c.rates.postStarburst);
    const z = isLrg ? rng.truncGauss(c.lrg.zMean, c.lrg.zSigma, c.lrg.zMin, c.lrg.zMax) : this.bgsZSampler.sample(rng.uniform());
    const { physics, mag } = this.drawSelectedGalaxy(rng, z, isLrg, postStarburst);
    const morph = Rng.stream(c.seed, index, STREAM.morphology);
    const structure = this.drawStructure(morph, physics, postStarburst);
    const galaxy: GalaxyParams = { physics, structure };
    // For BGS the selection magnitude is r, so it also splits bright from faint.
    const sample: Sample = isLrg ? 'LRG' : mag < c.bgs.brightLimit ? 'BGS_BRIGHT' : 'BGS_FAINT';

    const merger = rare.chance(c.rates.merger) ? this.drawMerger(rare, galaxy) : null;
    const tidal = !merger && rare.chance(c.rates.tidal) ? this.drawTidal(rare, structure) : null;
    const massiveElliptical = physics.quenched && physics.logMstar > 11 && !postStarburst && structure.type !== 'spiral';
    const lens = massiveElliptical && rare.chance(c.rates.lensPerMassiveElliptical) ? this.drawLens(rare, physics) : null;
    const conditions = this.drawConditions(index, isLrg ? 'dark' : 'bright');
    return {
      ...base,
      cls,
      sample,
      z,
      galaxy,
      point: null,
      postStarburst,
      lens,
      merger,
      tidal,
      artifact: this.drawArtifact(rare, conditions),
      conditions,
    };
  }

  /** Observed AB magnitude of a SED (no coverage bookkeeping). */
  observedMag(spec: SedSpec, band: Band, prebuilt?: RestSed): number {
    const rest = prebuilt ?? this.sed.buildRest(spec, this.rest);
    if (spec.norm.kind === 'absolute-r') return 22.5 - 2.5 * Math.log10(this.sed.bandFlux(spec, rest, band));
    this.scratch.fill(0);
    this.sed.observeInto(spec, rest, this.scratch, this.scratchValid);
    return 22.5 - 2.5 * Math.log10(this.sed.modelPhotometer.nanomaggies(this.scratch, band));
  }

  /** Galaxy physics drawn until its observed magnitude (r for BGS, z for LRG) passes the limit at this z. */
  private drawSelectedGalaxy(rng: Rng, z: number, isLrg: boolean, postStarburst: boolean): { physics: GalaxyPhysics; mag: number } {
    const c = this.config;
    const band: Band = isLrg ? 'z' : 'r';
    const limit = isLrg ? c.lrg.zMagLimit : c.bgs.rLimit;
    // Lowest mass that could pass: the brightest template per unit mass at this z, less a margin for
    // the metallicity tilt and emission lines.
    const brightest = isLrg ? 'lrg028' : 'gal027';
    const mLim = limit - 22.5 + 2.5 * Math.log10(this.tableAt(brightest, band, z)); // absolute M_r that just passes
    const logMl = bellLogMassToLightR(this.restGminusR.get(brightest)!) + massToLightEvolution(z);
    const logMlo = Math.max(LOG_MASS_MIN, 0.4 * (M_SUN_R_AB - mLim) + logMl - 0.25);
    const cdfLo = this.massSampler.cdfAt(logMlo);
    let last: { physics: GalaxyPhysics; mag: number } | null = null;
    for (let attempt = 0; attempt < 2000; attempt++) {
      const logM = this.massSampler.sample(rng.uniform(), cdfLo, 1);
      const recipe = this.galaxyRecipe(rng, z, logM, { forceQuenched: isLrg, postStarburst, lrg: isLrg });
      // Cheap screen from the tables; the exact magnitude decides for the survivors.
      if (this.approxMag(recipe, band) > limit + 0.1) continue;
      const physics = this.finishGalaxy(rng, recipe);
      last = { physics, mag: this.observedMag(physics.sed, band, this.rest) };
      if (last.mag <= limit) return last;
    }
    if (!last) throw new Error(`no galaxy passes ${band} < ${limit} at z = ${z.toFixed(3)}`);
    return last;
  }

  /** Everything about a galaxy of mass logM at z that follows from the relations (see galaxyRecipe, finishGalaxy). */
  galaxyPhysics(rng: Rng, z: number, logM: number, opts: RecipeOptions = {}): GalaxyPhysics {
    return this.finishGalaxy(rng, this.galaxyRecipe(rng, z, logM, opts));
  }

  /** The scalar recipe of a galaxy: star formation, template mix, metallicity, lines (no spectrum built). */
  private galaxyRecipe(rng: Rng, z: number, logM: number, opts: RecipeOptions): GalaxyRecipe {
    const q = this.config.quenching;
    const tCosmic = this.cosmology.ageGyr(z);
    const quenchedDraw =
      opts.forceQuenched || opts.postStarburst || (!opts.forceStarForming && rng.chance(quenchedFraction(logM, z, q.midpoint0, q.dMidpointDz, q.width)));
    let logSsfr: number;
    if (opts.postStarburst) logSsfr = rng.range(-11.8, -11.1);
    else if (quenchedDraw) logSsfr = rng.truncGauss(q.logSsfrMean, q.logSsfrSigma, -13.5, -11.05);
    else logSsfr = mainSequenceLogSfr(logM, tCosmic) - logM + MAIN_SEQUENCE_SCATTER_DEX * rng.normal();
    const sfr = Math.pow(10, logSsfr + logM);

    let mix: MixEntry[];
    let templatePosition = Number.NaN;
    if (opts.lrg) mix = [{ id: 'lrg028', weight: 1 }];
    else if (opts.postStarburst) {
      // E+A: an old population plus A stars (0.5-1.5 Gyr old burst) carrying 25-60 % of the r light.
      const fA = rng.range(0.25, 0.6);
      mix = [
        { id: 'gal023', weight: 1 - fA },
        { id: 'starA', weight: fA },
      ];
    } else {
      templatePosition = this.templatePosition(logSsfr);
      mix = Population.sequenceMix(templatePosition);
    }

    // Metallicity: median relation plus scatter; the residual is what the spectrum shows beyond mass.
    const zMedian = stellarMetallicityMedian(logM);
    const zmw = zMedian + stellarMetallicityScatter(logM) * rng.normal();
    const dZ = zmw - zMedian;
    // Metal-line depth ~ +0.8 per dex of [Z/H] (Lick Mgb/Fe sensitivities, Worthey 94), and a colour
    // tilt that reddens g - r by ~0.12 mag per dex (the colour term of the age-metallicity degeneracy).
    const metalScale = Math.min(1.6, Math.max(0.5, 1 + 0.8 * dZ));
    const tilt = 0.38 * dZ;

    const oh = gasMetallicityPP04(logM) + 0.5 * dZ + 0.05 * rng.normal();
    const n2 = n2FromOxygen(oh);
    const o3 = o3FromN2(n2) + 0.1 * rng.normal();
    const lines = opts.postStarburst ? [] : nebularLines({ sfr, logM, n2, o3 }, this.sed.library.femtemp);
    // Integrated gas velocity dispersion (incl. unresolved rotation): ~70 km/s at 1e10 Msun.
    const lineSigmaKms = Math.pow(10, 1.85 + 0.15 * (logM - 10) + 0.08 * rng.normal());
    return { z, logM, logSsfr, sfr, templatePosition, zmw, sed: { mix, metalScale, tilt, z, lines, lineSigmaKms, norm: { kind: 'absolute-r', mag: 0 } } };
  }

  /** Builds the recipe's rest SED: M/L from its g - r, absolute magnitude, Dn4000, age. Leaves the SED in this.rest. */
  private finishGalaxy(rng: Rng, recipe: GalaxyRecipe): GalaxyPhysics {
    const { z, logM, sed } = recipe;
    const rest = this.sed.buildRest(sed, this.rest);
    const logMl = bellLogMassToLightR(rest.gMinusR) + massToLightEvolution(z);
    const absMagR = M_SUN_R_AB - 2.5 * (logM - logMl);
    sed.norm = { kind: 'absolute-r', mag: absMagR };
    const tCosmic = this.cosmology.ageGyr(z);
    const ageFrac = ageFractionFromDn4000(rest.dn4000);
    const tage = Math.min(tCosmic - 0.05, Math.max(0.1, ageFrac * tCosmic * Math.pow(10, 0.08 * rng.normal())));
    const dl = this.cosmology.luminosityDistanceMpc(z) * MPC_CM;
    const ha = sed.lines.find((l) => l.name === 'Halpha');
    const haFlux = ha ? ha.luminosity / (4 * Math.PI * dl * dl) / SPECTRUM_UNIT_CGS : 0;
    return {
      z,
      logMstar: logM,
      logSsfr: recipe.logSsfr,
      sfr: recipe.sfr,
      quenched: recipe.logSsfr < QUENCHED_LOG_SSFR,
      zmw: recipe.zmw,
      tage,
      restGminusR: rest.gMinusR,
      restRminusZ: rest.rMinusZ,
      dn4000: rest.dn4000,
      logMassToLightR: logMl,
      absMagR,
      templatePosition: recipe.templatePosition,
      haFlux,
      sed,
    };
  }

  /**
   * Observed magnitude of a recipe from the per-template tables: mixes are linear, the tilt is
   * applied at each band's pivot, lines through the band's weight at their wavelength. Good to a few
   * hundredths of a magnitude, which is all the screening needs.
   */
  private approxMag(recipe: GalaxyRecipe, band: Band): number {
    const { sed, z, logM } = recipe;
    const tiltAt = (restLambda: number) => Math.pow(restLambda / 5500, sed.tilt);
    let gRest = 0;
    let wSum = 0;
    let obs = 0;
    const pivot = PIVOT[band] / (1 + z);
    for (const { id, weight } of sed.mix) {
      gRest += weight * this.restGflux.get(id)!;
      wSum += weight;
      obs += weight * this.tableAt(id, band, z);
    }
    const restR = wSum * tiltAt(PIVOT.r);
    const gr = -2.5 * Math.log10((gRest * tiltAt(PIVOT.g)) / restR);
    const absMagR = M_SUN_R_AB - 2.5 * (logM - bellLogMassToLightR(gr) - massToLightEvolution(z));
    let flux = (Math.pow(10, -0.4 * absMagR) * obs * tiltAt(pivot)) / restR;
    if (sed.lines.length > 0) {
      const dl = this.cosmology.luminosityDistanceMpc(z) * MPC_CM;
      const toFlux = 1 / (4 * Math.PI * dl * dl) / SPECTRUM_UNIT_CGS;
      for (const line of sed.lines) flux += line.luminosity * toFlux * this.lineWeight(band, line.restLambda * (1 + z));
    }
    return 22.5 - 2.5 * Math.log10(flux);
  }

  /** Nanomaggies per unit line flux (1e-17 erg/s/cm2) at an observed wavelength. */
  private lineWeight(band: Band, lambda: number): number {
    const w = this.sed.modelPhotometer.bands[band];
    const j = Math.round((lambda - this.sed.modelLambda[0]) / DESI_STEP);
    if (j < w.start || j >= w.end) return 0;
    return w.weights[j - w.start] / DESI_STEP;
  }

  /** Bulge/disc structure, sizes (van der Wel+14), Sersic indices, axis ratios, arms and bars. */
  drawStructure(rng: Rng, physics: GalaxyPhysics, postStarburst: boolean): GalaxyStructure {
    const m = this.config.morphology;
    const { logMstar: logM, z } = physics;
    const early = physics.quenched;
    const reKpc = Math.pow(10, sizeMassLogReKpc(logM, z, early) + SIZE_SCATTER_DEX * rng.normal());
    const paDeg = rng.range(0, 180);
    // Sersic indices are kept to two decimals so rendering can share profile tables (sersic.ts).
    const spheroidN = () => roundN(rng.truncGauss(4, 0.7, 2.5, 6));
    const bulgeN = () => roundN(rng.truncGauss(3.5, 0.8, 2.5, 6));
    const diskN = () => roundN(rng.truncGauss(1, 0.25, 0.5, 2));
    // Ellipticals: intrinsic shapes give b/a peaking at 0.7-0.8 (PHYSICS.md); Beta(7.5, 3) has its mode at 0.76.
    const ellipticalQ = () => Math.max(0.3, rng.beta(7.5, 3));
    if (early && (postStarburst || !rng.chance(m.lenticularFraction))) {
      return { type: 'elliptical', bt: 1, bulge: { n: spheroidN(), reKpc, q: ellipticalQ() }, disk: null, paDeg, arms: null, bar: null };
    }
    // Thin discs seen at random inclinations: b/a ~ uniform in 0.2-1 (PHYSICS.md).
    const diskQ = rng.range(0.2, 1);
    const bulgeQ = Math.max(diskQ, rng.range(0.6, 0.95));
    let type: GalaxyType;
    let bt: number;
    let bulgeRe: number;
    let diskRe: number;
    if (early) {
      type = 'lenticular';
      bt = rng.range(0.4, 0.75);
      diskRe = reKpc * 1.1;
      bulgeRe = reKpc * rng.range(0.25, 0.45);
    } else {
      type = 'spiral';
      // Bulges grow with mass: B/T ~ Beta(a, 5) with a from 1.2 (1e9) to 2.7 (1e11.5).
      const a = 1.2 + 1.5 * Math.min(1, Math.max(0, (logM - 9) / 2.5));
      bt = rng.beta(a, 5);
      diskRe = reKpc;
      bulgeRe = reKpc * rng.range(0.15, 0.35);
    }
    const edgeOn = diskQ < 0.3;
    let arms: ArmParams | null = null;
    if (type === 'spiral' && rng.chance(m.spiralArmFraction)) {
      const count = [1, 2, 3, 4, 5][rng.pick([0.05, 0.55, 0.2, 0.12, 0.08])];
      arms = { count, pitchDeg: rng.range(8, 35), amplitude: rng.range(0.3, 0.8), phaseDeg: rng.range(0, 360) };
    }
    let bar: BarParams | null = null;
    const barDraw = rng.uniform();
    if (!edgeOn && barDraw < m.strongBarFraction + m.weakBarFraction) {
      const strong = barDraw < m.strongBarFraction;
      bar = {
        strength: strong ? 'strong' : 'weak',
        fraction: strong ? rng.range(0.08, 0.15) : rng.range(0.03, 0.07),
        lengthKpc: diskRe * rng.range(0.5, 0.9),
        q: strong ? rng.range(0.2, 0.3) : rng.range(0.3, 0.45),
        angleDeg: rng.range(0, 180),
      };
    }
    return {
      type,
      bt,
      bulge: { n: bulgeN(), reKpc: bulgeRe, q: bulgeQ },
      disk: { n: diskN(), reKpc: diskRe, q: diskQ },
      paDeg,
      arms,
      bar,
    };
  }

  private drawMerger(rng: Rng, primary: GalaxyParams): MergerParams {
    const major = rng.chance(0.4);
    const massRatio = major ? rng.range(1, 4) : rng.range(4, 10);
    const p = primary.physics;
    const logM = p.logMstar - Math.log10(massRatio);
    const physics = this.galaxyPhysics(rng, p.z, logM);
    const structure = this.drawStructure(rng, physics, false);
    const reMain = primary.structure.disk?.reKpc ?? primary.structure.bulge?.reKpc ?? 3;
    return {
      kind: major ? 'major' : 'minor',
      massRatio,
      companion: { physics, structure },
      separationKpc: reMain * rng.range(0.8, 2.5),
      angleDeg: rng.range(0, 360),
      tailFraction: major ? rng.range(0.06, 0.12) : rng.range(0.03, 0.06),
    };
  }

  private drawTidal(rng: Rng, structure: GalaxyStructure): TidalParams {
    const strength = rng.chance(this.config.rates.tidalMajorShare) ? 'major' : 'minor';
    const kind = structure.type === 'elliptical' && rng.chance(0.6) ? 'shells' : 'stream';
    return {
      kind,
      strength,
      fraction: strength === 'major' ? rng.range(0.06, 0.12) : rng.range(0.02, 0.05),
      angleDeg: rng.range(0, 360),
      sense: rng.chance(0.5) ? 1 : -1,
      extentRe: rng.range(3, 6),
    };
  }

  /**
   * A singular isothermal sphere lens: theta_E = 4 pi (sigma/c)^2 D_ls / D_s, sigma from the lens mass,
   * lensing a compact star-forming galaxy at z_s placed inside the caustic region (arcs and rings).
   */
  private drawLens(rng: Rng, lens: GalaxyPhysics): LensParams {
    const sigmaKms = velocityDispersionKms(lens.logMstar) * Math.pow(10, 0.05 * rng.normal());
    // Sources behind the lens up to z = 2 (the galaxy templates' UV is a power-law continuation there,
    // which only the source's broad-band colours see).
    const zs = rng.range(Math.max(0.8, lens.z + 0.3), Math.min(2, lens.z + 1.2));
    const dls = this.cosmology.angularDiameterDistanceBetweenMpc(lens.z, zs);
    const ds = this.cosmology.angularDiameterDistanceMpc(zs);
    const thetaE = ((4 * Math.PI * (sigmaKms / C_KMS) ** 2 * dls) / ds) * (180 / Math.PI) * 3600;
    // Lens searches find the magnified bright end of the source population (magnification bias):
    // 10^9.5-10.5 Msun star-forming galaxies, placed close enough to the caustic for arcs.
    const logMs = rng.range(9.5, 10.5);
    const source = this.galaxyPhysics(rng, zs, logMs, { forceStarForming: true });
    const reKpc = Math.pow(10, sizeMassLogReKpc(logMs, zs, false) + SIZE_SCATTER_DEX * rng.normal());
    const r = thetaE * 0.3 * Math.sqrt(rng.uniform());
    const phi = rng.range(0, 2 * Math.PI);
    return {
      thetaEArcsec: thetaE,
      sigmaKms,
      source: {
        z: zs,
        sed: source.sed,
        reArcsec: reKpc / this.cosmology.kpcPerArcsec(zs),
        n: roundN(rng.truncGauss(1, 0.2, 0.5, 1.5)),
        q: rng.range(0.4, 1),
        paDeg: rng.range(0, 180),
        offsetArcsec: [r * Math.cos(phi), r * Math.sin(phi)],
      },
    };
  }

  private drawStar(rng: Rng): PointSource {
    const s = this.config.star;
    const ids = Object.keys(s.typeWeights) as Array<keyof typeof s.typeWeights>;
    const template = ids[rng.pick(ids.map((k) => s.typeWeights[k]))] as TemplateId;
    // Radial velocity of a halo/thick-disc star seen at high latitude: ~N(0, 50 km/s).
    const z = rng.gauss(0, 50) / C_KMS;
    const mag = drawCountsMagnitude(rng, s.rMin, s.rMax, 0.15);
    return { template, sed: { mix: [{ id: template, weight: 1 }], metalScale: 1, tilt: 0, z, lines: [], lineSigmaKms: 0, norm: { kind: 'apparent-r', mag } } };
  }

  private drawQso(rng: Rng): PointSource {
    const q = this.config.qso;
    const z = rng.truncGauss(q.zMean, q.zSigma, q.zMin, q.zMax);
    // 032 (1350-6572 A rest) covers DESI's blue end only from z = 1.67; below that the composite 029.
    const template: TemplateId = z > 1.7 && rng.chance(0.3) ? 'qso032' : 'qso029';
    const mag = drawCountsMagnitude(rng, q.rMin, q.rMax, 0.5);
    return { template, sed: { mix: [{ id: template, weight: 1 }], metalScale: 1, tilt: 0, z, lines: [], lineSigmaKms: 0, norm: { kind: 'apparent-r', mag } } };
  }

  /** A satellite trail in one band, 3-15 times that band's pixel noise at its peak. */
  private drawArtifact(rng: Rng, conditions: Conditions): ArtifactParams | null {
    if (!rng.chance(this.config.rates.artifact)) return null;
    const b = rng.int(3);
    return {
      kind: 'satellite-trail',
      band: BANDS[b],
      angleDeg: rng.range(0, 180),
      offsetPx: rng.range(-0.3, 0.3) * this.config.image.size,
      peakNmgy: rng.range(3, 15) * conditions.noiseNmgy[b],
    };
  }

  /** Per-object PSF and noise from PHYSICS.md's log-normal fits, and spectroscopic conditions. */
  drawConditions(index: number, program: 'bright' | 'dark'): Conditions {
    const c = this.config;
    const rng = Rng.stream(c.seed, index, STREAM.conditions);
    const psf = BANDS.map((b) => {
      const fit = c.image.psfSigmaPx[b];
      return Math.max(0.5, rng.lognormal(fit.shape, fit.loc, fit.scale));
    }) as [number, number, number];
    const noise = BANDS.map((b) => {
      const fit = c.image.noiseNmgy[b];
      const median = fit.scale + fit.loc;
      // The fits' negative loc can make a far-tail draw negative; keep at least 30 % of the median.
      return Math.max(0.3 * median, rng.lognormal(fit.shape, fit.loc, fit.scale));
    }) as [number, number, number];
    const specNoiseFactor = Math.pow(10, c.spectrum.conditionScatterDex * rng.normal());
    return { psfSigmaPx: psf, noiseNmgy: noise, program, specNoiseFactor };
  }
}
