/**
 * Deterministic hold-out splits for heads that must choose a hyperparameter (ridge alpha,
 * softmax L2) when no validation set was given. Randomness comes from the project's one seeded
 * generator (src/util/random.ts), so a head fitted twice with the same seed is bit-identical.
 */
import { Rng } from '../util/random.js';

/**
 * A deterministic split of 0..n-1 into (fit, holdout), holdout ~ `fraction` of n (at least one
 * row each side when n >= 2).
 */
export function holdoutSplit(n: number, fraction: number, seed: number): { fit: Int32Array; holdout: Int32Array } {
  const perm = new Rng(seed).permutation(n);
  const h = n < 2 ? 0 : Math.min(n - 1, Math.max(1, Math.round(n * fraction)));
  const holdout = perm.slice(0, h).sort();
  const fit = perm.slice(h).sort();
  return { fit, holdout };
}
