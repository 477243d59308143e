/**
 * Looking up values in a parsed header. Keywords are compared upper-case; when a keyword
 * occurs more than once the first card wins (astropy does the same for `header[key]`).
 */
import type { CardValue, HeaderCard } from './types.js';

export { parseHeaderCards } from './card-parse.js';
export { formatCard } from './card-format.js';

function find(cards: readonly HeaderCard[], key: string): HeaderCard | undefined {
  const wanted = key.toUpperCase();
  return cards.find((c) => c.key === wanted);
}

/** The value of `key`, or undefined when the header has no such card. */
export function cardValue(cards: readonly HeaderCard[], key: string): CardValue | undefined {
  return find(cards, key)?.value;
}

export function hasCard(cards: readonly HeaderCard[], key: string): boolean {
  return find(cards, key) !== undefined;
}

/** A numeric value; undefined when absent or not a number. */
export function cardNumber(cards: readonly HeaderCard[], key: string): number | undefined {
  const value = cardValue(cards, key);
  return typeof value === 'number' ? value : undefined;
}

/** A string value (trailing blanks already removed); undefined when absent or not a string. */
export function cardString(cards: readonly HeaderCard[], key: string): string | undefined {
  const value = cardValue(cards, key);
  return typeof value === 'string' ? value : undefined;
}

/** A logical value; undefined when absent or not T/F. */
export function cardBoolean(cards: readonly HeaderCard[], key: string): boolean | undefined {
  const value = cardValue(cards, key);
  return typeof value === 'boolean' ? value : undefined;
}

/** EXTNAME, or undefined (the primary HDU usually has none). */
export function extname(cards: readonly HeaderCard[]): string | undefined {
  return cardString(cards, 'EXTNAME')?.trim() || undefined;
}
