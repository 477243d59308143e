/**
 * `skyclip inspect` agrees with astropy on every committed fixture (test/fixtures/astropy):
 * all real files in data/templates/ and every writer sample (rebuilt here byte for byte;
 * the SHA-256 in the fixture proves it is the file astropy read). Tolerances: see
 * helpers/astropy-compare.ts. Regenerate with scripts/make-astropy-fixtures.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { readFitsBuffer } from '../../src/io/fits/read.js';
import { encodeFits } from '../../src/io/fits/write.js';
import { summarizeFits } from '../../src/io/inspect.js';
import { compareWithAstropy, type AstropyFileSummary } from './helpers/astropy-compare.js';
import { sampleFiles } from './helpers/samples.js';

const FIXTURES = 'test/fixtures/astropy';

interface Fixture {
  input: string;
  sha256: string;
  astropy: string;
  summary: AstropyFileSummary;
}

const fixtures = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => JSON.parse(readFileSync(`${FIXTURES}/${f}`, 'utf8')) as Fixture);
const samples = new Map(sampleFiles().map((s) => [s.name, s]));

test('there is a fixture for every template file and every writer sample', () => {
  const inputs = new Set(fixtures.map((f) => f.input));
  for (const file of readdirSync('data/templates').filter((f) => f.endsWith('.fits'))) assert.ok(inputs.has(`data/templates/${file}`), file);
  for (const name of samples.keys()) assert.ok(inputs.has(`sample:${name}`), name);
});

let worst = 0;
let compared = 0;
for (const fixture of fixtures) {
  test(`inspect matches astropy ${fixture.astropy}: ${fixture.input}`, async () => {
    const sample = fixture.input.startsWith('sample:') ? samples.get(fixture.input.slice('sample:'.length)) : undefined;
    const bytes = sample ? encodeFits(sample.hdus) : new Uint8Array(readFileSync(fixture.input));
    assert.equal(createHash('sha256').update(bytes).digest('hex'), fixture.sha256, 'same bytes as astropy read (regenerate the fixtures if the writer changed on purpose)');
    const comparison = compareWithAstropy(summarizeFits(await readFitsBuffer(bytes, fixture.input)), fixture.summary);
    assert.deepEqual(comparison.differences, []);
    assert.equal(fixture.summary.warnings.length, 0, 'astropy had no warnings about this file');
    worst = Math.max(worst, comparison.maxRelativeDifference);
    compared += comparison.valuesCompared;
  });
}

test('largest relative difference of mean/sum vs astropy', (t) => {
  t.diagnostic(`max relative difference ${worst.toExponential(2)} over ${compared} means and sums`);
  assert.ok(compared > 1000);
  assert.ok(worst < 1e-12);
});
