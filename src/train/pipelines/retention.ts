/**
 * The frozen spectrum tokens' principal axes, fitted once per alignment and used twice:
 * - as the spectrum head's principal-axis readout (nn/layers/principal-readout.ts), which reads
 *   the whole sequence through them;
 * - as the targets of the spectrum-retention term (tasks/align.ts): each object's coordinates on
 *   the axes.
 * The axes are the P leading principal axes of the flattened sequences ([T * D]) of the training
 * split, each scaled by 1/sqrt(its variance), so the coordinates are whitened (unit variance per
 * axis) and every axis counts alike, as in the label-free readout that shows what the tokens hold
 * (scripts/backbone-knn.ts --segments T --pca P). Deterministic in the seed.
 *
 *   const t = spectrumAxes(train.spectrum, val.spectrum, 20, 1);
 *   t.train;  // Float32Array [nTrain * 20], whitened coordinates
 *   t.axes;   // Float32Array [T*D * 20], so that t.train = (tokens - t.center) @ t.axes
 *
 * The fit takes minutes on the tiny survey (a 9,312-wide PCA of ~16k objects), so
 * `cachedSpectrumAxes` keeps it beside the token features it came from
 * (`<cacheDir>/spectrum-axes-<train key>-<val key>-p<P>-s<seed>/`), and a resumed or repeated run
 * reads it back.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PrincipalAxes } from '../../heads/pca.js';
import type { Matrix } from '../../heads/matrix.js';
import { SkyclipError } from '../../util/errors.js';
import { readFloats, writeCacheEntry, type TokenBlock, type TokenFeatures } from './feature-cache.js';

export interface SpectrumAxes {
  /** P. */
  count: number;
  /** Column means of the flattened training sequences, [T*D]. */
  center: Float32Array;
  /** Whitened axes as the columns of a row-major [T*D, P]. */
  axes: Float32Array;
  /** Whitened coordinates of the training objects, [nTrain * P] row-major. */
  train: Float32Array;
  /** Of the validation objects, on the same axes, [nVal * P]. */
  val: Float32Array;
  /** Variance of each axis before whitening (descending). */
  variances: number[];
}

function flattened(block: TokenBlock): Matrix {
  const cols = block.tokens * block.width;
  return { data: block.data, rows: block.data.length / cols, cols };
}

export function spectrumAxes(train: TokenBlock, val: TokenBlock, count: number, seed: number): SpectrumAxes {
  const x = flattened(train);
  if (!Number.isInteger(count) || count < 1 || count >= x.rows) {
    throw new SkyclipError('BAD_INPUT', `spectrum principal axes must be an integer in 1..${x.rows - 1} (fewer than the ${x.rows} training objects), got ${count}`);
  }
  const pca = PrincipalAxes.fit(x, count, { seed });
  const scale = Array.from(pca.variances, (v) => 1 / Math.sqrt(Math.max(v, 1e-12)));
  const whiten = (m: Matrix): Float32Array => {
    const p = pca.project(m);
    return Float32Array.from(p.data, (v, i) => v * scale[i % count]);
  };
  return {
    count,
    center: Float32Array.from(pca.mean),
    axes: Float32Array.from(pca.axes, (v, i) => v * scale[i % count]),
    train: whiten(x),
    val: whiten(flattened(val)),
    variances: Array.from(pca.variances),
  };
}

/** `spectrumAxes` of the spectrum tokens, read from `cacheDir` when an earlier run fitted them. */
export async function cachedSpectrumAxes(
  cacheDir: string,
  train: TokenFeatures,
  val: TokenFeatures,
  count: number,
  seed: number,
): Promise<{ fitted: SpectrumAxes; fromCache: boolean }> {
  const key = `spectrum-axes-${train.key}-${val.key}-p${count}-s${seed}`;
  const dir = join(cacheDir, key);
  const d = train.spectrum.tokens * train.spectrum.width;
  if (existsSync(join(dir, 'meta.json'))) {
    const meta = JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8')) as { variances: number[] };
    const fitted = {
      count,
      center: await readFloats(join(dir, 'center.f32'), d),
      axes: await readFloats(join(dir, 'axes.f32'), d * count),
      train: await readFloats(join(dir, 'train.f32'), train.count * count),
      val: await readFloats(join(dir, 'val.f32'), val.count * count),
      variances: meta.variances,
    };
    return { fitted, fromCache: true };
  }
  const fitted = spectrumAxes(train.spectrum, val.spectrum, count, seed);
  const meta = { key, axes: count, seed, train: train.key, val: val.key, variances: fitted.variances, dtype: 'float32', byteOrder: 'little' };
  await writeCacheEntry(cacheDir, key, {
    'center.f32': fitted.center,
    'axes.f32': fitted.axes,
    'train.f32': fitted.train,
    'val.f32': fitted.val,
    'meta.json': `${JSON.stringify(meta, null, 2)}\n`,
  });
  return { fitted, fromCache: false };
}
