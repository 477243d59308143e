/**
 * The targets the evaluation is held to on the mock survey, checked by the report itself from
 * the numbers it computed (never typed in):
 * - zero-shot k-NN redshift from image embeddings at least as good as the supervised image
 *   encoder, and clearly better than photometry (AstroCLIP: 0.79 vs 0.77 vs 0.68);
 * - redshift from spectrum embeddings with R^2 >= 0.99;
 * - 68 % intervals covering 63-73 % of the held-out objects.
 * "Clearly better" is made testable: the paired bootstrap 95 % interval of the R^2 difference
 * (same held-out galaxies resampled for both predictors) must lie above zero. R^2 is over the
 * galaxies, as the headline table's.
 *
 *   const d = pairedBootstrapR2Difference(truth, knnImage, photometry, { samples: 1000, seed: 0 });
 *   d.difference; d.lower; d.upper;   // point estimate and 95 % interval of R2(a) - R2(b)
 */
import type { NumericLabel, RegressionPrediction } from '../heads/index.js';
import { Rng } from '../util/random.js';
import { badInput } from '../util/errors.js';
import { isSkipped, METHOD_LABELS, METHODS, type RegressionSummary } from './probe.js';
import type { TargetEntry } from './report.js';

export interface R2Difference {
  /** R^2(a) - R^2(b) on every labelled object. */
  difference: number;
  /** Central interval of the bootstrap differences at `level`. */
  lower: number;
  upper: number;
  level: number;
  samples: number;
  /** Labelled objects resampled. */
  count: number;
}

/** R^2 of predictions on the rows `rows` (indices into the labelled arrays, repeats allowed). */
function r2On(y: Float64Array, p: ArrayLike<number>, rows: Int32Array): number {
  let mean = 0;
  for (const i of rows) mean += y[i];
  mean /= rows.length;
  let ssTot = 0;
  let ssRes = 0;
  for (const i of rows) {
    ssTot += (y[i] - mean) ** 2;
    ssRes += (y[i] - p[i]) ** 2;
  }
  return ssTot > 0 ? 1 - ssRes / ssTot : Number.NaN;
}

/**
 * Paired bootstrap of R^2(a) - R^2(b): the labelled objects are resampled with replacement
 * `samples` times and both predictors are scored on each resample, so the interval reflects how
 * much the difference depends on which objects happened to be held out.
 */
export function pairedBootstrapR2Difference(
  truth: ArrayLike<NumericLabel>,
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  options: { samples?: number; seed?: number; level?: number } = {},
): R2Difference {
  if (a.length !== truth.length || b.length !== truth.length) throw badInput(`bootstrap: ${truth.length} truths but ${a.length} and ${b.length} predictions`);
  const samples = options.samples ?? 1000;
  const level = options.level ?? 0.95;
  const keep: number[] = [];
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i];
    if (t !== null && t !== undefined && Number.isFinite(t) && Number.isFinite(a[i]) && Number.isFinite(b[i])) keep.push(i);
  }
  if (keep.length < 2) throw badInput(`bootstrap: ${keep.length} labelled objects; need at least 2`);
  const y = Float64Array.from(keep, (i) => truth[i] as number);
  const pa = Float64Array.from(keep, (i) => a[i]);
  const pb = Float64Array.from(keep, (i) => b[i]);
  const all = Int32Array.from(keep, (_, k) => k);
  const rng = new Rng(options.seed ?? 0);
  const rows = new Int32Array(keep.length);
  const diffs = new Float64Array(samples);
  for (let s = 0; s < samples; s++) {
    for (let k = 0; k < rows.length; k++) rows[k] = rng.int(rows.length);
    diffs[s] = r2On(y, pa, rows) - r2On(y, pb, rows);
  }
  diffs.sort();
  const at = (q: number) => diffs[Math.min(samples - 1, Math.max(0, Math.round(q * (samples - 1))))];
  return { difference: r2On(y, pa, all) - r2On(y, pb, all), lower: at((1 - level) / 2), upper: at((1 + level) / 2), level, samples, count: keep.length };
}

export interface GoalCheck {
  id: 'image-vs-supervised' | 'image-vs-photometry' | 'spectrum-redshift' | 'coverage68';
  /** What is asked, in words. */
  goal: string;
  /** What was measured, in words (numbers included). */
  measured: string;
  /** null when it could not be checked (e.g. no supervised baseline given). */
  met: boolean | null;
  /** The number the verdict rests on, and any interval. */
  value: number | null;
  interval?: [number, number];
}

export interface GoalInputs {
  /** Held-out redshift with non-galaxies set to null (the headline's sample). */
  zGalaxies: NumericLabel[];
  /** Point predictions on the held-out objects, keyed `${featureSet}/${method}`. */
  zPredictions: ReadonlyMap<string, RegressionPrediction>;
  /** The supervised image baseline's held-out redshift, when it was run. */
  supervisedImageZ?: ArrayLike<number>;
  targets: Record<string, TargetEntry>;
  /** Regression targets whose 68 % coverage is checked (columns of `targets`). */
  coverageTargets: readonly string[];
  seed: number;
  samples?: number;
}

/** The 68 % coverage band the intervals are held to. */
export const COVERAGE68_BAND: readonly [number, number] = [0.63, 0.73];
/** Redshift-from-spectra R^2 the spectrum embeddings are held to. */
export const SPECTRUM_Z_R2 = 0.99;

const fmt = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
const signed = (x: number) => `${x >= 0 ? '+' : ''}${fmt(x)}`;

export function checkGoals(input: GoalInputs): GoalCheck[] {
  const pred = (key: string) => input.zPredictions.get(key)?.point;
  const knnImage = pred('skyclip-image/knn');
  const photometry = pred('photometry/knn');
  const options = { samples: input.samples ?? 1000, seed: input.seed };
  const checks: GoalCheck[] = [];

  if (knnImage && input.supervisedImageZ) {
    const d = pairedBootstrapR2Difference(input.zGalaxies, knnImage, input.supervisedImageZ, options);
    checks.push({
      id: 'image-vs-supervised',
      goal: 'zero-shot k-NN redshift from image embeddings at least as good as the same image encoder trained supervised',
      measured: `R² difference (k-NN − supervised) ${signed(d.difference)}, 95 % bootstrap interval [${signed(d.lower)}, ${signed(d.upper)}] over ${d.count} galaxies`,
      met: d.difference >= 0,
      value: d.difference,
      interval: [d.lower, d.upper],
    });
  } else {
    checks.push({ id: 'image-vs-supervised', goal: 'zero-shot k-NN redshift from image embeddings at least as good as the supervised image encoder', measured: 'not checked: no supervised image baseline (--supervised)', met: null, value: null });
  }

  if (knnImage && photometry) {
    const d = pairedBootstrapR2Difference(input.zGalaxies, knnImage, photometry, options);
    checks.push({
      id: 'image-vs-photometry',
      goal: 'zero-shot k-NN redshift from image embeddings clearly better than photometry (k-NN on g, r, z magnitudes and colours): the 95 % bootstrap interval of the R² difference above zero',
      measured: `R² difference (image k-NN − photometry k-NN) ${signed(d.difference)}, 95 % bootstrap interval [${signed(d.lower)}, ${signed(d.upper)}] over ${d.count} galaxies`,
      met: d.lower > 0,
      value: d.difference,
      interval: [d.lower, d.upper],
    });
  }

  const spectrumZ = input.targets.z?.results['skyclip-spectrum'];
  if (spectrumZ) {
    const ran = METHODS.map((m) => [m, spectrumZ[m]] as const).filter(([, r]) => !isSkipped(r)) as [(typeof METHODS)[number], RegressionSummary][];
    const best = ran.reduce<[string, number] | undefined>((acc, [m, r]) => ((r.r2Galaxies ?? Number.NaN) > (acc?.[1] ?? -Infinity) ? [m, r.r2Galaxies as number] : acc), undefined);
    checks.push({
      id: 'spectrum-redshift',
      goal: `redshift from spectrum embeddings with R² ≥ ${SPECTRUM_Z_R2} (galaxies)`,
      measured: best ? `best: ${METHOD_LABELS[best[0] as (typeof METHODS)[number]]} R² ${fmt(best[1])}; ${ran.map(([m, r]) => `${METHOD_LABELS[m]} ${fmt(r.r2Galaxies ?? Number.NaN)}`).join(', ')}` : 'no method ran',
      met: best ? best[1] >= SPECTRUM_Z_R2 : null,
      value: best ? best[1] : null,
    });
  }

  const [lo, hi] = COVERAGE68_BAND;
  const outside: string[] = [];
  let checked = 0;
  for (const column of input.coverageTargets) {
    for (const [feature, byMethod] of Object.entries(input.targets[column]?.results ?? {})) {
      if (!feature.startsWith('skyclip-')) continue;
      for (const m of METHODS) {
        const r = byMethod[m];
        if (!r || isSkipped(r)) continue;
        const c = (r as RegressionSummary).coverage68;
        checked++;
        if (!(c >= lo && c <= hi)) outside.push(`${column} ${feature} ${m} ${(100 * c).toFixed(1)} %`);
      }
    }
  }
  checks.push({
    id: 'coverage68',
    goal: `68 % intervals of every skyclip regression head cover ${100 * lo}-${100 * hi} % of the held-out objects`,
    measured: outside.length === 0 ? `all ${checked} heads inside the band` : `${checked - outside.length} of ${checked} inside; outside: ${outside.join('; ')}`,
    met: checked > 0 ? outside.length === 0 : null,
    value: checked > 0 ? (checked - outside.length) / checked : null,
  });
  return checks;
}
