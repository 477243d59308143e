/**
 * The raw-spectrum baseline: each object's spectrum on the model's input grid (the same
 * prepared flux the spectrum encoder reads), standardized per object as the tokenizer does
 * ((x - mean) / std, so only the shape remains) and averaged in bins of `bin` pixels. It is no
 * learned representation at all; on the spectrum side it plays the part photometry plays on the
 * image side, and its k-NN shows how much of a target the spectra themselves hold at the
 * reference pool's size (the ceiling an encoder of spectra should approach).
 *
 *   const set = spectrumPixelFeatureSet(refDs, heldDs, 16);   // [n, floor(1946 / 16)] = [n, 121]
 */
import type { SurveyDataset } from '../data/dataset.js';
import { matrix, type Matrix } from '../heads/index.js';
import { badInput } from '../util/errors.js';
import { ProgressBar } from '../util/progress.js';
import type { FeatureSet } from './features.js';

/** Default pixels per bin: 1946 contract pixels of 3.2 A -> 121 values of 51 A. */
export const DEFAULT_SPECTRUM_PIXEL_BIN = 16;

/** One prepared spectrum [L] -> [floor(L / bin)] bin means of the per-object standardized flux. */
export function binnedStandardizedSpectrum(flux: ArrayLike<number>, bin: number): Float64Array {
  if (!(Number.isInteger(bin) && bin >= 1 && bin <= flux.length)) throw badInput(`spectrum pixel bin must be an integer in [1, ${flux.length}], got ${bin}`);
  const n = flux.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += flux[i];
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (flux[i] - mean) ** 2;
  const std = Math.sqrt(ss / Math.max(n - 1, 1)) || 1; // a flat spectrum keeps its zeros
  const out = new Float64Array(Math.floor(n / bin));
  for (let b = 0; b < out.length; b++) {
    let sum = 0;
    for (let j = 0; j < bin; j++) sum += flux[b * bin + j];
    out[b] = (sum / bin - mean) / std;
  }
  return out;
}

/** [n, floor(L / bin)] binned standardized spectra of every item of a dataset. */
export function datasetSpectrumPixels(dataset: SurveyDataset, bin = DEFAULT_SPECTRUM_PIXEL_BIN, progress = true): Matrix {
  const d = Math.floor(dataset.contract.spectrum.grid.length / bin);
  const out = new Float64Array(dataset.size * d);
  const bar = new ProgressBar(`spectrum pixels ${dataset.survey.dir}`, dataset.size, { unit: 'objects', enabled: progress });
  for (let i = 0; i < dataset.size; i++) {
    out.set(binnedStandardizedSpectrum(dataset.spectrum(i).flux, bin), i * d);
    if (i % 256 === 0) bar.update(i);
  }
  bar.finish();
  return matrix(out, d);
}

export function spectrumPixelFeatureSet(reference: SurveyDataset, heldout: SurveyDataset, bin = DEFAULT_SPECTRUM_PIXEL_BIN, progress = true): FeatureSet {
  return {
    name: 'spectrum-pixels',
    family: 'pixels',
    modality: 'spectrum',
    reference: datasetSpectrumPixels(reference, bin, progress),
    heldout: datasetSpectrumPixels(heldout, bin, progress),
  };
}
