/**
 * How much redshift a frozen backbone holds, before any alignment head: k-NN regression of z
 * on the mean-pooled token features that `skyclip align` cached (one cache entry per encoder
 * pair, survey and split). Compare encoders on the same entry shape; the aligned embedding is
 * scored by `skyclip eval`.
 *
 *   node --import tsx scripts/backbone-knn.ts --cache runs/train-tiny/feature-cache/<key>-train-15962 \
 *     --survey runs/train-tiny/sim-train [--modality spectrum] [--reference 12000] [--queries 1500] [--k 8] \
 *     [--segments S] [--pca P] [--whiten A] [--head MODEL_DIR] [--predictions FILE]
 *
 * The first --reference cached objects are the labelled pool, the next --queries objects are
 * scored (galaxies only, as the report's redshift targets). Features: the token mean (default),
 * or the means of S contiguous runs of tokens (S = the token count keeps the whole sequence);
 * with --pca P, their coordinates on the pool's P leading principal axes (label-free). Features
 * are standardized per column with the pool's statistics (so --pca whitens), then, with
 * --whiten A < 1 (default 1), column j is scaled back by sd_j^(1 - A): A = 0 keeps the raw
 * coordinates, 1/2 weighs an axis by the square root of its spread; neighbours by
 * Euclidean distance; prediction = median z. Comparing the token mean with the whitened whole
 * sequence says how much of what the tokens hold a pooling throws away. With --head MODEL_DIR the
 * features are instead that model's aligned unit embeddings of the same cached tokens (its
 * alignment head for the modality; the cache must come from the same encoders), neighbours by
 * cosine as in the store: the aligned space scored on exactly the same objects. The cache holds
 * training-split objects, which the heads were trained on, so compare rows with each other, not
 * with the held-out report. --predictions FILE writes the scored objects' id, z_true and
 * prediction as CSV, in the shape of a report's predictions-z.csv: written as DIR/predictions-z.csv,
 * `scripts/redshift-errors.ts --report DIR --catalog SURVEY/catalog.csv --column prediction` then
 * lists where the readout fails.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { openSurvey, splitPositions } from '../src/data/survey.js';
import { r2Score } from '../src/heads/metrics.js';
import { PrincipalAxes } from '../src/heads/pca.js';
import { Standardizer } from '../src/heads/standardizer.js';
import { TopK } from '../src/store/exact.js';
import { l2Normalize } from '../src/nn/skyclip-model.js';
import { tf } from '../src/nn/tf.js';
import { loadModel } from '../src/nn/weights-io.js';
import { encoderKey } from '../src/train/pipelines/feature-cache.js';
import { writeFileAtomic } from '../src/util/atomic.js';
import { scriptCli } from './script-cli.js';

interface CacheMeta {
  key: string;
  count: number;
  split: 'train' | 'val';
  image: { tokens: number; width: number };
  spectrum: { tokens: number; width: number };
}

const cli = scriptCli('backbone-knn');
const fail: (message: string) => never = cli.fail; // annotated, so a call narrows like a declared function
const values = cli.parse({
  cache: { type: 'string' },
  survey: { type: 'string' },
  modality: { type: 'string', default: 'spectrum' },
  reference: { type: 'string', default: '12000' },
  queries: { type: 'string', default: '1500' },
  k: { type: 'string', default: '8' },
  segments: { type: 'string', default: '1' },
  pca: { type: 'string', default: '0' },
  whiten: { type: 'string', default: '1' },
  head: { type: 'string' },
  predictions: { type: 'string' },
});
if (!values.cache || !values.survey) fail('--cache DIR and --survey DIR are required');
const modality = values.modality;
if (modality !== 'spectrum' && modality !== 'image') fail(`--modality must be spectrum or image, got '${modality}'`);
const [nRef, nQuery, k, segments, pcaAxes] = [values.reference, values.queries, values.k, values.segments, values.pca].map(Number);
if (![nRef, nQuery, k, segments].every((v) => Number.isInteger(v) && v > 0)) fail('--reference, --queries, --k and --segments must be positive integers');
if (!(Number.isInteger(pcaAxes) && pcaAxes >= 0)) fail(`--pca must be a non-negative integer, got '${values.pca}'`);
const whitenPower = Number(values.whiten);
if (!(Number.isFinite(whitenPower) && whitenPower >= 0 && whitenPower <= 1)) fail(`--whiten must be a number in [0, 1], got '${values.whiten}'`);
if (values.head && (segments !== 1 || pcaAxes !== 0 || whitenPower !== 1)) fail('--head scores the aligned embedding; it takes none of --segments, --pca, --whiten');

if (!existsSync(join(values.cache, 'meta.json'))) fail(`${values.cache} is not a feature-cache entry (no meta.json); see skyclip align --cache`);
const meta = JSON.parse(readFileSync(join(values.cache, 'meta.json'), 'utf8')) as CacheMeta;
const n = Math.min(meta.count, nRef + nQuery);
if (n <= nRef) fail(`the cache holds ${meta.count} objects: fewer than --reference ${nRef} plus queries`);
const { tokens, width: tokenWidth } = meta[modality];
if (segments > tokens) fail(`--segments ${segments} exceeds the ${tokens} tokens of an object`);
const width = tokenWidth * segments;
if (pcaAxes > Math.min(width, nRef)) fail(`--pca ${pcaAxes} exceeds the ${width} features`);
const survey = openSurvey(values.survey);
const rows = Array.from(splitPositions(survey, meta.split).subarray(0, n), (p) => survey.rows[p]);

const fd = openSync(join(values.cache, `${modality}.f32`), 'r');
const object = new Float32Array(tokens * tokenWidth);
const readObjects = (from: number, count: number): Float32Array => {
  const block = new Float32Array(count * tokens * tokenWidth);
  readSync(fd, new Uint8Array(block.buffer), 0, block.byteLength, from * object.byteLength);
  return block;
};

// Mean over S contiguous runs of tokens: [n, T, W] on disk -> [n, S*W] in memory, one object at a
// time. S = 1 is the encoder's own mean-pooled embedding; larger S keeps where along the sequence
// a feature sits, which a pooling head could learn to use.
function segmentMeans(): Float32Array {
  const pooled = new Float32Array(n * width); // float32: --segments = tokens keeps every token (~0.5 GB)
  const segmentOf = (t: number) => Math.floor((t * segments) / tokens);
  const segmentSize = Array.from({ length: segments }, (_, s) => Array.from({ length: tokens }, (_, t) => t).filter((t) => segmentOf(t) === s).length);
  for (let i = 0; i < n; i++) {
    readSync(fd, new Uint8Array(object.buffer), 0, object.byteLength, i * object.byteLength);
    for (let t = 0; t < tokens; t++) {
      const s = segmentOf(t);
      for (let c = 0; c < tokenWidth; c++) pooled[i * width + s * tokenWidth + c] += object[t * tokenWidth + c] / segmentSize[s];
    }
  }
  return pooled;
}

// The model's alignment head on the cached tokens: [n, T, W] -> unit vectors [n, E], in batches.
async function alignedEmbeddings(modelDir: string): Promise<{ data: Float32Array; cols: number }> {
  let loaded;
  try {
    loaded = await loadModel(modelDir);
  } catch (e) {
    fail(`--head ${modelDir}: ${(e as Error).message}`);
  }
  const { model } = loaded;
  const head = modality === 'spectrum' ? model.spectrumHead : model.imageHead;
  // The heads only mean something on their own encoders' tokens; a cache of other encoders of
  // the same width would run and give a wrong number.
  const encoders = await encoderKey(model);
  if (!meta.key.startsWith(`${encoders}-`)) fail(`--head ${modelDir}: its encoders (key ${encoders}) did not make this cache (${meta.key})`);
  if (head.readout && !head.readout.isFitted()) {
    fail(`--head ${modelDir}: its ${modality} readout was never fitted (zero axes); align it first (skyclip align)`);
  }
  const dim = model.config.align.dim;
  const out = new Float32Array(n * dim);
  const batch = 500;
  for (let s = 0; s < n; s += batch) {
    const m = Math.min(batch, n - s);
    const unit = tf.tidy(() => l2Normalize(head.forward(tf.tensor3d(readObjects(s, m), [m, tokens, tokenWidth])))); // [m, T, W] -> [m, E]
    out.set(unit.dataSync(), s * dim);
    unit.dispose();
  }
  model.dispose();
  return { data: out, cols: dim };
}

let standardized: ArrayLike<number>;
let dims: number;
if (values.head) {
  // Unit vectors: Euclidean neighbours are the cosine neighbours the store finds.
  ({ data: standardized, cols: dims } = await alignedEmbeddings(values.head));
} else {
  // Optionally onto the reference pool's P leading principal axes (label-free), then standardized
  // with the pool's column statistics (the heads' Standardizer): with --pca, a whitened readout.
  const pooled = segmentMeans();
  const raw = { data: pooled, rows: n, cols: width };
  const features = pcaAxes > 0 ? PrincipalAxes.fit({ data: pooled.subarray(0, nRef * width), rows: nRef, cols: width }, pcaAxes).project(raw) : raw;
  dims = features.cols;
  const standardizer = Standardizer.fit({ data: features.data.subarray(0, nRef * dims), rows: nRef, cols: dims });
  const scaled = standardizer.transform(features).data;
  if (whitenPower < 1) {
    const back = Array.from(standardizer.scale, (sd) => sd ** (1 - whitenPower)); // [dims]
    for (let i = 0; i < scaled.length; i++) scaled[i] *= back[i % dims];
  }
  standardized = scaled;
}
closeSync(fd);

const ids: string[] = [];
const truth: number[] = [];
const predicted: number[] = [];
for (let q = nRef; q < n; q++) {
  if (rows[q].class !== 'GALAXY') continue;
  const top = new TopK(k);
  for (let j = 0; j < nRef; j++) {
    let d2 = 0;
    for (let c = 0; c < dims; c++) d2 += (standardized[q * dims + c] - standardized[j * dims + c]) ** 2;
    top.offer(j, -d2); // TopK keeps the highest scores: the nearest
  }
  const zs = top.results().map((s) => Number(rows[s.label].z)).sort((a, b) => a - b);
  predicted.push(k % 2 === 1 ? zs[(k - 1) / 2] : (zs[k / 2 - 1] + zs[k / 2]) / 2);
  truth.push(Number(rows[q].z));
  ids.push(rows[q].id);
}
const whitening = whitenPower === 1 ? 'whitened' : whitenPower === 0 ? 'unscaled' : `whitened to the power ${whitenPower}`;
const readout = values.head ? `aligned embedding of ${values.head}` : `${segments} segment${segments > 1 ? 's' : ''}${pcaAxes ? `, ${pcaAxes} PCA axes, ${whitening}` : whitenPower < 1 ? `, ${whitening}` : ''}`;
if (values.predictions) {
  const csv = ['id,z_true,prediction', ...ids.map((id, i) => `${id},${truth[i]},${predicted[i]}`)].join('\n') + '\n';
  await writeFileAtomic(values.predictions, csv);
}
console.log(`| cache | modality | reference | galaxies scored | k | features | z R^2 |`);
console.log(`|---|---|---|---|---|---|---|`);
console.log(`| ${values.cache} | ${modality} | ${nRef} | ${truth.length} | ${k} | ${readout} | ${r2Score(truth, predicted).toFixed(4)} |`);
