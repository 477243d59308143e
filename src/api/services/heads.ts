/**
 * Training a few-shot head from labelled catalog objects (POST /v1/heads): the examples' stored
 * embeddings in one modality, labels given in the request or read from the catalog, and one of
 * src/heads' small heads fitted on them:
 *   regression      'mlp' (default; MlpRegressor, one hidden layer of 32) or 'ridge'
 *   classification  'prototype' (default; cosine to class means, best with very few examples),
 *                   'mlp' (MlpClassifier) or 'softmax'
 * The head is saved in the registry with the id of the model whose space it lives in.
 */
import { randomBytes } from 'node:crypto';
import { type Head, MlpClassifier, MlpRegressor, PrototypeClassifier, RidgeRegressor, SoftmaxClassifier, matrix } from '../../heads/index.js';
import type { ObjectRow, Store } from '../../store/index.js';
import { SkyclipError, badInput } from '../../util/errors.js';
import { type HeadTrainRequest, PREDICT_TARGETS } from '../schemas.js';
import type { HeadRecord } from './head-registry.js';
import { TASK_OF } from './predict.js';

export const DEFAULT_HEAD_KIND = Object.freeze({ regression: 'mlp', classification: 'prototype' } as const);
const KINDS_FOR = { regression: ['mlp', 'ridge'], classification: ['prototype', 'mlp', 'softmax'] } as const;
/** Fewest labelled examples a regression head is fitted on. */
export const MIN_REGRESSION_EXAMPLES = 3;

export function trainHead(store: Store, request: HeadTrainRequest): { record: HeadRecord; head: Head } {
  const target = request.target;
  const column = PREDICT_TARGETS[target];
  const task = TASK_OF[target];
  const modality = request.modality ?? 'image';
  const kind = request.kind ?? DEFAULT_HEAD_KIND[task];
  if (!(KINDS_FOR[task] as readonly string[]).includes(kind)) {
    throw badInput(`a ${kind} head cannot learn ${target} (a ${task} target); use one of: ${KINDS_FOR[task].join(', ')}`);
  }

  const seen = new Set<string>();
  const missing: string[] = [];
  const noVector: string[] = [];
  const vectors: Float32Array[] = [];
  const labels: Array<number | string> = [];
  for (const example of request.examples) {
    if (seen.has(example.id)) throw badInput(`example ${JSON.stringify(example.id)} appears twice`);
    seen.add(example.id);
    const row = store.get(example.id);
    if (!row) {
      missing.push(example.id);
      continue;
    }
    const vector = store.vectorOf(example.id, modality);
    if (!vector) {
      noVector.push(example.id);
      continue;
    }
    const label = example.label ?? (row[column as keyof ObjectRow] as unknown);
    if (label === null || label === undefined || label === '') continue; // unlabelled: skipped
    if (task === 'regression' && (typeof label !== 'number' || !Number.isFinite(label))) {
      throw badInput(`example ${JSON.stringify(example.id)}: ${target} needs a number, got ${JSON.stringify(label)}`);
    }
    if (task === 'classification' && typeof label !== 'string') {
      throw badInput(`example ${JSON.stringify(example.id)}: ${target} needs a class name (a string), got ${JSON.stringify(label)}`);
    }
    vectors.push(vector);
    labels.push(label as number | string);
  }
  if (missing.length > 0) {
    throw new SkyclipError('NOT_FOUND', `${missing.length} example id(s) are not in the catalog: ${missing.slice(0, 10).join(', ')}`, { missing: missing.slice(0, 50) });
  }
  if (noVector.length > 0) {
    throw new SkyclipError('UNUSABLE', `${noVector.length} example(s) have no ${modality} embedding: ${noVector.slice(0, 10).join(', ')}`, { noVector: noVector.slice(0, 50) });
  }

  const dim = store.dimension;
  const data = new Float32Array(vectors.length * dim);
  vectors.forEach((v, i) => data.set(v, i * dim));
  const x = matrix(data, dim);
  const seed = request.seed ?? 0;
  let head: Head;
  let classes: string[] | undefined;
  if (task === 'regression') {
    if (labels.length < MIN_REGRESSION_EXAMPLES) {
      throw new SkyclipError('UNUSABLE', `only ${labels.length} example(s) have a value of ${column}; a regression head needs at least ${MIN_REGRESSION_EXAMPLES}`);
    }
    const y = labels as number[];
    head = kind === 'ridge' ? RidgeRegressor.fit({ x, y }, undefined, { seed }) : MlpRegressor.fit({ x, y }, undefined, { seed });
  } else {
    const y = labels as string[];
    classes = [...new Set(y)].sort();
    if (classes.length < 2) {
      throw new SkyclipError('UNUSABLE', `every labelled example is ${JSON.stringify(classes[0] ?? null)}; a classifier needs examples of at least two classes`);
    }
    head = kind === 'softmax' ? SoftmaxClassifier.fit({ x, y }, undefined, { seed }) : kind === 'mlp' ? MlpClassifier.fit({ x, y }, undefined, { seed }) : PrototypeClassifier.fit({ x, y });
  }
  const id = `head-${randomBytes(6).toString('hex')}`;
  const record: HeadRecord = {
    id,
    name: request.name ?? `${target} from ${labels.length} ${modality} examples`,
    target,
    column,
    task,
    modality,
    kind,
    modelId: store.modelId,
    examples: labels.length,
    ...(classes ? { classes } : {}),
    createdAt: new Date().toISOString(),
  };
  return { record, head };
}
