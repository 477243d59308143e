/**
 * The HTTP service. Import from here.
 *
 *   config.ts      the validated environment (HOST, PORT, SKYCLIP_*), limits with defaults
 *   app.ts         createApp(deps): the Express app, not listening
 *   route.ts       routes as data (schemas + handler); routes/ holds them, one file per area
 *   schemas.ts     every request and response schema; openapi.ts turns them into /openapi.json
 *   errors.ts      HTTP statuses of error codes, the one error middleware
 *   middleware/    request id, access log, timeout, API keys, bodies and uploads
 *   services/      what the routes call: uploads -> vectors, search, rare search, outliers,
 *                  prediction heads, few-shot head registry, objects' files, jobs port
 *   server.ts      the composition root of `skyclip serve`: listen, load, ready, shut down
 *
 *   const app = createApp({ config: loadConfig(process.env), readiness: Readiness.readyWith(services) });
 *   await request(app).post('/v1/search').send({ query: { id: 's1-3' } });
 */
export { createApp, type AppDeps } from './app.js';
export { loadConfig, configWith, assertSafeBinding, isLoopback, CONFIG_DEFAULTS, EnvSchema, type ApiConfig, type ApiLimits } from './config.js';
export { Readiness, type ReadinessState, type StartupProgress } from './readiness.js';
export { Services, HeadRegistry, type CoreServices, type JobsPort, type Upload } from './services/index.js';
export { startServer, loadServices, serviceDir, SERVICE_FILES, type ServerHandle } from './server.js';
export { openApiDocument } from './openapi.js';
export { ROUTES } from './routes/index.js';
export { HttpError, STATUS_OF_CODE, describeError } from './errors.js';
export { jsonLogger, memoryLogger, silentLogger, type Logger } from './log.js';
