/**
 * POST /v1/embed: uploaded images and/or spectra -> unit vectors in the shared space.
 */
import { badInput } from '../../util/errors.js';
import { defineRoute } from '../route.js';
import { EmbedRawQuerySchema, EmbedResponseSchema } from '../schemas.js';

export const embed = defineRoute({
  method: 'post',
  path: '/v1/embed',
  tag: 'embed',
  summary: 'Embed uploaded images and spectra',
  description:
    'Multipart fields `image` and `spectrum` (several files each, up to the batch limit), or one raw FITS/PNG/JPEG body with ?modality=. ' +
    'Images: FITS g,r,z cubes in nanomaggies, or PNG/JPEG in the Legacy-viewer display stretch. Spectra: FITS tables or 1-D WCS images.',
  query: EmbedRawQuerySchema,
  uploads: { fields: ['image', 'spectrum'], raw: { rawBody: () => ({}) } },
  responses: { 200: { description: 'One vector per file, in upload order', schema: EmbedResponseSchema } },
  handle: async ({ services, uploads, config }) => {
    if (uploads.length === 0) throw badInput('no file: upload images or spectra in multipart fields image / spectrum, or send one file as the body');
    if (uploads.length > config.limits.maxBatch) throw badInput(`at most ${config.limits.maxBatch} files per request (SKYCLIP_MAX_BATCH)`);
    const embedded = await services.uploads.embed(uploads.map((u) => ({ upload: u, modality: u.field as 'image' | 'spectrum' })));
    return {
      model: services.model.id,
      dimension: services.embedder.dim,
      embeddings: embedded.map((e) => ({ modality: e.modality, filename: e.filename, format: e.format, vector: Array.from(e.vector), masked: e.masked })),
    };
  },
});
