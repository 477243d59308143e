/**
 * Health and what is loaded: GET /health (always answers, with startup progress) and
 * GET /v1/models (model id, presets, dimension, backend, index sizes, limits).
 */
import { listPresets } from '../../config/model-config.js';
import { defineRoute } from '../route.js';
import { HealthSchema, ModelsResponseSchema } from '../schemas.js';

export const health = defineRoute({
  method: 'get',
  path: '/health',
  tag: 'system',
  summary: 'Readiness: starting (with progress), ready or failed',
  description: 'Always 200 while starting or ready (503 once startup failed). Work endpoints answer 503 NOT_READY until status is ready.',
  ready: false,
  responses: { 200: { description: 'Status', schema: HealthSchema }, 503: { description: 'Startup failed', schema: HealthSchema } },
  handle: ({ deps, res }) => {
    const s = deps.readiness.snapshot;
    if (s.state === 'starting') return { status: 'starting', since: s.since, progress: s.progress };
    if (s.state === 'failed') {
      res.status(503);
      return { status: 'failed', since: s.since, message: s.message };
    }
    return { status: 'ready', since: s.since, model: s.services.model.id, objects: s.services.store.count() };
  },
});

export const models = defineRoute({
  method: 'get',
  path: '/v1/models',
  tag: 'system',
  summary: 'The loaded model, the presets, the backend and the index',
  responses: { 200: { description: 'What is loaded', schema: ModelsResponseSchema } },
  handle: ({ services, config }) => {
    const { model, store, backend } = services;
    const info = store.info();
    return {
      models: [
        {
          id: model.id,
          name: model.config.name,
          dimension: model.config.align.dim,
          dir: model.dir,
          preprocess: model.contract as unknown as Record<string, unknown>,
          training: model.training as Record<string, unknown>,
        },
      ],
      presets: listPresets(),
      backend: backend ? { name: backend.name, source: backend.source, tfjsVersion: backend.tfjsVersion } : null,
      index: {
        storeId: info.storeId,
        modelId: info.modelId,
        dimension: info.dimension,
        objects: info.objects,
        vectors: info.vectors,
        generation: info.generation,
        params: info.index as unknown as Record<string, number>,
      },
      limits: { ...config.limits },
    };
  },
});
