/**
 * The catalogue row of one mock object: its true physical parameters, true fluxes, morphology in
 * Galaxy Zoo DECaLS terms, rare-class flags, observing conditions and split. Flat and CSV-friendly;
 * catalog-columns.ts documents every field. null means "not applicable" (e.g. stellar mass of a star).
 */
import type { GzAnswers } from './morphology.js';
import type { ObjectClass, ObjectParams, Sample } from './population.js';
import { splitOf } from './population.js';
import type { SplitConfig } from './config.js';
import { nanomaggiesToMag } from './units.js';

export type Split = 'train' | 'val' | 'test';

export interface ObjectLabels {
  id: string;
  index: number;
  ra: number;
  dec: number;
  class: ObjectClass;
  sample: Sample;
  z: number;
  logmstar: number | null;
  logssfr: number | null;
  sfr: number | null;
  quenched: boolean | null;
  zmw: number | null;
  tage: number | null;
  mag_g: number;
  mag_r: number;
  mag_z: number;
  flux_g: number;
  flux_r: number;
  flux_z: number;
  abs_mag_r: number | null;
  rest_gr: number | null;
  logml_r: number | null;
  dn4000: number | null;
  ha_flux: number | null;
  templates: string;
  template_position: number | null;
  morph_type: string;
  bt: number | null;
  sersic_n: number | null;
  re_arcsec: number | null;
  re_kpc: number | null;
  axis_ratio: number | null;
  pa_deg: number | null;
  has_arms: boolean;
  arm_count: number | null;
  arm_pitch_deg: number | null;
  bar: 'strong' | 'weak' | 'none';
  gz_smooth_or_featured: GzAnswers['smoothOrFeatured'];
  gz_disk_edge_on: GzAnswers['diskEdgeOn'];
  gz_has_spiral_arms: GzAnswers['hasSpiralArms'];
  gz_bar: GzAnswers['bar'];
  gz_bulge_size: GzAnswers['bulgeSize'];
  gz_how_rounded: GzAnswers['howRounded'];
  gz_edge_on_bulge: GzAnswers['edgeOnBulge'];
  gz_spiral_winding: GzAnswers['spiralWinding'];
  gz_spiral_arm_count: GzAnswers['spiralArmCount'];
  gz_merging: GzAnswers['merging'];
  is_lens: boolean;
  lens_theta_e: number | null;
  lens_source_z: number | null;
  lens_magnification: number | null;
  is_merger: boolean;
  merger_kind: 'major' | 'minor' | 'none';
  merger_mass_ratio: number | null;
  tidal: 'shells' | 'stream' | 'none';
  tidal_strength: 'minor' | 'major' | 'none';
  is_post_starburst: boolean;
  artifact: 'satellite-trail' | 'none';
  psf_fwhm_g: number;
  psf_fwhm_r: number;
  psf_fwhm_z: number;
  noise_g: number;
  noise_r: number;
  noise_z: number;
  n_neighbours: number;
  spec_program: 'bright' | 'dark';
  fibre_fraction: number;
  spec_snr_r: number;
  spec_snr_z: number;
  spec_masked_fraction: number;
  split: Split;
  image_path: string;
  spectrum_path: string;
  shard: string;
  shard_index: number;
}

/** What the renderer measured, needed for the labels. */
export interface RenderFacts {
  /** System g, r, z fluxes (nanomaggies), all components, magnified where lensed. */
  flux: [number, number, number];
  gz: GzAnswers;
  kpcPerArcsec: number;
  lensMagnification: number | null;
  nNeighbours: number;
  fibreFraction: number;
  snrMedianR: number;
  snrMedianZ: number;
  maskedFraction: number;
}

/** Where the writer puts an object's files, relative to the output folder. */
export function objectPaths(id: string): { imagePath: string; spectrumPath: string } {
  return { imagePath: `images/${id}.fits`, spectrumPath: `spectra/${id}.fits` };
}

const FWHM_PER_SIGMA = 2 * Math.sqrt(2 * Math.LN2);

/** The structure component that dominates the light (bulge if B/T >= 0.5). */
function mainComponent(p: ObjectParams) {
  const s = p.galaxy?.structure;
  if (!s) return null;
  return s.bt >= 0.5 || !s.disk ? s.bulge : s.disk;
}

/** Catalogue row of an object; shard fields stay '' / -1 until a writer places it in a shard. */
export function buildLabels(p: ObjectParams, facts: RenderFacts, pixelScale: number, split: SplitConfig): ObjectLabels {
  const paths = objectPaths(p.id);
  const g = p.galaxy;
  const ph = g?.physics;
  const s = g?.structure;
  const main = mainComponent(p);
  const psf = p.conditions.psfSigmaPx.map((v) => v * FWHM_PER_SIGMA * pixelScale);
  const gz = facts.gz;
  const mag = (b: 0 | 1 | 2) => nanomaggiesToMag(facts.flux[b]);
  const templates = (ph?.sed.mix ?? p.point?.sed.mix ?? [])
    .filter((m) => m.weight > 0)
    .map((m) => `${m.id}:${m.weight.toFixed(3)}`)
    .join('+');
  return {
    id: p.id,
    index: p.index,
    ra: p.ra,
    dec: p.dec,
    class: p.cls,
    sample: p.sample,
    z: p.z,
    logmstar: ph ? ph.logMstar : null,
    logssfr: ph ? ph.logSsfr : null,
    sfr: ph ? ph.sfr : null,
    quenched: ph ? ph.quenched : null,
    zmw: ph ? ph.zmw : null,
    tage: ph ? ph.tage : null,
    mag_g: mag(0),
    mag_r: mag(1),
    mag_z: mag(2),
    flux_g: facts.flux[0],
    flux_r: facts.flux[1],
    flux_z: facts.flux[2],
    abs_mag_r: ph ? ph.absMagR : null,
    rest_gr: ph ? ph.restGminusR : null,
    logml_r: ph ? ph.logMassToLightR : null,
    dn4000: ph ? ph.dn4000 : null,
    ha_flux: ph ? ph.haFlux : null,
    templates,
    template_position: ph && Number.isFinite(ph.templatePosition) ? ph.templatePosition : null,
    morph_type: s ? s.type : 'point',
    bt: s ? s.bt : null,
    sersic_n: main ? main.n : null,
    re_arcsec: main ? main.reKpc / facts.kpcPerArcsec : null,
    re_kpc: main ? main.reKpc : null,
    axis_ratio: main ? main.q : null,
    pa_deg: s ? s.paDeg : null,
    has_arms: !!s?.arms,
    arm_count: s?.arms ? s.arms.count : null,
    arm_pitch_deg: s?.arms ? s.arms.pitchDeg : null,
    bar: s?.bar ? s.bar.strength : 'none',
    gz_smooth_or_featured: gz.smoothOrFeatured,
    gz_disk_edge_on: gz.diskEdgeOn,
    gz_has_spiral_arms: gz.hasSpiralArms,
    gz_bar: gz.bar,
    gz_bulge_size: gz.bulgeSize,
    gz_how_rounded: gz.howRounded,
    gz_edge_on_bulge: gz.edgeOnBulge,
    gz_spiral_winding: gz.spiralWinding,
    gz_spiral_arm_count: gz.spiralArmCount,
    gz_merging: gz.merging,
    is_lens: !!p.lens,
    lens_theta_e: p.lens ? p.lens.thetaEArcsec : null,
    lens_source_z: p.lens ? p.lens.source.z : null,
    lens_magnification: facts.lensMagnification,
    is_merger: !!p.merger,
    merger_kind: p.merger ? p.merger.kind : 'none',
    merger_mass_ratio: p.merger ? p.merger.massRatio : null,
    tidal: p.tidal ? p.tidal.kind : 'none',
    tidal_strength: p.tidal ? p.tidal.strength : 'none',
    is_post_starburst: p.postStarburst,
    artifact: p.artifact ? p.artifact.kind : 'none',
    psf_fwhm_g: psf[0],
    psf_fwhm_r: psf[1],
    psf_fwhm_z: psf[2],
    noise_g: p.conditions.noiseNmgy[0],
    noise_r: p.conditions.noiseNmgy[1],
    noise_z: p.conditions.noiseNmgy[2],
    n_neighbours: facts.nNeighbours,
    spec_program: p.conditions.program,
    fibre_fraction: facts.fibreFraction,
    spec_snr_r: facts.snrMedianR,
    spec_snr_z: facts.snrMedianZ,
    spec_masked_fraction: facts.maskedFraction,
    split: splitOf(p.id, split),
    image_path: paths.imagePath,
    spectrum_path: paths.spectrumPath,
    shard: '',
    shard_index: -1,
  };
}
