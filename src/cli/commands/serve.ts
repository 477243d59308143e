/**
 * `skyclip serve`: the HTTP service (what `npm start` runs). A thin layer over src/api: read the
 * environment, listen, load (building the demo store on a first start), and shut down
 * gracefully on SIGINT/SIGTERM. Configuration is the environment (src/api/config.ts); --host
 * and --port override HOST and PORT.
 */
import { parseArgs } from 'node:util';
import type { Command } from '../command.js';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Run the HTTP API (search, rare objects, predictions, export jobs) on 127.0.0.1:8080',
  usage: [
    'Usage: skyclip serve [--host HOST] [--port PORT]',
    '',
    'Listens at once; loads the model (SKYCLIP_MODEL_DIR, default models/tiny) and the store',
    '(SKYCLIP_STORE_DIR, default index-data/demo-store). On a first start with no store it builds',
    'the demo: simulates the fixed-seed demo survey, embeds and indexes it (progress in the log and',
    'on /health); later starts are ready in seconds. Work endpoints answer 503 until then.',
    '',
    'Environment (defaults in brackets): HOST [127.0.0.1], PORT [8080], SKYCLIP_API_KEYS (comma-',
    'separated; required to listen on a non-loopback address; write endpoints then need one),',
    'SKYCLIP_MODEL_DIR, SKYCLIP_STORE_DIR, SKYCLIP_SURVEY_DIR [index-data/demo-survey],',
    'SKYCLIP_DATA_ROOT [index-data], SKYCLIP_MAX_UPLOAD_BYTES [16 MiB], SKYCLIP_MAX_JSON_BYTES [1 MiB],',
    'SKYCLIP_MAX_K [1000], SKYCLIP_MAX_BATCH [32], SKYCLIP_MAX_IDS [1000],',
    'SKYCLIP_REQUEST_TIMEOUT_MS [30000], SKYCLIP_RATE_LIMIT_PER_MINUTE [600], SKYCLIP_ACCESS_LOG [1].',
    '',
    'Endpoints: see docs/api.md, or GET /openapi.json once running.',
  ].join('\n'),
  async run(argv) {
    const { values } = parseArgs({ args: argv, options: { host: { type: 'string' }, port: { type: 'string' } }, allowPositionals: false });
    const { loadConfig, startServer } = await import('../../api/index.js');
    const config = loadConfig({ ...process.env, ...(values.host !== undefined ? { HOST: values.host } : {}), ...(values.port !== undefined ? { PORT: values.port } : {}) });
    const handle = await startServer(config);
    const stop = new Promise<string>((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'));
      process.once('SIGTERM', () => resolve('SIGTERM'));
    });
    // A server that can never become ready is no use: exit non-zero with the reason (also logged).
    const failed = handle.loaded.then(() => (handle.readiness.state === 'failed' ? 'failed' : new Promise<never>(() => undefined)));
    const why = await Promise.race([stop, failed]);
    await handle.close();
    return why === 'failed' ? 1 : 0;
  },
};
