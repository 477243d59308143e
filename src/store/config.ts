/**
 * The store's tunable numbers, in one place, with the reasons behind their defaults.
 *
 * Two groups:
 *   IndexParams    how each HNSW graph is built and searched. m, efConstruction and seed are
 *                  baked into the graph when it is built, so they are fixed when a store is
 *                  created and saved in its manifest; efSearch is not stored in hnswlib's own
 *                  file (it resets to 10 on every load), so the manifest keeps it and the store
 *                  sets it after each load. A session may override efSearch, and a query its ef.
 *   PlannerParams  when a filtered query ranks the filtered subset exactly instead of walking
 *                  the graph with a filter callback (see planner.ts).
 *
 *   const params = resolveIndexParams({ efSearch: 200 }); // the other fields get the defaults
 */
import { z } from 'zod';
import { badInput } from '../util/errors.js';

/** The two encoders of the model, each with its own index in the one shared space. */
export const MODALITIES = ['image', 'spectrum'] as const;
export type Modality = (typeof MODALITIES)[number];

export function isModality(value: unknown): value is Modality {
  return typeof value === 'string' && (MODALITIES as readonly string[]).includes(value);
}

export function assertModality(value: unknown): Modality {
  if (!isModality(value)) throw badInput(`unknown modality ${JSON.stringify(value)}; expected one of ${MODALITIES.join(', ')}`);
  return value;
}

/**
 * Measured on uniformly random unit vectors (the hardest case: their intrinsic dimension is the
 * full dimension; trained embeddings sit on a much lower-dimensional manifold and do better),
 * recall@10 of the graph against exact search, hnswlib-node 3.0:
 *
 *   20,000 x 64-d   M=16 efC=200: ef=128 0.890, ef=200 0.953
 *                   M=32 efC=200: ef=64 0.905, ef=128 0.984, ef=200 0.997
 *   3,000 x 32-d    M=32 efC=200: ef=64 0.9995
 *
 * so the defaults are M=32, efConstruction=200, efSearch=128: >= 0.98 on the hard case at
 * about 0.5 ms per query, and the graph costs 2*M*4 = 256 bytes of links per vector at layer 0.
 */
export const IndexParamsSchema = z.strictObject({
  /** Links per node (hnswlib's M; layer 0 keeps 2M). More links: better recall, more memory, slower build. Default 32. */
  m: z.number().int().min(2).max(200).default(32),
  /** Candidate list size while inserting; larger builds a better graph, slower. Default 200. */
  efConstruction: z.number().int().min(1).max(10_000).default(200),
  /** Candidate list size while searching (raised to k when k is larger). Default 128. */
  efSearch: z.number().int().min(1).max(10_000).default(128),
  /** Seed of hnswlib's level generator: the same vectors added in the same order give the same graph. Default 100 (hnswlib's own). */
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(100),
});
export type IndexParams = z.output<typeof IndexParamsSchema>;

/**
 * A filtered query first counts the objects passing the filter in SQL (see planner.ts). When
 * few pass, ranking them exactly is both exact and faster than walking the graph, whose
 * filter is a JS callback per visited node and which must visit roughly ef / selectivity
 * nodes: the subset is ranked exactly when it has at most `exactMaxRows` objects OR at most
 * `exactMaxFraction` of the modality's. When most pass, an unfiltered walk that over-fetches
 * and drops the rest is cheapest. scripts/bench-store.ts measures the strategies.
 */
export const PlannerParamsSchema = z.strictObject({
  /** Rank a filtered subset exactly when it has at most this many objects. Default 2000. */
  exactMaxRows: z.number().int().min(0).default(2000),
  /** ...or when it holds at most this share of the modality's objects. Default 0.02 (2 %). */
  exactMaxFraction: z.number().min(0).max(1).default(0.02),
  /**
   * Post-filter (walk the graph unfiltered, keep the hits that pass) when at least this share
   * of the objects passes the filter: cheaper than both materializing the passing labels and
   * a JS callback per visited node. Default 0.25.
   */
  postFilterMinFraction: z.number().min(0).max(1).default(0.25),
  /**
   * Keep an in-memory float32 copy of a modality's vectors for exact ranking while it fits in
   * this many bytes (built on the first exact query); above it, exact ranking reads the
   * vectors from catalog.sqlite, about 20x slower per row. 0 turns the copy off. Default
   * 256 MiB (about 1M 64-d or 65k 1024-d vectors).
   */
  vectorCacheBytes: z.number().int().min(0).default(256 * 2 ** 20),
});
export type PlannerParams = z.output<typeof PlannerParamsSchema>;

/**
 * A post-filter walk fetches this many times k / selectivity neighbours: with a filter
 * independent of the query about 2k of them pass, and fewer than k only rarely (then the
 * planner falls back to the filtered walk).
 */
export const POSTFILTER_OVERFETCH = 2;
/** Capacity of a new graph (hnswlib preallocates; growing later costs a resize). */
export const MIN_CAPACITY = 1024;
/** A full graph grows to this multiple of what it needs, so resizes stay rare. */
export const CAPACITY_GROWTH = 1.5;
/** Vectors written per SQLite transaction / graph batch; the store yields to the event loop between batches. */
export const WRITE_BATCH = 1000;
/** Largest k a search accepts. */
export const MAX_K = 10_000;
/** Default k of a search. */
export const DEFAULT_K = 10;

function resolve<S extends z.ZodType>(schema: S, what: string, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw badInput(`invalid ${what}: ${issue.path.join('.') || '(root)'}: ${issue.message}`, { issues: parsed.error.issues });
  }
  return parsed.data;
}

export function resolveIndexParams(input?: Partial<IndexParams>): IndexParams {
  return resolve(IndexParamsSchema, 'index parameters', input);
}

export function resolvePlannerParams(input?: Partial<PlannerParams>): PlannerParams {
  return resolve(PlannerParamsSchema, 'planner parameters', input);
}
