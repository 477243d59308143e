/**
 * The service's configuration: the environment, validated once at start into typed data with a
 * documented default for every setting. Nothing else in src/api reads process.env.
 *
 *   const config = loadConfig(process.env);   // throws BAD_INPUT naming every bad variable
 *   config.port;                               // 8080
 *   config.limits.maxK;                        // 1000
 *
 * | variable                      | default                 | meaning                                              |
 * |-------------------------------|-------------------------|------------------------------------------------------|
 * | HOST                          | 127.0.0.1               | address to listen on (non-loopback needs API keys)   |
 * | PORT                          | 8080                    | TCP port (0 = any free port)                         |
 * | SKYCLIP_API_KEYS              | (none)                  | comma-separated keys (>= 16 chars each) for writes   |
 * | SKYCLIP_MODEL_DIR             | models/tiny             | model directory to load                              |
 * | SKYCLIP_STORE_DIR             | index-data/demo-store   | embedding store (built as the demo when absent)      |
 * | SKYCLIP_SURVEY_DIR            | index-data/demo-survey  | survey folder: the demo's, and the base of relative  |
 * |                               |                         | image_path / spectrum_path in the catalog            |
 * | SKYCLIP_DATA_ROOT             | index-data              | the only tree server-side ingest may read            |
 * | SKYCLIP_MAX_UPLOAD_BYTES      | 16777216 (16 MiB)       | largest uploaded file or raw body                    |
 * | SKYCLIP_MAX_JSON_BYTES        | 1048576 (1 MiB)         | largest JSON body                                    |
 * | SKYCLIP_MAX_K                 | 1000                    | largest k of a search (<= the store's MAX_K)         |
 * | SKYCLIP_MAX_BATCH             | 32                      | most files or vectors in one request                 |
 * | SKYCLIP_MAX_IDS               | 1000                    | most object ids in one request (examples, heads)     |
 * | SKYCLIP_REQUEST_TIMEOUT_MS    | 30000                   | a request not answered by then gets 503 TIMEOUT      |
 * | SKYCLIP_RATE_LIMIT_PER_MINUTE | 600                     | requests per client address per minute (0 = off)     |
 * | SKYCLIP_ACCESS_LOG            | 1                       | one JSON line per request on stdout (0 = off)        |
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { MAX_K } from '../store/index.js';
import { badInput } from '../util/errors.js';

/** Every default, in one place (the table above). */
export const CONFIG_DEFAULTS = Object.freeze({
  host: '127.0.0.1',
  port: 8080,
  modelDir: 'models/tiny',
  storeDir: 'index-data/demo-store',
  surveyDir: 'index-data/demo-survey',
  dataRoot: 'index-data',
  maxUploadBytes: 16 * 2 ** 20,
  maxJsonBytes: 2 ** 20,
  maxK: 1000,
  maxBatch: 32,
  maxIds: 1000,
  requestTimeoutMs: 30_000,
  rateLimitPerMinute: 600,
  accessLog: true,
});

/** Shortest accepted API key: shorter ones are guessable. */
export const MIN_API_KEY_LENGTH = 16;

const int = (min: number, max: number, fallback: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a non-negative integer')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .optional()
    .transform((v) => v ?? fallback);

const path = (fallback: string) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .optional()
    .transform((v) => v ?? fallback);

const flag = (fallback: boolean) =>
  z
    .enum(['0', '1', 'true', 'false', 'yes', 'no'])
    .optional()
    .transform((v) => (v === undefined ? fallback : v === '1' || v === 'true' || v === 'yes'));

/** The environment variables the service reads, as a zod schema (strings in, typed data out). */
export const EnvSchema = z.object({
  HOST: z
    .string()
    .trim()
    .min(1)
    .refine((h) => h === 'localhost' || isIP(h) !== 0 || /^[A-Za-z0-9.-]+$/.test(h), 'must be an IP address or host name')
    .optional()
    .transform((v) => v ?? CONFIG_DEFAULTS.host),
  PORT: int(0, 65535, CONFIG_DEFAULTS.port),
  SKYCLIP_API_KEYS: z
    .string()
    .optional()
    .transform((v) => (v ?? '').split(',').map((k) => k.trim()).filter((k) => k.length > 0))
    .pipe(z.array(z.string().min(MIN_API_KEY_LENGTH, `each key must have at least ${MIN_API_KEY_LENGTH} characters`))),
  SKYCLIP_MODEL_DIR: path(CONFIG_DEFAULTS.modelDir),
  SKYCLIP_STORE_DIR: path(CONFIG_DEFAULTS.storeDir),
  SKYCLIP_SURVEY_DIR: path(CONFIG_DEFAULTS.surveyDir),
  SKYCLIP_DATA_ROOT: path(CONFIG_DEFAULTS.dataRoot),
  SKYCLIP_MAX_UPLOAD_BYTES: int(1, 2 ** 30, CONFIG_DEFAULTS.maxUploadBytes),
  SKYCLIP_MAX_JSON_BYTES: int(1024, 2 ** 28, CONFIG_DEFAULTS.maxJsonBytes),
  SKYCLIP_MAX_K: int(1, MAX_K, CONFIG_DEFAULTS.maxK),
  SKYCLIP_MAX_BATCH: int(1, 10_000, CONFIG_DEFAULTS.maxBatch),
  SKYCLIP_MAX_IDS: int(1, 1_000_000, CONFIG_DEFAULTS.maxIds),
  SKYCLIP_REQUEST_TIMEOUT_MS: int(100, 3_600_000, CONFIG_DEFAULTS.requestTimeoutMs),
  SKYCLIP_RATE_LIMIT_PER_MINUTE: int(0, 1_000_000, CONFIG_DEFAULTS.rateLimitPerMinute),
  SKYCLIP_ACCESS_LOG: flag(CONFIG_DEFAULTS.accessLog),
});

export interface ApiLimits {
  /** Largest uploaded file or raw body, bytes. */
  maxUploadBytes: number;
  /** Largest JSON body, bytes. */
  maxJsonBytes: number;
  /** Largest k of a search or outlier list. */
  maxK: number;
  /** Most uploaded files or query vectors in one request. */
  maxBatch: number;
  /** Most object ids in one request (rare-search examples, head training). */
  maxIds: number;
  /** Milliseconds before an unanswered request gets 503 TIMEOUT. */
  requestTimeoutMs: number;
  /** Requests per client address per minute; 0 turns rate limiting off. */
  rateLimitPerMinute: number;
}

export interface ApiConfig {
  host: string;
  port: number;
  /** Keys that unlock write endpoints; empty = writes are open (allowed on loopback only). */
  apiKeys: string[];
  modelDir: string;
  storeDir: string;
  surveyDir: string;
  /** Server-side ingest reads only below this directory. */
  dataRoot: string;
  limits: ApiLimits;
  accessLog: boolean;
}

/** Environment -> ApiConfig. Throws BAD_INPUT listing every invalid variable (never its value when it is a key). */
export function loadConfig(env: Record<string, string | undefined> = process.env): ApiConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(environment)'}: ${i.message}`);
    throw badInput(`invalid environment: ${problems.join('; ')}`, { issues: parsed.error.issues.map((i) => ({ path: i.path, message: i.message })) });
  }
  const e = parsed.data;
  return {
    host: e.HOST,
    port: e.PORT,
    apiKeys: e.SKYCLIP_API_KEYS,
    modelDir: e.SKYCLIP_MODEL_DIR,
    storeDir: e.SKYCLIP_STORE_DIR,
    surveyDir: e.SKYCLIP_SURVEY_DIR,
    dataRoot: e.SKYCLIP_DATA_ROOT,
    limits: {
      maxUploadBytes: e.SKYCLIP_MAX_UPLOAD_BYTES,
      maxJsonBytes: e.SKYCLIP_MAX_JSON_BYTES,
      maxK: e.SKYCLIP_MAX_K,
      maxBatch: e.SKYCLIP_MAX_BATCH,
      maxIds: e.SKYCLIP_MAX_IDS,
      requestTimeoutMs: e.SKYCLIP_REQUEST_TIMEOUT_MS,
      rateLimitPerMinute: e.SKYCLIP_RATE_LIMIT_PER_MINUTE,
    },
    accessLog: e.SKYCLIP_ACCESS_LOG,
  };
}

/** The default configuration with some fields replaced (tests, embedding the app elsewhere). */
export function configWith(overrides: Partial<Omit<ApiConfig, 'limits'>> & { limits?: Partial<ApiLimits> } = {}): ApiConfig {
  const base = loadConfig({});
  return { ...base, ...overrides, limits: { ...base.limits, ...overrides.limits } };
}

/** True for addresses only this machine can reach: localhost, 127.0.0.0/8, ::1. */
export function isLoopback(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (h.startsWith('::ffff:')) return isLoopback(h.slice(7));
  return false;
}

/** Refuses to expose write endpoints beyond this machine without keys (BAD_INPUT, before listening). */
export function assertSafeBinding(config: ApiConfig): void {
  if (!isLoopback(config.host) && config.apiKeys.length === 0) {
    throw badInput(
      `refusing to listen on ${config.host} (reachable from other machines) without API keys: set SKYCLIP_API_KEYS to one or more comma-separated keys of >= ${MIN_API_KEY_LENGTH} characters, or listen on 127.0.0.1`,
    );
  }
}
