/**
 * A minimal module system: a Module owns named tf.Variables and named child modules, so every
 * weight of a model has a stable dotted name (`image.blocks.0.attn.qkv.weight`, the same
 * spelling as a PyTorch state dict) and weights save/load as a plain name -> tensor map
 * (weights-io.ts). Architecture lives in the config (architectures are data), weights in
 * that map; nothing depends on tfjs Layers serialization.
 *
 * Parameters are created through a ParamInit, which is seeded (the same config and seed give
 * bit-identical weights on every backend, since tfjs draws random numbers in JS) and which can
 * build a structure-only model filled with zeros (fast; used to count parameters of big presets).
 *
 * Example:
 *   class Scale extends Module {
 *     readonly gain: tf.Variable;
 *     constructor(init: ParamInit, dim: number) {
 *       super();
 *       this.gain = this.param('gain', init.ones([dim]));
 *     }
 *     forward(x: tf.Tensor2D): tf.Tensor2D { return tf.tidy(() => x.mul(this.gain)); } // [B, D]
 *   }
 */
import { SkyclipError } from '../util/errors.js';
import { tf } from './tf.js';

/** 'random': seeded initialisation as documented per layer. 'zeros': every tensor zero-filled except ones-initialised scales (fast, for structure). */
export type InitMode = 'random' | 'zeros';

/** Creates initial parameter values deterministically from a seed. */
export class ParamInit {
  private counter = 0;

  constructor(
    readonly seed = 0,
    readonly mode: InitMode = 'random',
  ) {}

  private nextSeed(): number {
    this.counter += 1;
    return this.seed * 1_000_003 + this.counter;
  }

  /** Normal(0, std) truncated at 2 std (timm's trunc_normal_ for weights and positions). */
  truncNormal(shape: number[], std = 0.02): tf.Tensor {
    const seed = this.nextSeed(); // advance even in zeros mode so seeds do not depend on mode
    if (this.mode === 'zeros') return tf.zeros(shape);
    return tf.truncatedNormal(shape, 0, std, 'float32', seed);
  }

  /** Normal(0, std), untruncated (torch.randn-style, e.g. the learned query of a pooling head). */
  normal(shape: number[], std = 1): tf.Tensor {
    const seed = this.nextSeed();
    if (this.mode === 'zeros') return tf.zeros(shape);
    return tf.randomNormal(shape, 0, std, 'float32', seed);
  }

  zeros(shape: number[]): tf.Tensor {
    return tf.zeros(shape);
  }

  ones(shape: number[]): tf.Tensor {
    return tf.ones(shape);
  }
}

/** Base class: named parameters and children; forward methods are defined by subclasses. */
export abstract class Module {
  private readonly params = new Map<string, tf.Variable>();
  private readonly children = new Map<string, Module>();

  /** Registers a parameter from an initial value (the value is consumed: disposed after copy). */
  protected param(name: string, initial: tf.Tensor, trainable = true): tf.Variable {
    if (this.params.has(name) || this.children.has(name)) {
      throw new SkyclipError('INTERNAL', `duplicate parameter name '${name}'`);
    }
    const v = tf.variable(initial, trainable);
    initial.dispose();
    this.params.set(name, v);
    return v;
  }

  /** Registers a child module under `name` (may contain dots, e.g. `blocks.3`). */
  protected child<M extends Module>(name: string, module: M): M {
    if (this.params.has(name) || this.children.has(name)) {
      throw new SkyclipError('INTERNAL', `duplicate child name '${name}'`);
    }
    this.children.set(name, module);
    return module;
  }

  /** Every parameter with its dotted name, depth-first in registration order. */
  namedParameters(prefix = ''): Array<[string, tf.Variable]> {
    const out: Array<[string, tf.Variable]> = [];
    for (const [name, v] of this.params) out.push([`${prefix}${name}`, v]);
    for (const [name, m] of this.children) out.push(...m.namedParameters(`${prefix}${name}.`));
    return out;
  }

  /** Trainable parameters, for tf.variableGrads / an optimizer's varList. */
  trainableVariables(): tf.Variable[] {
    return this.namedParameters()
      .map(([, v]) => v)
      .filter((v) => v.trainable);
  }

  /** Total number of scalar parameters. */
  numParams(): number {
    return this.namedParameters().reduce((n, [, v]) => n + v.size, 0);
  }

  /** Name -> tensor view of the current weights (the variables themselves; do not dispose). */
  weights(): Map<string, tf.Tensor> {
    return new Map(this.namedParameters());
  }

  /**
   * Copies weights in by name. Every parameter must be present with the same shape and dtype,
   * and no unknown name may be given (strict, like PyTorch's load_state_dict(strict=True)).
   */
  loadWeights(weights: ReadonlyMap<string, tf.Tensor>): void {
    const own = new Map(this.namedParameters());
    const missing = [...own.keys()].filter((k) => !weights.has(k));
    const unexpected = [...weights.keys()].filter((k) => !own.has(k));
    if (missing.length || unexpected.length) {
      throw new SkyclipError(
        'UNUSABLE',
        `weights do not fit the model: ${missing.length} missing (${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', ...' : ''}), ` +
          `${unexpected.length} unexpected (${unexpected.slice(0, 3).join(', ')}${unexpected.length > 3 ? ', ...' : ''})`,
        { missing, unexpected },
      );
    }
    for (const [name, v] of own) {
      const w = weights.get(name)!;
      if (!tf.util.arraysEqual(w.shape, v.shape) || w.dtype !== v.dtype) {
        throw new SkyclipError(
          'UNUSABLE',
          `weight '${name}' has shape [${w.shape}] ${w.dtype}, the model expects [${v.shape}] ${v.dtype}`,
          { name, got: w.shape, expected: v.shape },
        );
      }
    }
    for (const [name, v] of own) v.assign(weights.get(name)!);
  }

  /** Frees every variable. The module must not be used afterwards. */
  dispose(): void {
    for (const [, v] of this.namedParameters()) v.dispose();
  }
}
