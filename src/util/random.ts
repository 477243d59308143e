/**
 * The project's one source of randomness (the simulation, data order and augmentations, the
 * heads' initialisation and splits, bootstrap resampling): a small, fast, seeded PRNG (sfc32, Chris
 * Doty-Humphrey's "small fast chaotic" generator, which passes PractRand/BigCrush) plus the
 * distributions the mock survey needs. No Math.random and no clock anywhere in src/sim, so the
 * same seed gives the same bytes on every machine.
 *
 * Streams are derived by hashing (seed, object index, purpose) rather than by drawing from one
 * global sequence. Object i is therefore the same whatever N is, and changing how many noise
 * values an image needs (say, a bigger stamp) does not change any physical label.
 */

/** murmur3's 32-bit finaliser: a bijective avalanche mix of one uint32. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hashes a list of integer keys (each taken modulo 2^32, negatives allowed) into one uint32. */
export function hashKeys(...keys: number[]): number {
  let h = 0x9e3779b9;
  for (const key of keys) {
    // Split keys beyond 32 bits so seeds like 2^40 + 1 and 1 stay distinct.
    const lo = key >>> 0;
    const hi = Math.floor(key / 4294967296) >>> 0;
    h = fmix32((h ^ lo) + 0x7f4a7c15);
    if (hi !== 0) h = fmix32((h ^ hi) + 0x94d049bb);
  }
  return h;
}

/** FNV-1a of a string, mixed: a stable uint32 for ids (used for the train/val/test split). */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

/** Named purposes, so each part of an object draws from its own independent stream. */
export const STREAM = {
  population: 1,
  morphology: 2,
  conditions: 3,
  neighbours: 4,
  imageNoise: 5,
  spectrumNoise: 6,
  rare: 7,
  position: 8,
} as const;

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  /** Second value of the last polar-method pair, or NaN when none is cached. */
  private spare = Number.NaN;

  constructor(seed: number) {
    // Seeding as the sfc32 reference does: fixed words, then discard 12 outputs.
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** A generator for one purpose of one object: independent of every other (seed, index, purpose). */
  static stream(seed: number, index: number, purpose: number): Rng {
    return new Rng(hashKeys(seed, index, purpose));
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
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

  /** True with probability p. */
  chance(p: number): boolean {
    return this.uniform() < p;
  }

  /** Standard normal (Marsaglia's polar method: no trigonometry, one log per pair). */
  normal(): number {
    if (!Number.isNaN(this.spare)) {
      const s = this.spare;
      this.spare = Number.NaN;
      return s;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * this.uniform() - 1;
      v = 2 * this.uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spare = v * f;
    return u * f;
  }

  /** Normal(mean, sd). */
  gauss(mean: number, sd: number): number {
    return mean + sd * this.normal();
  }

  /** Normal(mean, sd) restricted to [lo, hi] by resampling (falls back to clamping after 64 tries). */
  truncGauss(mean: number, sd: number, lo: number, hi: number): number {
    for (let i = 0; i < 64; i++) {
      const x = mean + sd * this.normal();
      if (x >= lo && x <= hi) return x;
    }
    return Math.min(hi, Math.max(lo, mean));
  }

  /**
   * scipy.stats.lognorm(shape, loc, scale) as PHYSICS.md writes its fits:
   * sample = exp(N(ln scale, shape)) + loc.
   */
  lognormal(shape: number, loc: number, scale: number): number {
    return Math.exp(Math.log(scale) + shape * this.normal()) + loc;
  }

  /** Gamma(k, 1) by Marsaglia & Tsang (2000); k < 1 through the boost u^(1/k). */
  gamma(k: number): number {
    if (k < 1) return this.gamma(k + 1) * Math.pow(this.uniform() || 1e-300, 1 / k);
    const d = k - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.uniform();
      if (u < 1 - 0.0331 * x * x * x * x) return d * v;
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  }

  /** Beta(a, b) from two gamma draws. */
  beta(a: number, b: number): number {
    const x = this.gamma(a);
    const y = this.gamma(b);
    return x / (x + y);
  }

  /** Index drawn with probability proportional to weights[i] (weights need not sum to 1). */
  pick(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let u = this.uniform() * total;
    for (let i = 0; i < weights.length; i++) {
      u -= weights[i];
      if (u < 0) return i;
    }
    return weights.length - 1;
  }

  /** Poisson(lambda) by inversion (fine for the small means used here, lambda < ~30). */
  poisson(lambda: number): number {
    const limit = Math.exp(-lambda);
    let k = 0;
    let p = this.uniform();
    while (p > limit) {
      k += 1;
      p *= this.uniform();
    }
    return k;
  }

  /**
   * Fills `out` with independent standard normals: the hot path of image and spectrum noise, so it
   * uses Marsaglia & Tsang's (2000) ziggurat (128 layers), ~2x faster than the polar method. The layer
   * index takes the low 7 bits of each draw and the value the other 25, so the two are independent
   * (sharing bits biases the tails; Doornik 2005).
   */
  fillNormal(out: Float64Array | Float32Array): void {
    const { kn, wn } = ZIGGURAT;
    for (let i = 0; i < out.length; i++) {
      const u = this.nextUint32() | 0;
      const iz = u & 127;
      const hz = u >> 7;
      if (Math.abs(hz) < kn[iz]) out[i] = hz * wn[iz];
      else out[i] = this.zigguratSlow(hz, iz);
    }
  }

  /** The ziggurat's slow path (layer edges and the tail beyond r), ~2 % of draws. */
  private zigguratSlow(hz: number, iz: number): number {
    const { kn, wn, fn } = ZIGGURAT;
    const r = 3.442619855899;
    for (;;) {
      const x = hz * wn[iz];
      if (iz === 0) {
        let t: number;
        let y: number;
        do {
          t = -Math.log(this.uniform() || 1e-300) / r;
          y = -Math.log(this.uniform() || 1e-300);
        } while (y + y < t * t);
        return hz > 0 ? r + t : -r - t;
      }
      if (fn[iz] + this.uniform() * (fn[iz - 1] - fn[iz]) < Math.exp(-0.5 * x * x)) return x;
      const u = this.nextUint32() | 0;
      iz = u & 127;
      hz = u >> 7;
      if (Math.abs(hz) < kn[iz]) return hz * wn[iz];
    }
  }
}

/** Ziggurat tables (Marsaglia & Tsang 2000, 128 layers) for 25-bit signed draws. */
const ZIGGURAT = (() => {
  const kn = new Float64Array(128);
  const wn = new Float64Array(128);
  const fn = new Float64Array(128);
  const m1 = 16777216.0; // 2^24: hz = u >> 7 lies in [-2^24, 2^24)
  let dn = 3.442619855899;
  let tn = dn;
  const vn = 9.91256303526217e-3;
  const q = vn / Math.exp(-0.5 * dn * dn);
  kn[0] = Math.floor((dn / q) * m1);
  kn[1] = 0;
  wn[0] = q / m1;
  wn[127] = dn / m1;
  fn[0] = 1.0;
  fn[127] = Math.exp(-0.5 * dn * dn);
  for (let i = 126; i >= 1; i--) {
    dn = Math.sqrt(-2 * Math.log(vn / dn + Math.exp(-0.5 * dn * dn)));
    kn[i + 1] = Math.floor((dn / tn) * m1);
    tn = dn;
    fn[i] = Math.exp(-0.5 * dn * dn);
    wn[i] = dn / m1;
  }
  return { kn, wn, fn };
})();
