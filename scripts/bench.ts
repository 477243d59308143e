/**
 * `npm run bench`: every benchmark, one after the other (each reports ratios against a
 * reference measured in the same run, never absolute thresholds).
 *   scripts/bench-store.ts     HNSW vs exact search, filtered search at several selectivities
 *   scripts/bench-encoders.ts  forward and forward+backward of the tiny encoders per batch
 * Pass names to run a subset: `npm run bench -- store`.
 */
import { spawnSync } from 'node:child_process';

const BENCHES: Record<string, string[]> = {
  store: ['scripts/bench-store.ts'],
  encoders: ['scripts/bench-encoders.ts', 'tiny', '32', '5'],
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in BENCHES));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${Object.keys(BENCHES).join(', ')}`);
  process.exit(2);
}
let failed = 0;
for (const [name, args] of Object.entries(BENCHES)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  console.log(`\n== bench: ${name} ==`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', ...args], { stdio: 'inherit' });
  if (run.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
