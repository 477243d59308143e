/**
 * FITS files made by our writer, covering every BITPIX (with and without BSCALE/BZERO/BLANK),
 * 1-D/2-D/3-D images, multi-HDU files and a BINTABLE with every column type. The same
 * definitions produce the committed astropy fixtures (scripts/make-astropy-fixtures.ts) and
 * the files the tests write again, so the bytes must be deterministic: values come from an
 * integer generator and exact divisions, never from Math.sin & co.
 */
import type { HeaderCard, WritableHdu } from '../../../src/io/fits/types.js';

/** Park-Miller minimal standard generator: deterministic integers in [1, 2^31 - 2]. */
export function integerSequence(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 16807) % 2147483647;
    return state;
  };
}

/** `n` values in [lo, hi] with `decimals` decimals, from an integer sequence. */
function values(n: number, seed: number, lo: number, hi: number, decimals = 3): number[] {
  const next = integerSequence(seed);
  const scale = 10 ** decimals;
  const span = Math.round((hi - lo) * scale);
  return Array.from({ length: n }, () => lo + (next() % (span + 1)) / scale);
}

export const HEADER_EXTRAS: HeaderCard[] = [
  { key: 'OBJECT', value: "NGC 1234's core", comment: 'quote inside a string' },
  { key: 'PATHLIKE', value: 'a / b / c', comment: "' /' inside a string" },
  { key: 'LONGSTR', value: 'This header value is longer than one card can hold, so it continues with CONTINUE cards as FITS allows.' },
  { key: 'EXPTIME', value: 1.5e-7, comment: 'seconds' },
  { key: 'TINY', value: 1.2345678901234567e-300 },
  { key: 'BIG', value: 12345678901234 },
  { key: 'NEGZERO', value: -0.5 },
  { key: 'FLAG', value: true },
  { key: 'NOFLAG', value: false },
  { key: 'UNDEF', value: null, comment: 'no value' },
  { key: 'EMPTY', value: '' },
  { key: 'LEADSP', value: '  leading blanks kept' },
  { key: 'HISTORY', value: 'written by the skyclip test suite' },
  { key: 'COMMENT', value: 'a comment card' },
  { key: 'DATE-OBS', value: '2020-01-02T03:04:05' },
];

export interface SampleFile {
  name: string;
  hdus: WritableHdu[];
}

type ImageInput = Extract<WritableHdu, { kind: 'image' }>;

function image(shape: number[], rest: Omit<ImageInput, 'kind' | 'shape'>): WritableHdu {
  return { kind: 'image', shape, ...rest };
}

export function sampleFiles(): SampleFile[] {
  const with2d = [6, 5];
  const cube = [3, 4, 5];
  return [
    { name: 'w-u8-2d', hdus: [image(with2d, { data: Uint8Array.from(values(30, 11, 0, 255, 0)) })] },
    { name: 'w-i8-bzero', hdus: [image([12], { data: Float32Array.from(values(12, 12, -128, 127, 0)), bitpix: 8, bzero: -128 })] },
    { name: 'w-i16-1d', hdus: [image([40], { data: Int16Array.from(values(40, 13, -32768, 32767, 0)) })] },
    { name: 'w-u16-bzero', hdus: [image(with2d, { data: Float32Array.from(values(30, 14, 0, 65535, 0)), bitpix: 16, bzero: 32768 })] },
    {
      name: 'w-i16-scaled-blank',
      hdus: [image(with2d, { data: Float32Array.from(values(30, 15, -50, 50, 2).map((v, i) => (i % 7 === 3 ? Number.NaN : v))), bitpix: 16, bscale: 0.01, bzero: 10, blank: -32768 })],
    },
    { name: 'w-i32-3d', hdus: [image(cube, { data: Int32Array.from(values(60, 16, -2e9, 2e9, 0)) })] },
    { name: 'w-u32-bzero', hdus: [image([20], { data: Float64Array.from(values(20, 17, 0, 4294967295, 0)), bitpix: 32, bzero: 2147483648 })] },
    { name: 'w-i32-scaled', hdus: [image(with2d, { data: Float64Array.from(values(30, 18, -1000, 1000, 3)), bitpix: 32, bscale: 0.001, bzero: -5 })] },
    {
      name: 'w-i64-2d',
      hdus: [image([2, 3], { data: BigInt64Array.from([0n, -1n, 2n ** 53n + 1n, -(2n ** 60n) - 7n, 9223372036854775807n, -9223372036854775808n]) })],
    },
    {
      name: 'w-i64-scaled-blank',
      hdus: [image([8], { data: Float64Array.from([1, 3, Number.NaN, 5, -7, 2001, Number.NaN, 11]), bitpix: 64, bscale: 2, bzero: 1, blank: -1 })],
    },
    {
      name: 'w-f32-3d-nonfinite',
      hdus: [
        image(cube, {
          data: Float32Array.from(values(60, 19, -10, 10, 4).map((v, i) => (i === 0 ? Number.NaN : i === 7 ? Number.POSITIVE_INFINITY : i === 8 ? Number.NEGATIVE_INFINITY : v))),
        }),
      ],
    },
    { name: 'w-f64-2d', hdus: [image(with2d, { data: Float64Array.from(values(30, 20, -1e6, 1e6, 6).map((v, i) => (i === 29 ? Number.NaN : v))) })] },
    { name: 'w-f32-scaled', hdus: [image([10], { data: Float32Array.from(values(10, 21, 0, 100, 2)), bitpix: -32, bscale: 2, bzero: 10 })] },
    {
      name: 'w-multi-hdu',
      hdus: [
        image(with2d, { data: Float32Array.from(values(30, 22, 0, 1, 5)), cards: HEADER_EXTRAS }),
        image([3, 4], { data: Int16Array.from(values(12, 23, -100, 100, 0)), extname: 'MASK' }),
        {
          kind: 'bintable',
          extname: 'CATALOG',
          columns: [
            { name: 'ID', data: Int32Array.from([1, 2, 3]) },
            { name: 'NAME', data: ['alpha', "o'brien", ''] },
          ],
          cards: [{ key: 'SURVEY', value: 'mock' }],
        },
        image(cube, { data: Float64Array.from(values(60, 24, -1, 1, 6)), extname: 'CUBE' }),
      ],
    },
    {
      name: 'w-table-all-types',
      hdus: [
        {
          kind: 'bintable',
          extname: 'ALLTYPES',
          columns: [
            { name: 'flag', data: [true, false, true, true] },
            { name: 'byte', data: Uint8Array.from([0, 1, 128, 255]) },
            { name: 'short', data: Int16Array.from([-32768, -1, 0, 32767]) },
            { name: 'int', data: Int32Array.from([-2147483648, 7, 0, 2147483647]) },
            { name: 'long', data: BigInt64Array.from([-(2n ** 62n), 1n, 2n ** 53n + 1n, 9223372036854775807n]) },
            { name: 'float', data: Float32Array.from([0.25, Number.NaN, -1.5, Number.POSITIVE_INFINITY]), unit: 'mag' },
            { name: 'double', data: Float64Array.from([1e-300, -2.5, Number.NaN, 1e300]) },
            { name: 'text', data: ['abc', '  lead', "it's", ''], repeat: 8 },
            { name: 'spectrum', repeat: 7781, data: Float32Array.from(values(4 * 7781, 25, -5, 5, 3)) },
            { name: 'pair', repeat: 2, data: Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8]) },
            { name: 'ushort', data: Float64Array.from([0, 1, 40000, 65535]), format: 'I', tzero: 32768 },
            { name: 'scaled', data: Float64Array.from([10, 10.5, 11, -20]), format: 'J', tscal: 0.5, tzero: 10 },
            { name: 'ulong32', data: Float64Array.from([0, 4294967295, 3e9, 1]), format: 'J', tzero: 2147483648 },
          ],
        },
      ],
    },
  ];
}
