/**
 * Embedding vectors at the store's border: checked (length, finite, non-zero), L2-normalized
 * and kept as float32, the precision hnswlib works in. catalog.sqlite holds each as a
 * little-endian float32 BLOB, which is what lets the store rank subsets exactly and rebuild
 * a graph without re-embedding.
 *
 *   const unit = unitVector(embedding, 64, 's1-42');  // Float32Array, |unit| = 1
 *   db.prepare('... VALUES (?)').run(toBlob(unit));
 */
import { SkyclipError, badInput } from '../util/errors.js';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * The vector scaled to unit length, as float32. Throws BAD_INPUT for a wrong length, a
 * NaN/Inf component, or a zero (or overflowing) norm: such a vector has no direction, and
 * hnswlib would silently index garbage.
 */
export function unitVector(values: ArrayLike<number>, dim: number, what = 'vector'): Float32Array {
  if (values === null || typeof values !== 'object' || typeof values.length !== 'number') {
    throw badInput(`${what} must be an array of numbers`);
  }
  if (values.length !== dim) throw badInput(`${what} has ${values.length} dimensions; the store holds ${dim}-d vectors`, { expected: dim, got: values.length });
  let sum = 0;
  for (let i = 0; i < dim; i++) {
    const x = values[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) throw badInput(`${what} has a non-finite value at [${i}]: ${x}`, { index: i });
    sum += x * x;
  }
  const norm = Math.sqrt(sum);
  if (!(norm > 0) || !Number.isFinite(norm)) throw badInput(`${what} has norm ${norm}; it cannot be normalized`);
  const out = new Float32Array(dim);
  for (let i = 0; i < dim; i++) out[i] = values[i] / norm;
  return out;
}

/** The bytes of a float32 vector, as stored in SQLite (a view, no copy). */
export function toBlob(vector: Float32Array): Buffer {
  if (!LITTLE_ENDIAN) throw new SkyclipError('UNSUPPORTED', 'the store assumes a little-endian machine');
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
}

/** A stored BLOB back to float32 (a view when aligned, else a copy). */
export function fromBlob(blob: Uint8Array, dim: number, label?: number): Float32Array {
  if (blob.byteLength !== dim * 4) {
    throw new SkyclipError('UNUSABLE', `stored vector${label === undefined ? '' : ` of label ${label}`} has ${blob.byteLength} bytes, expected ${dim * 4}`);
  }
  if (blob.byteOffset % 4 === 0) return new Float32Array(blob.buffer, blob.byteOffset, dim);
  return new Float32Array(blob.slice().buffer, 0, dim);
}

/** Dot product; of two unit vectors, their cosine similarity. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
