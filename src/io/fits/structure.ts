/**
 * Checking the block structure of a FITS file before fitsjs sees it. fitsjs walks a file by
 * asking for the next 2880-byte block until it meets END and then until its running offset
 * equals the file length exactly; on a header without END, a truncated data unit or trailing
 * bytes it asks for blocks past the end forever and its callback never fires. So every
 * condition it depends on is verified here first, with an error that says what is wrong:
 * - the file starts with SIMPLE, every later HDU with XTENSION;
 * - each header is printable ASCII and has an END card, followed only by blanks;
 * - BITPIX, NAXIS, NAXISn, PCOUNT, GCOUNT are present and valid;
 * - the data unit each header announces fits in the file.
 * The result is the byte layout of every HDU and its parsed cards.
 */
import { ioError } from '../io-error.js';
import { CARD_LENGTH, parseHeaderCards } from './card-parse.js';
import { cardBoolean, cardNumber, cardValue } from './header.js';
import { planColumns } from './table-columns.js';
import type { Bitpix, HeaderCard } from './types.js';

export const BLOCK_LENGTH = 2880;
const CARDS_PER_BLOCK = BLOCK_LENGTH / CARD_LENGTH;
const BITPIX_VALUES: readonly number[] = [8, 16, 32, 64, -32, -64];

export interface HduLayout {
  index: number;
  cards: HeaderCard[];
  /** 'PRIMARY' for HDU 0, otherwise the XTENSION value ('IMAGE', 'BINTABLE', 'TABLE', ...). */
  xtension: string;
  bitpix: Bitpix;
  /** NAXIS1..NAXISn in header order (NAXIS1 varies fastest). */
  naxis: number[];
  pcount: number;
  headerOffset: number;
  dataOffset: number;
  /** Bytes of data announced by the header (without the padding to 2880). */
  dataBytes: number;
}

export interface FitsLayout {
  hdus: HduLayout[];
  /**
   * Bytes the HDUs span, padding included: what fitsjs must be given. It exceeds the file
   * length when the last data unit lacks its padding (then the reader zero-fills).
   */
  spanBytes: number;
  warnings: string[];
}

export function paddedLength(bytes: number): number {
  return Math.ceil(bytes / BLOCK_LENGTH) * BLOCK_LENGTH;
}

function ascii(bytes: Uint8Array, start: number, end: number): string {
  let text = '';
  for (let i = start; i < end; i += 1) text += String.fromCharCode(bytes[i]!);
  return text;
}

export function startsWithFitsSignature(bytes: Uint8Array): boolean {
  return bytes.length >= 9 && ascii(bytes, 0, 9) === 'SIMPLE  =';
}

interface HeaderText {
  text: string;
  /** Offset just after the header's last block. */
  end: number;
}

/** Reads header cards block by block until END, checking that they are printable text. */
function readHeaderText(bytes: Uint8Array, offset: number, hduIndex: number, source: string): HeaderText {
  let cardsSeen = 0;
  for (let block = offset; ; block += BLOCK_LENGTH) {
    if (block + BLOCK_LENGTH > bytes.length) {
      const what = block >= bytes.length ? 'the file ends' : 'the file ends inside a 2880-byte block';
      throw ioError('FITS_INVALID', source, `header of HDU ${hduIndex} has no END card (${what} after ${cardsSeen} cards; truncated file?)`);
    }
    for (let c = 0; c < CARDS_PER_BLOCK; c += 1) {
      const at = block + c * CARD_LENGTH;
      for (let i = at; i < at + CARD_LENGTH; i += 1) {
        const byte = bytes[i]!;
        if (byte < 0x20 || byte > 0x7e) {
          throw ioError(
            'FITS_INVALID',
            source,
            `header of HDU ${hduIndex} has no END card before non-text bytes at byte ${i} (card ${cardsSeen + 1})`,
          );
        }
      }
      cardsSeen += 1;
      if (ascii(bytes, at, at + 8) === 'END     ' && ascii(bytes, at + 8, at + CARD_LENGTH).trim() === '') {
        const blockEnd = block + BLOCK_LENGTH;
        // fitsjs finds END by looking at the last non-blank card of a block, so anything
        // after END would make it miss the end of the header.
        const after = ascii(bytes, at + CARD_LENGTH, blockEnd);
        if (after.trim() !== '') {
          throw ioError('FITS_INVALID', source, `header of HDU ${hduIndex} has cards after its END card`);
        }
        return { text: ascii(bytes, offset, at), end: blockEnd };
      }
    }
  }
}

function requireInteger(
  cards: HeaderCard[],
  key: string,
  hduIndex: number,
  source: string,
  min: number,
): number {
  const value = cardNumber(cards, key);
  if (value === undefined || !Number.isInteger(value) || value < min) {
    const found = cardValue(cards, key);
    const problem = found === undefined ? 'is missing' : `has the invalid value ${JSON.stringify(found)}`;
    throw ioError('FITS_INVALID', source, `HDU ${hduIndex}: ${key} ${problem}`);
  }
  return value;
}

function checkFirstCard(cards: HeaderCard[], hduIndex: number, source: string): string {
  const first = cards[0];
  if (hduIndex === 0) {
    if (first?.key !== 'SIMPLE') throw ioError('FITS_INVALID', source, 'not a FITS file (first card is not SIMPLE)');
    if (first.value !== true) {
      throw ioError('UNSUPPORTED', source, 'SIMPLE = F: the file says it does not conform to the FITS standard');
    }
    return 'PRIMARY';
  }
  if (first?.key !== 'XTENSION' || typeof first.value !== 'string') {
    throw ioError('FITS_INVALID', source, `HDU ${hduIndex} does not start with an XTENSION card`);
  }
  return first.value.trim().toUpperCase();
}

function readLayout(cards: HeaderCard[], hduIndex: number, source: string) {
  const xtension = checkFirstCard(cards, hduIndex, source);
  const bitpixValue = cardValue(cards, 'BITPIX');
  if (bitpixValue === undefined) throw ioError('FITS_INVALID', source, `HDU ${hduIndex}: BITPIX is missing`);
  if (typeof bitpixValue !== 'number' || !BITPIX_VALUES.includes(bitpixValue)) {
    throw ioError('UNSUPPORTED', source, `HDU ${hduIndex}: unknown BITPIX ${JSON.stringify(bitpixValue)} (FITS allows 8, 16, 32, 64, -32, -64)`);
  }
  const naxisCount = requireInteger(cards, 'NAXIS', hduIndex, source, 0);
  if (naxisCount > 999) throw ioError('FITS_INVALID', source, `HDU ${hduIndex}: NAXIS = ${naxisCount} is over 999`);
  const naxis: number[] = [];
  for (let n = 1; n <= naxisCount; n += 1) naxis.push(requireInteger(cards, `NAXIS${n}`, hduIndex, source, 0));
  const isExtension = hduIndex > 0;
  const pcount = isExtension ? requireInteger(cards, 'PCOUNT', hduIndex, source, 0) : (cardNumber(cards, 'PCOUNT') ?? 0);
  const gcount = isExtension ? requireInteger(cards, 'GCOUNT', hduIndex, source, 0) : (cardNumber(cards, 'GCOUNT') ?? 1);
  if (!isExtension && cardBoolean(cards, 'GROUPS') === true && naxis[0] === 0) {
    throw ioError('UNSUPPORTED', source, 'random-groups FITS (GROUPS = T) is not supported');
  }
  if (gcount !== 1) {
    throw ioError('UNSUPPORTED', source, `HDU ${hduIndex}: GCOUNT = ${gcount}; only GCOUNT = 1 is supported`);
  }
  if (xtension === 'BINTABLE' || xtension === 'TABLE') {
    if (naxisCount !== 2) throw ioError('FITS_INVALID', source, `HDU ${hduIndex}: a ${xtension} must have NAXIS = 2, not ${naxisCount}`);
    if (bitpixValue !== 8) throw ioError('FITS_INVALID', source, `HDU ${hduIndex}: a ${xtension} must have BITPIX = 8, not ${bitpixValue}`);
    requireInteger(cards, 'TFIELDS', hduIndex, source, 0);
    if (xtension === 'BINTABLE') planColumns(cards, naxis[0]!, hduIndex, source);
  }
  if (xtension === 'IMAGE' && pcount !== 0) {
    throw ioError('FITS_INVALID', source, `HDU ${hduIndex}: an IMAGE extension must have PCOUNT = 0`);
  }
  const elements = naxisCount === 0 ? 0 : naxis.reduce((a, b) => a * b, 1);
  // fitsjs (like the standard) has no data unit at all when NAXIS = 0.
  const dataBytes = naxisCount === 0 ? 0 : (Math.abs(bitpixValue) / 8) * (elements + pcount);
  return { xtension, bitpix: bitpixValue as Bitpix, naxis, pcount, dataBytes };
}

/** True when the 80 bytes at `offset` read like a header card ("KEYWORD = ..."). */
function looksLikeCard(bytes: Uint8Array, offset: number): boolean {
  if (offset + CARD_LENGTH > bytes.length) return false;
  for (let i = offset; i < offset + CARD_LENGTH; i += 1) if (bytes[i]! < 0x20 || bytes[i]! > 0x7e) return false;
  return /^[A-Z0-9_-]{1,8} *= /.test(ascii(bytes, offset, offset + 10));
}

/**
 * Validates the structure of `bytes` and returns the layout of its HDUs. Throws SkyclipError
 * (FITS_INVALID or UNSUPPORTED) naming `source` and the problem.
 */
export function scanFitsLayout(bytes: Uint8Array, source: string): FitsLayout {
  if (bytes.length === 0) throw ioError('FITS_INVALID', source, 'empty file, not FITS');
  if (!startsWithFitsSignature(bytes)) {
    throw ioError('FITS_INVALID', source, 'not a FITS file (it does not start with "SIMPLE  =")');
  }
  const hdus: HduLayout[] = [];
  const warnings: string[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const index = hdus.length;
    const header = readHeaderText(bytes, offset, index, source);
    const cards = parseHeaderCards(header.text);
    const layout = readLayout(cards, index, source);
    const dataEnd = header.end + layout.dataBytes;
    if (dataEnd > bytes.length) {
      throw ioError(
        'FITS_INVALID',
        source,
        `truncated: HDU ${index} announces ${layout.dataBytes} data bytes from byte ${header.end}, but the file has only ${bytes.length - header.end} bytes after its header`,
      );
    }
    hdus.push({ index, cards, ...layout, headerOffset: offset, dataOffset: header.end });
    offset = header.end + paddedLength(layout.dataBytes);
    if (offset > bytes.length) {
      warnings.push(`the last data unit is not padded to a multiple of 2880 bytes (${offset - bytes.length} bytes short)`);
      break;
    }
    if (offset < bytes.length && ascii(bytes, offset, Math.min(offset + 9, bytes.length)) !== 'XTENSION=') {
      if (looksLikeCard(bytes, offset)) {
        throw ioError('FITS_INVALID', source, `HDU ${hdus.length} does not start with an XTENSION card`);
      }
      // astropy ignores other bytes after the last HDU with a warning; so do we.
      warnings.push(`ignored ${bytes.length - offset} bytes after the last HDU (they do not start an extension)`);
      break;
    }
  }
  return { hdus, spanBytes: offset, warnings };
}
