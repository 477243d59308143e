/**
 * Seeded randomness for the heads (MLP initialisation, minibatch order, hold-out splits), so a
 * head trained twice with the same seed is bit-identical. mulberry32: tiny, fast, and plenty for
 * initialisation and shuffling (it is not used for anything statistical beyond that).
 */
export class HeadRng {
  private state: number;
  private spare: number | null = null;

  constructor(seed: number) {
    // Mix the seed so that nearby seeds (1, 2, 3) start far apart.
    let h = (Math.trunc(seed) ^ 0x9e3779b9) >>> 0;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    this.state = (h ^ (h >>> 16)) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Standard normal (Box-Muller, caching the second value). */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** A uniformly random permutation of 0..n-1 (Fisher-Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}

/**
 * A deterministic split of 0..n-1 into (fit, holdout), holdout ~ `fraction` of n (at least one
 * row each side when n >= 2). Used when a head must choose a hyperparameter and no validation
 * set was given.
 */
export function holdoutSplit(n: number, fraction: number, seed: number): { fit: Int32Array; holdout: Int32Array } {
  const perm = new HeadRng(seed).permutation(n);
  const h = n < 2 ? 0 : Math.min(n - 1, Math.max(1, Math.round(n * fraction)));
  const holdout = perm.slice(0, h).sort();
  const fit = perm.slice(h).sort();
  return { fit, holdout };
}
