/**
 * Property prediction (POST /v1/predict) and few-shot heads (POST/GET/DELETE /v1/heads).
 * See services/predict.ts for the heads and their calibration.
 */
import { SkyclipError, badInput } from '../../util/errors.js';
import { defineRoute } from '../route.js';
import {
  DeletedSchema,
  HeadInfoSchema,
  HeadListSchema,
  HeadTrainRequestSchema,
  IdParamsSchema,
  PREDICT_TARGETS,
  PredictRawQuerySchema,
  PredictRequestSchema,
  PredictResponseSchema,
  type PredictTarget,
} from '../schemas.js';
import { trainHead } from '../services/heads.js';
import type { HeadRecord } from '../services/head-registry.js';
import { queryEcho, resolveQuery } from '../services/search.js';
import type { Services } from '../services/index.js';

export const predict = defineRoute({
  method: 'post',
  path: '/v1/predict',
  tag: 'predict',
  summary: 'Predict redshift, stellar mass, sSFR, metallicity, age, morphology and class',
  description:
    "For an object id, a vector or an uploaded file. head 'knn' (default): distance-weighted k-NN over the catalog objects that have the label (the query object excluded), " +
    "k chosen on held-out objects, 68 %/95 % intervals split-conformal calibrated; 'linear': ridge / softmax probes fitted on the store's embeddings (cached until the store changes); " +
    'or the id of a head trained with POST /v1/heads. Regression answers a value and intervals, classification class probabilities; k-NN also the neighbours used.',
  query: PredictRawQuerySchema,
  body: PredictRequestSchema,
  uploads: {
    fields: ['image', 'spectrum'],
    raw: { rawBody: (q) => ({ ...(typeof q.head === 'string' ? { head: q.head } : {}), ...(typeof q.targets === 'string' ? { targets: q.targets.split(',').map((t) => t.trim()) } : {}) }) },
  },
  responses: { 200: { description: 'One prediction per target', schema: PredictResponseSchema } },
  handle: async ({ services, body, uploads }) => {
    const head = body.head ?? 'knn';
    if (head !== 'knn' && head !== 'linear') {
      const record = services.heads.get(head);
      if (!record) throw new SkyclipError('NOT_FOUND', `no head with id ${JSON.stringify(head)} (heads: knn, linear, or one listed by GET /v1/heads)`, { head });
      // An object given by id is read in the embedding the head was trained on.
      const query = body.query && 'id' in body.query && body.query.modality === undefined ? { ...body.query, modality: record.modality } : body.query;
      const q = await resolveQuery(services.store, services.uploads, query, uploads);
      const { target, modality, prediction } = services.predictor.predictWithHead(head, q.vector);
      if (body.targets && !body.targets.every((t) => t === target)) {
        throw badInput(`head ${head} predicts ${target} only; leave out targets or ask for [${target}]`);
      }
      return { model: services.model.id, query: queryEcho(q), modality, head, predictions: { [target]: prediction } };
    }
    const q = await resolveQuery(services.store, services.uploads, body.query, uploads);
    const excludeId = q.kind === 'id' ? q.id : undefined;
    const modality = q.modality ?? 'image';
    const targets: PredictTarget[] = body.targets ?? services.predictor.available(modality);
    if (targets.length === 0) throw new SkyclipError('UNUSABLE', `no catalog object with a ${modality} embedding has any label to predict from`);
    const predictions = services.predictor.predict({ vector: q.vector, modality, excludeId }, targets, head, { k: body.k, neighbours: body.neighbours });
    return { model: services.model.id, query: queryEcho(q), modality, head, predictions };
  },
});

function headInfo(services: Services, record: HeadRecord) {
  return { ...record, usable: record.modelId === services.store.modelId };
}

export const createHead = defineRoute({
  method: 'post',
  path: '/v1/heads',
  tag: 'heads',
  summary: 'Train a few-shot head from labelled catalog objects',
  description:
    `Targets: ${Object.keys(PREDICT_TARGETS).join(', ')}. Kinds: mlp (default for numbers), ridge; prototype (default for classes), mlp, softmax. ` +
    "Labels come from the request or, when left out, from the object's catalog value. The head is stored in service.sqlite next to the store.",
  auth: true,
  body: HeadTrainRequestSchema,
  responses: { 201: { description: 'The trained head', schema: HeadInfoSchema } },
  handle: ({ services, body, config, res }) => {
    if (body.examples.length > config.limits.maxIds) throw badInput(`at most ${config.limits.maxIds} examples per request (SKYCLIP_MAX_IDS), got ${body.examples.length}`);
    const { record, head } = trainHead(services.store, body);
    services.heads.add(record, head.toJSON());
    res.status(201).location(`/v1/heads/${record.id}`);
    return headInfo(services, record);
  },
});

export const listHeads = defineRoute({
  method: 'get',
  path: '/v1/heads',
  tag: 'heads',
  summary: 'Trained heads',
  responses: { 200: { description: 'Every head', schema: HeadListSchema } },
  handle: ({ services }) => ({ heads: services.heads.list().map((r) => headInfo(services, r)) }),
});

export const getHead = defineRoute({
  method: 'get',
  path: '/v1/heads/:id',
  tag: 'heads',
  summary: 'One trained head',
  params: IdParamsSchema,
  responses: { 200: { description: 'The head', schema: HeadInfoSchema } },
  handle: ({ services, params }) => {
    const record = services.heads.get(params.id);
    if (!record) throw new SkyclipError('NOT_FOUND', `no head with id ${JSON.stringify(params.id)}`, { id: params.id });
    return headInfo(services, record);
  },
});

export const deleteHead = defineRoute({
  method: 'delete',
  path: '/v1/heads/:id',
  tag: 'heads',
  summary: 'Delete a trained head',
  auth: true,
  params: IdParamsSchema,
  responses: { 200: { description: 'Deleted', schema: DeletedSchema } },
  handle: ({ services, params }) => {
    if (!services.heads.delete(params.id)) throw new SkyclipError('NOT_FOUND', `no head with id ${JSON.stringify(params.id)}`, { id: params.id });
    return { deleted: params.id };
  },
});
