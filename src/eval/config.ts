/**
 * The evaluation protocol as typed data, with its documented defaults and the `--quick` variant
 * (small everything, for smoke runs and tests). Every choice that changes a reported number is
 * here, and report.json carries the settings it ran with.
 */
import { DEFAULT_K_GRID, DEFAULT_L2_GRID } from '../heads/index.js';
import { badInput } from '../util/errors.js';
import { DEFAULT_APERTURES, type ApertureConfig } from './photometry.js';
import { DEFAULT_SPECTRUM_PIXEL_BIN } from './spectrum-pixels.js';

export interface EvalSettings {
  /** Objects of the reference (labelled) survey used, first N in catalogue order (default 10,000). */
  nReference: number;
  /** Objects of the held-out survey scored, first N in catalogue order (default: all). */
  nHeldout?: number;
  /** Retrieval candidates per group (default 1,000, capped by the held-out size). */
  candidates: number;
  /** Labelled objects the few-shot heads see (default 100, drawn from the fit split). */
  fewShotLabels: number;
  /** Hidden widths of the few-shot MLP (default [32], AstroCLIP's smaller head). */
  fewShotHidden: number[];
  /** Independent draws of the few labels (and MLP seeds); few-shot scores are their mean, with the sd (default 5). */
  fewShotDraws: number;
  /** Fewest examples of every class for the few-shot MLP classifier; below it the prototype head is used (default 5). */
  fewShotMinPerClass: number;
  /** Most epochs of the few-shot MLP (default 300; early stopping on 20 % of the few labels). */
  mlpEpochs: number;
  /** Label counts of the label-efficiency curve (default 10 ... 10,000; capped by the fit split). */
  labelCurve: number[];
  /** k of the curve's k-NN (default 16; hyperparameters there use only the N labels). */
  curveK: number;
  /** Candidates for k, chosen by PIT flatness (regression) or log loss (classes) on the val split. */
  kGrid: number[];
  /** Penalties of the softmax probe, chosen by validation log loss. */
  l2Grid: number[];
  /** Seed of the randomly initialised baseline encoder (default 12345). */
  randomEncoderSeed: number;
  /** Seed of the few-shot draws and splits (default 0). */
  seed: number;
  /** Objects per forward pass when embedding (default 64). */
  batchSize: number;
  /** Photometry apertures. */
  apertures: ApertureConfig;
  /** Contract pixels per bin of the raw-spectrum baseline (default 16: 121 values of 51 A). */
  spectrumPixelBin: number;
}

export const DEFAULT_EVAL_SETTINGS: Readonly<EvalSettings> = Object.freeze({
  nReference: 10_000,
  nHeldout: undefined,
  candidates: 1000,
  fewShotLabels: 100,
  fewShotHidden: [32],
  fewShotDraws: 5,
  fewShotMinPerClass: 5,
  mlpEpochs: 300,
  labelCurve: [10, 30, 100, 300, 1000, 3000, 10_000],
  curveK: 16,
  kGrid: [...DEFAULT_K_GRID],
  l2Grid: [...DEFAULT_L2_GRID],
  randomEncoderSeed: 12_345,
  seed: 0,
  batchSize: 64,
  apertures: { ...DEFAULT_APERTURES },
  spectrumPixelBin: DEFAULT_SPECTRUM_PIXEL_BIN,
});

/** `--quick`: at most 500 objects per survey, short grids and curves, fewer MLP epochs and few-shot draws. */
export const QUICK_EVAL_SETTINGS: Readonly<Partial<EvalSettings>> = Object.freeze({
  nReference: 500,
  nHeldout: 500,
  mlpEpochs: 100,
  fewShotDraws: 2,
  labelCurve: [10, 30, 100, 300],
  kGrid: [4, 8, 16, 32],
  l2Grid: [1e-3, 1e-1],
});

/** Defaults, then --quick's, then the caller's explicit values; checked. */
export function resolveSettings(quick: boolean, overrides: Partial<EvalSettings> = {}): EvalSettings {
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) as Partial<EvalSettings>;
  const s: EvalSettings = { ...DEFAULT_EVAL_SETTINGS, ...(quick ? QUICK_EVAL_SETTINGS : {}), ...defined };
  const positive = (v: number, name: string) => {
    if (!(Number.isInteger(v) && v > 0)) throw badInput(`eval: ${name} must be a positive integer, got ${v}`);
  };
  positive(s.nReference, 'nReference');
  if (s.nHeldout !== undefined) positive(s.nHeldout, 'nHeldout');
  positive(s.candidates, 'candidates');
  positive(s.fewShotLabels, 'fewShotLabels');
  positive(s.fewShotDraws, 'fewShotDraws');
  positive(s.mlpEpochs, 'mlpEpochs');
  positive(s.curveK, 'curveK');
  positive(s.batchSize, 'batchSize');
  s.labelCurve.forEach((n) => positive(n, 'labelCurve entry'));
  s.kGrid.forEach((k) => positive(k, 'kGrid entry'));
  if (s.labelCurve.length === 0 || s.kGrid.length === 0 || s.l2Grid.length === 0) throw badInput('eval: grids and the label curve must not be empty');
  return s;
}
