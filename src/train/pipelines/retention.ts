/**
 * Targets of the alignment's spectrum-retention term (tasks/align.ts): each object's coordinates
 * on the P leading principal axes of its frozen spectrum-token sequence (flattened, [T * D]),
 * fitted on the training split and whitened (unit variance per axis), so every axis counts alike
 * in the squared error, as in the label-free readout that shows what the tokens hold
 * (scripts/backbone-knn.ts --segments T --pca P). Deterministic in the seed, so a resumed run
 * recomputes the same targets.
 *
 *   const t = retentionTargets(train.spectrum, val.spectrum, 20, 1);
 *   t.train; // Float32Array [nTrain * 20]
 *
 * The fit takes minutes on the tiny survey (a 9,312-wide PCA of ~16k objects), so
 * `cachedRetentionTargets` keeps the targets beside the token features they came from
 * (`<cacheDir>/retention-<train key>-<val key>-p<P>-s<seed>/`), and a resumed or repeated run
 * reads them back.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PrincipalAxes } from '../../heads/pca.js';
import type { Matrix } from '../../heads/matrix.js';
import { SkyclipError } from '../../util/errors.js';
import { readFloats, writeCacheEntry, type TokenBlock, type TokenFeatures } from './feature-cache.js';

export interface RetentionTargets {
  axes: number;
  /** [nTrain * axes], row-major. */
  train: Float32Array;
  /** [nVal * axes], row-major. */
  val: Float32Array;
  /** Variance of each axis before whitening (descending). */
  variances: number[];
}

function flattened(block: TokenBlock): Matrix {
  const cols = block.tokens * block.width;
  return { data: block.data, rows: block.data.length / cols, cols };
}

export function retentionTargets(train: TokenBlock, val: TokenBlock, axes: number, seed: number): RetentionTargets {
  const x = flattened(train);
  if (!Number.isInteger(axes) || axes < 1 || axes >= x.rows) {
    throw new SkyclipError('BAD_INPUT', `retention axes must be an integer in 1..${x.rows - 1} (fewer than the ${x.rows} training objects), got ${axes}`);
  }
  const pca = PrincipalAxes.fit(x, axes, { seed });
  const scale = Array.from(pca.variances, (v) => 1 / Math.sqrt(Math.max(v, 1e-12)));
  const whiten = (m: Matrix): Float32Array => {
    const p = pca.project(m);
    return Float32Array.from(p.data, (v, i) => v * scale[i % axes]);
  };
  return { axes, train: whiten(x), val: whiten(flattened(val)), variances: Array.from(pca.variances) };
}

/** `retentionTargets` of the spectrum tokens, read from `cacheDir` when an earlier run fitted them. */
export async function cachedRetentionTargets(
  cacheDir: string,
  train: TokenFeatures,
  val: TokenFeatures,
  axes: number,
  seed: number,
): Promise<{ targets: RetentionTargets; fromCache: boolean }> {
  const key = `retention-${train.key}-${val.key}-p${axes}-s${seed}`;
  const dir = join(cacheDir, key);
  if (existsSync(join(dir, 'meta.json'))) {
    const meta = JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8')) as { variances: number[] };
    const targets = {
      axes,
      train: await readFloats(join(dir, 'train.f32'), train.count * axes),
      val: await readFloats(join(dir, 'val.f32'), val.count * axes),
      variances: meta.variances,
    };
    return { targets, fromCache: true };
  }
  const targets = retentionTargets(train.spectrum, val.spectrum, axes, seed);
  const meta = { key, axes, seed, train: train.key, val: val.key, variances: targets.variances, dtype: 'float32', byteOrder: 'little' };
  await writeCacheEntry(cacheDir, key, { 'train.f32': targets.train, 'val.f32': targets.val, 'meta.json': `${JSON.stringify(meta, null, 2)}\n` });
  return { targets, fromCache: false };
}
