/**
 * The checks a graph file passes before the store uses it, beyond its checksum: it must
 * describe this catalog. Every label in the graph is an object with a vector or a deleted one
 * (a tombstone); every vector the catalog committed by the file's checkpoint is in the graph;
 * and a sample of the graph's vectors equals the catalog's copies (which catches a file from
 * another store whose labels happen to line up).
 */
import { SkyclipError } from '../util/errors.js';
import type { Catalog } from './catalog.js';
import type { Modality } from './config.js';
import type { Graph } from './hnsw.js';
import type { IndexEntry } from './manifest.js';
import { REMEDIES } from './remedies.js';

/** Vectors compared per modality. */
const SPOT_CHECKS = 8;
/** Largest |difference| allowed between the graph's and the catalog's copy of a unit vector (hnswlib renormalizes in float32). */
const SPOT_TOLERANCE = 1e-5;

/** `n` items spread evenly over `items` (all of them when there are fewer). */
function spread<T>(items: readonly T[], n: number): T[] {
  if (items.length <= n) return [...items];
  return Array.from({ length: n }, (_, i) => items[Math.floor((i * (items.length - 1)) / (n - 1))]);
}

export function checkGraphAgainstCatalog(graph: Graph, catalog: Catalog, m: Modality, entry: IndexEntry, dir: string, dim: number): void {
  const fail = (what: string, details: Record<string, unknown>) => {
    throw new SkyclipError('UNUSABLE', `store ${dir}: ${what}; ${REMEDIES.reindex(dir)}`, { modality: m, ...details });
  };
  if (graph.elements !== entry.elements) fail(`${entry.file} holds ${graph.elements} elements, manifest.json says ${entry.elements}`, {});

  const inGraph = graph.labels();
  const seqs = catalog.vectorSeqs(m);
  const known = new Set(seqs.map(([label]) => label));
  for (const t of catalog.tombstones(m)) known.add(t.label);
  const unknown = inGraph.filter((label) => !known.has(label));
  if (unknown.length > 0) {
    fail(`the ${m} index holds ${unknown.length} label(s) the catalog does not know (e.g. ${unknown.slice(0, 5).join(', ')}): index and catalog disagree`, {
      unknown: unknown.slice(0, 20),
    });
  }

  const graphLabels = new Set(inGraph);
  const committed = seqs.filter(([, seq]) => seq <= entry.seq).map(([label]) => label);
  const missing = committed.filter((label) => !graphLabels.has(label));
  if (missing.length > 0) {
    const ids = [...catalog.idsByLabel(missing.slice(0, 5)).values()];
    fail(`the catalog has ${missing.length} ${m} vector(s) the index should hold but does not (e.g. ${ids.join(', ')}): index and catalog disagree`, {
      missing: missing.slice(0, 20),
    });
  }

  for (const label of spread(committed, SPOT_CHECKS)) {
    const mine = catalog.getVector(m, label, dim)!;
    const theirs = graph.vector(label);
    const worst = theirs.reduce((acc, x, i) => Math.max(acc, Math.abs(x - mine[i])), 0);
    if (!(worst <= SPOT_TOLERANCE)) {
      fail(`the ${m} index's vector for label ${label} differs from the catalog's (by up to ${worst.toExponential(2)}): the file belongs to other data`, { label });
    }
  }
}
