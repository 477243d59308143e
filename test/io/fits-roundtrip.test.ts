import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFitsBuffer } from '../../src/io/fits/read.js';
import { encodeFits } from '../../src/io/fits/write.js';
import type { BinTableHdu, Bitpix, FitsFile, ImageHdu, WritableHdu } from '../../src/io/fits/types.js';
import { HEADER_EXTRAS } from './helpers/samples.js';

async function roundTrip(hdus: WritableHdu[]): Promise<FitsFile> {
  return readFitsBuffer(encodeFits(hdus), 'roundtrip.fits');
}

function imageAt(file: FitsFile, index: number): ImageHdu {
  const hdu = file.hdus[index]!;
  assert.equal(hdu.kind, 'image');
  return hdu as ImageHdu;
}

function tableAt(file: FitsFile, index: number): BinTableHdu {
  const hdu = file.hdus[index]!;
  assert.equal(hdu.kind, 'bintable');
  return hdu as BinTableHdu;
}

const physical = [-3.25, -1, 0, 0.5, 2, 7.75, 100, 120.5];

const cases: Array<{ bitpix: Bitpix; bscale?: number; bzero?: number; values: number[]; step: number }> = [
  { bitpix: 8, values: [0, 1, 127, 128, 255], step: 0 },
  { bitpix: 8, bzero: -128, values: [-128, -1, 0, 127], step: 0 },
  { bitpix: 8, bscale: 0.5, bzero: -3.25, values: physical, step: 0.5 },
  { bitpix: 16, values: [-32768, -1, 0, 32767], step: 0 },
  { bitpix: 16, bzero: 32768, values: [0, 1, 32768, 65535], step: 0 },
  { bitpix: 16, bscale: 0.01, bzero: 50, values: physical, step: 0.01 },
  { bitpix: 32, values: [-2147483648, -1, 0, 2147483647], step: 0 },
  { bitpix: 32, bzero: 2147483648, values: [0, 1, 4294967295], step: 0 },
  { bitpix: 32, bscale: 1e-6, bzero: -10, values: physical, step: 1e-6 },
  { bitpix: 64, values: [-(2 ** 53), -1, 0, 2 ** 53], step: 0 },
  { bitpix: 64, bscale: 0.25, bzero: 1e6, values: physical, step: 0.25 },
  { bitpix: -32, values: [-1e30, -0.5, 0, 1.25, 3.4e38], step: 0 },
  { bitpix: -32, bscale: 2, bzero: 10, values: physical, step: 0 },
  { bitpix: -64, values: [-1e300, Math.PI, 0, 5e-324, 1e300], step: 0 },
  { bitpix: -64, bscale: 0.5, bzero: -1, values: physical, step: 0 },
];

for (const c of cases) {
  const label = `BITPIX ${c.bitpix}${c.bscale !== undefined ? ` BSCALE ${c.bscale}` : ''}${c.bzero !== undefined ? ` BZERO ${c.bzero}` : ''}`;
  test(`round trip ${label}`, async () => {
    const file = await roundTrip([{ kind: 'image', shape: [c.values.length], data: Float64Array.from(c.values), bitpix: c.bitpix, bscale: c.bscale, bzero: c.bzero }]);
    const hdu = imageAt(file, 0);
    assert.equal(hdu.bitpix, c.bitpix);
    const wide = c.bitpix === 32 || c.bitpix === 64 || c.bitpix === -64;
    assert.ok(wide ? hdu.data instanceof Float64Array : hdu.data instanceof Float32Array, 'astropy-like output type');
    c.values.forEach((v, i) => {
      const got = hdu.data[i]!;
      // Quantized integers are within half a step; float32 storage within float32 rounding.
      const allowed = Math.max(c.step / 2, c.bitpix === -32 ? Math.abs(v) * 2 ** -23 : 0, wide ? Math.abs(v) * 1e-15 : Math.abs(v) * 2 ** -24);
      assert.ok(Math.abs(got - v) <= allowed, `${label}: value ${i}: wrote ${v}, read ${got}`);
    });
    assert.equal(hdu.maskedCount, 0);
  });
}

test('NaN survives integer BITPIX through BLANK and float BITPIX as NaN; Inf becomes masked NaN', async () => {
  const values = [1, Number.NaN, 3];
  for (const bitpix of [8, 16, 32, 64] as const) {
    const file = await roundTrip([{ kind: 'image', shape: [3], data: Float64Array.from(values), bitpix, blank: bitpix === 8 ? 255 : -1 }]);
    const hdu = imageAt(file, 0);
    assert.deepEqual(Array.from(hdu.data), values, `BITPIX ${bitpix}`);
    assert.equal(hdu.maskedCount, 1);
  }
  const floats = await roundTrip([{ kind: 'image', shape: [4], data: Float32Array.from([1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) }]);
  const hdu = imageAt(floats, 0);
  assert.equal(hdu.data[0], 1);
  assert.ok([1, 2, 3].every((i) => Number.isNaN(hdu.data[i]!)), 'NaN and Inf read as NaN, never as numbers');
  assert.equal(hdu.maskedCount, 3);
});

test('1-D, 2-D and 3-D shapes keep row-major order (NAXIS1 fastest)', async () => {
  const cube = Float32Array.from({ length: 2 * 3 * 4 }, (_, i) => i);
  const file = await roundTrip([
    { kind: 'image', shape: [5], data: Int16Array.from([1, 2, 3, 4, 5]) },
    { kind: 'image', shape: [2, 3], data: Int32Array.from([1, 2, 3, 4, 5, 6]) },
    { kind: 'image', shape: [2, 3, 4], data: cube },
  ]);
  assert.deepEqual(imageAt(file, 0).shape, [5]);
  assert.deepEqual(imageAt(file, 1).shape, [2, 3]);
  const three = imageAt(file, 2);
  assert.deepEqual(three.shape, [2, 3, 4]);
  // data[(b * ny + y) * nx + x]: band 1, row 2, column 3 is element 23.
  assert.equal(three.data[(1 * 3 + 2) * 4 + 3], 23);
  const naxis = Object.fromEntries(three.cards.filter((c) => c.key.startsWith('NAXIS')).map((c) => [c.key, c.value]));
  assert.deepEqual(naxis, { NAXIS: 3, NAXIS1: 4, NAXIS2: 3, NAXIS3: 2 });
});

test('multi-HDU files keep order, EXTNAME and caller cards; structural cards are the writer’s', async () => {
  const file = await roundTrip([
    { kind: 'image', shape: [2], data: Float32Array.from([1, 2]), cards: [...HEADER_EXTRAS, { key: 'BITPIX', value: 16 }, { key: 'NAXIS1', value: 99 }] },
    { kind: 'image', shape: [1], data: Float64Array.from([3]), extname: 'SECOND' },
    { kind: 'bintable', extname: 'TABLE', columns: [{ name: 'A', data: Int16Array.from([1]) }] },
  ]);
  assert.equal(file.hdus.length, 3);
  const primary = imageAt(file, 0);
  assert.equal(primary.bitpix, -32, 'a BITPIX card in `cards` does not override the data type');
  for (const extra of HEADER_EXTRAS) {
    const found = primary.cards.find((c) => c.key === extra.key && (extra.key !== 'HISTORY' && extra.key !== 'COMMENT' ? true : c.value === extra.value));
    assert.ok(found, `card ${extra.key} kept`);
    assert.deepEqual(found.value, extra.value, extra.key);
    if (extra.comment) assert.equal(found.comment, extra.comment);
  }
  assert.equal(imageAt(file, 1).cards.find((c) => c.key === 'EXTNAME')?.value, 'SECOND');
  assert.equal(tableAt(file, 2).cards.find((c) => c.key === 'EXTNAME')?.value, 'TABLE');
  assert.deepEqual(file.hdus.map((h) => h.index), [0, 1, 2]);
});

test('a BINTABLE-only file gets an empty primary HDU', async () => {
  const bytes = encodeFits([{ kind: 'bintable', columns: [{ name: 'X', data: Float64Array.from([1, 2]) }] }]);
  const file = await readFitsBuffer(bytes, 'table-only.fits');
  const primary = imageAt(file, 0);
  assert.deepEqual(primary.shape, []);
  assert.equal(primary.data.length, 0);
  assert.equal(primary.cards.find((c) => c.key === 'EXTEND')?.value, true);
  assert.deepEqual(Array.from(tableAt(file, 1).columns[0]!.data as Float64Array), [1, 2]);
});

test('BINTABLE columns of every type, with repeat counts, strings and TSCAL/TZERO', async () => {
  const spectrum = Float32Array.from({ length: 3 * 7781 }, (_, i) => (i % 1000) / 8);
  const file = await roundTrip([
    {
      kind: 'bintable',
      columns: [
        { name: 'L', data: [true, false, true] },
        { name: 'B', data: Uint8Array.from([0, 200, 255]) },
        { name: 'I', data: Int16Array.from([-32768, 0, 32767]) },
        { name: 'J', data: Int32Array.from([-2147483648, 1, 2147483647]) },
        { name: 'K', data: BigInt64Array.from([-(2n ** 53n), 0n, 2n ** 53n]) },
        { name: 'E', data: Float32Array.from([0.5, Number.NaN, -1e30]), unit: 'erg/s' },
        { name: 'D', data: Float64Array.from([Math.E, Number.NEGATIVE_INFINITY, 1e-300]) },
        { name: 'A', data: ['short', '  lead', "q'uote"] },
        { name: 'WIDE', data: ['x', 'y', 'z'], repeat: 16 },
        { name: 'FLUX', repeat: 7781, data: spectrum },
        { name: 'PAIR', repeat: 2, data: Int16Array.from([1, 2, 3, 4, 5, 6]) },
        { name: 'U16', data: Float64Array.from([0, 40000, 65535]), format: 'I', tzero: 32768 },
        { name: 'SCALED', data: Float64Array.from([10, 10.5, -20]), format: 'J', tscal: 0.5, tzero: 10 },
      ],
    },
  ]);
  const table = tableAt(file, 1);
  assert.equal(table.nrows, 3);
  const col = (name: string) => table.columns.find((c) => c.name === name)!;
  assert.deepEqual(col('L').data, [true, false, true]);
  assert.deepEqual(Array.from(col('B').data as Int32Array), [0, 200, 255]);
  assert.deepEqual(Array.from(col('I').data as Int32Array), [-32768, 0, 32767]);
  assert.deepEqual(Array.from(col('J').data as Int32Array), [-2147483648, 1, 2147483647]);
  assert.deepEqual(Array.from(col('K').data as Float64Array), [-(2 ** 53), 0, 2 ** 53]);
  const e = col('E');
  assert.equal(e.unit, 'erg/s');
  assert.ok(e.data instanceof Float32Array);
  assert.deepEqual(Array.from(e.data), [0.5, Number.NaN, Math.fround(-1e30)]);
  assert.deepEqual(Array.from(col('D').data as Float64Array), [Math.E, Number.NEGATIVE_INFINITY, 1e-300]);
  assert.deepEqual(col('A').data, ['short', '  lead', "q'uote"]);
  assert.equal(col('A').format, '6A');
  assert.equal(col('WIDE').repeat, 16);
  assert.deepEqual(col('WIDE').data, ['x', 'y', 'z']);
  assert.equal(col('FLUX').format, '7781E');
  assert.equal(col('FLUX').repeat, 7781);
  assert.deepEqual(col('FLUX').data, spectrum);
  assert.deepEqual(Array.from(col('PAIR').data as Int32Array), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(Array.from(col('U16').data as Float64Array), [0, 40000, 65535]);
  assert.equal(col('U16').tzero, 32768);
  assert.deepEqual(Array.from(col('SCALED').data as Float64Array), [10, 10.5, -20]);
});

test('encoding is deterministic and adds no timestamp', () => {
  const hdus: WritableHdu[] = [
    { kind: 'image', shape: [2, 2], data: Float32Array.from([1, 2, 3, 4]), cards: HEADER_EXTRAS },
    { kind: 'bintable', columns: [{ name: 'A', data: ['x'] }] },
  ];
  const a = encodeFits(hdus);
  const b = encodeFits(hdus);
  assert.deepEqual(a, b);
  const text = Buffer.from(a).toString('latin1');
  assert.ok(!/^DATE    =/m.test(text.match(/.{80}/g)!.join('\n')), 'no DATE card');
});

test('headers are padded with blanks and data with zeros to 2880-byte blocks; data are big-endian', () => {
  const bytes = encodeFits([{ kind: 'image', shape: [1], data: Int16Array.from([0x0102]) }]);
  assert.equal(bytes.length, 2 * 2880);
  const header = Buffer.from(bytes.subarray(0, 2880)).toString('latin1');
  const end = header.indexOf('END     ');
  assert.ok(end > 0 && end % 80 === 0);
  assert.match(header.slice(end + 3), /^ +$/);
  assert.deepEqual(Array.from(bytes.subarray(2880, 2882)), [0x01, 0x02]);
  assert.ok(bytes.subarray(2882).every((b) => b === 0));
});
