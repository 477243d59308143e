/**
 * The column layout of a BINTABLE header: name, format, unit and byte offset of each column,
 * checked against NAXIS1. Used by the structure check (so a bad TFORM is reported before
 * fitsjs, whose accessor setup would crash on it) and by the table decoder.
 */
import { ioError } from '../io-error.js';
import { cardNumber, cardString } from './header.js';
import { parseTform, type Tform } from './tform.js';
import type { HeaderCard } from './types.js';

export interface ColumnPlan {
  /** 1-based column number (the n of TTYPEn). */
  number: number;
  name: string;
  format: string;
  unit?: string;
  tform: Tform;
  /** Byte offset of the column within a row. */
  offset: number;
}

export function planColumns(cards: HeaderCard[], naxis1: number, hduIndex: number, source: string): ColumnPlan[] {
  const tfields = cardNumber(cards, 'TFIELDS') ?? 0;
  const plans: ColumnPlan[] = [];
  let offset = 0;
  for (let n = 1; n <= tfields; n += 1) {
    const format = cardString(cards, `TFORM${n}`);
    if (format === undefined) throw ioError('FITS_INVALID', source, `HDU ${hduIndex}: TFORM${n} is missing`);
    const tform = parseTform(format);
    if (!tform) {
      throw ioError('FITS_INVALID', source, `HDU ${hduIndex}: TFORM${n} = '${format}' is not a binary-table format`);
    }
    const unit = cardString(cards, `TUNIT${n}`)?.trim();
    const name = cardString(cards, `TTYPE${n}`)?.trim() || `col${n}`;
    plans.push({ number: n, name, format: format.trim(), tform, offset, ...(unit ? { unit } : {}) });
    offset += tform.rowBytes;
  }
  if (offset !== naxis1) {
    throw ioError('FITS_INVALID', source, `HDU ${hduIndex}: the columns take ${offset} bytes per row but NAXIS1 = ${naxis1}`);
  }
  return plans;
}
