/**
 * Per-request plumbing every route shares:
 *   - a request id on every response (X-Request-Id): the client's own when it is a short token,
 *     else a new UUID; error bodies and log lines carry it too;
 *   - one structured access-log line per request when the response ends (method, path without
 *     the query string, status, duration, bytes, client address; never headers, so never keys);
 *   - the request timeout: a request not answered within the limit gets 503 TIMEOUT (streamed
 *     downloads, once started, are not cut).
 */
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { errorBody } from '../errors.js';
import type { Logger } from '../log.js';

const CLIENT_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export function requestId(): RequestHandler {
  return (req, res, next) => {
    const given = req.get('x-request-id');
    const id = given && CLIENT_ID.test(given) ? given : randomUUID();
    (req as typeof req & { id: string }).id = id;
    res.setHeader('X-Request-Id', id);
    next();
  };
}

export function accessLog(log: Logger, enabled: boolean): RequestHandler {
  return (req, res, next) => {
    if (!enabled) return next();
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      log.info('request', {
        requestId: (req as typeof req & { id?: string }).id,
        method: req.method,
        path: req.path,
        status: res.statusCode,
        ms: Number((process.hrtime.bigint() - start) / 1000n) / 1000,
        bytes: Number(res.getHeader('content-length') ?? 0),
        ip: req.ip,
      });
    });
    next();
  };
}

export function requestTimeout(ms: number): RequestHandler {
  return (req, res, next) => {
    const timer = setTimeout(() => {
      if (res.headersSent) return;
      res
        .status(503)
        .setHeader('Retry-After', '5')
        .json(errorBody({ code: 'TIMEOUT', message: `the request took longer than ${ms} ms (SKYCLIP_REQUEST_TIMEOUT_MS)` }, (req as typeof req & { id?: string }).id ?? 'unknown'));
    }, ms);
    timer.unref();
    const clear = () => clearTimeout(timer);
    res.on('finish', clear);
    res.on('close', clear);
    next();
  };
}
