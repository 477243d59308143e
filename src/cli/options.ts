/**
 * Parsers for numeric command-line options, shared by every command: each names the option
 * in its error (a BAD_INPUT, so the CLI prints it and exits 2).
 */
import { badInput } from '../util/errors.js';

export function positiveInt(value: string | undefined, name: string, fallback?: number): number {
  if (value === undefined) {
    if (fallback === undefined) throw badInput(`--${name} is required`);
    return fallback;
  }
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw badInput(`--${name} must be a positive integer, got '${value}'`);
  return n;
}

export function nonNegativeInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw badInput(`--${name} must be an integer >= 0, got '${value}'`);
  return n;
}

export function positiveNumber(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!(Number.isFinite(n) && n > 0)) throw badInput(`--${name} must be a positive number, got '${value}'`);
  return n;
}

/** An optional integer >= min; undefined when the option was not given. */
export function optionalInt(value: string | undefined, name: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min) throw badInput(`--${name} must be an integer >= ${min}, got '${value}'`);
  return n;
}
