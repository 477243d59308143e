/**
 * A route is data: method, path, what it accepts (zod schemas for params, query and body, and
 * which upload fields), what it answers (a schema per status), whether it needs an API key and
 * the loaded services, and a handler of a few lines that calls a service. app.ts mounts the
 * list and openapi.ts documents the same list, so the OpenAPI document is the code.
 *
 *   export const getObject = defineRoute({
 *     method: 'get', path: '/v1/objects/:id', tag: 'objects', summary: 'One catalog row',
 *     params: IdParamsSchema,
 *     responses: { 200: { description: 'The object', schema: ObjectResponseSchema } },
 *     handle: ({ params, services }) => ({ object: services.objects.row(params.id) }),
 *   });
 */
import type { Request, Response } from 'express';
import type { z } from 'zod';
import type { ApiConfig } from './config.js';
import type { Logger } from './log.js';
import type { Readiness } from './readiness.js';
import type { Services } from './services/index.js';
import type { Upload } from './services/uploads.js';

export type Method = 'get' | 'post' | 'delete';

export interface ResponseSpec {
  description: string;
  /** JSON body schema. */
  schema?: z.ZodType;
  /** Non-JSON answers (image/png, a download): the media type, documented as binary or text. */
  contentType?: string;
}

export interface UploadSpec {
  /** Multipart file fields accepted. */
  fields: readonly string[];
  /** Multipart text field holding the request JSON (validated by `body`). Default 'request'. */
  jsonField?: string;
  /**
   * A raw FITS/PNG/JPEG body is accepted too: it becomes one upload in field
   * `?modality=` (PNG/JPEG default to image), and `rawBody(query)` gives the request JSON.
   */
  raw?: { rawBody: (query: Record<string, unknown>) => Record<string, unknown> };
}

export interface AppDeps {
  config: ApiConfig;
  readiness: Readiness<Services>;
  /** Access and error logs (default: JSON lines on stdout). */
  log?: Logger;
}

export interface Ctx<P, Q, B> {
  req: Request;
  res: Response;
  params: P;
  query: Q;
  /** The validated JSON body (from a JSON body, a multipart `request` field, or a raw upload's query). */
  body: B;
  /** Uploaded files (multipart parts or a raw body), format sniffed from their bytes. */
  uploads: Upload[];
  requestId: string;
  config: ApiConfig;
  deps: AppDeps;
  /** The loaded services (only routes with `ready: false` may run without them; they must not touch this). */
  services: Services;
}

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteDef<P extends z.ZodType | undefined, Q extends z.ZodType | undefined, B extends z.ZodType | undefined> {
  method: Method;
  /** Express path ('/v1/objects/:id'). */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  /** Needs an API key when SKYCLIP_API_KEYS is set. Default false. */
  auth?: boolean;
  /** Needs the loaded services: 503 NOT_READY until then. Default true. */
  ready?: boolean;
  /** Exempt from the request timeout (streamed downloads). Default false. */
  streaming?: boolean;
  params?: P;
  query?: Q;
  /** Query parameters the handler validates itself (documented in OpenAPI, not checked by the app). */
  queryDoc?: z.ZodType;
  body?: B;
  uploads?: UploadSpec;
  responses: Record<number, ResponseSpec>;
  /**
   * Returns the JSON body of a 200 (or of `ctx.res.status(...)` set before returning), or
   * undefined after answering itself (files, SVG, VOTable).
   */
  handle(ctx: Ctx<Out<P>, Out<Q>, Out<B>>): unknown;
}

/** A route of any schemas (what the app and the OpenAPI generator iterate over). */
export type AnyRoute = RouteDef<z.ZodType | undefined, z.ZodType | undefined, z.ZodType | undefined>;

export function defineRoute<P extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined, B extends z.ZodType | undefined = undefined>(
  def: RouteDef<P, Q, B>,
): AnyRoute {
  return def as unknown as AnyRoute;
}
