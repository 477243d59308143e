import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chunkTokenMask, randomPatchMask } from '../../src/preprocess/masking.js';

/** A small deterministic uniform source (mulberry32) for the tests. */
function uniformFrom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('patch mask hides the requested share, partitions the patches, and is reproducible', () => {
  const { visible, masked } = randomPatchMask(64, 0.75, uniformFrom(3));
  assert.equal(masked.length, 48);
  assert.equal(visible.length, 16);
  const all = [...visible, ...masked].sort((a, b) => a - b);
  assert.deepEqual(all, Array.from({ length: 64 }, (_, i) => i));
  assert.deepEqual(randomPatchMask(64, 0.75, uniformFrom(3)).visible, visible);
  assert.notDeepEqual(randomPatchMask(64, 0.75, uniformFrom(4)).visible, visible);
  assert.throws(() => randomPatchMask(64, 1, uniformFrom(1)), /maskRatio/);
});

test('chunk mask: contiguous runs, never the leading stats token, AstroCLIP-like share', () => {
  let hidden = 0;
  const trials = 200;
  for (let s = 0; s < trials; s++) {
    const mask = chunkTokenMask(778, { chunks: 6, chunkLength: 50 }, uniformFrom(s));
    assert.equal(mask[0], 0, 'the mean/std token stays visible');
    // Every run of ones has a length that is a sum of overlapping 50-token chunks: >= 50.
    let run = 0;
    for (let i = 0; i <= mask.length; i++) {
      if (i < mask.length && mask[i] === 1) run++;
      else {
        if (run > 0) assert.ok(run >= 50, `run of ${run}`);
        run = 0;
      }
    }
    hidden += mask.reduce((n, v) => n + v, 0);
  }
  const share = hidden / (trials * 778);
  // 6 x 50 / 778 = 38.6 % without overlaps; random overlaps and the edges (a token near an
  // end is covered by fewer chunk positions) bring the expectation to ~33 %.
  assert.ok(share > 0.30 && share <= 0.386, `hidden share ${share}`);
});

test('chunk mask refuses a configuration that would hide nothing', () => {
  // A mask with no hidden token makes the masked loss exactly 0: training would silently do nothing.
  for (const bad of [{ chunks: 0, chunkLength: 6 }, { chunks: 6, chunkLength: 0 }, { chunks: undefined as unknown as number, chunkLength: 6 }, { chunks: 2.5, chunkLength: 6 }]) {
    assert.throws(() => chunkTokenMask(97, bad, uniformFrom(1)), /positive integer/);
  }
});
