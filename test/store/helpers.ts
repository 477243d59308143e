/**
 * Shared helpers for test/store (not a test file itself): seeded random catalogs and vectors,
 * temporary store directories, and brute-force references written independently of src/store
 * (float64 throughout, positions through 3-D unit vectors).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../src/util/random.js';
import type { ObjectInput } from '../../src/store/index.js';

export const MODEL_A = 'aaaaaaaaaaaaaaaa';
export const MODEL_B = 'bbbbbbbbbbbbbbbb';

export interface Dataset {
  rows: ObjectInput[];
  /** Raw (unnormalized) vectors, by row. */
  vectors: number[][];
}

/**
 * n objects uniform on the sphere with Gaussian vectors. Exactly every 100th object is a QSO
 * (a 1 % class), every 10th a STAR, the rest GALAXY; z uniform in [0, 1); split train/test by
 * index parity.
 */
export function makeDataset(n: number, dim: number, seed = 1): Dataset {
  const rng = new Rng(seed);
  const rows: ObjectInput[] = [];
  const vectors: number[][] = [];
  for (let i = 0; i < n; i++) {
    const ra = rng.range(0, 360);
    const dec = (Math.asin(2 * rng.uniform() - 1) * 180) / Math.PI;
    const cls = i % 100 === 0 ? 'QSO' : i % 10 === 0 ? 'STAR' : 'GALAXY';
    rows.push({ id: `obj-${i}`, ra, dec, class: cls, z: rng.uniform(), split: i % 2 === 0 ? 'train' : 'test', image_path: `images/${i}.fits` });
    vectors.push(gaussianVector(rng, dim));
  }
  return { rows, vectors };
}

export function gaussianVector(rng: Rng, dim: number): number[] {
  return Array.from({ length: dim }, () => rng.normal());
}

export function embeddings(data: Dataset, from = 0, to = data.rows.length): Array<{ id: string; vector: number[] }> {
  return data.rows.slice(from, to).map((r, i) => ({ id: r.id, vector: data.vectors[from + i] }));
}

/** A fresh temporary directory, and a function that removes it. */
export async function tempDir(prefix = 'skyclip-store-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), prefix));
  return { dir: join(root, 'store'), cleanup: () => rm(root, { recursive: true, force: true }) };
}

function unit(v: readonly number[]): number[] {
  const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  return v.map((x) => x / norm);
}

/** Exact top-k ids by cosine similarity among `entries`, computed in float64. */
export function bruteTopK(query: readonly number[], entries: ReadonlyArray<{ id: string; vector: readonly number[] }>, k: number): Array<{ id: string; similarity: number }> {
  const q = unit(query);
  return entries
    .map((e) => {
      const v = unit(e.vector);
      return { id: e.id, similarity: v.reduce((s, x, i) => s + x * q[i], 0) };
    })
    .sort((a, b) => b.similarity - a.similarity)
    .slice(0, k);
}

/** Great-circle separation in degrees through the chord between 3-D unit vectors. */
export function chordSeparationDeg(ra1: number, dec1: number, ra2: number, dec2: number): number {
  const rad = Math.PI / 180;
  const p = [Math.cos(dec1 * rad) * Math.cos(ra1 * rad), Math.cos(dec1 * rad) * Math.sin(ra1 * rad), Math.sin(dec1 * rad)];
  const q = [Math.cos(dec2 * rad) * Math.cos(ra2 * rad), Math.cos(dec2 * rad) * Math.sin(ra2 * rad), Math.sin(dec2 * rad)];
  const chord = Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
  return (2 * Math.asin(Math.min(1, chord / 2))) / rad;
}

/** Share of `reference` ids found in `found`. */
export function overlap(found: readonly string[], reference: readonly string[]): number {
  const set = new Set(found);
  return reference.filter((id) => set.has(id)).length / reference.length;
}

/** The data of the crash tests: a saved base, then extra objects added by the crashing writer. */
export function crashData(): { base: Dataset; extra: Dataset } {
  const base = makeDataset(300, 16, 31);
  const more = makeDataset(50, 16, 32);
  const extra = { rows: more.rows.map((r) => ({ ...r, id: `new-${r.id}` })), vectors: more.vectors };
  return { base, extra };
}
