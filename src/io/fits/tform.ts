/**
 * BINTABLE column formats (TFORMn, FITS 4.0 section 7.3.1): "rTa" with an optional repeat
 * count r, a type letter T, and a type-specific suffix a (e.g. "PE(100)", "20A10").
 */

export type TformType = 'L' | 'X' | 'B' | 'I' | 'J' | 'K' | 'A' | 'E' | 'D' | 'C' | 'M' | 'P' | 'Q';

export interface Tform {
  repeat: number;
  type: TformType;
  /** Bytes the column takes in each row. */
  rowBytes: number;
}

const PATTERN = /^\s*(\d*)([LXBIJKAEDCMPQ])(.*)$/;

/** Bytes per element of each type; X is bits (rounded up to whole bytes per field). */
const ELEMENT_BYTES: Record<Exclude<TformType, 'X'>, number> = {
  L: 1, B: 1, I: 2, J: 4, K: 8, A: 1, E: 4, D: 8, C: 8, M: 16, P: 8, Q: 16,
};

/** Parses a TFORM value; returns undefined when it is not a valid binary-table format. */
export function parseTform(text: string): Tform | undefined {
  const match = PATTERN.exec(text.trim());
  if (!match) return undefined;
  const repeat = match[1] === '' ? 1 : Number.parseInt(match[1]!, 10);
  const type = match[2] as TformType;
  if ((type === 'P' || type === 'Q') && !/^[LXBIJKAEDCM]/.test(match[3]!)) return undefined;
  const rowBytes = type === 'X' ? Math.ceil(repeat / 8) : repeat * ELEMENT_BYTES[type];
  return { repeat, type, rowBytes };
}

/** Numeric element types that skyclip decodes into typed arrays. */
export const NUMERIC_TYPES: ReadonlySet<TformType> = new Set(['B', 'I', 'J', 'K', 'E', 'D']);
