/**
 * Regenerates test/fixtures/astropy/*.json: what astropy reports (scripts/astropy-reference.py)
 * for every real file in data/templates/ and for every writer sample of
 * test/io/helpers/samples.ts. Each fixture records the SHA-256 of the bytes astropy read, so
 * the tests know they compare against the same file.
 *
 * Run: node --import tsx scripts/make-astropy-fixtures.ts   (needs /usr/bin/python3 with astropy)
 * Rerun after changing the samples or the writer's output on purpose.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { encodeFits } from '../src/io/fits/write.js';
import { astropyUnavailableReason, runAstropyReference } from '../test/io/helpers/astropy.js';
import { sampleFiles } from '../test/io/helpers/samples.js';

const TEMPLATES = 'data/templates';
const OUT = 'test/fixtures/astropy';

const unavailable = astropyUnavailableReason();
if (unavailable) {
  console.error(`cannot make astropy fixtures: ${unavailable}`);
  process.exit(1);
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const work = mkdtempSync(join(tmpdir(), 'skyclip-astropy-'));
try {
  const inputs: Array<{ name: string; input: string; path: string; verify: boolean }> = [];
  for (const file of readdirSync(TEMPLATES).filter((f) => f.endsWith('.fits')).sort()) {
    inputs.push({ name: basename(file, '.fits'), input: `${TEMPLATES}/${file}`, path: `${TEMPLATES}/${file}`, verify: false });
  }
  for (const sample of sampleFiles()) {
    const path = join(work, `${sample.name}.fits`);
    writeFileSync(path, encodeFits(sample.hdus));
    inputs.push({ name: sample.name, input: `sample:${sample.name}`, path, verify: true });
  }
  // Templates are read as they are; our own files must also pass astropy's verify().
  const templates = runAstropyReference(inputs.filter((i) => !i.verify).map((i) => i.path), false);
  const samples = runAstropyReference(inputs.filter((i) => i.verify).map((i) => i.path), true);
  mkdirSync(OUT, { recursive: true });
  for (const item of inputs) {
    const report = item.verify ? samples : templates;
    const fixture = {
      generatedBy: 'scripts/make-astropy-fixtures.ts',
      astropy: report.astropy,
      numpy: report.numpy,
      input: item.input,
      sha256: sha256(readFileSync(item.path)),
      summary: report.files[item.path],
    };
    writeFileSync(join(OUT, `${item.name}.json`), `${JSON.stringify(fixture, null, 1)}\n`);
  }
  console.log(`wrote ${inputs.length} fixtures to ${OUT} (astropy ${templates.astropy}, numpy ${templates.numpy})`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
