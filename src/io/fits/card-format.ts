/**
 * Formatting header cards as 80-character FITS 4.0 card images (section 4.2):
 * - keyword in columns 1-8, "= " in 9-10;
 * - logicals, integers and reals right-justified to column 30 (fixed format); a real that
 *   needs more than 20 characters to round-trip exactly extends past column 30 (free format,
 *   which 4.2.4 allows for non-mandatory keywords) rather than losing digits;
 * - strings start with a quote in column 11, embedded quotes are doubled, at least 8
 *   characters between the quotes, and long strings use the CONTINUE convention (4.2.1.2);
 * - COMMENT/HISTORY/blank cards carry text in columns 9-80, split over several cards.
 * Only printable ASCII (0x20-0x7E) may appear anywhere in a header.
 */
import { badInput } from '../../util/errors.js';
import { CARD_LENGTH } from './card-parse.js';
import type { CardValue, HeaderCard } from './types.js';

const KEYWORD = /^[A-Z0-9_-]{0,8}$/;
const PRINTABLE = /^[\x20-\x7e]*$/;
const COMMENTARY_KEYS = new Set(['COMMENT', 'HISTORY', '']);
/** Characters available for a string inside quotes on a card: 80 - "KEYWORD= '" - "'". */
const STRING_ROOM = CARD_LENGTH - 10 - 2;

function checkPrintable(text: string, what: string): void {
  if (!PRINTABLE.test(text)) {
    throw badInput(`${what} contains characters outside printable ASCII, which FITS headers cannot hold`);
  }
}

/** Shortest text that reads back as exactly `x`, in FITS style ("1.5E-07", "3.0", "4096"). */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) throw badInput(`header values must be finite numbers, got ${x}`);
  if (Number.isInteger(x) && Math.abs(x) <= Number.MAX_SAFE_INTEGER) return String(x);
  const text = String(x);
  const [mantissa, exponent] = text.split('e');
  const withPoint = mantissa!.includes('.') ? mantissa! : `${mantissa}.0`;
  if (exponent === undefined) return withPoint;
  const sign = exponent.startsWith('-') ? '-' : '+';
  const digits = exponent.replace(/^[+-]/, '').padStart(2, '0');
  return `${withPoint}E${sign}${digits}`;
}

function valueText(value: Exclude<CardValue, string>): string {
  if (value === null) return '';
  if (typeof value === 'boolean') return value ? 'T' : 'F';
  return formatNumber(value);
}

function pad(line: string): string {
  return line.padEnd(CARD_LENGTH, ' ');
}

/** Appends " / comment" when there is room, cutting the comment at column 80. */
function withComment(line: string, comment: string | undefined): string {
  if (!comment) return pad(line);
  const room = CARD_LENGTH - line.length - 3;
  if (room <= 0) return pad(line);
  return pad(`${line} / ${comment.slice(0, room)}`);
}

function quote(text: string): string {
  return `'${text.replace(/'/g, "''").padEnd(8, ' ')}'`;
}

/** Splits a string into pieces whose quoted form (with a trailing '&') fits on one card. */
function splitLongString(text: string): string[] {
  const pieces: string[] = [];
  let piece = '';
  let used = 0;
  for (const ch of text) {
    const cost = ch === "'" ? 2 : 1;
    if (used + cost > STRING_ROOM - 1) {
      pieces.push(piece);
      piece = '';
      used = 0;
    }
    piece += ch;
    used += cost;
  }
  pieces.push(piece);
  return pieces;
}

function formatString(head: string, text: string, comment: string | undefined): string[] {
  const single = `${head}${quote(text)}`;
  if (single.length <= CARD_LENGTH) return [withComment(single, comment)];
  const pieces = splitLongString(text);
  return pieces.map((piece, i) => {
    const last = i === pieces.length - 1;
    const body = `'${piece.replace(/'/g, "''")}${last ? '' : '&'}'`;
    const line = i === 0 ? `${head}${body}` : `CONTINUE  ${body}`;
    return last ? withComment(line, comment) : pad(line);
  });
}

function formatCommentary(key: string, text: string): string[] {
  const width = CARD_LENGTH - 8;
  const lines: string[] = [];
  for (let at = 0; at < Math.max(text.length, 1); at += width) {
    lines.push(pad(`${key.padEnd(8, ' ')}${text.slice(at, at + width)}`));
  }
  return lines;
}

/** The card image(s) for one header card; more than one for long strings and long comments. */
export function formatCard(card: HeaderCard): string[] {
  const { key, value, comment } = card;
  if (!KEYWORD.test(key)) {
    throw badInput(`header keyword '${key}' is not valid FITS (1-8 of A-Z, 0-9, '-', '_')`);
  }
  if (comment !== undefined) checkPrintable(comment, `comment of ${key}`);
  if (COMMENTARY_KEYS.has(key)) {
    const text = value === null ? '' : String(value);
    checkPrintable(text, `${key || 'blank'} card`);
    return formatCommentary(key, text);
  }
  const head = `${key.padEnd(8, ' ')}= `;
  if (typeof value === 'string') {
    checkPrintable(value, `value of ${key}`);
    return formatString(head, value, comment);
  }
  const text = valueText(value);
  return [withComment(`${head}${text.padStart(20, ' ')}`, comment)];
}

export const END_CARD = pad('END');
