import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readFits, readFitsBuffer } from '../../src/io/fits/read.js';
import { encodeFits } from '../../src/io/fits/write.js';
import { formatFitsSummary, summarizeFits } from '../../src/io/inspect.js';
import { finiteStats } from '../../src/io/stats.js';
import { tempDir } from './helpers/tmp.js';

const dir = tempDir('inspect');

function skyclip(...args: string[]) {
  return spawnSync(process.execPath, ['bin/skyclip.js', ...args], { encoding: 'utf8' });
}

test('finiteStats ignores NaN and Inf and counts them', () => {
  assert.deepEqual(finiteStats([1, Number.NaN, 3, Number.POSITIVE_INFINITY, -2]), { count: 3, nonFinite: 2, min: -2, max: 3, mean: 2 / 3, sum: 2 });
  assert.deepEqual(finiteStats([Number.NaN]), { count: 0, nonFinite: 1, min: null, max: null, mean: null, sum: 0 });
  // Compensated summation: 1e16 + 1 + ... does not lose the small terms.
  assert.equal(finiteStats([1e16, 1, 1, 1, 1, -1e16]).sum, 4);
});

test('summary of a multi-HDU file: image stats, per-column table stats, astropy dtypes', async () => {
  const file = await readFitsBuffer(
    encodeFits([
      { kind: 'image', shape: [2, 2], data: Float64Array.from([1, 2, Number.NaN, 4]), bitpix: 16, bscale: 0.5, blank: -99 },
      { kind: 'bintable', extname: 'CAT', columns: [{ name: 'U', data: Float64Array.from([1, 65535]), format: 'I', tzero: 32768 }, { name: 'S', data: ['a', 'b'] }] },
    ]),
    'multi.fits',
  );
  const summary = summarizeFits(file);
  const [image, table] = summary.hdus;
  assert.equal(image!.name, 'PRIMARY');
  assert.deepEqual(image!.shape, [2, 2]);
  assert.equal(image!.dtype, 'float32');
  assert.deepEqual(image!.stats, { count: 3, nonFinite: 1, min: 1, max: 4, mean: 7 / 3, sum: 7 });
  assert.equal(table!.name, 'CAT');
  assert.equal(table!.nrows, 2);
  assert.deepEqual(table!.columns!.map((c) => [c.name, c.format, c.dtype]), [['U', '1I', 'uint16'], ['S', '1A', 'str']]);
  assert.deepEqual(table!.columns![0]!.stats, { count: 2, nonFinite: 0, min: 1, max: 65535, mean: 32768, sum: 65536 });
  assert.equal(table!.columns![1]!.stats, null);
  const text = formatFitsSummary(summary);
  assert.match(text, /^multi\.fits: 2 HDUs/);
  assert.match(text, /HDU 0 PRIMARY: image\n  shape \[2, 2\]  BITPIX 16  dtype float32\n  min 1  max 4  mean 2\.3333333  sum 7  finite 3  non-finite 1/);
  assert.match(text, /HDU 1 CAT: bintable\n  2 rows x 2 columns/);
  assert.match(text, /U +1I +uint16 +1 +65535 +32768 +65536 +0/);
  assert.match(text, /BSCALE   = 0\.5/);
  assert.match(text, /EXTEND   = T/);
});

test('skyclip inspect --json prints the summary; the table form lists every HDU', async () => {
  const path = 'data/templates/sdssDR2temp023.fits';
  const json = skyclip('inspect', path, '--json');
  assert.equal(json.status, 0, json.stderr);
  const printed = JSON.parse(json.stdout);
  assert.deepEqual(printed, JSON.parse(JSON.stringify(summarizeFits(await readFits(path)))));
  assert.equal(printed.hdus.length, 7);
  const text = skyclip('inspect', path);
  assert.equal(text.status, 0, text.stderr);
  for (let i = 0; i < 7; i += 1) assert.match(text.stdout, new RegExp(`^HDU ${i}\\b`, 'm'));
  assert.match(text.stdout, /CRVAL1   = 3\.544068 \/ Iraf zero point/);
});

test('skyclip inspect errors: message naming the file and a non-zero exit', () => {
  const bad = join(dir, 'bad.fits');
  writeFileSync(bad, 'not fits at all');
  const run = skyclip('inspect', bad);
  assert.equal(run.status, 2);
  assert.match(run.stderr, new RegExp(`skyclip inspect: ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not a FITS file`));
  const missing = skyclip('inspect', join(dir, 'missing.fits'));
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /missing\.fits: no such file/);
  const usage = skyclip('inspect');
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /exactly one FILE/);
});
