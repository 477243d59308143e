/**
 * Similarity search over the store, by object id, by vector or by an uploaded file, in one index
 * or both. Image and spectrum vectors share one space, so a query in one modality searched in
 * the other index is a cross-modal search with no extra step: a spectrum finds the images of
 * objects like it. Every answer says which index it searched and whether that was cross-modal.
 *
 *   const q = await resolveQuery(ctx, { id: 's1-3', modality: 'image' }, []);
 *   const results = searchStore(store, q, { target: 'both', k: 10 });
 */
import type { Modality, SearchFilter, Store } from '../../store/index.js';
import { MODALITIES } from '../../store/index.js';
import { SkyclipError, badInput } from '../../util/errors.js';
import { type Links, type ObjectJson, linksFor, objectJson } from '../present.js';
import type { QueryInput } from '../schemas.js';
import type { Upload, UploadEmbedder } from './uploads.js';

export interface ResolvedQuery {
  kind: 'id' | 'vector' | 'upload';
  /** Query vector (any scale; the store normalizes). */
  vector: ArrayLike<number>;
  /** What the vector embeds; null for a bare vector of unknown origin. */
  modality: Modality | null;
  id?: string;
  filename?: string;
}

export function queryEcho(q: ResolvedQuery): { kind: ResolvedQuery['kind']; id?: string; filename?: string; modality: Modality | null } {
  return { kind: q.kind, ...(q.id !== undefined ? { id: q.id } : {}), ...(q.filename !== undefined ? { filename: q.filename } : {}), modality: q.modality };
}

/** The vector of a stored object in `modality` (default: image if it has one, else spectrum). 404 when absent. */
export function storedVector(store: Store, id: string, modality?: Modality): { vector: Float32Array; modality: Modality } {
  const has = store.modalitiesOf(id);
  if (has.length === 0) {
    if (!store.get(id)) throw new SkyclipError('NOT_FOUND', `no object with id ${JSON.stringify(id)}`, { id });
    throw new SkyclipError('NOT_FOUND', `object ${JSON.stringify(id)} has no embedding yet`, { id });
  }
  const m = modality ?? (has.includes('image') ? 'image' : has[0]);
  const vector = store.vectorOf(id, m);
  if (!vector) throw new SkyclipError('NOT_FOUND', `object ${JSON.stringify(id)} has no ${m} embedding (it has: ${has.join(', ')})`, { id, modality: m, has });
  return { vector, modality: m };
}

/** A bare vector checked against the store's space (length, finite values, not all zero). */
export function checkedVector(store: Store, vector: readonly number[]): readonly number[] {
  if (vector.length !== store.dimension) {
    throw badInput(`the vector has ${vector.length} components; the shared space has ${store.dimension}`, { expected: store.dimension, got: vector.length });
  }
  let sum = 0;
  for (const v of vector) sum += v * v;
  if (!(sum > 0) || !Number.isFinite(sum)) throw badInput('the vector is all zeros or overflows; it has no direction');
  return vector;
}

/** The query of a request: its JSON `query`, or exactly one uploaded file in field image or spectrum. */
export async function resolveQuery(store: Store, embedder: UploadEmbedder, query: QueryInput | undefined, uploads: readonly Upload[]): Promise<ResolvedQuery> {
  const files = uploads.filter((u) => (MODALITIES as readonly string[]).includes(u.field));
  if (query && files.length > 0) throw badInput('give either a query (id or vector) or an uploaded file, not both');
  if (files.length > 1) throw badInput(`one query file at a time; got ${files.length}`);
  if (files.length === 1) {
    const upload = files[0];
    const modality = upload.field as Modality;
    const [embedded] = await embedder.embed([{ upload, modality }]);
    return { kind: 'upload', vector: embedded.vector, modality, filename: embedded.filename };
  }
  if (!query) throw badInput('no query: give query.id, query.vector, or upload a file in field image or spectrum');
  if ('id' in query) {
    const { vector, modality } = storedVector(store, query.id, query.modality);
    return { kind: 'id', vector, modality, id: query.id };
  }
  return { kind: 'vector', vector: checkedVector(store, query.vector), modality: query.modality ?? null };
}

export interface Hit {
  rank: number;
  id: string;
  similarity: number;
  distance: number;
  object: ObjectJson;
  links: Links;
}

export interface SearchResultSet {
  modality: Modality;
  crossModal: boolean | null;
  strategy: string;
  hits: Hit[];
}

export interface SearchParams {
  target: Modality | 'both';
  k: number;
  filter?: SearchFilter;
  excludeSelf?: boolean;
  exact?: boolean;
}

/** Runs the query against each target index; an empty index gives no hits. */
export function searchStore(store: Store, q: ResolvedQuery, params: SearchParams): SearchResultSet[] {
  const targets: Modality[] = params.target === 'both' ? [...MODALITIES] : [params.target];
  const skipSelf = params.excludeSelf === true && q.id !== undefined;
  return targets.map((modality) => {
    const crossModal = q.modality === null ? null : q.modality !== modality;
    if (store.count(modality) === 0) return { modality, crossModal, strategy: 'empty-index', hits: [] };
    const result = store.searchExplained(modality, q.vector, {
      k: params.k + (skipSelf ? 1 : 0),
      filter: params.filter,
      exact: params.exact,
      withRows: true,
    });
    const kept = result.hits.filter((h) => !(skipSelf && h.id === q.id)).slice(0, params.k);
    return {
      modality,
      crossModal,
      strategy: result.plan.strategy,
      hits: kept.map((h, i) => ({
        rank: i + 1,
        id: h.id,
        similarity: h.similarity,
        distance: h.distance,
        object: objectJson(h.row!),
        links: linksFor(h.row!),
      })),
    };
  });
}
