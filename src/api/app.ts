/**
 * createApp(deps): the Express app, not listening (tests drive it through supertest; `skyclip
 * serve` listens). The order of the layers:
 *
 *   request id -> access log -> security headers (helmet) -> rate limit
 *   -> per route: request timeout (not for streamed downloads) -> API key (write routes) -> readiness (503 until the services are loaded)
 *      -> body (JSON / multipart / raw) -> zod validation -> handler
 *   -> 404 for unknown paths -> the one error middleware (errors.ts)
 *
 *   const app = createApp({ config: loadConfig(), readiness });
 *   app.listen(config.port, config.host);
 */
import { fileURLToPath } from 'node:url';
import express, { type NextFunction, type Request, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import type { z } from 'zod';
import { HttpError, errorMiddleware, notReady, requestIdOf } from './errors.js';
import { jsonLogger } from './log.js';
import { requireApiKey } from './middleware/auth.js';
import { bodyParser } from './middleware/body.js';
import { accessLog, requestId, requestTimeout } from './middleware/request-context.js';
import { openApiDocument } from './openapi.js';
import type { AnyRoute, AppDeps, Ctx } from './route.js';
import { ROUTES } from './routes/index.js';
import type { Services } from './services/index.js';

export type { AppDeps } from './route.js';

function validate<S extends z.ZodType | undefined>(schema: S, value: unknown): unknown {
  return schema ? schema.parse(value) : undefined;
}

function readyGate(deps: AppDeps) {
  return (_req: Request, _res: Response, next: NextFunction) => {
    const s = deps.readiness.snapshot;
    if (s.state === 'ready') return next();
    if (s.state === 'failed') return next(notReady(`the service failed to start: ${s.message}`, { state: 'failed' }, 60));
    return next(notReady('the service is starting (loading the model and the index); try again shortly', { state: 'starting', progress: s.progress }));
  };
}

function handlerFor(route: AnyRoute, deps: AppDeps) {
  return async (req: Request, res: Response) => {
    const ctx: Ctx<unknown, unknown, unknown> = {
      req,
      res,
      params: validate(route.params, req.params),
      query: validate(route.query, req.query),
      body: validate(route.body, res.locals.body),
      uploads: res.locals.uploads ?? [],
      requestId: requestIdOf(req),
      config: deps.config,
      deps,
      get services(): Services {
        const services = deps.readiness.services;
        if (!services) throw notReady('the service is not ready');
        return services;
      },
    };
    const result = await route.handle(ctx as never);
    if (result !== undefined && !res.headersSent) res.json(result);
  };
}

export function createApp(deps: AppDeps): express.Express {
  const { config } = deps;
  const log = deps.log ?? jsonLogger();
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(requestId());
  app.use(accessLog(log, config.accessLog));
  app.use(helmet());
  if (config.limits.rateLimitPerMinute > 0) {
    app.use(
      rateLimit({
        windowMs: 60_000,
        limit: config.limits.rateLimitPerMinute,
        standardHeaders: 'draft-7',
        legacyHeaders: false,
        handler: (_req, _res, next) => next(new HttpError(429, 'RATE_LIMITED', `more than ${config.limits.rateLimitPerMinute} requests in a minute from this address (SKYCLIP_RATE_LIMIT_PER_MINUTE)`, undefined, { 'Retry-After': '60' })),
      }),
    );
  }
  const timeout = requestTimeout(config.limits.requestTimeoutMs);
  const auth = requireApiKey(config.apiKeys);
  const gate = readyGate(deps);
  for (const route of ROUTES) {
    const chain = [
      ...(route.streaming ? [] : [timeout]),
      ...(route.auth ? [auth] : []),
      ...(route.ready === false ? [] : [gate]),
      bodyParser(route, config),
      handlerFor(route, deps),
    ];
    app[route.method](route.path, ...chain);
  }
  const document = openApiDocument(ROUTES, config);
  app.get('/openapi.json', (_req, res) => {
    res.json(document);
  });

  // The web page (src/web): static files, a client of the public API above and nothing else.
  const webDir = fileURLToPath(new URL('../web/', import.meta.url));
  app.get('/', (_req, res) => res.sendFile('index.html', { root: webDir }));
  app.use('/web', express.static(webDir, { index: false, fallthrough: true }));

  app.use((req, _res, next) => next(new HttpError(404, 'NOT_FOUND', `no endpoint ${req.method} ${req.path} (see /openapi.json)`)));
  app.use(errorMiddleware(log));
  return app;
}
