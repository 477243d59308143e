import { test } from 'node:test';
import assert from 'node:assert/strict';
import { partnerRanks, retrievalScores } from '../../src/heads/retrieval.js';

test('partner ranks by cosine similarity, hand-computed', () => {
  // 3 objects in 2-D. Query 0 points at candidate 0; query 1 is closer to candidate 2 than
  // to its partner 1; query 2 is exactly its partner.
  const queries = Float32Array.from([1, 0, 0.6, 0.8, 0, 1]);
  const candidates = Float32Array.from([2, 0, 1, 0.2, 0.1, 1]);
  assert.deepEqual(Array.from(partnerRanks(queries, candidates, 2)), [1, 2, 1]);
});

test('ties count against the query: identical embeddings do not look like perfect retrieval', () => {
  const same = new Float32Array(4 * 3).fill(1);
  assert.deepEqual(Array.from(partnerRanks(same, same, 3)), [4, 4, 4, 4]);
});

test('recall@k and median rank', () => {
  const scores = retrievalScores(Int32Array.from([1, 3, 12, 2]), [1, 10]);
  assert.equal(scores.recallAt[1], 0.25);
  assert.equal(scores.recallAt[10], 0.75);
  assert.equal(scores.medianRank, 2.5);
});
