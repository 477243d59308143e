import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readFits } from '../../src/io/fits/read.js';
import { encodeFits, isStructuralKey, writeFits } from '../../src/io/fits/write.js';
import type { WritableHdu } from '../../src/io/fits/types.js';
import { rejectsWith } from './helpers/errors.js';
import { tempDir } from './helpers/tmp.js';

const dir = tempDir('write');

test('writeFits writes atomically: the final file appears whole and no temp file is left', async () => {
  const path = join(dir, 'atomic.fits');
  const hdus: WritableHdu[] = [{ kind: 'image', shape: [3], data: Float64Array.from([1, 2, 3]) }];
  await writeFits(path, hdus);
  assert.deepEqual(new Uint8Array(readFileSync(path)), encodeFits(hdus));
  // Overwriting replaces the file in one rename.
  await writeFits(path, [{ kind: 'image', shape: [1], data: Float64Array.from([9]) }]);
  const file = await readFits(path);
  assert.deepEqual(Array.from(file.hdus[0]!.kind === 'image' ? file.hdus[0]!.data : []), [9]);
  assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.tmp')), []);
});

test('writing into a missing directory is NOT_FOUND and leaves nothing behind', async () => {
  const path = join(dir, 'missing', 'x.fits');
  await rejectsWith(writeFits(path, [{ kind: 'image', shape: [1], data: Float32Array.from([1]) }]), 'NOT_FOUND', [path]);
  assert.equal(existsSync(path), false);
});

test('bad writer input is BAD_INPUT with a reason', () => {
  const cases: Array<[WritableHdu[], RegExp]> = [
    [[], /at least one HDU/],
    [[{ kind: 'image', shape: [2, 2], data: Float32Array.from([1, 2, 3]) }], /holds 4 values but data has 3/],
    [[{ kind: 'image', shape: [2], data: Float64Array.from([1, Number.NaN]), bitpix: 16 }], /NaN at index 1 .* without a BLANK/],
    [[{ kind: 'image', shape: [1], data: Float64Array.from([40000]), bitpix: 16 }], /does not fit BITPIX 16/],
    [[{ kind: 'image', shape: [1], data: Float64Array.from([5]), bitpix: 16, blank: 5 }], /would be stored as the BLANK value/],
    [[{ kind: 'image', shape: [1], data: Float32Array.from([1]), blank: 0 }], /BLANK is only for integer BITPIX/],
    [[{ kind: 'image', shape: [1], data: Float32Array.from([1]), bscale: 0 }], /bscale must be a finite non-zero/],
    [[{ kind: 'bintable', columns: [{ name: 'A', data: Float32Array.from([1, 2]) }, { name: 'B', data: Float32Array.from([1]) }] }], /has 1 rows but earlier columns have 2/],
    [[{ kind: 'bintable', columns: [{ name: 'A', repeat: 2, data: Float32Array.from([1, 2, 3]) }] }], /not a whole number of rows/],
    [[{ kind: 'bintable', columns: [{ name: 'S', repeat: 2, data: ['abc'] }] }], /does not fit width 2/],
    [[{ kind: 'bintable', columns: [{ name: 'S', data: ['é'] }] }], /printable ASCII/],
    [[{ kind: 'bintable', columns: [{ name: 'U', data: Float64Array.from([70000]), format: 'I', tzero: 32768 }] }], /does not fit TFORM I/],
    [[{ kind: 'image', shape: [1], data: Float32Array.from([1]), cards: [{ key: 'bad key', value: 1 }] }], /not valid FITS/],
  ];
  for (const [hdus, message] of cases) {
    assert.throws(() => encodeFits(hdus), (err: Error & { code?: string }) => err.code === 'BAD_INPUT' && message.test(err.message), String(message));
  }
});

test('structural keywords are recognised so copied headers cannot contradict the data', () => {
  for (const key of ['SIMPLE', 'BITPIX', 'NAXIS', 'NAXIS3', 'TFORM12', 'TTYPE1', 'BSCALE', 'EXTNAME', 'PCOUNT']) assert.ok(isStructuralKey(key), key);
  for (const key of ['OBJECT', 'CRVAL1', 'BANDS', 'NAXISX']) assert.ok(!isStructuralKey(key), key);
});
