/**
 * Typed errors shared by every layer. Each carries a stable `code` that the CLI prints and
 * the API (later) maps to an HTTP status, so callers never parse messages.
 */
export type SkyclipErrorCode =
  | 'BAD_INPUT' // the caller passed something malformed (arguments, options, values)
  | 'NOT_FOUND' // a file or object that does not exist
  | 'FITS_INVALID' // bytes that are not a valid FITS file
  | 'UNSUPPORTED' // valid but outside what skyclip handles (e.g. an unknown BITPIX)
  | 'UNUSABLE' // parses, but cannot be used (no valid pixels, wrong number of bands)
  | 'CONFLICT'
  | 'INTERNAL';

export class SkyclipError extends Error {
  readonly code: SkyclipErrorCode;
  readonly details?: Record<string, unknown>;

  constructor(code: SkyclipErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'SkyclipError';
    this.code = code;
    this.details = details;
  }
}

export function badInput(message: string, details?: Record<string, unknown>): SkyclipError {
  return new SkyclipError('BAD_INPUT', message, details);
}
