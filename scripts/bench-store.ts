/**
 * Benchmarks the embedding store: builds a store of random unit vectors (default 20,000 x 64-d,
 * the tiny model's shared-space size), then measures queries per second of graph (HNSW) search
 * and of filtered search at 50 %, 5 % and 0.5 % selectivity, each under the default plan and
 * under each forced strategy (exact subset, graph walk with the filter callback, unfiltered
 * walk + post-filter), as ratios against exact search over all objects in the same run, with
 * recall@10 against exact results under the same filter.
 *
 *   node --import tsx scripts/bench-store.ts [--n 20000] [--dim 64] [--queries 200] [--rounds 3] [--seed 1]
 *   node --import tsx scripts/bench-store.ts --embeddings FILE [--modality image|spectrum] [--queries 200]
 *
 * With --embeddings (an embeddings file from `skyclip embed`, or an eval cache file) the store
 * holds those trained vectors instead of random ones, and the queries are held-back vectors of
 * the same file (the last `queries` rows, not indexed): recall on the real distribution.
 *
 * Each search mode runs its queries `rounds` times and reports the fastest round, so a busy
 * machine (other processes on the same cores) disturbs the ratios less.
 *
 * Random vectors are the hard case for HNSW (their intrinsic dimension is the full dimension),
 * so recall here is a lower bound for trained embeddings.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readEmbeddings } from '../src/embed/embeddings-file.js';
import { Rng } from '../src/util/random.js';
import { Store, type ObjectInput, type SearchFilter, type SearchHit, type Strategy } from '../src/store/index.js';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '20000' },
    dim: { type: 'string', default: '64' },
    queries: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '3' },
    seed: { type: 'string', default: '1' },
    embeddings: { type: 'string' },
    modality: { type: 'string', default: 'image' },
  },
});
const Q = Number(values.queries);

/** Trained vectors from an embeddings file: the first n - Q rows are indexed, the last Q are queries. */
async function trainedVectors(path: string, modality: string): Promise<{ vectors: number[][]; queries: number[][]; dim: number }> {
  if (modality !== 'image' && modality !== 'spectrum') throw new Error(`--modality must be image or spectrum, got '${modality}'`);
  const file = await readEmbeddings(path);
  const block = file[modality];
  if (!block) throw new Error(`${path} has no ${modality} vectors`);
  const rows = Array.from({ length: file.ids.length }, (_, i) => Array.from(block.subarray(i * file.dim, (i + 1) * file.dim)));
  if (rows.length <= Q) throw new Error(`${path} has ${rows.length} rows; need more than --queries ${Q}`);
  return { vectors: rows.slice(0, rows.length - Q), queries: rows.slice(rows.length - Q), dim: file.dim };
}
const trained = values.embeddings ? await trainedVectors(values.embeddings, values.modality!) : undefined;
const N = trained ? trained.vectors.length : Number(values.n);
const DIM = trained ? trained.dim : Number(values.dim);
const SEED = Number(values.seed);
const ROUNDS = Math.max(1, Number(values.rounds));
const K = 10;
const MODEL = 'bench00000000000';

function gaussian(rng: Rng): number[] {
  return Array.from({ length: DIM }, () => rng.normal());
}

/** Object i passes the 50 % filter when even, the 5 % one when i % 20 == 0, the 0.5 % one when i % 200 == 0. */
function rows(): ObjectInput[] {
  const rng = new Rng(SEED);
  return Array.from({ length: N }, (_, i) => ({
    id: `b${i}`,
    ra: rng.range(0, 360),
    dec: (Math.asin(2 * rng.uniform() - 1) * 180) / Math.PI,
    split: i % 2 === 0 ? 'train' : 'test',
    class: i % 20 === 0 ? 'QSO' : 'GALAXY',
    morph_type: i % 200 === 0 ? 'point' : 'spiral',
  }));
}

const FILTERS: Array<[string, SearchFilter]> = [
  ['50 %', { equals: { split: 'train' } }],
  ['5 %', { equals: { class: 'QSO' } }],
  ['0.5 %', { equals: { morph_type: 'point' } }],
];

interface Measure {
  msPerQuery: number;
  results: SearchHit[][];
  strategies: Set<Strategy>;
  fallbacks: number;
}

function measure(store: Store, queries: number[][], options: { filter?: SearchFilter; exact?: boolean }): Measure {
  const results: SearchHit[][] = [];
  const strategies = new Set<Strategy>();
  let fallbacks = 0;
  // One warm-up query (statement preparation, JIT, the in-memory vector copy), then the timed rounds.
  store.searchExplained('image', queries[0], { k: K, ...options });
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < ROUNDS; round++) {
    const t0 = performance.now();
    for (const q of queries) {
      const r = store.searchExplained('image', q, { k: K, ...options });
      if (round === 0) {
        results.push(r.hits);
        strategies.add(r.plan.strategy);
        if (r.plan.fallback) fallbacks++;
      }
    }
    best = Math.min(best, (performance.now() - t0) / queries.length);
  }
  return { msPerQuery: best, results, strategies, fallbacks };
}

function recall(found: SearchHit[][], reference: SearchHit[][]): number {
  let hits = 0;
  let total = 0;
  found.forEach((hs, i) => {
    const ref = new Set(reference[i].map((h) => h.id));
    hits += hs.filter((h) => ref.has(h.id)).length;
    total += ref.size;
  });
  return hits / total;
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'skyclip-bench-store-'));
  const dir = join(root, 'store');
  try {
    const source = trained ? `trained ${values.modality} vectors from ${values.embeddings}` : 'random';
    console.log(`store bench: ${N} ${source} ${DIM}-d unit vectors, ${Q} queries (best of ${ROUNDS} rounds), k = ${K}, seed ${SEED}`);
    const rng = new Rng(SEED + 1);
    const vectors = trained ? trained.vectors : Array.from({ length: N }, () => gaussian(rng));
    let t0 = performance.now();
    const store = await Store.open(dir, { modelId: MODEL, create: true, dimension: DIM });
    store.upsertObjects(rows());
    const tCatalog = performance.now() - t0;
    t0 = performance.now();
    await store.addEmbeddings('image', vectors.map((vector, i) => ({ id: `b${i}`, vector })));
    const tAdd = performance.now() - t0;
    t0 = performance.now();
    await store.close();
    const tSave = performance.now() - t0;
    t0 = performance.now();
    const dflt = await Store.open(dir, { modelId: MODEL, readOnly: true });
    const tOpen = performance.now() - t0;
    const p = dflt.info().index;
    const pl = dflt.info().planner;
    console.log(
      `graph M=${p.m} efConstruction=${p.efConstruction} efSearch=${p.efSearch}; planner: exact when <= ${pl.exactMaxRows} rows or <= ${pl.exactMaxFraction * 100} %, ` +
        `post-filter when >= ${pl.postFilterMinFraction * 100} %, else filtered walk`,
    );
    console.log(
      `build: catalog ${(tCatalog / 1000).toFixed(2)} s, add+index ${(tAdd / 1000).toFixed(2)} s (${(N / (tAdd / 1000)).toFixed(0)} vectors/s), ` +
        `save ${(tSave / 1000).toFixed(2)} s, open (checksum + load + checks) ${(tOpen / 1000).toFixed(2)} s`,
    );

    // Stores over the same files that force one strategy for filtered queries.
    const exactOnly = await Store.open(dir, { modelId: MODEL, readOnly: true, planner: { exactMaxRows: Number.MAX_SAFE_INTEGER, exactMaxFraction: 1 } });
    const walkOnly = await Store.open(dir, { modelId: MODEL, readOnly: true, planner: { exactMaxRows: 0, exactMaxFraction: 0, postFilterMinFraction: 1 } });
    const postOnly = await Store.open(dir, { modelId: MODEL, readOnly: true, planner: { exactMaxRows: 0, exactMaxFraction: 0, postFilterMinFraction: 0 } });

    const qrng = new Rng(SEED + 2);
    const queries = trained ? trained.queries : Array.from({ length: Q }, () => gaussian(qrng));
    const reference = measure(dflt, queries, { exact: true });
    const table: string[][] = [['search', 'strategy', 'ms/query', 'QPS', 'x exact', 'recall@10']];
    const row = (name: string, m: Measure, ref: Measure) =>
      table.push([
        name,
        [...m.strategies].join('+') + (m.fallbacks ? ` (${m.fallbacks} fallbacks)` : ''),
        m.msPerQuery.toFixed(3),
        (1000 / m.msPerQuery).toFixed(0),
        (reference.msPerQuery / m.msPerQuery).toFixed(1),
        recall(m.results, ref.results).toFixed(4),
      ]);
    row('exact, all objects (reference)', reference, reference);
    row('HNSW, no filter', measure(dflt, queries, {}), reference);
    for (const [name, filter] of FILTERS) {
      const exactFiltered = measure(exactOnly, queries, { filter, exact: true });
      row(`filter ${name}, default plan`, measure(dflt, queries, { filter }), exactFiltered);
      row(`filter ${name}, exact subset`, exactFiltered, exactFiltered);
      row(`filter ${name}, graph + callback`, measure(walkOnly, queries, { filter }), exactFiltered);
      row(`filter ${name}, graph + post-filter`, measure(postOnly, queries, { filter }), exactFiltered);
    }
    const widths = table[0].map((_, c) => Math.max(...table.map((r) => r[c].length)));
    for (const r of table) console.log(r.map((cell, c) => (c === 0 || c === 1 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '));
    console.log("'x exact' = QPS relative to the exact reference (first row); recall@10 of filtered rows is against exact search under the same filter.");
    await Promise.all([dflt.close(), exactOnly.close(), walkOnly.close(), postOnly.close()]);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

await main();
