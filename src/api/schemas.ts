/**
 * Every request and response schema of the HTTP API, in one place. Routes validate with them
 * and /openapi.json is generated from them (openapi.ts), so the document cannot drift from what
 * the server accepts. Request limits that depend on the configuration (k, batch sizes) are
 * checked by `limitsOf(config)` refinements in the routes; the static bounds here are hard caps.
 */
import { z } from 'zod';
import { MAX_K, MODALITIES, OBJECT_COLUMNS } from '../store/index.js';

// ---------------------------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------------------------

export const IdSchema = z.string().min(1).max(256).describe('Object id (as in the catalog)');
export const ModalitySchema = z.enum(MODALITIES).describe('Which encoder: image (g,r,z cutout) or spectrum');
export const TargetModalitySchema = z.enum(['image', 'spectrum', 'both']).describe('Index to search: image, spectrum or both');
/** A query vector in the shared space: finite numbers (JSON has no NaN; null is refused). */
export const VectorSchema = z.array(z.number()).min(1).max(65536).describe('A vector in the shared embedding space (any scale; normalized by the server)');
export const KSchema = z.number().int().min(1).max(MAX_K).describe('Number of results');

export const RangeSchema = z
  .strictObject({ min: z.number().optional().describe('Inclusive lower bound'), max: z.number().optional().describe('Inclusive upper bound') })
  .refine((r) => r.min !== undefined || r.max !== undefined, 'a range needs min, max or both')
  .refine((r) => r.min === undefined || r.max === undefined || r.min <= r.max, 'min must not exceed max');

export const ConeSchema = z.strictObject({
  ra: z.number().describe('Centre right ascension, degrees'),
  dec: z.number().min(-90).max(90).describe('Centre declination, degrees'),
  radius: z.number().gt(0).max(180).describe('Radius, degrees'),
});

export const FilterSchema = z
  .strictObject({
    class: z.union([z.string().min(1), z.array(z.string().min(1)).min(1).max(100)]).optional().describe('Spectral class(es): GALAXY, QSO, STAR'),
    redshift: RangeSchema.optional().describe('Redshift range (catalog column z)'),
    cone: ConeSchema.optional().describe('Sky cone'),
    equals: z
      .record(z.string(), z.union([z.string(), z.array(z.string()).min(1).max(100), z.boolean()]))
      .optional()
      .describe('Equality on any text or boolean catalog column (a list means any of them)'),
    range: z.record(z.string(), RangeSchema).optional().describe('Inclusive ranges on any numeric catalog column'),
  })
  .describe('Catalog filter; all parts must hold');
export type FilterInput = z.output<typeof FilterSchema>;

export const IdQuerySchema = z.strictObject({
  id: IdSchema,
  modality: ModalitySchema.optional().describe("Which of the object's vectors is the query (default image, else the one it has)"),
});
export const VectorQuerySchema = z.strictObject({
  vector: VectorSchema,
  modality: ModalitySchema.optional().describe('What the vector embeds, if known (labels results as cross-modal)'),
});
export const QuerySchema = z.union([IdQuerySchema, VectorQuerySchema]).describe('Query by object id or by vector; or upload a file instead (multipart field image or spectrum)');
export type QueryInput = z.output<typeof QuerySchema>;

/** Catalog columns as they come back (every OBJECT_COLUMN plus id, ra, dec, extra). */
export const ObjectRowSchema = z
  .object({
    id: IdSchema,
    ra: z.number().describe('Right ascension, degrees'),
    dec: z.number().describe('Declination, degrees'),
    ...Object.fromEntries(
      OBJECT_COLUMNS.map((c) => [
        c.name,
        (c.type === 'text' ? z.string().nullable() : c.type === 'real' ? z.number().nullable() : z.boolean().nullable()).describe(c.description),
      ]),
    ),
    extra: z.record(z.string(), z.unknown()).describe('Other facts kept with the object'),
  })
  .describe('A catalog row');

export const LinksSchema = z.object({
  self: z.string(),
  cutout: z.string().optional().describe('PNG in the Legacy-viewer stretch (present when the object has an image file)'),
  spectrum: z.string().optional().describe('SVG plot (present when the object has a spectrum file)'),
});

export const ErrorSchema = z
  .object({
    error: z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()).optional() }),
    requestId: z.string(),
  })
  .describe('Every error');

// ---------------------------------------------------------------------------------------------
// System
// ---------------------------------------------------------------------------------------------

export const HealthSchema = z.object({
  status: z.enum(['starting', 'ready', 'failed']),
  since: z.string(),
  progress: z.object({ stage: z.string(), done: z.number(), total: z.number() }).nullable().optional(),
  message: z.string().optional(),
  model: z.string().optional(),
  objects: z.number().optional(),
});

export const ModelsResponseSchema = z.object({
  models: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      dimension: z.number(),
      dir: z.string(),
      preprocess: z.record(z.string(), z.unknown()),
      training: z.record(z.string(), z.unknown()),
    }),
  ),
  presets: z.array(z.string()),
  backend: z.object({ name: z.string(), source: z.string(), tfjsVersion: z.string() }).nullable(),
  index: z.object({
    storeId: z.string(),
    modelId: z.string(),
    dimension: z.number(),
    objects: z.number(),
    vectors: z.record(z.string(), z.number()),
    generation: z.number(),
    params: z.record(z.string(), z.number()),
  }),
  limits: z.record(z.string(), z.number()),
});

// ---------------------------------------------------------------------------------------------
// Embed
// ---------------------------------------------------------------------------------------------

export const EmbedRawQuerySchema = z.strictObject({ modality: ModalitySchema.optional() });

export const EmbeddingSchema = z.object({
  modality: ModalitySchema,
  filename: z.string(),
  format: z.string().describe('Detected from the bytes: fits, png, jpeg, gzip'),
  vector: z.array(z.number()),
  masked: z.number().describe('Image: masked pixels of the crop; spectrum: share of grid pixels filled'),
});
export const EmbedResponseSchema = z.object({ model: z.string(), dimension: z.number(), embeddings: z.array(EmbeddingSchema) });

// ---------------------------------------------------------------------------------------------
// Search
// ---------------------------------------------------------------------------------------------

export const SearchRequestSchema = z.strictObject({
  query: QuerySchema.optional(),
  target: TargetModalitySchema.optional().describe('Default both; a target other than the query modality is a cross-modal search'),
  k: KSchema.optional().describe('Neighbours per target index (default 10)'),
  filter: FilterSchema.optional(),
  excludeSelf: z.boolean().optional().describe('Leave the query object out of the results (default false)'),
  exact: z.boolean().optional().describe('Rank exactly instead of walking the HNSW graph (default false)'),
});
export type SearchRequest = z.output<typeof SearchRequestSchema>;
export const SearchRawQuerySchema = z.strictObject({
  modality: ModalitySchema.optional(),
  target: TargetModalitySchema.optional(),
  k: z.coerce.number().int().min(1).max(MAX_K).optional(),
  format: z.enum(['json', 'votable']).optional(),
});
export const FormatQuerySchema = z.strictObject({ format: z.enum(['json', 'votable']).optional().describe('votable: answer an IVOA VOTable') });

export const HitSchema = z.object({
  rank: z.number().int(),
  id: IdSchema,
  similarity: z.number().describe('Cosine similarity to the query'),
  distance: z.number().describe('1 - similarity'),
  object: ObjectRowSchema,
  links: LinksSchema,
});

export const QueryEchoSchema = z.object({
  kind: z.enum(['id', 'vector', 'upload']),
  id: z.string().optional(),
  filename: z.string().optional(),
  modality: ModalitySchema.nullable(),
});

export const SearchResponseSchema = z.object({
  model: z.string(),
  query: QueryEchoSchema,
  k: z.number(),
  results: z.array(
    z.object({
      modality: ModalitySchema.describe('Index searched'),
      crossModal: z.boolean().nullable().describe('Query and index modalities differ (null when the query modality is unknown)'),
      strategy: z.string().describe('How the store ranked: graph, exact, filtered walk, post-filter'),
      hits: z.array(HitSchema),
    }),
  ),
});

export const ExampleSchema = z.union([IdQuerySchema, VectorQuerySchema]).describe('An example by id (its vector in `modality`, default the target modality) or by vector');

export const RareRequestSchema = z.strictObject({
  positives: z.array(ExampleSchema).max(100_000).optional().describe('Objects like the ones wanted (or upload files in fields positive_image / positive_spectrum)'),
  negatives: z.array(ExampleSchema).max(100_000).optional().describe('Objects unlike them (or fields negative_image / negative_spectrum)'),
  target: ModalitySchema.optional().describe('Index to rank (default image)'),
  k: KSchema.optional().describe('Results (default 20)'),
  filter: FilterSchema.optional(),
  candidates: z.number().int().min(1).max(MAX_K).optional().describe('Pool re-ranked (default max(10 k, 200), capped at the k limit x 10)'),
});
export type RareRequest = z.output<typeof RareRequestSchema>;

export const RareHitSchema = HitSchema.extend({
  score: z.number().describe('The ranking score (see method)'),
  centroidSimilarity: z.number(),
  maxPositiveSimilarity: z.number(),
  maxNegativeSimilarity: z.number().nullable(),
});
export const RareResponseSchema = z.object({
  model: z.string(),
  method: z.string().describe('How the catalog was ranked, in words'),
  target: ModalitySchema,
  positives: z.number(),
  negatives: z.number(),
  candidates: z.number(),
  hits: z.array(RareHitSchema),
});

export const OutliersQuerySchema = z.strictObject({
  modality: ModalitySchema.optional().describe('Default image'),
  k: z.coerce.number().int().min(1).max(MAX_K).optional().describe('Objects returned (default 20)'),
  neighbours: z.coerce.number().int().min(1).max(100).optional().describe('Neighbours in the density score (default 10)'),
  format: z.enum(['json', 'votable']).optional(),
});
export const OutliersResponseSchema = z.object({
  model: z.string(),
  modality: ModalitySchema,
  method: z.string(),
  neighbours: z.number(),
  scored: z.number().describe('Objects scored'),
  outliers: z.array(HitSchema.omit({ similarity: true, distance: true }).extend({ score: z.number().describe('Mean cosine distance to the nearest neighbours') })),
});

// ---------------------------------------------------------------------------------------------
// Predict and heads
// ---------------------------------------------------------------------------------------------

/** Public names of the predictable quantities and their catalog columns. */
export const PREDICT_TARGETS = Object.freeze({
  redshift: 'z',
  logmstar: 'logmstar',
  logssfr: 'logssfr',
  zmw: 'zmw',
  tage: 'tage',
  morphology: 'morph_type',
  class: 'class',
} as const);
export type PredictTarget = keyof typeof PREDICT_TARGETS;
export const PredictTargetSchema = z.enum(Object.keys(PREDICT_TARGETS) as [PredictTarget, ...PredictTarget[]]);

export const PredictRequestSchema = z.strictObject({
  query: QuerySchema.optional().describe('The object (or vector); or upload a file in field image or spectrum'),
  targets: z.array(PredictTargetSchema).min(1).max(7).optional().describe('Default: all seven (for a trained head: its own target)'),
  head: z.string().min(1).max(100).optional().describe("'knn' (default), 'linear', or the id of a head trained with POST /v1/heads"),
  k: z.number().int().min(1).max(1000).optional().describe('k-NN neighbours (default: chosen by PIT flatness / log loss on held-out catalog objects)'),
  neighbours: z.boolean().optional().describe('Return the k-NN neighbours used (default true for knn)'),
});
export type PredictRequest = z.output<typeof PredictRequestSchema>;
export const PredictRawQuerySchema = z.strictObject({
  modality: ModalitySchema.optional(),
  head: z.string().min(1).max(100).optional(),
  targets: z
    .string()
    .optional()
    .transform((s) => (s === undefined ? undefined : s.split(',').map((t) => t.trim())))
    .pipe(z.array(PredictTargetSchema).min(1).optional()),
});

export const IntervalSchema = z.object({ level: z.number(), lower: z.number(), upper: z.number() });
export const PredictionSchema = z.union([
  z.object({
    task: z.literal('regression'),
    column: z.string(),
    value: z.number().describe('Median of the predictive distribution'),
    intervals: z.array(IntervalSchema).describe('Central 68 % and 95 % intervals (split-conformal calibrated for knn and linear)'),
    head: z.string(),
    neighbours: z.array(z.object({ id: z.string(), similarity: z.number(), value: z.number() })).optional(),
  }),
  z.object({
    task: z.literal('classification'),
    column: z.string(),
    value: z.string().describe('Most probable class'),
    probabilities: z.record(z.string(), z.number()),
    head: z.string(),
    neighbours: z.array(z.object({ id: z.string(), similarity: z.number(), value: z.string() })).optional(),
  }),
]);
export const PredictResponseSchema = z.object({
  model: z.string(),
  query: QueryEchoSchema,
  modality: ModalitySchema.describe('Which embedding the heads read'),
  head: z.string(),
  predictions: z.record(z.string(), PredictionSchema),
});

export const HEAD_KINDS = ['mlp', 'ridge', 'softmax', 'prototype'] as const;
export const HeadTrainRequestSchema = z.strictObject({
  name: z.string().min(1).max(100).optional(),
  target: PredictTargetSchema,
  modality: ModalitySchema.optional().describe('Embedding the head reads (default image)'),
  kind: z.enum(HEAD_KINDS).optional().describe('Default: mlp for regression targets, prototype for classes'),
  examples: z
    .array(z.strictObject({ id: IdSchema, label: z.union([z.number(), z.string().min(1)]).optional().describe("Default: the object's catalog value") }))
    .min(2)
    .max(100_000),
  seed: z.number().int().min(0).max(2 ** 31 - 1).optional(),
});
export type HeadTrainRequest = z.output<typeof HeadTrainRequestSchema>;

export const HeadInfoSchema = z.object({
  id: z.string(),
  name: z.string(),
  target: PredictTargetSchema,
  column: z.string(),
  task: z.enum(['regression', 'classification']),
  modality: ModalitySchema,
  kind: z.string(),
  modelId: z.string(),
  examples: z.number(),
  classes: z.array(z.string()).optional(),
  createdAt: z.string(),
  usable: z.boolean().describe('False when the loaded model is not the one the head was trained on'),
});
export const HeadListSchema = z.object({ heads: z.array(HeadInfoSchema) });
export const IdParamsSchema = z.strictObject({ id: z.string().min(1).max(256) });

// ---------------------------------------------------------------------------------------------
// Objects
// ---------------------------------------------------------------------------------------------

export const ObjectResponseSchema = z.object({
  object: ObjectRowSchema,
  modalities: z.array(ModalitySchema).describe('Modalities with a vector in the index'),
  links: LinksSchema,
});

export const ObjectMetadataSchema = z
  .looseObject({
    id: IdSchema,
    ra: z.number().min(-360).max(720),
    dec: z.number().min(-90).max(90),
    extra: z.record(z.string(), z.unknown()).optional(),
  })
  .describe('Multipart text field `metadata`: id, ra, dec, any catalog column (class, z, ...), extra');
export const ObjectCreateQuerySchema = z.strictObject({ replace: z.enum(['true', 'false']).optional().describe('Replace an existing object (default false: 409)') });
export const ObjectCreatedSchema = z.object({ object: ObjectRowSchema, modalities: z.array(ModalitySchema), links: LinksSchema, replaced: z.boolean() });
export const DeletedSchema = z.object({ deleted: z.string() });
export const CutoutQuerySchema = z.strictObject({ scale: z.coerce.number().int().min(1).max(8).optional().describe('Nearest-neighbour magnification (default 2)') });

// ---------------------------------------------------------------------------------------------
// Jobs
// ---------------------------------------------------------------------------------------------

export const SelectionSchema = z
  .union([
    z.literal('all'),
    z.strictObject({ ids: z.array(IdSchema).min(1).max(1_000_000) }),
    z.strictObject({ filter: FilterSchema }),
  ])
  .describe("'all', { ids: [...] } or { filter: {...} }");
export const ExportRequestSchema = z.strictObject({
  selection: SelectionSchema.optional().describe("Default 'all'"),
  modalities: z.array(ModalitySchema).max(2).optional().describe('Embeddings to include (default both; [] for the catalog only)'),
  format: z.enum(['parquet', 'fits', 'csv']).optional().describe('Default parquet'),
});
export type ExportRequest = z.output<typeof ExportRequestSchema>;
export const IngestRequestSchema = z.strictObject({
  path: z.string().min(1).max(4096).describe('Folder (survey or directory of files) or catalog.csv, relative to the data root or absolute inside it'),
});

export const JobSchema = z.object({
  id: z.string(),
  kind: z.string(),
  state: z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']),
  done: z.number(),
  total: z.number().nullable(),
  ratePerSecond: z.number().nullable(),
  etaSeconds: z.number().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  error: z.string().nullable(),
  params: z.unknown(),
  result: z.unknown(),
  links: z.object({ self: z.string(), result: z.string().optional() }),
});
export const JobListSchema = z.object({ jobs: z.array(JobSchema) });

// ---------------------------------------------------------------------------------------------
// Simple Cone Search
// ---------------------------------------------------------------------------------------------

export const ScsQuerySchema = z.looseObject({
  RA: z.coerce.number().min(-360).max(720).describe('Cone centre right ascension, degrees (ICRS)'),
  DEC: z.coerce.number().min(-90).max(90).describe('Cone centre declination, degrees'),
  SR: z.coerce.number().min(0).max(180).describe('Search radius, degrees'),
  VERB: z.coerce.number().int().min(1).max(3).optional().describe('Verbosity: 1 few columns, 2 (default) and 3 all'),
  MAXREC: z.coerce.number().int().min(0).optional().describe('Most rows returned'),
});
