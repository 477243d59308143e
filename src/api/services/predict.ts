/**
 * Property prediction from an embedding, with three kinds of head:
 *
 * - 'knn' (default, AstroCLIP's zero-shot method): distance-weighted k-NN over the catalog
 *   objects of the query's modality that have the label, the query object itself excluded. k is
 *   chosen on a held-out tenth of the labelled objects (PIT flatness for regression, log loss for
 *   classes) unless the request fixes it, and regression intervals are split-conformal (CQR)
 *   calibrated on the other labelled objects, each left out of its own neighbour search.
 * - 'linear': ridge regression / softmax classification fitted on the store's embeddings,
 *   regression intervals split-conformal calibrated on a held-out fifth (its rows never fit).
 * - a head id: a few-shot head trained with POST /v1/heads (heads.ts), read from the registry.
 *
 * Hold-out groups come from a hash of the object id (deterministic, independent of the
 * catalog's own split column): hash % 10 == 0 tunes k, hash % 10 in {1, 2} calibrates the
 * linear probe. Conformal calibration needs >= MIN_CALIBRATION labelled objects (fewer cannot
 * give a finite 95 % interval); below that the head's own intervals are returned, and the
 * head's description says so. Fitted heads are cached per store version (store-version.ts).
 */
import {
  type ClassificationHead,
  ConformalRegressor,
  KnnClassifier,
  KnnRegressor,
  type Neighbour,
  type NeighbourSearch,
  type RegressionHead,
  RidgeRegressor,
  SoftmaxClassifier,
  matrix,
} from '../../heads/index.js';
import type { Modality, ObjectRow, Store } from '../../store/index.js';
import { MAX_K } from '../../store/index.js';
import { SkyclipError } from '../../util/errors.js';
import { normalized } from '../present.js';
import { PREDICT_TARGETS, type PredictTarget } from '../schemas.js';
import { vectorsOf } from './catalog-scan.js';
import type { HeadRegistry } from './head-registry.js';
import { type StoreVersion, VersionedCache } from './store-version.js';

/** Fewest labelled calibration objects for conformal intervals (ceil((n + 1) 0.95) <= n needs n >= 19). */
export const MIN_CALIBRATION = 20;
/** Most objects used to choose k / to calibrate (bounds the work of a first prediction). */
export const MAX_TUNING = 200;
export const MAX_CALIBRATION = 400;
/** Fewest labelled objects to fit a linear probe. */
export const MIN_LINEAR = 10;

export type TargetTask = 'regression' | 'classification';
export const TASK_OF: Readonly<Record<PredictTarget, TargetTask>> = Object.freeze({
  redshift: 'regression',
  logmstar: 'regression',
  logssfr: 'regression',
  zmw: 'regression',
  tage: 'regression',
  morphology: 'classification',
  class: 'classification',
});

export interface Interval {
  level: number;
  lower: number;
  upper: number;
}

export type Prediction =
  | { task: 'regression'; column: string; value: number; intervals: Interval[]; head: string; neighbours?: Array<{ id: string; similarity: number; value: number }> }
  | { task: 'classification'; column: string; value: string; probabilities: Record<string, number>; head: string; neighbours?: Array<{ id: string; similarity: number; value: string }> };

/** 32-bit FNV-1a of a string: the deterministic hold-out group of an object. */
export function idHash(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const isTuning = (id: string) => idHash(id) % 10 === 0;
const isLinearCalibration = (id: string) => {
  const g = idHash(id) % 10;
  return g === 1 || g === 2;
};

function vectorKey(v: ArrayLike<number>): string {
  const f = Float32Array.from(v as ArrayLike<number>);
  return Buffer.from(f.buffer, f.byteOffset, f.byteLength).toString('base64');
}

/** The modality's embedded objects, their vectors and a position lookup: the reference set. */
interface Reference {
  modality: Modality;
  rows: ObjectRow[];
  data: Float32Array;
  dim: number;
  position: Map<string, number>;
}

/**
 * The store's HNSW index as a NeighbourSearch over the reference rows, leaving out the query
 * object: by id at prediction time (`exclude`), and, while tuning and calibrating on catalog
 * objects, the object whose stored vector is the query (`selfByVector`). `last` keeps the
 * latest answer so the neighbours a prediction used can be returned.
 */
class ReferenceSearch {
  exclude = new Set<string>();
  readonly selfByVector = new Map<string, string>();
  last: Neighbour[] = [];

  constructor(
    private readonly store: Store,
    private readonly ref: Reference,
  ) {}

  readonly search: NeighbourSearch = (query, k) => {
    const self = this.selfByVector.size > 0 ? this.selfByVector.get(vectorKey(query)) : undefined;
    const extra = this.exclude.size + (self !== undefined ? 1 : 0);
    const hits = this.store.search(this.ref.modality, query, { k: Math.min(k + extra, MAX_K) });
    const out: Neighbour[] = [];
    for (const h of hits) {
      if (h.id === self || this.exclude.has(h.id)) continue;
      const index = this.ref.position.get(h.id);
      if (index !== undefined) out.push({ index, similarity: h.similarity });
      if (out.length === k) break;
    }
    this.last = out;
    return out;
  };

  /** Catalog id of a reference row. */
  idAt(index: number): string {
    return this.ref.rows[index].id;
  }
}

type Fitted =
  | { task: 'regression'; head: RegressionHead; description: string; search?: ReferenceSearch; k?: number; y: (number | null)[] }
  | { task: 'classification'; head: ClassificationHead; description: string; search?: ReferenceSearch; k?: number; y: (string | null)[] };

function numeric(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function categorical(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

/** Rows (positions) of the reference with a label, split by a predicate on the id. */
function labelledPositions(ref: Reference, y: ReadonlyArray<unknown>, keep: (id: string) => boolean, cap: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < ref.rows.length && out.length < cap; i++) if (y[i] !== null && keep(ref.rows[i].id)) out.push(i);
  return out;
}

function subset(ref: Reference, positions: readonly number[]) {
  const x = new Float32Array(positions.length * ref.dim);
  positions.forEach((p, i) => x.set(ref.data.subarray(p * ref.dim, (p + 1) * ref.dim), i * ref.dim));
  return matrix(x, ref.dim);
}

export interface PredictInput {
  vector: ArrayLike<number>;
  modality: Modality;
  /** Catalog id of the query object: never its own neighbour. */
  excludeId?: string;
}

export class Predictor {
  private readonly references: VersionedCache<Reference>;
  private readonly fitted: VersionedCache<Fitted>;

  constructor(
    private readonly store: Store,
    version: StoreVersion,
    private readonly heads: HeadRegistry,
  ) {
    this.references = new VersionedCache(version);
    this.fitted = new VersionedCache(version);
  }

  /** Targets with at least one labelled object in the modality (the default set of a request). */
  available(modality: Modality): PredictTarget[] {
    const ref = this.reference(modality);
    return (Object.keys(PREDICT_TARGETS) as PredictTarget[]).filter((t) => {
      const column = PREDICT_TARGETS[t];
      return ref.rows.some((r) => (TASK_OF[t] === 'regression' ? numeric(r[column as keyof ObjectRow]) : categorical(r[column as keyof ObjectRow])) !== null);
    });
  }

  private reference(modality: Modality): Reference {
    return this.references.get(modality, () => {
      const { rows, data, dim } = vectorsOf(this.store, modality);
      return { modality, rows, data, dim, position: new Map(rows.map((r, i) => [r.id, i])) };
    });
  }

  predict(input: PredictInput, targets: readonly PredictTarget[], head: 'knn' | 'linear', options: { k?: number; neighbours?: boolean } = {}): Record<string, Prediction> {
    const out: Record<string, Prediction> = {};
    for (const target of targets) {
      const fitted = this.fitted.get(`${head}:${input.modality}:${target}:${options.k ?? 'auto'}`, () =>
        head === 'knn' ? this.fitKnn(input.modality, target, options.k) : this.fitLinear(input.modality, target),
      );
      out[target] = this.run(fitted, PREDICT_TARGETS[target], input, options.neighbours ?? head === 'knn');
    }
    return out;
  }

  /**
   * Fits the default k-NN heads of every labelled target in both modalities ahead of the first
   * request, one target per macrotask (each fit is a few hundred synchronous index searches), so
   * no request waits for them and the event loop is never held for long. Returns the fits made.
   */
  async warm(modalities: readonly Modality[] = ['image', 'spectrum'], signal?: AbortSignal): Promise<number> {
    let fitted = 0;
    for (const modality of modalities) {
      if (signal?.aborted || this.store.count(modality) === 0) continue;
      for (const target of this.available(modality)) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (signal?.aborted) return fitted;
        this.fitted.get(`knn:${modality}:${target}:auto`, () => this.fitKnn(modality, target, undefined));
        fitted++;
      }
    }
    return fitted;
  }

  /** A trained few-shot head from the registry. */
  predictWithHead(headId: string, vector: ArrayLike<number>): { target: PredictTarget; modality: Modality; prediction: Prediction } {
    const { record, head } = this.heads.head(headId);
    if (record.modelId !== this.store.modelId) {
      throw new SkyclipError('CONFLICT', `head ${headId} was trained on embeddings of model ${record.modelId}; the store holds model ${this.store.modelId}'s. Train it again.`, {
        head: headId,
        headModel: record.modelId,
        storeModel: this.store.modelId,
      });
    }
    const description = `${record.kind} head ${record.id} (${record.examples} examples)`;
    const fitted: Fitted = head.task === 'regression' ? { task: 'regression', head, description, y: [] } : { task: 'classification', head, description, y: [] };
    return { target: record.target, modality: record.modality, prediction: this.run(fitted, record.column, { vector, modality: record.modality }, false) };
  }

  private run(fitted: Fitted, column: string, input: PredictInput, withNeighbours: boolean): Prediction {
    const x = matrix(normalized(input.vector), input.vector.length);
    const search = fitted.search;
    if (search) {
      search.exclude = new Set(input.excludeId !== undefined ? [input.excludeId] : []);
      search.last = [];
    }
    try {
      if (fitted.task === 'regression') {
        const p = fitted.head.predict(x);
        const intervals = p.intervals.map((iv) => ({ level: iv.level, lower: iv.lower[0], upper: iv.upper[0] }));
        const prediction: Prediction = { task: 'regression', column, value: p.point[0], intervals, head: fitted.description };
        if (withNeighbours && search) {
          prediction.neighbours = this.usedNeighbours(search, fitted.k!, fitted.y).map((n) => ({ id: n.id, similarity: n.similarity, value: fitted.y[n.index] as number }));
        }
        return prediction;
      }
      const p = fitted.head.predict(x);
      const probabilities = Object.fromEntries(p.classes.map((c, i) => [c, p.probabilities[i]]));
      const prediction: Prediction = { task: 'classification', column, value: p.predicted[0], probabilities, head: fitted.description };
      if (withNeighbours && search) {
        prediction.neighbours = this.usedNeighbours(search, fitted.k!, fitted.y).map((n) => ({ id: n.id, similarity: n.similarity, value: fitted.y[n.index] as string }));
      }
      return prediction;
    } finally {
      if (search) search.exclude = new Set();
    }
  }

  /** The labelled neighbours the last k-NN prediction used: its search's final answer, labelled ones, best k. */
  private usedNeighbours(search: ReferenceSearch, k: number, y: ReadonlyArray<unknown>): Array<Neighbour & { id: string }> {
    return search.last
      .filter((n) => y[n.index] !== null)
      .sort((a, b) => b.similarity - a.similarity || a.index - b.index)
      .slice(0, k)
      .map((n) => ({ ...n, id: search.idAt(n.index) }));
  }

  private labels(ref: Reference, target: PredictTarget): (number | null)[] | (string | null)[] {
    const column = PREDICT_TARGETS[target] as keyof ObjectRow;
    return TASK_OF[target] === 'regression' ? ref.rows.map((r) => numeric(r[column])) : ref.rows.map((r) => categorical(r[column]));
  }

  private noLabels(target: PredictTarget, modality: Modality): SkyclipError {
    return new SkyclipError('UNUSABLE', `no catalog object with a ${modality} embedding has a value of ${PREDICT_TARGETS[target]} (${target}); nothing to predict it from`, {
      target,
      modality,
    });
  }

  private fitKnn(modality: Modality, target: PredictTarget, k: number | undefined): Fitted {
    const ref = this.reference(modality);
    const y = this.labels(ref, target);
    if (!y.some((v) => v !== null)) throw this.noLabels(target, modality);
    const search = new ReferenceSearch(this.store, ref);
    const tuning = labelledPositions(ref, y, isTuning, MAX_TUNING);
    const calibration = labelledPositions(ref, y, (id) => !isTuning(id), MAX_CALIBRATION);
    for (const p of [...tuning, ...calibration]) search.selfByVector.set(vectorKey(ref.data.subarray(p * ref.dim, (p + 1) * ref.dim)), ref.rows[p].id);
    const tune = k === undefined && tuning.length >= 10;
    try {
      if (TASK_OF[target] === 'regression') {
        const yy = y as (number | null)[];
        const val = tune ? { x: subset(ref, tuning), y: tuning.map((p) => yy[p]) } : undefined;
        const knn = KnnRegressor.fromSearch({ search: search.search, y: yy }, val, k !== undefined ? { k } : {});
        let description = `knn-regressor (k=${knn.k}${knn.selection ? `, chosen by PIT flatness on ${tuning.length} held-out objects` : ''}, distance-weighted)`;
        let head: RegressionHead = knn;
        if (calibration.length >= MIN_CALIBRATION) {
          head = ConformalRegressor.calibrate(knn, { x: subset(ref, calibration), y: calibration.map((p) => yy[p]) });
          description += `, split-conformal (cqr) intervals on ${calibration.length} leave-one-out objects`;
        } else {
          description += `, uncalibrated intervals (${calibration.length} labelled objects < ${MIN_CALIBRATION} for conformal calibration)`;
        }
        return { task: 'regression', head, description, search, k: knn.k, y: yy };
      }
      const yy = y as (string | null)[];
      const val = tune ? { x: subset(ref, tuning), y: tuning.map((p) => yy[p]) } : undefined;
      const knn = KnnClassifier.fromSearch({ search: search.search, y: yy }, val, k !== undefined ? { k } : {});
      const description = `knn-classifier (k=${knn.k}${knn.selection ? `, chosen by log loss on ${tuning.length} held-out objects` : ''}, distance-weighted vote)`;
      return { task: 'classification', head: knn, description, search, k: knn.k, y: yy };
    } finally {
      search.selfByVector.clear();
    }
  }

  private fitLinear(modality: Modality, target: PredictTarget): Fitted {
    const ref = this.reference(modality);
    const y = this.labels(ref, target);
    const labelled = y.filter((v) => v !== null).length;
    if (labelled === 0) throw this.noLabels(target, modality);
    if (labelled < MIN_LINEAR) {
      throw new SkyclipError('UNUSABLE', `only ${labelled} objects have ${PREDICT_TARGETS[target]}; a linear probe needs at least ${MIN_LINEAR} (use head knn)`, { target, labelled });
    }
    if (TASK_OF[target] === 'regression') {
      const yy = y as (number | null)[];
      const calibration = labelledPositions(ref, yy, isLinearCalibration, Number.MAX_SAFE_INTEGER);
      const useCalibration = calibration.length >= MIN_CALIBRATION;
      const train = labelledPositions(ref, yy, (id) => !(useCalibration && isLinearCalibration(id)), Number.MAX_SAFE_INTEGER);
      const ridge = RidgeRegressor.fit({ x: subset(ref, train), y: train.map((p) => yy[p]) });
      let description = `ridge (alpha=${ridge.alpha}, ${train.length} objects)`;
      let head: RegressionHead = ridge;
      if (useCalibration) {
        head = ConformalRegressor.calibrate(ridge, { x: subset(ref, calibration), y: calibration.map((p) => yy[p]) });
        description += `, split-conformal (cqr) intervals on ${calibration.length} held-out objects`;
      } else {
        description += `, Gaussian intervals (${calibration.length} held-out objects < ${MIN_CALIBRATION} for conformal calibration)`;
      }
      return { task: 'regression', head, description, y: yy };
    }
    const yy = y as (string | null)[];
    const classes = new Set(yy.filter((v): v is string => v !== null));
    if (classes.size < 2) {
      throw new SkyclipError('UNUSABLE', `every labelled object has ${PREDICT_TARGETS[target]} = ${[...classes][0]}; a classifier needs two classes`, { target });
    }
    const train = labelledPositions(ref, yy, () => true, Number.MAX_SAFE_INTEGER);
    const softmax = SoftmaxClassifier.fit({ x: subset(ref, train), y: train.map((p) => yy[p]) });
    return { task: 'classification', head: softmax, description: `softmax (${train.length} objects, ${classes.size} classes)`, y: yy };
  }
}
