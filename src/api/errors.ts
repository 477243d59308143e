/**
 * HTTP errors: the statuses the lower layers' SkyclipError codes map to, the few errors only
 * HTTP has (401, 403, 413, 415, 429, 503), and the ONE error middleware that turns any thrown
 * value into `{ error: { code, message, details? }, requestId }` with the right status.
 *
 *   throw new HttpError(413, 'PAYLOAD_TOO_LARGE', 'upload over 16 MiB');
 *   throw notFound(...)            // a SkyclipError from src/util/errors.ts -> 404
 */
import type { ErrorRequestHandler, Request } from 'express';
import { ZodError } from 'zod';
import { SkyclipError, type SkyclipErrorCode } from '../util/errors.js';
import type { Logger } from './log.js';

/** Status for each SkyclipError code (the lower layers' errors). */
export const STATUS_OF_CODE: Readonly<Record<SkyclipErrorCode, number>> = Object.freeze({
  BAD_INPUT: 400,
  FITS_INVALID: 400, // bytes that do not parse as FITS (truncated, garbage): malformed input
  NOT_FOUND: 404,
  CONFLICT: 409,
  UNSUPPORTED: 415, // a format skyclip does not read (a PNG where a FITS spectrum is needed, fpack...)
  UNUSABLE: 422, // parses, but cannot be used (no valid pixel, wrong number of bands)
  INTERNAL: 500,
});

/** An error with an explicit HTTP status and a stable code (codes beyond SkyclipError's). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
    /** Extra response headers (Retry-After, WWW-Authenticate). */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const unauthorized = (message: string) => new HttpError(401, 'UNAUTHORIZED', message, undefined, { 'WWW-Authenticate': 'Bearer' });
export const forbidden = (message: string, details?: Record<string, unknown>) => new HttpError(403, 'FORBIDDEN', message, details);
export const tooLarge = (message: string, details?: Record<string, unknown>) => new HttpError(413, 'PAYLOAD_TOO_LARGE', message, details);
export const unsupportedMedia = (message: string, details?: Record<string, unknown>) => new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', message, details);
export const notReady = (message: string, details?: Record<string, unknown>, retryAfterSeconds = 5) =>
  new HttpError(503, 'NOT_READY', message, details, { 'Retry-After': String(retryAfterSeconds) });

export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
  requestId: string;
}

interface Described {
  status: number;
  code: string;
  message: string;
  details?: Record<string, unknown>;
  headers?: Record<string, string>;
}

/** Errors thrown by body-parser (express.json/raw) and multer carry these. */
interface LibraryError {
  type?: string;
  status?: number;
  statusCode?: number;
  code?: string;
  field?: string;
  limit?: number;
  expose?: boolean;
}

const MULTER: Record<string, [number, string]> = {
  LIMIT_FILE_SIZE: [413, 'an uploaded file is larger than the upload limit'],
  LIMIT_PART_COUNT: [413, 'too many parts in the multipart body'],
  LIMIT_FILE_COUNT: [413, 'too many files in one request'],
  LIMIT_FIELD_KEY: [400, 'a multipart field name is too long'],
  LIMIT_FIELD_VALUE: [413, 'a multipart text field is too long'],
  LIMIT_FIELD_COUNT: [413, 'too many multipart text fields'],
  LIMIT_UNEXPECTED_FILE: [400, 'unexpected file field'],
  MISSING_FIELD_NAME: [400, 'a multipart field has no name'],
};

/** Any thrown value -> status, code, message (and the details safe to show). */
export function describeError(err: unknown): Described {
  if (err instanceof HttpError) return { status: err.status, code: err.code, message: err.message, details: err.details, headers: err.headers };
  if (err instanceof SkyclipError) return { status: STATUS_OF_CODE[err.code] ?? 500, code: err.code, message: err.message, details: safeDetails(err.details) };
  if (err instanceof ZodError) {
    return {
      status: 400,
      code: 'BAD_INPUT',
      message: `invalid request: ${err.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
      details: { issues: err.issues.map((i) => ({ path: i.path, code: i.code, message: i.message })) },
    };
  }
  const lib = (err ?? {}) as LibraryError & { name?: string; message?: string };
  if (lib.name === 'MulterError' && lib.code && MULTER[lib.code]) {
    const [status, message] = MULTER[lib.code];
    return { status, code: status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_INPUT', message: lib.field ? `${message}: '${lib.field}'` : message };
  }
  if (lib.type === 'entity.too.large') return { status: 413, code: 'PAYLOAD_TOO_LARGE', message: `request body over the limit of ${lib.limit} bytes` };
  if (lib.type === 'entity.parse.failed') return { status: 400, code: 'BAD_INPUT', message: `the body is not valid JSON: ${lib.message ?? ''}`.trim() };
  if (lib.type === 'encoding.unsupported' || lib.type === 'charset.unsupported') return { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: lib.message ?? 'unsupported encoding' };
  if (lib.type === 'request.aborted') return { status: 400, code: 'BAD_INPUT', message: 'the request was aborted by the client' };
  const status = lib.status ?? lib.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500 && lib.expose) {
    return { status, code: status === 413 ? 'PAYLOAD_TOO_LARGE' : status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'BAD_INPUT', message: lib.message ?? 'bad request' };
  }
  return { status: 500, code: 'INTERNAL', message: 'internal error (see the server log for this request id)' };
}

/** Details a client may see: plain JSON values only, nothing huge. */
function safeDetails(details: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!details) return undefined;
  try {
    const text = JSON.stringify(details);
    return text.length <= 8192 ? (JSON.parse(text) as Record<string, unknown>) : { truncated: true };
  } catch {
    return undefined;
  }
}

export function requestIdOf(req: Request): string {
  return (req as Request & { id?: string }).id ?? 'unknown';
}

export function errorBody(d: Pick<Described, 'code' | 'message' | 'details'>, requestId: string): ErrorBody {
  return { error: { code: d.code, message: d.message, ...(d.details ? { details: d.details } : {}) }, requestId };
}

/** The one error middleware. 5xx errors are logged with their stack; the client sees only the request id. */
export function errorMiddleware(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const d = describeError(err);
    const requestId = requestIdOf(req);
    if (d.status >= 500 && d.code === 'INTERNAL') {
      log.error('request failed', { requestId, method: req.method, path: req.path, error: (err as Error)?.stack ?? String(err) });
    }
    if (res.headersSent) {
      // An answer already went out (a timeout) or a download failed midway: nothing more can be
      // sent; a half-sent body is cut so the client sees a truncated transfer, not a short file.
      if (!res.writableEnded) res.destroy();
      return;
    }
    for (const [k, v] of Object.entries(d.headers ?? {})) res.setHeader(k, v);
    res.status(d.status).json(errorBody(d, requestId));
  };
}
