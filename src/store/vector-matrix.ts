/**
 * An in-memory float32 copy of one modality's unit vectors, row-major in one buffer, for exact
 * ranking. Reading vectors back out of SQLite costs about 2 us per row (a Buffer per BLOB),
 * twenty times the dot product itself, so exact search over a whole modality or a large
 * filtered subset is much faster from here. The store builds it on the first exact query when
 * it fits PlannerParams.vectorCacheBytes, and keeps it in step with every add and delete.
 *
 *   const matrix = new VectorMatrix(64);
 *   matrix.set(7, unit);                     // add or replace
 *   matrix.topK(query, 10, allowedLabels);   // [{ label, similarity }], best first
 */
import { TopK, type Scored } from './exact.js';

export class VectorMatrix {
  private data: Float32Array;
  private labelAt: Uint32Array;
  private readonly rowOf = new Map<number, number>();
  private rows = 0;

  constructor(
    readonly dim: number,
    capacity = 1024,
  ) {
    this.data = new Float32Array(Math.max(1, capacity) * dim);
    this.labelAt = new Uint32Array(Math.max(1, capacity));
  }

  get size(): number {
    return this.rows;
  }

  /** Bytes held by the vectors. */
  get bytes(): number {
    return this.data.byteLength;
  }

  has(label: number): boolean {
    return this.rowOf.has(label);
  }

  set(label: number, vector: Float32Array): void {
    let row = this.rowOf.get(label);
    if (row === undefined) {
      if (this.rows === this.labelAt.length) this.grow();
      row = this.rows++;
      this.rowOf.set(label, row);
      this.labelAt[row] = label;
    }
    this.data.set(vector, row * this.dim);
  }

  /** Removes a label (the last row moves into its place). */
  remove(label: number): void {
    const row = this.rowOf.get(label);
    if (row === undefined) return;
    const last = this.rows - 1;
    if (row !== last) {
      this.data.copyWithin(row * this.dim, last * this.dim, (last + 1) * this.dim);
      this.labelAt[row] = this.labelAt[last];
      this.rowOf.set(this.labelAt[row], row);
    }
    this.rowOf.delete(label);
    this.rows = last;
  }

  /** The k most similar rows to a unit query, among `labels` when given (unknown labels are skipped). */
  topK(query: Float32Array, k: number, labels?: readonly number[]): Scored[] {
    const top = new TopK(k);
    const { data, dim } = this;
    const score = (row: number): number => {
      let s = 0;
      const o = row * dim;
      for (let i = 0; i < dim; i++) s += query[i] * data[o + i];
      return s;
    };
    if (labels) {
      for (const label of labels) {
        const row = this.rowOf.get(label);
        if (row !== undefined) top.offer(label, score(row));
      }
    } else {
      for (let row = 0; row < this.rows; row++) top.offer(this.labelAt[row], score(row));
    }
    return top.results();
  }

  private grow(): void {
    const capacity = Math.ceil(this.labelAt.length * 1.5) + 1;
    const data = new Float32Array(capacity * this.dim);
    data.set(this.data.subarray(0, this.rows * this.dim));
    const labels = new Uint32Array(capacity);
    labels.set(this.labelAt.subarray(0, this.rows));
    this.data = data;
    this.labelAt = labels;
  }
}
