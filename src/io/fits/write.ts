/**
 * Writing FITS files. `encodeFits` builds the bytes (deterministic: the same input always
 * gives the same bytes; no DATE or other timestamp unless the caller passes one as a card);
 * `writeFits` writes them atomically (a temporary file in the same directory, then rename,
 * so readers never see half a file).
 *
 * Layout: the first HDU is the primary. A BINTABLE cannot be primary, so when the first
 * HDU is a table an empty primary (NAXIS = 0) comes first. The writer emits the structural
 * cards itself (SIMPLE/XTENSION, BITPIX, NAXISn, EXTEND, PCOUNT, GCOUNT, TFIELDS, TTYPEn,
 * TFORMn, TUNITn, TSCALn, TZEROn, BSCALE, BZERO, BLANK, EXTNAME) from the data and options;
 * cards with those keywords in `cards` are dropped, so headers read from a file can be
 * passed back in without contradicting the new data.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { badInput } from '../../util/errors.js';
import { ioError } from '../io-error.js';
import { END_CARD, formatCard } from './card-format.js';
import { checkImageEncoding, encodeImageData } from './encode-image.js';
import { columnCards, encodeTableData, planTable } from './encode-table.js';
import { BLOCK_LENGTH, paddedLength } from './structure.js';
import type { HeaderCard, WritableHdu } from './types.js';

const STRUCTURAL = /^(SIMPLE|XTENSION|BITPIX|NAXIS\d*|EXTEND|PCOUNT|GCOUNT|GROUPS|TFIELDS|END|BSCALE|BZERO|BLANK|EXTNAME|THEAP|(TTYPE|TFORM|TUNIT|TSCAL|TZERO|TNULL|TDIM|TDISP|TBCOL)\d+)$/;

/** True for keywords the writer derives from the data (callers' cards with them are dropped). */
export function isStructuralKey(key: string): boolean {
  return STRUCTURAL.test(key);
}

interface EncodedHdu {
  cards: HeaderCard[];
  data: Uint8Array;
}

function firstCard(primary: boolean, xtension: string): HeaderCard {
  return primary
    ? { key: 'SIMPLE', value: true, comment: 'conforms to FITS standard' }
    : { key: 'XTENSION', value: xtension, comment: `${xtension.toLowerCase()} extension` };
}

function extensionCards(primary: boolean, pcount = 0): HeaderCard[] {
  return primary
    ? [{ key: 'EXTEND', value: true }]
    : [
        { key: 'PCOUNT', value: pcount },
        { key: 'GCOUNT', value: 1 },
      ];
}

function callerCards(hdu: WritableHdu): HeaderCard[] {
  const cards: HeaderCard[] = [];
  if (hdu.extname !== undefined) cards.push({ key: 'EXTNAME', value: hdu.extname });
  for (const card of hdu.cards ?? []) if (!isStructuralKey(card.key)) cards.push(card);
  return cards;
}

function encodeImage(hdu: Extract<WritableHdu, { kind: 'image' }>, primary: boolean, what: string): EncodedHdu {
  const { shape, data } = hdu;
  if (!shape.every((n) => Number.isInteger(n) && n >= 0)) throw badInput(`${what}: shape must be non-negative integers`);
  if (shape.length > 999) throw badInput(`${what}: at most 999 axes`);
  const count = shape.length === 0 ? 0 : shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw badInput(`${what}: shape [${shape.join(', ')}] holds ${count} values but data has ${data.length}`);
  const encoding = checkImageEncoding(hdu, what);
  const cards: HeaderCard[] = [
    firstCard(primary, 'IMAGE'),
    { key: 'BITPIX', value: encoding.bitpix },
    { key: 'NAXIS', value: shape.length },
    // NAXIS1 is the fastest-varying axis: the last entry of the row-major shape.
    ...[...shape].reverse().map((n, i) => ({ key: `NAXIS${i + 1}`, value: n })),
    ...extensionCards(primary),
  ];
  if (encoding.bscale !== 1) cards.push({ key: 'BSCALE', value: encoding.bscale });
  if (encoding.bzero !== 0) cards.push({ key: 'BZERO', value: encoding.bzero });
  if (encoding.blank !== undefined) cards.push({ key: 'BLANK', value: encoding.blank });
  cards.push(...callerCards(hdu));
  return { cards, data: encodeImageData(data, encoding, what) };
}

function encodeTable(hdu: Extract<WritableHdu, { kind: 'bintable' }>, what: string): EncodedHdu {
  const { encodings, nrows, rowBytes } = planTable(hdu.columns, what);
  const cards: HeaderCard[] = [
    firstCard(false, 'BINTABLE'),
    { key: 'BITPIX', value: 8 },
    { key: 'NAXIS', value: 2 },
    { key: 'NAXIS1', value: rowBytes, comment: 'bytes per row' },
    { key: 'NAXIS2', value: nrows, comment: 'rows' },
    ...extensionCards(false),
    { key: 'TFIELDS', value: encodings.length },
    ...columnCards(encodings),
    ...callerCards(hdu),
  ];
  return { cards, data: encodeTableData(encodings, nrows, rowBytes, what) };
}

function headerBytes(cards: HeaderCard[]): Uint8Array {
  const text = cards.flatMap((card) => formatCard(card)).join('') + END_CARD;
  const out = new Uint8Array(paddedLength(text.length)).fill(0x20);
  for (let i = 0; i < text.length; i += 1) out[i] = text.charCodeAt(i);
  return out;
}

/** The bytes of a FITS file holding `hdus` (see the module comment for the layout). */
export function encodeFits(hdus: WritableHdu[]): Uint8Array {
  if (hdus.length === 0) throw badInput('a FITS file needs at least one HDU');
  const all: WritableHdu[] = hdus[0]!.kind === 'bintable' ? [{ kind: 'image', shape: [], data: new Uint8Array(0), bitpix: 8 }, ...hdus] : hdus;
  const parts: Uint8Array[] = [];
  all.forEach((hdu, i) => {
    const what = `HDU ${i}${hdu.extname ? ` (${hdu.extname})` : ''}`;
    const encoded = hdu.kind === 'image' ? encodeImage(hdu, i === 0, what) : encodeTable(hdu, what);
    parts.push(headerBytes(encoded.cards));
    // Data padding is zeros (FITS 4.0 section 3.3.2); the array starts zero-filled.
    const data = new Uint8Array(paddedLength(encoded.data.length));
    data.set(encoded.data);
    parts.push(data);
  });
  const total = parts.reduce((sum, p) => sum + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  if (out.length % BLOCK_LENGTH !== 0) throw new Error('internal: FITS output is not a whole number of blocks');
  return out;
}

/** Encodes `hdus` and writes them to `path` atomically (temp file + rename). */
export async function writeFits(path: string, hdus: WritableHdu[]): Promise<void> {
  const bytes = encodeFits(hdus);
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let handle;
  try {
    handle = await open(temp, 'wx');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw ioError('NOT_FOUND', path, `directory ${dirname(path)} does not exist`);
    if (code === 'EACCES' || code === 'EPERM') throw ioError('BAD_INPUT', path, 'permission denied');
    throw err;
  }
  try {
    await handle.writeFile(bytes);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temp, path);
  } catch (err) {
    await handle?.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw err;
  }
}
