/**
 * API keys for write endpoints. When SKYCLIP_API_KEYS is set, a route marked `auth` needs one
 * of the keys in `Authorization: Bearer <key>` or `X-API-Key: <key>`. Keys are compared as
 * SHA-256 digests with crypto.timingSafeEqual (equal lengths, constant time), against every
 * configured key without stopping at a match, so timing tells nothing about a key. Keys are
 * never logged or echoed.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { unauthorized } from '../errors.js';

const digest = (key: string) => createHash('sha256').update(key, 'utf8').digest();

/** The key a request carries, if any. */
export function presentedKey(authorization: string | undefined, apiKeyHeader: string | undefined): string | undefined {
  if (apiKeyHeader !== undefined && apiKeyHeader.length > 0) return apiKeyHeader;
  const m = authorization === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  return m ? m[1] : undefined;
}

/** A checker over the configured keys: true when `candidate` is one of them. */
export function keyChecker(keys: readonly string[]): (candidate: string) => boolean {
  const digests = keys.map(digest);
  return (candidate) => {
    const given = digest(candidate);
    let match = false;
    for (const d of digests) match = timingSafeEqual(given, d) || match;
    return match;
  };
}

export function requireApiKey(keys: readonly string[]): RequestHandler {
  const check = keyChecker(keys);
  return (req, _res, next) => {
    if (keys.length === 0) return next();
    const key = presentedKey(req.get('authorization'), req.get('x-api-key'));
    if (key === undefined) return next(unauthorized('this endpoint needs an API key: send Authorization: Bearer <key> or X-API-Key: <key>'));
    if (!check(key)) return next(unauthorized('the API key is not valid'));
    next();
  };
}
