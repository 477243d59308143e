/**
 * A small fully connected network (Linear -> ReLU -> ... -> Linear) and its training loop, in
 * plain TypeScript: few-shot heads have a few thousand parameters and a handful of examples, so
 * explicit loops on Float64Array are fast on CPU, need no tensor backend and leak nothing.
 * Training is AdamW on minibatches in a seeded order, with early stopping on a validation loss
 * (the best weights are restored), so the same seed gives the same network.
 */
import { badInput } from '../util/errors.js';
import type { Matrix } from './matrix.js';
import { Rng } from '../util/random.js';

export interface MlpNetworkJson {
  /** Layer widths, input first: [d, ...hidden, out]. */
  sizes: number[];
  /** Per layer: [in, out] row-major. */
  weights: number[][];
  biases: number[][];
}

export class MlpNetwork {
  private constructor(
    readonly sizes: number[],
    readonly weights: Float64Array[],
    readonly biases: Float64Array[],
  ) {}

  /** He-normal weights (std sqrt(2 / fan_in), right for ReLU), sqrt(1 / fan_in) on the linear output; zero biases. */
  static init(sizes: readonly number[], seed: number): MlpNetwork {
    if (sizes.length < 2 || sizes.some((s) => !Number.isInteger(s) || s < 1)) {
      throw badInput(`MlpNetwork: layer sizes must be positive integers, got [${sizes.join(', ')}]`);
    }
    const rng = new Rng(seed);
    const weights: Float64Array[] = [];
    const biases: Float64Array[] = [];
    for (let l = 0; l + 1 < sizes.length; l++) {
      const fanIn = sizes[l];
      const last = l + 2 === sizes.length;
      const std = Math.sqrt((last ? 1 : 2) / fanIn);
      weights.push(Float64Array.from({ length: fanIn * sizes[l + 1] }, () => rng.normal() * std));
      biases.push(new Float64Array(sizes[l + 1]));
    }
    return new MlpNetwork([...sizes], weights, biases);
  }

  get inputSize(): number {
    return this.sizes[0];
  }

  get outputSize(): number {
    return this.sizes[this.sizes.length - 1];
  }

  /** Outputs [n, out] for inputs [n, in]. */
  forward(x: Matrix): Float64Array {
    const acts = this.forwardAll(x.data, x.rows);
    return acts[acts.length - 1];
  }

  /** Activations of every layer, input first (the pre-ReLU values are not needed: ReLU' = [a > 0]). */
  forwardAll(input: ArrayLike<number>, n: number): Float64Array[] {
    if (input.length !== n * this.inputSize) throw badInput(`MlpNetwork: expected ${this.inputSize} inputs per row`);
    const acts: Float64Array[] = [Float64Array.from(input)];
    for (let l = 0; l < this.weights.length; l++) {
      const a = acts[l];
      const din = this.sizes[l];
      const dout = this.sizes[l + 1];
      const w = this.weights[l];
      const z = new Float64Array(n * dout);
      for (let i = 0; i < n; i++) {
        const o = i * dout;
        z.set(this.biases[l], o);
        for (let j = 0; j < din; j++) {
          const v = a[i * din + j];
          if (v === 0) continue;
          const wr = j * dout;
          for (let c = 0; c < dout; c++) z[o + c] += v * w[wr + c];
        }
      }
      if (l + 1 < this.weights.length) for (let p = 0; p < z.length; p++) if (z[p] < 0) z[p] = 0;
      acts.push(z);
    }
    return acts;
  }

  /** Gradients of the loss w.r.t. weights and biases, given dLoss/dOutput [n, out]. */
  backward(acts: Float64Array[], dOut: Float64Array, n: number): { weights: Float64Array[]; biases: Float64Array[] } {
    const gw = this.weights.map((w) => new Float64Array(w.length));
    const gb = this.biases.map((b) => new Float64Array(b.length));
    let delta = dOut; // dLoss/dz of layer l
    for (let l = this.weights.length - 1; l >= 0; l--) {
      const din = this.sizes[l];
      const dout = this.sizes[l + 1];
      const a = acts[l];
      const w = this.weights[l];
      const gwl = gw[l];
      const gbl = gb[l];
      for (let i = 0; i < n; i++) {
        const o = i * dout;
        for (let c = 0; c < dout; c++) gbl[c] += delta[o + c];
        for (let j = 0; j < din; j++) {
          const v = a[i * din + j];
          if (v === 0) continue;
          const wr = j * dout;
          for (let c = 0; c < dout; c++) gwl[wr + c] += v * delta[o + c];
        }
      }
      if (l === 0) break;
      // Through W^T, then ReLU of the layer below (its activation is > 0 exactly where ReLU passed).
      const prev = new Float64Array(n * din);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < din; j++) {
          if (a[i * din + j] <= 0) continue;
          let s = 0;
          const wr = j * dout;
          for (let c = 0; c < dout; c++) s += w[wr + c] * delta[i * dout + c];
          prev[i * din + j] = s;
        }
      }
      delta = prev;
    }
    return { weights: gw, biases: gb };
  }

  clone(): MlpNetwork {
    return new MlpNetwork(
      [...this.sizes],
      this.weights.map((w) => Float64Array.from(w)),
      this.biases.map((b) => Float64Array.from(b)),
    );
  }

  toJSON(): MlpNetworkJson {
    return { sizes: [...this.sizes], weights: this.weights.map((w) => Array.from(w)), biases: this.biases.map((b) => Array.from(b)) };
  }

  static fromJSON(json: MlpNetworkJson): MlpNetwork {
    const { sizes } = json;
    if (json.weights.length !== sizes.length - 1 || json.biases.length !== sizes.length - 1) {
      throw badInput('MlpNetwork.fromJSON: layer count does not match sizes');
    }
    json.weights.forEach((w, l) => {
      if (w.length !== sizes[l] * sizes[l + 1] || json.biases[l].length !== sizes[l + 1]) {
        throw badInput(`MlpNetwork.fromJSON: layer ${l} has the wrong shape`);
      }
    });
    return new MlpNetwork([...sizes], json.weights.map((w) => Float64Array.from(w)), json.biases.map((b) => Float64Array.from(b)));
  }
}

/** Mean loss of a batch and its gradient w.r.t. the outputs [b, out]; `rows` index the training set. */
export type BatchLoss = (outputs: Float64Array, rows: Int32Array) => { loss: number; grad: Float64Array };

export interface MlpTrainConfig {
  /** Passes over the training set at most (default 300: few-shot sets are tiny). */
  epochs?: number;
  /** Default 32. */
  batchSize?: number;
  /**
   * Adam step size (default 3e-3: a few-shot set fits in one or two batches, so an epoch is
   * only a step or two, and 1e-3 leaves 300 epochs under-trained).
   */
  learningRate?: number;
  /** Decoupled weight decay on weights, not biases (default 1e-4). */
  weightDecay?: number;
  /** Epochs without a better validation loss before stopping (default 30; used only with val). */
  patience?: number;
  /** Initialisation and batch order (default 0). */
  seed?: number;
}

export interface MlpTrainReport {
  epochs: number;
  /** Epoch (1-based) whose weights were kept; 0 = the initialisation was never beaten on val. */
  bestEpoch: number;
  /** Validation loss of those weights (null without val). */
  bestValLoss: number | null;
  /** Mean training loss of the last epoch. */
  finalTrainLoss: number;
}

export const MLP_TRAIN_DEFAULTS: Required<MlpTrainConfig> = {
  epochs: 300,
  batchSize: 32,
  learningRate: 3e-3,
  weightDecay: 1e-4,
  patience: 30,
  seed: 0,
};

const BETA1 = 0.9;
const BETA2 = 0.999;
const ADAM_EPS = 1e-8;

/**
 * Trains `network` in place on inputs `x` with `loss`. With `valLoss` (the mean loss of the
 * network's outputs on a validation set), stops after `patience` epochs without improvement and
 * restores the best weights.
 */
export function trainMlp(
  network: MlpNetwork,
  x: Matrix,
  loss: BatchLoss,
  config: MlpTrainConfig = {},
  valLoss?: (net: MlpNetwork) => number,
): MlpTrainReport {
  const c = { ...MLP_TRAIN_DEFAULTS, ...config };
  if (x.cols !== network.inputSize) throw badInput(`trainMlp: inputs have ${x.cols} columns, network expects ${network.inputSize}`);
  if (x.rows === 0) throw badInput('trainMlp: no training rows');
  // Batch order has its own stream: changing initialisation does not change the order.
  const rng = new Rng(c.seed + 0x5eed);
  const params = [...network.weights, ...network.biases];
  const decays = [...network.weights.map(() => true), ...network.biases.map(() => false)];
  const m = params.map((p) => new Float64Array(p.length));
  const v = params.map((p) => new Float64Array(p.length));
  let step = 0;
  let best = valLoss ? valLoss(network) : Number.NaN;
  let bestEpoch = 0;
  let bestNet = network.clone();
  let finalTrainLoss = Number.NaN;
  let epoch = 0;
  const d = x.cols;
  for (epoch = 1; epoch <= c.epochs; epoch++) {
    const order = rng.permutation(x.rows);
    let sum = 0;
    for (let start = 0; start < x.rows; start += c.batchSize) {
      const rows = order.subarray(start, Math.min(x.rows, start + c.batchSize));
      const b = rows.length;
      const input = new Float64Array(b * d);
      for (let r = 0; r < b; r++) input.set(x.data.subarray(rows[r] * d, rows[r] * d + d), r * d);
      const acts = network.forwardAll(input, b);
      const out = loss(acts[acts.length - 1], rows);
      sum += out.loss * b;
      const g = network.backward(acts, out.grad, b);
      const grads = [...g.weights, ...g.biases];
      step++;
      const lr1 = c.learningRate / (1 - BETA1 ** step);
      const corr2 = 1 - BETA2 ** step;
      params.forEach((p, k) => {
        const gk = grads[k];
        const mk = m[k];
        const vk = v[k];
        const decay = decays[k] ? 1 - c.learningRate * c.weightDecay : 1;
        for (let i = 0; i < p.length; i++) {
          mk[i] = BETA1 * mk[i] + (1 - BETA1) * gk[i];
          vk[i] = BETA2 * vk[i] + (1 - BETA2) * gk[i] * gk[i];
          p[i] = p[i] * decay - (lr1 * mk[i]) / (Math.sqrt(vk[i] / corr2) + ADAM_EPS);
        }
      });
    }
    finalTrainLoss = sum / x.rows;
    if (!valLoss) continue;
    const current = valLoss(network);
    if (current < best) {
      best = current;
      bestEpoch = epoch;
      bestNet = network.clone();
    } else if (epoch - bestEpoch >= c.patience) {
      break;
    }
  }
  const epochs = Math.min(epoch, c.epochs);
  if (!valLoss) return { epochs, bestEpoch: epochs, bestValLoss: null, finalTrainLoss };
  // Restore the best weights in place (the caller holds `network`).
  bestNet.weights.forEach((w, l) => network.weights[l].set(w));
  bestNet.biases.forEach((b, l) => network.biases[l].set(b));
  return { epochs, bestEpoch, bestValLoss: best, finalTrainLoss };
}
