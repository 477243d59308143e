/**
 * A file written by astropy (scripts/make-foreign-fixtures.py) with what our writer does not
 * produce: HIERARCH and CONTINUE cards, an ASCII TABLE, a RICE-compressed image, and
 * variable-length, bit and complex columns next to an integer column with TNULL.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFits } from '../../src/io/fits/read.js';
import { cardValue } from '../../src/io/fits/header.js';

const PATH = 'test/fixtures/fits/astropy-written.fits';

test('HIERARCH and CONTINUE cards read as astropy reports them', async () => {
  const file = await readFits(PATH);
  const cards = file.hdus[0]!.cards;
  assert.equal(cardValue(cards, 'ESO DET CHIP NAME'), 'CCD-44');
  assert.equal(cardValue(cards, 'LONGSTR'), 'a long string value '.repeat(6).trimEnd());
});

test('ASCII tables and tile-compressed images are listed as skipped, not misread', async () => {
  const file = await readFits(PATH);
  assert.deepEqual(file.hdus.map((h) => [h.index, h.kind]), [[0, 'image'], [3, 'bintable']]);
  assert.deepEqual(file.skipped?.map((s) => [s.index, s.xtension]), [[1, 'TABLE'], [2, 'BINTABLE']]);
  assert.match(file.skipped![1]!.reason, /tile-compressed/);
});

test('P, X and C columns are skipped with a reason; other columns still decode, with TNULL', async () => {
  const file = await readFits(PATH);
  const table = file.hdus[1]!;
  assert.equal(table.kind, 'bintable');
  if (table.kind !== 'bintable') return;
  assert.deepEqual(table.skippedColumns?.map((c) => c.name), ['VLA', 'BITS', 'CPLX']);
  assert.equal(table.columns.length, 1);
  const n = table.columns[0]!;
  assert.equal(n.name, 'N');
  assert.deepEqual(Array.from(n.data as Int32Array), [5, -1]);
  assert.equal(n.tnull, -1);
});
