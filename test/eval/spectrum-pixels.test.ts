/**
 * The raw-spectrum baseline's features against hand-computed values: per-object standardization
 * (Bessel's std, as the tokenizer), bin means, a trailing partial bin dropped, a flat spectrum
 * kept finite, and invariance to the spectrum's scale and offset (only the shape remains).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { binnedStandardizedSpectrum } from '../../src/eval/index.js';

describe('binnedStandardizedSpectrum', () => {
  it('standardizes with Bessel std and averages bins, dropping a partial last bin', () => {
    // x = 1, 2, 3, 4, 5: mean 3, sample std sqrt(2.5); bins of 2 -> [1.5, 3.5], the 5 is dropped
    const out = binnedStandardizedSpectrum([1, 2, 3, 4, 5], 2);
    const sd = Math.sqrt(2.5);
    assert.equal(out.length, 2);
    assert.ok(Math.abs(out[0] - (1.5 - 3) / sd) < 1e-12, `${out[0]}`);
    assert.ok(Math.abs(out[1] - (3.5 - 3) / sd) < 1e-12, `${out[1]}`);
  });

  it('keeps only the shape: scaling and offsetting the flux changes nothing', () => {
    const flux = Array.from({ length: 64 }, (_, i) => Math.sin(i / 5) + 0.01 * i);
    const a = binnedStandardizedSpectrum(flux, 8);
    const b = binnedStandardizedSpectrum(flux.map((v) => 7.5 * v - 3), 8);
    a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) < 1e-9, `bin ${i}: ${v} vs ${b[i]}`));
  });

  it('gives zeros for a flat spectrum and refuses a bin that does not fit', () => {
    assert.deepEqual(Array.from(binnedStandardizedSpectrum([2, 2, 2, 2], 2)), [0, 0]);
    assert.throws(() => binnedStandardizedSpectrum([1, 2, 3], 4), /bin must be an integer in \[1, 3\]/);
    assert.throws(() => binnedStandardizedSpectrum([1, 2, 3], 1.5), /bin must be an integer/);
  });
});
