/**
 * Errors raised by the I/O layer. Every message starts with the file (or buffer name) it is
 * about, so a user reading one line in a log knows which input to look at.
 */
import { SkyclipError, type SkyclipErrorCode } from '../util/errors.js';

export function ioError(
  code: SkyclipErrorCode,
  source: string,
  problem: string,
  details?: Record<string, unknown>,
): SkyclipError {
  return new SkyclipError(code, `${source}: ${problem}`, { source, ...details });
}
