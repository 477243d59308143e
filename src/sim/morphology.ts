/**
 * Galaxy Zoo DECaLS (GZD-5, Walmsley+22) answers for a mock object: what a volunteer would most
 * likely answer looking at the cutout. The truth of the structure (is there a bar?) is turned into
 * the answer through what DECaLS resolution lets one see (a bar shorter than the PSF reads as "no"),
 * and questions that the decision tree does not reach are left empty, as in GZD-5 catalogues.
 * Answer strings follow the GZD-5 schema (e.g. smooth-or-featured: featured-or-disk).
 */
import type { ObjectParams } from './population.js';

export type SmoothOrFeatured = 'smooth' | 'featured-or-disk' | 'artifact';
export type YesNo = 'yes' | 'no';
export type BarAnswer = 'strong' | 'weak' | 'no';
export type BulgeSize = 'dominant' | 'large' | 'moderate' | 'small' | 'none';
export type HowRounded = 'round' | 'in-between' | 'cigar-shaped';
export type EdgeOnBulge = 'boxy' | 'none' | 'rounded';
export type SpiralWinding = 'tight' | 'medium' | 'loose';
export type SpiralArmCount = '1' | '2' | '3' | '4' | 'more-than-4' | 'cant-tell';
export type Merging = 'none' | 'minor-disturbance' | 'major-disturbance' | 'merger';

/** One answer per GZD-5 question; '' where the decision tree does not ask it. */
export interface GzAnswers {
  smoothOrFeatured: SmoothOrFeatured;
  diskEdgeOn: YesNo | '';
  hasSpiralArms: YesNo | '';
  bar: BarAnswer | '';
  bulgeSize: BulgeSize | '';
  howRounded: HowRounded | '';
  edgeOnBulge: EdgeOnBulge | '';
  spiralWinding: SpiralWinding | '';
  spiralArmCount: SpiralArmCount | '';
  merging: Merging;
}

/** Visibility thresholds, in units of the r-band PSF FWHM. */
export const GZ_VISIBILITY = {
  /** A disc is recognisable when its half-light radius is at least this. */
  diskRe: 1.0,
  /** Spiral arms need a larger disc. */
  armsRe: 1.5,
  /** A bar is seen when its half-length is at least this. */
  barLength: 0.8,
  /** Discs carrying less light than this read as smooth. */
  minDiskLight: 0.35,
  /** Projected axis ratio below which a disc is edge-on. */
  edgeOnQ: 0.3,
} as const;

export interface AngularScales {
  /** kpc per arcsec at the object's redshift. */
  kpcPerArcsec: number;
  /** r-band PSF FWHM, arcsec. */
  psfFwhmArcsec: number;
}

export function bulgeSizeAnswer(bt: number): BulgeSize {
  if (bt < 0.05) return 'none';
  if (bt < 0.15) return 'small';
  if (bt < 0.35) return 'moderate';
  if (bt < 0.6) return 'large';
  return 'dominant';
}

export function roundedAnswer(q: number): HowRounded {
  if (q > 0.7) return 'round';
  if (q > 0.4) return 'in-between';
  return 'cigar-shaped';
}

export function windingAnswer(pitchDeg: number): SpiralWinding {
  if (pitchDeg < 15) return 'tight';
  if (pitchDeg < 25) return 'medium';
  return 'loose';
}

export function gzAnswers(p: ObjectParams, scales: AngularScales): GzAnswers {
  const none: GzAnswers = {
    smoothOrFeatured: 'smooth',
    diskEdgeOn: '',
    hasSpiralArms: '',
    bar: '',
    bulgeSize: '',
    howRounded: '',
    edgeOnBulge: '',
    spiralWinding: '',
    spiralArmCount: '',
    merging: p.merger ? 'merger' : p.tidal ? (p.tidal.strength === 'major' ? 'major-disturbance' : 'minor-disturbance') : 'none',
  };
  if (p.cls === 'STAR' || p.artifact) return { ...none, smoothOrFeatured: 'artifact' };
  if (!p.galaxy) return { ...none, howRounded: 'round' };
  const s = p.galaxy.structure;
  const fwhm = scales.psfFwhmArcsec;
  const arcsec = (kpc: number) => kpc / scales.kpcPerArcsec;
  const disk = s.disk;
  const diskVisible = !!disk && 1 - s.bt >= GZ_VISIBILITY.minDiskLight && arcsec(disk.reKpc) >= GZ_VISIBILITY.diskRe * fwhm;
  if (!diskVisible) {
    const q = s.bt >= 0.5 || !disk ? (s.bulge as { q: number }).q : disk.q;
    return { ...none, howRounded: roundedAnswer(q) };
  }
  const featured: GzAnswers = { ...none, smoothOrFeatured: 'featured-or-disk' };
  if (disk.q < GZ_VISIBILITY.edgeOnQ) {
    return { ...featured, diskEdgeOn: 'yes', edgeOnBulge: s.bt < 0.1 ? 'none' : s.bar ? 'boxy' : 'rounded' };
  }
  const barSeen = !!s.bar && arcsec(s.bar.lengthKpc) >= GZ_VISIBILITY.barLength * fwhm;
  const armsSeen = !!s.arms && arcsec(disk.reKpc) >= GZ_VISIBILITY.armsRe * fwhm;
  const arms = s.arms;
  return {
    ...featured,
    diskEdgeOn: 'no',
    bar: barSeen && s.bar ? s.bar.strength : 'no',
    hasSpiralArms: armsSeen ? 'yes' : 'no',
    spiralWinding: armsSeen && arms ? windingAnswer(arms.pitchDeg) : '',
    spiralArmCount: armsSeen && arms ? (arms.count > 4 ? 'more-than-4' : (String(arms.count) as SpiralArmCount)) : '',
    bulgeSize: bulgeSizeAnswer(s.bt),
  };
}
