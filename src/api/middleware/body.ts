/**
 * Request bodies, per route: JSON (size-limited), multipart uploads (multer, memory storage,
 * per-file size limit, file count limit = the batch limit), or a raw FITS/PNG/JPEG body.
 * Whatever comes in, the handler sees `res.locals.body` (the request JSON, not yet validated)
 * and `res.locals.uploads` (files with their format judged by their bytes).
 *
 *   415  a content type the route does not take, or file bytes that are not FITS, PNG or JPEG
 *   413  a file or body over the limit, too many files
 *   400  an empty body or file, an unexpected field, malformed JSON
 */
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import multer from 'multer';
import { describeFormat, sniffFormat } from '../../io/sniff.js';
import { badInput } from '../../util/errors.js';
import type { ApiConfig } from '../config.js';
import { unsupportedMedia } from '../errors.js';
import type { AnyRoute } from '../route.js';
import type { Upload } from '../services/uploads.js';

/** Content types taken as a raw file body (the bytes decide the actual format). */
export const RAW_TYPES = ['application/fits', 'image/fits', 'application/fits+gzip', 'application/gzip', 'image/png', 'image/jpeg', 'application/octet-stream'];

function hasBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
}

function toUpload(field: string, filename: string, bytes: Buffer): Upload {
  const upload: Upload = { field, filename, bytes, format: sniffFormat(bytes) };
  if (bytes.length === 0) throw badInput(`${filename || field}: the file is empty (0 bytes)`);
  if (upload.format === 'unknown') {
    throw unsupportedMedia(`${filename || field}: ${describeFormat('unknown')} (the format is judged by the bytes, not the name or declared type)`, { field });
  }
  return upload;
}

/** Runs a connect-style middleware and resolves when it calls next (or rejects with its error). */
function run(mw: RequestHandler, req: Request, res: Response): Promise<void> {
  return new Promise((resolve, reject) => mw(req, res, (err?: unknown) => (err ? reject(err) : resolve())));
}

export function bodyParser(route: AnyRoute, config: ApiConfig): RequestHandler {
  const { limits } = config;
  const json = express.json({ limit: limits.maxJsonBytes, strict: true, type: () => true });
  const raw = express.raw({ limit: limits.maxUploadBytes, type: () => true });
  const uploads = route.uploads;
  const jsonField = uploads?.jsonField ?? 'request';
  const multipart = uploads
    ? multer({
        storage: multer.memoryStorage(),
        limits: { fileSize: limits.maxUploadBytes, files: limits.maxBatch, fields: 8, fieldSize: limits.maxJsonBytes, parts: limits.maxBatch + 8 },
      }).any()
    : undefined;

  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      res.locals.uploads = [] as Upload[];
      res.locals.body = undefined;
      if (!route.body && !uploads) return next();
      const present = hasBody(req);

      if (req.is('application/json') || req.is('application/*+json')) {
        if (!route.body) throw unsupportedMedia(`${route.method.toUpperCase()} ${route.path} takes no JSON body; upload files (multipart/form-data)`);
        if (present) await run(json, req, res);
        res.locals.body = present ? req.body : {};
        return next();
      }

      if (uploads && req.is('multipart/form-data')) {
        await run(multipart!, req, res);
        const files = (req.files as Express.Multer.File[] | undefined) ?? [];
        res.locals.uploads = files.map((f) => {
          if (!uploads.fields.includes(f.fieldname)) throw badInput(`unexpected file field '${f.fieldname}'; this endpoint takes: ${uploads.fields.join(', ')}`);
          return toUpload(f.fieldname, f.originalname, f.buffer);
        });
        const fields = (req.body ?? {}) as Record<string, unknown>;
        for (const name of Object.keys(fields)) {
          if (name !== jsonField) throw badInput(`unexpected text field '${name}'; send the request's JSON in the field '${jsonField}'`);
        }
        const text = fields[jsonField];
        if (text === undefined) res.locals.body = {};
        else {
          try {
            res.locals.body = JSON.parse(String(text));
          } catch (err) {
            throw badInput(`the multipart field '${jsonField}' is not valid JSON: ${(err as Error).message}`);
          }
        }
        return next();
      }

      if (uploads?.raw && RAW_TYPES.some((t) => req.is(t))) {
        if (!present) throw badInput('the request body is empty (0 bytes): send the file as the body');
        await run(raw, req, res);
        const bytes = req.body as Buffer;
        const query = req.query as Record<string, unknown>;
        const format = sniffFormat(bytes);
        const field = typeof query.modality === 'string' ? query.modality : format === 'png' || format === 'jpeg' ? 'image' : undefined;
        if (bytes.length > 0 && format !== 'unknown' && field === undefined) {
          throw badInput('a raw FITS body needs ?modality=image or ?modality=spectrum (PNG and JPEG are images)');
        }
        res.locals.uploads = [toUpload(field ?? 'image', 'body', bytes)];
        res.locals.body = uploads.raw.rawBody(query);
        return next();
      }

      if (!present && !req.get('content-type')) {
        res.locals.body = {};
        return next();
      }
      const accepted = [route.body ? 'application/json' : undefined, uploads ? 'multipart/form-data' : undefined, uploads?.raw ? RAW_TYPES.join(', ') : undefined].filter(Boolean);
      throw unsupportedMedia(`content type '${req.get('content-type') ?? '(none)'}' is not accepted here; send ${accepted.join(' or ')}`, { accepted });
    } catch (err) {
      next(err);
    }
  };
}
