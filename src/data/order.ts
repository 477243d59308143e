/**
 * Deterministic data order: every epoch is a fresh seeded shuffle of the items, and the
 * samples of training step s are positions s*B .. s*B+B-1 of the concatenation of epochs.
 * So `indicesForStep(step)` is a pure function of (seed, n, batchSize, step): a run resumed
 * at step s sees exactly the batches an uninterrupted run would.
 *
 *   const order = new EpochOrder(16000, 7);
 *   order.indicesForStep(12, 32); // Int32Array(32) of item numbers in [0, 16000)
 */
import { Rng, hashKeys } from '../util/random.js';

/** Purpose tags, so the shuffles never share a stream with augmentations or masks. */
export const PURPOSE = {
  shuffle: 0x5f1,
  augment: 0x5f2,
  augmentSpectrum: 0x5f5,
  mask: 0x5f3,
  validation: 0x5f4,
} as const;

export class EpochOrder {
  private readonly cache = new Map<number, Int32Array>();

  constructor(
    readonly n: number,
    readonly seed: number,
  ) {
    if (!(Number.isInteger(n) && n > 0)) throw new RangeError(`an epoch needs at least one item, got ${n}`);
  }

  /** The permutation of epoch `epoch` (Fisher-Yates with a stream of (seed, epoch)). */
  permutation(epoch: number): Int32Array {
    let perm = this.cache.get(epoch);
    if (perm) return perm;
    perm = Int32Array.from({ length: this.n }, (_, i) => i);
    const rng = new Rng(hashKeys(this.seed, epoch, PURPOSE.shuffle));
    for (let i = this.n - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
    if (this.cache.size >= 4) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(epoch, perm);
    return perm;
  }

  /** Item numbers of the `batchSize` samples of a 0-based step. */
  indicesForStep(step: number, batchSize: number): Int32Array {
    const out = new Int32Array(batchSize);
    for (let j = 0; j < batchSize; j++) {
      const k = step * batchSize + j;
      out[j] = this.permutation(Math.floor(k / this.n))[k % this.n];
    }
    return out;
  }
}

/** A seeded generator for one sample of one step and one purpose. */
export function sampleRng(seed: number, step: number, sample: number, purpose: number): Rng {
  return new Rng(hashKeys(seed, step, sample, purpose));
}
