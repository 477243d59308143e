/**
 * The OpenAPI 3.1 document, generated from the route list and its zod schemas with
 * z.toJSONSchema (JSON Schema 2020-12, which OpenAPI 3.1 uses as is). Request schemas are
 * rendered as inputs (defaults make fields optional), responses as outputs. Nothing here is
 * written by hand per endpoint: a route's schemas are its documentation.
 */
import { createRequire } from 'node:module';
import { z } from 'zod';
import type { ApiConfig } from './config.js';
import { RAW_TYPES } from './middleware/body.js';
import type { AnyRoute } from './route.js';
import { ErrorSchema } from './schemas.js';

type Json = Record<string, unknown>;

function schemaOf(schema: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json;
  return rest;
}

/** Express '/v1/objects/:id/cutout.png' -> OpenAPI '/v1/objects/{id}/cutout.png'. */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function parameters(route: AnyRoute): Json[] {
  const out: Json[] = [];
  for (const [where, schema] of [
    ['path', route.params],
    ['query', route.query ?? route.queryDoc],
  ] as const) {
    if (!schema) continue;
    const json = schemaOf(schema, 'input') as { properties?: Record<string, Json>; required?: string[] };
    for (const [name, prop] of Object.entries(json.properties ?? {})) {
      out.push({
        name,
        in: where,
        required: where === 'path' || (json.required ?? []).includes(name),
        ...(typeof prop.description === 'string' ? { description: prop.description } : {}),
        schema: prop,
      });
    }
  }
  return out;
}

function requestBody(route: AnyRoute): Json | undefined {
  const content: Json = {};
  if (route.body && !route.uploads) content['application/json'] = { schema: schemaOf(route.body, 'input') };
  if (route.uploads) {
    if (route.body) content['application/json'] = { schema: schemaOf(route.body, 'input') };
    const jsonField = route.uploads.jsonField ?? 'request';
    content['multipart/form-data'] = {
      schema: {
        type: 'object',
        properties: {
          ...Object.fromEntries(route.uploads.fields.map((f) => [f, { type: 'array', items: { type: 'string', contentMediaType: 'application/octet-stream' }, description: 'FITS, PNG or JPEG file(s); the bytes decide the format' }])),
          ...(route.body ? { [jsonField]: { type: 'string', contentMediaType: 'application/json', description: 'The request JSON (schema as the application/json body)' } } : {}),
        },
      },
    };
    if (route.uploads.raw) {
      for (const type of RAW_TYPES) content[type] = { schema: { type: 'string', contentMediaType: type, description: 'One file as the raw body; options in the query string' } };
    }
  }
  return Object.keys(content).length > 0 ? { required: Boolean(route.uploads) || route.method === 'post', content } : undefined;
}

const ERROR_STATUSES: Record<number, string> = {
  400: 'Invalid input (zod issues in error.details.issues)',
  401: 'Missing or invalid API key',
  403: 'A path outside the data root',
  404: 'Unknown id',
  409: 'Conflict',
  413: 'Too large',
  415: 'Unsupported media type',
  422: 'A file that parses but cannot be used',
  429: 'Rate limited',
  503: 'Not ready (Retry-After), or timed out',
};

export function openApiDocument(routes: readonly AnyRoute[], config: ApiConfig): Json {
  const version = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
  const paths: Record<string, Json> = {};
  for (const route of routes) {
    const responses: Json = {};
    for (const [status, spec] of Object.entries(route.responses)) {
      responses[status] = {
        description: spec.description,
        ...(spec.schema ? { content: { 'application/json': { schema: schemaOf(spec.schema, 'output') } } } : {}),
        ...(spec.contentType ? { content: { [spec.contentType]: { schema: { type: 'string', contentMediaType: spec.contentType } } } } : {}),
      };
    }
    const takesBody = Boolean(route.body || route.uploads);
    const errors = [
      400,
      ...(route.auth ? [401] : []),
      ...(route.path === '/v1/jobs/ingest' ? [403] : []),
      404,
      ...(route.method === 'get' ? [] : [409]),
      ...(takesBody ? [413, 415] : []),
      ...(route.method === 'post' ? [422] : []),
      429,
      ...(route.ready === false ? [] : [503]),
    ];
    for (const status of errors) {
      if (!(String(status) in responses)) responses[status] = { description: ERROR_STATUSES[status], content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
    }
    const body = requestBody(route);
    const path = openApiPath(route.path);
    paths[path] ??= {};
    paths[path][route.method] = {
      tags: [route.tag],
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      operationId: `${route.method}${path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      parameters: parameters(route),
      ...(body ? { requestBody: body } : {}),
      ...(route.auth ? { security: [{ bearer: [] }, { apiKey: [] }] } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'skyclip',
      version,
      description:
        'Cross-modal similarity search, rare-object search, property prediction and export jobs over a store of galaxy image and spectrum embeddings ' +
        `(one shared space). Limits: uploads ${config.limits.maxUploadBytes} bytes, k <= ${config.limits.maxK}, ${config.limits.maxBatch} files per request, ` +
        `${config.limits.maxIds} ids per request, ${config.limits.requestTimeoutMs} ms per request, ${config.limits.rateLimitPerMinute || 'unlimited'} requests per minute.`,
    },
    servers: [{ url: '/' }],
    paths,
    components: {
      schemas: { Error: schemaOf(ErrorSchema, 'output') },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'One of SKYCLIP_API_KEYS (write endpoints, when keys are configured)' },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      },
    },
  };
}
