import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCard, parseHeaderCards } from '../../src/io/fits/card-parse.js';
import { formatCard, formatNumber } from '../../src/io/fits/card-format.js';
import { cardBoolean, cardNumber, cardString, cardValue, extname, hasCard } from '../../src/io/fits/header.js';
import type { HeaderCard } from '../../src/io/fits/types.js';
import { SkyclipError } from '../../src/util/errors.js';

const card = (text: string) => text.padEnd(80, ' ');

function parsed(text: string): HeaderCard {
  const raw = parseCard(card(text));
  assert.equal(raw.kind, 'card');
  return (raw as { card: HeaderCard }).card;
}

test('values: logicals, integers, reals with E and D exponents, undefined', () => {
  assert.deepEqual(parsed('SIMPLE  =                    T / conforms'), { key: 'SIMPLE', value: true, comment: 'conforms' });
  assert.deepEqual(parsed('NAXIS1  =                 4197'), { key: 'NAXIS1', value: 4197 });
  assert.equal(parsed('CRVAL1  = 3.54406800000000E+00 / Iraf zero point').value, 3.544068);
  assert.equal(parsed('DVAL    =              1.5D-03').value, 0.0015);
  assert.equal(parsed('EXPTIME =                   1.').value, 1);
  assert.deepEqual(parsed('UNDEF   =                      / nothing'), { key: 'UNDEF', value: null, comment: 'nothing' });
  assert.deepEqual(parsed('CARTID  =                    4 /Cartridge used'), { key: 'CARTID', value: 4, comment: 'Cartridge used' });
});

test("strings: doubled quotes, ' /' inside, trailing blanks dropped, leading blanks kept", () => {
  assert.equal(parsed("OBJECT  = 'it''s here'").value, "it's here");
  assert.deepEqual(parsed("PATH    = 'a / b'              / the comment"), { key: 'PATH', value: 'a / b', comment: 'the comment' });
  assert.equal(parsed("FLAVOR  = 'science '").value, 'science');
  assert.equal(parsed("EMLINE1 = ' MgII 2798.00'").value, ' MgII 2798.00');
  assert.equal(parsed("EMPTY   = ''").value, '');
});

test('commentary cards keep their text from column 9, like astropy', () => {
  assert.deepEqual(parsed('HISTORY   rvsao.linespec 2.0b'), { key: 'HISTORY', value: '  rvsao.linespec 2.0b' });
  assert.deepEqual(parsed('COMMENT a comment'), { key: 'COMMENT', value: 'a comment' });
  assert.deepEqual(parsed('        blank keyword text'), { key: '', value: 'blank keyword text' });
});

test('HIERARCH keywords and CONTINUE long strings', () => {
  assert.deepEqual(parsed('HIERARCH ESO DET CHIP NAME = \'CCD-44\' / chip'), { key: 'ESO DET CHIP NAME', value: 'CCD-44', comment: 'chip' });
  const text = [card("LONG    = 'first part &'"), card("CONTINUE  'second &'"), card("CONTINUE  'end' / said"), card('NEXT    = 1')].join('');
  assert.deepEqual(parseHeaderCards(text), [
    { key: 'LONG', value: 'first part second end', comment: 'said' },
    { key: 'NEXT', value: 1 },
  ]);
});

test('END stops parsing', () => {
  const text = [card('A       = 1'), card('END'), card('B       = 2')].join('');
  assert.deepEqual(parseHeaderCards(text), [{ key: 'A', value: 1 }]);
});

test('formatted cards are 80 columns with fixed-format values ending in column 30', () => {
  const [bitpix] = formatCard({ key: 'BITPIX', value: -32 });
  assert.equal(bitpix!.length, 80);
  assert.equal(bitpix!.slice(0, 30), 'BITPIX  =                  -32');
  assert.equal(formatCard({ key: 'SIMPLE', value: true })[0]!.slice(0, 30), 'SIMPLE  =                    T');
  const [str] = formatCard({ key: 'OBJECT', value: "it's", comment: 'note' });
  // Quote in column 11, at least 8 characters between the quotes, doubled embedded quote.
  assert.equal(str!.trimEnd(), "OBJECT  = 'it''s   ' / note");
  assert.equal(formatCard({ key: 'UNDEF', value: null })[0]!.trimEnd(), 'UNDEF   =');
});

test('reals are written so they read back exactly', () => {
  for (const x of [1.5e-7, 0.1, -2.5, 1.2345678901234567e-300, 6.02214076e23, 1e21, 123456789.123]) {
    const [line] = formatCard({ key: 'X', value: x });
    assert.equal(parsed(line!).value, x, line);
  }
  assert.equal(formatNumber(1.5e-7), '1.5E-07');
  assert.equal(formatNumber(3000), '3000');
  assert.equal(formatNumber(0.5), '0.5');
});

test('long strings become CONTINUE cards that parse back to the same value', () => {
  const value = "O'Brien's galaxy ".repeat(12).trim();
  const lines = formatCard({ key: 'LONGSTR', value, comment: 'long' });
  assert.ok(lines.length > 1);
  for (const line of lines) assert.equal(line.length, 80);
  assert.deepEqual(parseHeaderCards(lines.join('')), [{ key: 'LONGSTR', value, comment: 'long' }]);
});

test('invalid keywords, non-ASCII text and non-finite numbers are refused', () => {
  assert.throws(() => formatCard({ key: 'lower', value: 1 }), SkyclipError);
  assert.throws(() => formatCard({ key: 'TOOLONGKEY', value: 1 }), SkyclipError);
  assert.throws(() => formatCard({ key: 'NAME', value: 'café' }), /printable ASCII/);
  assert.throws(() => formatCard({ key: 'X', value: Number.NaN }), /finite/);
});

test('header helpers look values up by keyword', () => {
  const cards: HeaderCard[] = [
    { key: 'EXTNAME', value: 'FLUX  ' },
    { key: 'NAXIS', value: 2 },
    { key: 'EXTEND', value: true },
    { key: 'NAXIS', value: 3 },
  ];
  assert.equal(cardValue(cards, 'naxis'), 2, 'first occurrence, case-insensitive');
  assert.equal(cardNumber(cards, 'EXTNAME'), undefined);
  assert.equal(cardString(cards, 'EXTNAME'), 'FLUX  ');
  assert.equal(cardBoolean(cards, 'EXTEND'), true);
  assert.equal(hasCard(cards, 'BITPIX'), false);
  assert.equal(extname(cards), 'FLUX');
});
