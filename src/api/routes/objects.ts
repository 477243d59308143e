/**
 * One object: its catalog row, its cutout (PNG, Legacy-viewer stretch) and spectrum (SVG plot),
 * adding an uploaded object (embedded, indexed, persisted) and deleting one.
 */
import { SkyclipError, badInput } from '../../util/errors.js';
import { linksFor, objectJson } from '../present.js';
import { defineRoute } from '../route.js';
import {
  CutoutQuerySchema,
  DeletedSchema,
  IdParamsSchema,
  ObjectCreateQuerySchema,
  ObjectCreatedSchema,
  ObjectMetadataSchema,
  ObjectResponseSchema,
} from '../schemas.js';

export const getObject = defineRoute({
  method: 'get',
  path: '/v1/objects/:id',
  tag: 'objects',
  summary: 'A catalog row, the modalities it has vectors in, and links to its files',
  params: IdParamsSchema,
  responses: { 200: { description: 'The object', schema: ObjectResponseSchema } },
  handle: ({ services, params }) => {
    const row = services.objects.row(params.id);
    return { object: objectJson(row), modalities: services.store.modalitiesOf(row.id), links: linksFor(row) };
  },
});

export const getCutout = defineRoute({
  method: 'get',
  path: '/v1/objects/:id/cutout.png',
  tag: 'objects',
  summary: "The object's cutout as PNG (Legacy-viewer stretch: R = z, G = r, B = g)",
  params: IdParamsSchema,
  query: CutoutQuerySchema,
  responses: { 200: { description: 'PNG image', contentType: 'image/png' } },
  handle: async ({ services, params, query, res }) => {
    const png = await services.objects.cutoutPng(params.id, query.scale ?? 2);
    res.type('image/png').setHeader('Cache-Control', 'public, max-age=3600');
    res.send(png);
  },
});

export const getSpectrum = defineRoute({
  method: 'get',
  path: '/v1/objects/:id/spectrum.svg',
  tag: 'objects',
  summary: "The object's spectrum as an SVG plot (lines marked at its catalog redshift)",
  params: IdParamsSchema,
  responses: { 200: { description: 'SVG image', contentType: 'image/svg+xml' } },
  handle: async ({ services, params, res }) => {
    const svg = await services.objects.spectrumSvg(params.id);
    res.type('image/svg+xml').setHeader('Cache-Control', 'public, max-age=3600');
    res.send(svg);
  },
});

export const createObject = defineRoute({
  method: 'post',
  path: '/v1/objects',
  tag: 'objects',
  summary: 'Add an uploaded object: embed, index and persist it',
  description:
    'multipart/form-data: field `metadata` (JSON: id, ra, dec, any catalog column such as class or z, and extra) and files `image` and/or `spectrum`. ' +
    'Every file is read and embedded before anything is written, so a bad upload leaves the store unchanged. An existing id answers 409 unless ?replace=true.',
  auth: true,
  query: ObjectCreateQuerySchema,
  body: ObjectMetadataSchema,
  uploads: { fields: ['image', 'spectrum'], jsonField: 'metadata' },
  responses: { 201: { description: 'The stored object', schema: ObjectCreatedSchema } },
  handle: async ({ services, body, query, uploads, res, req }) => {
    if (!req.is('multipart/form-data')) throw badInput('send the object as multipart/form-data: field metadata (JSON) and files image and/or spectrum');
    const { row, modalities, replaced } = await services.objects.create(body, uploads, query.replace === 'true');
    res.status(201).location(linksFor(row).self);
    return { object: objectJson(row), modalities, links: linksFor(row), replaced };
  },
});

export const deleteObject = defineRoute({
  method: 'delete',
  path: '/v1/objects/:id',
  tag: 'objects',
  summary: 'Delete an object (row, vectors, and files the API stored for it)',
  auth: true,
  params: IdParamsSchema,
  responses: { 200: { description: 'Deleted', schema: DeletedSchema } },
  handle: async ({ services, params }) => {
    if (!services.store.get(params.id)) throw new SkyclipError('NOT_FOUND', `no object with id ${JSON.stringify(params.id)}`, { id: params.id });
    await services.objects.delete(params.id);
    return { deleted: params.id };
  },
});
