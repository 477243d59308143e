/**
 * A process killed mid-export, between a chunk's bytes reaching the disk and their commit (the
 * worst moment): the next manager resumes at that chunk, cuts the uncommitted bytes off, and
 * the file ends up with every object exactly once; the chunks committed before the crash are
 * not redone. Each format in a real child process (fixtures/crash-child.ts).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { ExportFormat } from '../../src/export/index.js';
import { JobManager } from '../../src/jobs/index.js';
import { Store } from '../../src/store/index.js';
import { MODEL_ID, makeStore, readExport, tempRoot, waitFor } from './helpers.js';

const N = 95;
const DIM = 8;
const CRASH_AT = 3;
const CHILD = fileURLToPath(new URL('./fixtures/crash-child.ts', import.meta.url));

let root: string;
let cleanup: () => Promise<void>;

before(async () => {
  ({ root, cleanup } = tempRoot('crash'));
  const store = await makeStore(join(root, 'store'), N, DIM);
  await store.close();
});

after(async () => cleanup?.());

describe('export jobs after a crash', () => {
  for (const format of ['csv', 'fits', 'parquet'] as ExportFormat[]) {
    it(`${format}: resumes at the uncommitted chunk; every object once, committed chunks not redone`, async () => {
      const dbPath = join(root, format, 'jobs.sqlite');
      const resultsDir = join(root, format, 'results');
      const child = spawnSync(process.execPath, ['--import', 'tsx', CHILD, join(root, 'store'), dbPath, resultsDir, format, String(CRASH_AT)], { encoding: 'utf8', timeout: 60_000 });
      assert.equal(child.status, 9, child.stderr);
      const id = child.stdout.trim();
      const staging = join(resultsDir, id, 'staging.part');
      assert.ok(existsSync(staging));
      const stagedBeforeResume = statSync(staging).size;

      // The store's lock and the jobs database's lock were held by the dead process: both are taken over.
      const store = await Store.open(join(root, 'store'), { modelId: MODEL_ID });
      const jobs = await JobManager.open({ dbPath, resultsDir, store });
      try {
        const executed: number[] = [];
        jobs.on('chunk', (c) => executed.push(c.index));
        const mid = jobs.get(id)!;
        assert.equal(mid.state, 'running');
        assert.equal(mid.done, CRASH_AT * 10, 'chunks 0..2 were committed');
        const done = await waitFor(jobs, id);
        assert.equal(done.state, 'succeeded', done.error ?? '');
        assert.deepEqual(executed, Array.from({ length: 10 - CRASH_AT }, (_, i) => CRASH_AT + i), 'resumed at the uncommitted chunk');
        assert.ok(stagedBeforeResume > 0);
        const rows = await readExport(format, jobs.result(id).path, ['image', 'spectrum'], DIM);
        const expected = store.select(undefined, { limit: N }).map((r) => r.id);
        assert.deepEqual(rows.map((r) => r.id), expected, 'every object exactly once');
        for (const r of rows) {
          assert.deepEqual(r.vectors.spectrum, Array.from(store.vectorOf(r.id, 'spectrum')!));
          const image = store.vectorOf(r.id, 'image');
          assert.deepEqual(r.vectors.image, image ? Array.from(image) : null);
        }
      } finally {
        await jobs.close();
        await store.close();
      }
    });
  }
});
