/**
 * Parsing 80-character header cards into HeaderCard values, following FITS 4.0 section 4 and
 * matching what astropy reports for the same card (so `skyclip inspect` agrees with it).
 *
 * Why not fitsjs's header parser: it keeps one value per keyword in a dictionary (card order,
 * duplicates and COMMENT/HISTORY positions are lost), splits values on ' /' even inside quoted
 * strings, does not undo doubled quotes, reads '1.0D+02' as 1.0 and stops after 600 cards.
 * fitsjs still parses every header to walk the file; these cards are what callers see.
 */
import type { CardValue, HeaderCard } from './types.js';

export const CARD_LENGTH = 80;

/** Keywords whose cards carry free text instead of a value (astropy's "commentary" cards). */
const COMMENTARY_KEYS = new Set(['COMMENT', 'HISTORY', '']);

const INTEGER = /^[+-]?\d+$/;
const REAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[EeDd][+-]?\d+)?$/;

export interface ParsedValueField {
  value: CardValue;
  comment?: string;
  /** True when the value was a quoted string (CONTINUE cards only apply to those). */
  isString: boolean;
}

/**
 * Parses the value/comment field of a card (the text after "= "). Strings lose their quotes,
 * doubled quotes become one and trailing blanks are dropped (leading blanks are significant).
 * A value that is neither string, logical nor number (e.g. a complex "(1, 2)") is kept as
 * its text so nothing is silently lost.
 */
export function parseValueField(field: string): ParsedValueField {
  let i = 0;
  while (i < field.length && field[i] === ' ') i += 1;
  if (field[i] === "'") {
    let text = '';
    let j = i + 1;
    let closed = false;
    while (j < field.length) {
      const ch = field[j];
      if (ch === "'") {
        if (field[j + 1] === "'") {
          text += "'";
          j += 2;
          continue;
        }
        closed = true;
        j += 1;
        break;
      }
      text += ch;
      j += 1;
    }
    // An unterminated string keeps everything to the end of the card as its value.
    const rest = closed ? field.slice(j) : '';
    return { value: text.trimEnd(), comment: commentOf(rest), isString: true };
  }
  const slash = field.indexOf('/', i);
  const token = (slash === -1 ? field.slice(i) : field.slice(i, slash)).trim();
  const comment = slash === -1 ? undefined : cleanComment(field.slice(slash + 1));
  return { value: parseToken(token), comment, isString: false };
}

function parseToken(token: string): CardValue {
  if (token === '') return null;
  if (token === 'T') return true;
  if (token === 'F') return false;
  if (INTEGER.test(token)) return Number.parseInt(token, 10);
  if (REAL.test(token)) return Number.parseFloat(token.replace(/[Dd]/, 'E'));
  return token;
}

function commentOf(rest: string): string | undefined {
  const slash = rest.indexOf('/');
  return slash === -1 ? undefined : cleanComment(rest.slice(slash + 1));
}

function cleanComment(text: string): string | undefined {
  const trimmed = text.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** One raw card: either END, a keyword card, or a CONTINUE card of a long string. */
export type RawCard =
  | { kind: 'end' }
  | { kind: 'card'; card: HeaderCard; isString: boolean }
  | { kind: 'continue'; text: string; comment?: string };

export function parseCard(line: string): RawCard {
  const key = line.slice(0, 8).trimEnd();
  if (key === 'END' && line.slice(8).trim() === '') return { kind: 'end' };
  if (key === 'CONTINUE') {
    const field = parseValueField(line.slice(8));
    if (field.isString) return { kind: 'continue', text: String(field.value), comment: field.comment };
  }
  if (key === 'HIERARCH') {
    // ESO convention: "HIERARCH ESO DET CHIP = value / comment"; astropy reports the key
    // without the HIERARCH prefix.
    const rest = line.slice(8);
    const eq = rest.indexOf('=');
    if (eq !== -1) {
      const field = parseValueField(rest.slice(eq + 1));
      return { kind: 'card', card: withComment(rest.slice(0, eq).trim(), field), isString: field.isString };
    }
  }
  if (!COMMENTARY_KEYS.has(key) && line.slice(8, 10) === '= ') {
    const field = parseValueField(line.slice(10));
    return { kind: 'card', card: withComment(key.trim(), field), isString: field.isString };
  }
  // Commentary card (COMMENT, HISTORY, blank keyword, or a keyword without "= "): the text
  // from column 9 on, as astropy reports it.
  return { kind: 'card', card: { key: key.trim(), value: line.slice(8).trimEnd() }, isString: false };
}

function withComment(key: string, field: ParsedValueField): HeaderCard {
  const card: HeaderCard = { key, value: field.value };
  if (field.comment !== undefined) card.comment = field.comment;
  return card;
}

/**
 * Parses the cards of one header (the text before END, a multiple of 80 characters), joining
 * long strings written with the CONTINUE convention ('...&' followed by CONTINUE '...').
 */
export function parseHeaderCards(text: string): HeaderCard[] {
  const cards: HeaderCard[] = [];
  let openString: HeaderCard | null = null;
  for (let at = 0; at + CARD_LENGTH <= text.length; at += CARD_LENGTH) {
    const raw = parseCard(text.slice(at, at + CARD_LENGTH));
    if (raw.kind === 'end') break;
    if (raw.kind === 'continue') {
      if (openString && typeof openString.value === 'string' && openString.value.endsWith('&')) {
        openString.value = openString.value.slice(0, -1) + raw.text;
        if (raw.comment !== undefined) {
          openString.comment = openString.comment ? `${openString.comment} ${raw.comment}` : raw.comment;
        }
        continue;
      }
      // A CONTINUE with nothing to continue is kept as a plain card, as astropy does.
      cards.push({ key: 'CONTINUE', value: raw.text });
      openString = null;
      continue;
    }
    cards.push(raw.card);
    openString = raw.isString ? raw.card : null;
  }
  return cards;
}
