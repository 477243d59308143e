/**
 * AdamW (Loshchilov & Hutter 2019) with decoupled weight decay, global-norm gradient clipping,
 * and a state that can be saved and restored exactly, so training resumes after an
 * interruption as if it had never stopped. tfjs's own Adam has no decoupled decay and keeps its
 * moments private, hence this small optimizer.
 */
import { tf } from '../nn/tf.js';

export interface AdamWOptions {
  beta1?: number; // default 0.9
  beta2?: number; // default 0.999
  epsilon?: number; // default 1e-8
  /** Decoupled weight decay per unit learning rate (default 0.05, as in ViT/MAE recipes). */
  weightDecay?: number;
  /** Clip the global L2 norm of all gradients to this value; 0 disables (default 1.0). */
  clipNorm?: number;
  /** Parameters whose names match are not decayed (default: biases, norms, position embeddings, tokens). */
  noDecay?: (name: string) => boolean;
}

const defaultNoDecay = (name: string): boolean =>
  /(bias|norm|ln|pos|token|query)[^.]*$/i.test(name);

/** Moments and step count: everything needed to resume. */
export interface AdamWState {
  step: number;
  /** name -> first and second moment values, flattened. */
  moments: Record<string, { m: Float32Array; v: Float32Array }>;
}

export class AdamW {
  private step = 0;
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;
  private readonly weightDecay: number;
  private readonly clipNorm: number;
  private readonly noDecay: (name: string) => boolean;

  constructor(
    private readonly params: ReadonlyArray<readonly [string, tf.Variable]>,
    options: AdamWOptions = {},
  ) {
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0.05;
    this.clipNorm = options.clipNorm ?? 1.0;
    this.noDecay = options.noDecay ?? defaultNoDecay;
    for (const [name, variable] of params) {
      // tf.variable copies its initial value, so the zeros are disposed right away.
      const zeros = tf.zerosLike(variable);
      this.m.set(name, tf.variable(zeros, false));
      this.v.set(name, tf.variable(zeros, false));
      zeros.dispose();
    }
  }

  get stepCount(): number {
    return this.step;
  }

  /**
   * Applies one update with learning rate `lr`. `grads` maps parameter names to gradients
   * (as returned by tf.variableGrads, keyed by name by the caller); missing names are skipped.
   * Returns the global gradient norm before clipping (for the log).
   */
  applyGradients(grads: Record<string, tf.Tensor>, lr: number): number {
    const present = this.params.filter(([name]) => grads[name] !== undefined);
    const globalNorm = tf.tidy(() =>
      tf.sqrt(tf.addN(present.map(([name]) => grads[name].square().sum()))),
    );
    const norm = globalNorm.dataSync()[0];
    globalNorm.dispose();
    const clipScale = this.clipNorm > 0 && norm > this.clipNorm ? this.clipNorm / norm : 1;
    this.step += 1;
    const correction1 = 1 - this.beta1 ** this.step;
    const correction2 = 1 - this.beta2 ** this.step;
    tf.tidy(() => {
      for (const [name, variable] of present) {
        const g = grads[name].mul(clipScale);
        const m = this.m.get(name)!;
        const v = this.v.get(name)!;
        m.assign(m.mul(this.beta1).add(g.mul(1 - this.beta1)));
        v.assign(v.mul(this.beta2).add(g.square().mul(1 - this.beta2)));
        const update = m.div(correction1).div(v.div(correction2).sqrt().add(this.epsilon));
        const decay = this.noDecay(name) ? 0 : this.weightDecay;
        // Decoupled decay: shrink the weight directly, not through the gradient.
        variable.assign(variable.mul(1 - lr * decay).sub(update.mul(lr)));
      }
    });
    return norm;
  }

  getState(): AdamWState {
    const moments: AdamWState['moments'] = {};
    for (const [name] of this.params) {
      moments[name] = {
        m: this.m.get(name)!.dataSync() as Float32Array,
        v: this.v.get(name)!.dataSync() as Float32Array,
      };
    }
    return { step: this.step, moments };
  }

  setState(state: AdamWState): void {
    this.step = state.step;
    for (const [name, variable] of this.params) {
      const saved = state.moments[name];
      if (!saved) continue; // a new parameter starts with zero moments
      tf.tidy(() => {
        this.m.get(name)!.assign(tf.tensor(saved.m, variable.shape));
        this.v.get(name)!.assign(tf.tensor(saved.v, variable.shape));
      });
    }
  }

  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
  }
}
