/**
 * The mock survey's settings as typed data. Every field has a documented default in
 * DEFAULT_SIM_CONFIG, and resolveSimConfig fills a partial config from it and checks ranges,
 * so a test or a demo changes one number (say, the lens rate) without restating the rest.
 */
import { badInput } from '../util/errors.js';
import type { Band } from './filters.js';

/** scipy-style log-normal (PHYSICS.md): sample = exp(N(ln scale, shape)) + loc. */
export interface LogNormalFit {
  shape: number;
  loc: number;
  scale: number;
}

export interface ImageConfig {
  /** Side of the square cutout in pixels (AstroCLIP crops 144 of 152; 96 keeps the mock light). */
  size: number;
  /** Arcsec per pixel (Legacy Surveys: 0.262). */
  pixelScale: number;
  /** Per-object Gaussian PSF sigma in pixels, per band (PHYSICS.md fits). */
  psfSigmaPx: Record<Band, LogNormalFit>;
  /** Per-object sky noise per pixel in nanomaggies, per band (PHYSICS.md fits). */
  noiseNmgy: Record<Band, LogNormalFit>;
  /**
   * Dark-sky brightness (AB mag/arcsec^2) at CTIO (g 22.0, r 21.0, z 18.5): with the median noise it
   * fixes an effective gain, so bright pixels also get the object's own shot noise.
   */
  skyMagPerArcsec2: Record<Band, number>;
  /** Unrelated galaxies and stars in the field. */
  neighbours: NeighbourConfig;
}

export interface NeighbourConfig {
  enabled: boolean;
  /**
   * Galaxy number counts dN/dm per deg^2 per mag at r = 22.5 and their log slope: ~2e4 and 0.33
   * (deep r-band counts, e.g. Yasuda+01 / Metcalfe+01), over the magnitude range below.
   */
  galaxyCountsAt22_5: number;
  galaxyCountSlope: number;
  magRange: [number, number];
  /** Stars per arcmin^2 brighter than r = 23 at high Galactic latitude (~1800 per deg^2). */
  starsPerArcmin2: number;
}

export interface SpectrumConfig {
  /**
   * Sky-limited noise per 0.8 A pixel (1e-17 erg/s/cm2/A, light in the fibre) of the bright-time
   * program (BGS, stars; ~180 s effective) between 4500 and 7500 A. Calibrated on PHYSICS.md's
   * S/N per pixel: 0.5 gives BGS continua S/N 0.9 / 2.0 / 4.7 (10th / 50th / 90th percentile, r
   * camera) and, through the dark-time factor, LRG continua 0.75 / 1.3 / 2.3 (z camera).
   */
  sigmaBright: number;
  /** Noise of dark-time targets (LRG, QSO; ~1000 s) relative to bright time: sqrt(180 / 1000). */
  darkToBrightNoise: number;
  /** Fibre flux (1e-17 units per pixel) at which the object's shot noise equals the sky noise. */
  shotNoiseFlux: number;
  /** Per-object scatter of observing conditions, dex (log-normal factor on the noise). */
  conditionScatterDex: number;
  /** DESI fibre diameter in arcsec (sets how much of the object's light the noise sees). */
  fibreDiameterArcsec: number;
}

export interface ClassFractions {
  /** QSOs among all objects (PHYSICS.md: ~0.5-1 % contamination of a galaxy sample). */
  qso: number;
  /** Stars among all objects (PHYSICS.md: < 1 %). */
  star: number;
  /** Galaxies in the LRG-like tail (0.4 < z < 1.1) rather than the BGS-like bulk. */
  lrg: number;
}

export interface BgsConfig {
  zMin: number;
  zMax: number;
  /** n(z) ~ z^2 exp(-(z/z0)^alpha) on [zMin, zMax]: median ~0.2 with the defaults. */
  z0: number;
  alpha: number;
  /** BGS faint limit r < 20.175; bright sample r < 19.5 (PHYSICS.md). */
  rLimit: number;
  brightLimit: number;
}

export interface LrgConfig {
  zMin: number;
  zMax: number;
  /** Truncated normal n(z), DESI LRGs peak near 0.8. */
  zMean: number;
  zSigma: number;
  /** Selection on the observed z-band magnitude (DESI LRG: z < 20.4 roughly). */
  zMagLimit: number;
}

export interface QsoConfig {
  zMin: number;
  zMax: number;
  zMean: number;
  zSigma: number;
  rMin: number;
  rMax: number;
}

export interface StarConfig {
  rMin: number;
  rMax: number;
  /** Relative frequency of each template at high Galactic latitude and r < 20 (mostly F-K dwarfs and M). */
  typeWeights: { starOB: number; starA: number; starF: number; starG: number; starK: number; starM1: number; starM5: number };
}

export interface QuenchingConfig {
  /**
   * Logistic quenched fraction: midpoint log M* at z = 0 (10.3: about a third of a BGS-like sample is
   * quenched, as in SDSS/GAMA colour-selected red fractions), its shift per unit z, and width (dex).
   */
  midpoint0: number;
  dMidpointDz: number;
  width: number;
  /** log sSFR of quenched galaxies ~ N(mean, sigma), kept below -11 (PHYSICS.md threshold). */
  logSsfrMean: number;
  logSsfrSigma: number;
  /** log sSFR that the passive template 023 represents (it has no H-alpha emission to calibrate). */
  passiveTemplateLogSsfr: number;
}

export interface RareRates {
  /** Strong lenses per massive elliptical (log M* > 11, quenched; PHYSICS.md ~5e-4 of LRG-like). */
  lensPerMassiveElliptical: number;
  /** Ongoing mergers (overlapping pair with tails), per galaxy (PHYSICS.md 1-3 % at z < 0.1). */
  merger: number;
  /** Tidal features (shells, streams) per galaxy (PHYSICS.md 10-20 % at DECaLS depth). */
  tidal: number;
  /** Share of tidal features that are major disturbances (the rest minor). */
  tidalMajorShare: number;
  /** Post-starburst (E+A) galaxies (PHYSICS.md ~0.1 %). */
  postStarburst: number;
  /** Image artifacts (a satellite trail through one band). */
  artifact: number;
}

export interface MorphologyConfig {
  /** Quenched galaxies that are lenticular (bulge + disc) rather than pure spheroids. */
  lenticularFraction: number;
  /** Star-forming discs with spiral arms (before the resolution cut of the Galaxy Zoo answer). */
  spiralArmFraction: number;
  /** Discs (not edge-on) with a strong / weak bar (Galaxy Zoo DECaLS: ~10-15 % strong, ~20 % weak). */
  strongBarFraction: number;
  weakBarFraction: number;
}

export interface FootprintConfig {
  /** Objects are spread uniformly on the sphere within these limits (degrees). */
  raMin: number;
  raMax: number;
  decMin: number;
  decMax: number;
}

export interface SplitConfig {
  /** Fractions of objects in train and validation; the rest is test. Drawn from a hash of the id. */
  train: number;
  val: number;
}

export interface SimConfig {
  seed: number;
  image: ImageConfig;
  spectrum: SpectrumConfig;
  fractions: ClassFractions;
  bgs: BgsConfig;
  lrg: LrgConfig;
  qso: QsoConfig;
  star: StarConfig;
  quenching: QuenchingConfig;
  rates: RareRates;
  morphology: MorphologyConfig;
  footprint: FootprintConfig;
  split: SplitConfig;
}

export const DEFAULT_SIM_CONFIG: SimConfig = {
  seed: 0,
  image: {
    size: 96,
    pixelScale: 0.262,
    psfSigmaPx: {
      g: { shape: 0.211, loc: 1.081, scale: 1.315 },
      r: { shape: 0.301, loc: 1.239, scale: 0.916 },
      z: { shape: 0.347, loc: 1.193, scale: 0.823 },
    },
    noiseNmgy: {
      g: { shape: 0.2265, loc: -0.00067, scale: 0.00376 },
      r: { shape: 0.2431, loc: -0.00237, scale: 0.00674 },
      z: { shape: 0.1335, loc: -0.01434, scale: 0.02608 },
    },
    skyMagPerArcsec2: { g: 22.0, r: 21.0, z: 18.5 },
    neighbours: {
      enabled: true,
      galaxyCountsAt22_5: 2e4,
      galaxyCountSlope: 0.33,
      magRange: [16, 24.5],
      starsPerArcmin2: 0.5,
    },
  },
  spectrum: {
    sigmaBright: 0.5,
    darkToBrightNoise: Math.sqrt(180 / 1000),
    shotNoiseFlux: 5,
    conditionScatterDex: 0.1,
    fibreDiameterArcsec: 1.5,
  },
  fractions: { qso: 0.007, star: 0.006, lrg: 0.15 },
  bgs: { zMin: 0.05, zMax: 0.4, z0: 0.145, alpha: 1.5, rLimit: 20.175, brightLimit: 19.5 },
  lrg: { zMin: 0.4, zMax: 1.1, zMean: 0.75, zSigma: 0.2, zMagLimit: 20.4 },
  qso: { zMin: 0.3, zMax: 3.2, zMean: 1.4, zSigma: 0.7, rMin: 17.5, rMax: 20.5 },
  star: {
    rMin: 15.5,
    rMax: 20.0,
    typeWeights: { starOB: 0.01, starA: 0.04, starF: 0.2, starG: 0.3, starK: 0.25, starM1: 0.15, starM5: 0.05 },
  },
  quenching: {
    midpoint0: 10.3,
    dMidpointDz: 0.6,
    width: 0.3,
    logSsfrMean: -12.0,
    logSsfrSigma: 0.35,
    passiveTemplateLogSsfr: -12.0,
  },
  rates: {
    lensPerMassiveElliptical: 5e-4,
    merger: 0.02,
    tidal: 0.12,
    tidalMajorShare: 0.25,
    postStarburst: 0.001,
    artifact: 0.003,
  },
  morphology: { lenticularFraction: 0.25, spiralArmFraction: 0.7, strongBarFraction: 0.12, weakBarFraction: 0.2 },
  /** A northern-sky patch in the DESI/Legacy footprint, away from the Galactic plane. */
  footprint: { raMin: 150, raMax: 250, decMin: -5, decMax: 35 },
  split: { train: 0.8, val: 0.1 },
};

/** A config with every field optional, at every depth. */
export type SimConfigInput = {
  [K in keyof SimConfig]?: SimConfig[K] extends object ? DeepPartial<SimConfig[K]> : SimConfig[K];
};
type DeepPartial<T> = { [K in keyof T]?: T[K] extends readonly unknown[] ? T[K] : T[K] extends object ? DeepPartial<T[K]> : T[K] };

function merge<T>(base: T, patch: unknown, path: string): T {
  if (patch === undefined) return structuredClone(base);
  if (base === null || typeof base !== 'object' || Array.isArray(base)) return patch as T;
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) {
    throw badInput(`sim config: ${path || 'root'} must be an object`);
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(patch)) {
    if (!(key in (base as object))) throw badInput(`sim config: unknown field ${path ? `${path}.` : ''}${key}`);
  }
  for (const [key, value] of Object.entries(base as object)) {
    out[key] = merge(value, (patch as Record<string, unknown>)[key], path ? `${path}.${key}` : key);
  }
  return out as T;
}

function check(ok: boolean, message: string): void {
  if (!ok) throw badInput(`sim config: ${message}`);
}

const isFrac = (x: number) => Number.isFinite(x) && x >= 0 && x <= 1;

/** Fills a partial config from the defaults and checks every range that matters. */
export function resolveSimConfig(input: SimConfigInput = {}): SimConfig {
  const c = merge(DEFAULT_SIM_CONFIG, input, '');
  check(Number.isSafeInteger(c.seed) && c.seed >= 0, `seed must be a non-negative integer, got ${c.seed}`);
  check(Number.isInteger(c.image.size) && c.image.size >= 16 && c.image.size <= 1024, 'image.size must be an integer in [16, 1024]');
  check(c.image.pixelScale > 0, 'image.pixelScale must be > 0');
  check(isFrac(c.fractions.qso) && isFrac(c.fractions.star) && c.fractions.qso + c.fractions.star <= 1, 'fractions.qso + fractions.star must be within [0, 1]');
  check(isFrac(c.fractions.lrg), 'fractions.lrg must be within [0, 1]');
  for (const [k, v] of Object.entries(c.rates)) check(isFrac(v), `rates.${k} must be within [0, 1]`);
  for (const [k, v] of Object.entries(c.morphology)) check(isFrac(v), `morphology.${k} must be within [0, 1]`);
  check(c.morphology.strongBarFraction + c.morphology.weakBarFraction <= 1, 'bar fractions must sum to <= 1');
  check(isFrac(c.split.train) && isFrac(c.split.val) && c.split.train + c.split.val <= 1, 'split.train + split.val must be within [0, 1]');
  check(c.bgs.zMin > 0 && c.bgs.zMax > c.bgs.zMin, 'bgs redshift range is empty');
  check(c.lrg.zMin > 0 && c.lrg.zMax > c.lrg.zMin, 'lrg redshift range is empty');
  check(c.qso.zMin > 0 && c.qso.zMax > c.qso.zMin && c.qso.zMax <= 3.5, 'qso redshift range must lie in (0, 3.5]');
  check(c.lrg.zMax <= 1.6 && c.bgs.zMax <= 1.6, 'galaxy redshifts above 1.6 are outside the templates');
  check(c.quenching.logSsfrMean < -11, 'quenching.logSsfrMean must be below -11 (the quenched threshold)');
  check(c.spectrum.sigmaBright > 0 && c.spectrum.darkToBrightNoise > 0, 'spectrum noise must be > 0');
  const fp = c.footprint;
  check(fp.raMin < fp.raMax && fp.raMin >= 0 && fp.raMax <= 360, 'footprint RA range must lie in [0, 360]');
  check(fp.decMin < fp.decMax && fp.decMin >= -90 && fp.decMax <= 90, 'footprint Dec range must lie in [-90, 90]');
  const weights = Object.values(c.star.typeWeights);
  check(weights.every((w) => w >= 0) && weights.some((w) => w > 0), 'star.typeWeights need a positive weight');
  return c;
}
