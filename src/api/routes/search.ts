/**
 * Similarity search: POST /v1/search (by id, vector or upload; one index or both),
 * POST /v1/search/rare ("more like these") and GET /v1/outliers (k-NN density). Each can answer
 * a VOTable instead of JSON (?format=votable or Accept: application/x-votable+xml), so the
 * results open in TOPCAT or Aladin.
 */
import type { Request, Response } from 'express';
import { VOTABLE_MEDIA_TYPE, catalogVoFields, toVoTable, type VoField } from '../../export/index.js';
import type { Modality } from '../../store/index.js';
import { MODALITIES } from '../../store/index.js';
import { badInput } from '../../util/errors.js';
import { linksFor, objectJson, toSearchFilter } from '../present.js';
import { defineRoute } from '../route.js';
import {
  FormatQuerySchema,
  OutliersQuerySchema,
  OutliersResponseSchema,
  RareRequestSchema,
  RareResponseSchema,
  SearchRawQuerySchema,
  SearchRequestSchema,
  SearchResponseSchema,
} from '../schemas.js';
import { DEFAULT_DENSITY_NEIGHBOURS, OUTLIER_METHOD } from '../services/outliers.js';
import { type Example, RARE_METHOD, rareSearch } from '../services/rare.js';
import { checkedVector, queryEcho, resolveQuery, searchStore, storedVector } from '../services/search.js';
import type { Services } from '../services/index.js';
import type { Upload } from '../services/uploads.js';

const DEFAULT_K = 10;
const DEFAULT_RARE_K = 20;
const DEFAULT_OUTLIERS = 20;

export function wantsVoTable(req: Request, format: string | undefined): boolean {
  if (format !== undefined) return format === 'votable';
  const accept = req.get('accept') ?? '';
  return accept.includes('votable');
}

function sendVoTable(res: Response, rows: Array<Record<string, unknown>>, extraFields: VoField[], resourceName: string, description: string): undefined {
  res.type(VOTABLE_MEDIA_TYPE).send(toVoTable(rows, { resourceName, description, fields: [...extraFields, ...catalogVoFields()] }));
  return undefined;
}

function checkK(k: number, max: number, what = 'k'): number {
  if (k > max) throw badInput(`${what} must be at most ${max} (SKYCLIP_MAX_K), got ${k}`, { max, got: k });
  return k;
}

export const search = defineRoute({
  method: 'post',
  path: '/v1/search',
  tag: 'search',
  summary: 'Nearest neighbours of an object, a vector or an uploaded file',
  description:
    'Query by id ({query: {id, modality?}}), by vector ({query: {vector}}) or by one uploaded file (multipart field image or spectrum, or a raw body with ?modality=). ' +
    '`target` picks the index: image, spectrum or both (default). Image and spectrum vectors share one space, so a query searched in the other modality is a cross-modal search; each result set says whether it was. ' +
    'A search by id returns the object itself first in its own modality (excludeSelf drops it).',
  query: SearchRawQuerySchema,
  body: SearchRequestSchema,
  uploads: {
    fields: ['image', 'spectrum'],
    raw: { rawBody: (q) => ({ ...(q.target !== undefined ? { target: q.target } : {}), ...(q.k !== undefined ? { k: Number(q.k) } : {}) }) },
  },
  responses: {
    200: { description: 'Neighbours per index searched (or a VOTable with ?format=votable)', schema: SearchResponseSchema },
  },
  handle: async ({ services, body, query, uploads, config, req, res }) => {
    const k = checkK(body.k ?? DEFAULT_K, config.limits.maxK);
    const q = await resolveQuery(services.store, services.uploads, body.query, uploads);
    const results = searchStore(services.store, q, {
      target: body.target ?? 'both',
      k,
      filter: toSearchFilter(body.filter),
      excludeSelf: body.excludeSelf,
      exact: body.exact,
    });
    if (wantsVoTable(req, query.format)) {
      const rows = results.flatMap((r) => r.hits.map((h) => ({ ...h.object, rank: h.rank, index: r.modality, similarity: h.similarity })));
      return sendVoTable(
        res,
        rows,
        [
          { name: 'rank', datatype: 'int', ucd: 'meta.number', description: 'Rank within its index' },
          { name: 'index', datatype: 'char', arraysize: '*', ucd: 'meta.code', description: 'Index searched: image or spectrum' },
          { name: 'similarity', datatype: 'double', ucd: 'stat.correlation', description: 'Cosine similarity to the query' },
        ],
        'skyclip similarity search',
        `Nearest neighbours (k = ${k}) of ${q.kind === 'id' ? `object ${q.id}` : q.kind === 'upload' ? `uploaded ${q.filename}` : 'a vector'} in the shared embedding space of model ${services.model.id}`,
      );
    }
    return { model: services.model.id, query: queryEcho(q), k, results };
  },
});

/** Examples of a rare search: JSON ids/vectors plus uploads in fields <role>_<modality>. */
async function examplesOf(services: Services, given: ReadonlyArray<{ id: string; modality?: Modality } | { vector: number[]; modality?: Modality }>, uploads: readonly Upload[], role: 'positive' | 'negative', target: Modality): Promise<Example[]> {
  const out: Example[] = [];
  for (const e of given) {
    if ('id' in e) {
      const has = services.store.modalitiesOf(e.id);
      // Default: the example's own vector in the target modality, else its other one (cross-modal).
      const modality = e.modality ?? (has.includes(target) ? target : undefined);
      out.push({ id: e.id, vector: storedVector(services.store, e.id, modality).vector });
    } else {
      out.push({ vector: checkedVector(services.store, e.vector) });
    }
  }
  const files = uploads.filter((u) => u.field.startsWith(`${role}_`));
  const embedded = await services.uploads.embed(files.map((u) => ({ upload: u, modality: u.field.slice(role.length + 1) as Modality })));
  for (const e of embedded) out.push({ vector: e.vector });
  return out;
}

export const rare = defineRoute({
  method: 'post',
  path: '/v1/search/rare',
  tag: 'search',
  summary: '"More like these": rank the catalog against positive (and negative) examples',
  description: `Method: ${RARE_METHOD} Uploads go in multipart fields positive_image, positive_spectrum, negative_image, negative_spectrum with the JSON in field request.`,
  query: FormatQuerySchema,
  body: RareRequestSchema,
  uploads: { fields: MODALITIES.flatMap((m) => [`positive_${m}`, `negative_${m}`]) },
  responses: { 200: { description: 'Ranked objects, the examples excluded', schema: RareResponseSchema } },
  handle: async ({ services, body, uploads, config, query, req, res }) => {
    const target = body.target ?? 'image';
    const k = checkK(body.k ?? DEFAULT_RARE_K, config.limits.maxK);
    const given = (body.positives?.length ?? 0) + (body.negatives?.length ?? 0);
    if (given > config.limits.maxIds) throw badInput(`at most ${config.limits.maxIds} examples per request (SKYCLIP_MAX_IDS), got ${given}`);
    const positives = await examplesOf(services, body.positives ?? [], uploads, 'positive', target);
    const negatives = await examplesOf(services, body.negatives ?? [], uploads, 'negative', target);
    const candidates = Math.min(body.candidates ?? Math.max(10 * k, 200), 10 * config.limits.maxK);
    const { hits, pool } = rareSearch(services.store, positives, negatives, { target, k, filter: toSearchFilter(body.filter), candidates });
    if (wantsVoTable(req, query.format)) {
      return sendVoTable(
        res,
        hits.map((h) => ({ ...h.object, rank: h.rank, score: h.score })),
        [
          { name: 'rank', datatype: 'int', ucd: 'meta.number' },
          { name: 'score', datatype: 'double', ucd: 'stat.value', description: RARE_METHOD },
        ],
        'skyclip rare-object search',
        `Objects like ${positives.length} positive example(s)${negatives.length ? ` and unlike ${negatives.length} negative(s)` : ''}`,
      );
    }
    return { model: services.model.id, method: RARE_METHOD, target, positives: positives.length, negatives: negatives.length, candidates: pool, hits };
  },
});

export const outliers = defineRoute({
  method: 'get',
  path: '/v1/outliers',
  tag: 'search',
  summary: 'The most anomalous objects by a k-NN density score',
  description: `Method: ${OUTLIER_METHOD} The first call after a change to the store computes the scores (a few seconds for a few thousand objects).`,
  query: OutliersQuerySchema,
  responses: { 200: { description: 'Highest scores first', schema: OutliersResponseSchema } },
  handle: async ({ services, query, config, req, res }) => {
    const modality = query.modality ?? 'image';
    const k = checkK(query.k ?? DEFAULT_OUTLIERS, config.limits.maxK);
    const neighbours = query.neighbours ?? DEFAULT_DENSITY_NEIGHBOURS;
    const scores = await services.outliers.scores(modality, neighbours);
    const top = scores.flatMap((s) => {
      const row = services.store.get(s.id);
      return row ? [{ id: s.id, score: s.score, row }] : [];
    }).slice(0, k);
    const list = top.map((t, i) => ({ rank: i + 1, id: t.id, score: t.score, object: objectJson(t.row), links: linksFor(t.row) }));
    if (wantsVoTable(req, query.format)) {
      return sendVoTable(
        res,
        list.map((o) => ({ ...o.object, rank: o.rank, score: o.score })),
        [
          { name: 'rank', datatype: 'int', ucd: 'meta.number' },
          { name: 'score', datatype: 'double', ucd: 'stat.value', description: OUTLIER_METHOD },
        ],
        'skyclip outliers',
        `The ${k} most anomalous objects of the ${modality} index`,
      );
    }
    return { model: services.model.id, modality, method: OUTLIER_METHOD, neighbours, scored: scores.length, outliers: list };
  },
});
