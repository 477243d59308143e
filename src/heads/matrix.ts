/**
 * The one matrix shape every head takes: n rows of d values, row-major in a flat typed array
 * (embeddings arrive as Float32Array from the encoders; heads compute in Float64Array).
 */
import { badInput } from '../util/errors.js';

export type Values = Float32Array | Float64Array;

/** [rows, cols], row-major: element (i, j) is data[i * cols + j]. */
export interface Matrix {
  readonly data: Values;
  readonly rows: number;
  readonly cols: number;
}

/** Wraps a flat row-major array as a matrix of `cols` columns (rows = length / cols). */
export function matrix(data: Values, cols: number): Matrix {
  if (!Number.isInteger(cols) || cols < 1) throw badInput(`matrix: cols must be a positive integer, got ${cols}`);
  if (data.length % cols !== 0) {
    throw badInput(`matrix: ${data.length} values do not fill rows of ${cols}`, { length: data.length, cols });
  }
  return { data, rows: data.length / cols, cols };
}

/** A matrix from nested rows (tests, small JSON payloads). */
export function fromRows(rows: ArrayLike<number>[], cols?: number): Matrix {
  const d = cols ?? (rows.length > 0 ? rows[0].length : 0);
  if (d < 1) throw badInput('fromRows: need at least one column');
  const data = new Float64Array(rows.length * d);
  rows.forEach((row, i) => {
    if (row.length !== d) throw badInput(`fromRows: row ${i} has ${row.length} values, expected ${d}`);
    for (let j = 0; j < d; j++) data[i * d + j] = row[j];
  });
  return { data, rows: rows.length, cols: d };
}

/** Row i as a view (no copy). */
export function row(m: Matrix, i: number): Values {
  return m.data.subarray(i * m.cols, (i + 1) * m.cols);
}

/** The rows at `indices`, copied into a new Float64Array matrix. */
export function selectRows(m: Matrix, indices: ArrayLike<number>): Matrix {
  const out = new Float64Array(indices.length * m.cols);
  for (let r = 0; r < indices.length; r++) out.set(row(m, indices[r]), r * m.cols);
  return { data: out, rows: indices.length, cols: m.cols };
}

/** Throws BAD_INPUT unless `m` has `cols` columns and only finite values. */
export function assertMatrix(m: Matrix, cols: number | undefined, what: string): void {
  if (cols !== undefined && m.cols !== cols) {
    throw badInput(`${what}: expected ${cols} columns, got ${m.cols}`, { expected: cols, got: m.cols });
  }
  if (m.data.length !== m.rows * m.cols) throw badInput(`${what}: data length does not equal rows x cols`);
  for (let i = 0; i < m.data.length; i++) {
    if (!Number.isFinite(m.data[i])) {
      throw badInput(`${what}: non-finite value at row ${Math.floor(i / m.cols)}`, { row: Math.floor(i / m.cols) });
    }
  }
}

/** Dot product of two equal-length vectors. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
