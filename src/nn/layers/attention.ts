/**
 * Multi-head self-attention (timm `Attention`): one fused qkv projection, scaled dot-product
 * attention per head, an output projection. An optional key padding mask [B, T] (1 = attend,
 * 0 = ignore) gives ignored keys exactly zero weight.
 *
 *   const attn = new MultiHeadSelfAttention(init, 64, 4);
 *   attn.forward(x, keyMask); // [B, T, 64], [B, T] -> [B, T, 64]
 */
import { SkyclipError } from '../../util/errors.js';
import { Module, type ParamInit } from '../module.js';
import { tf } from '../tf.js';
import { Linear } from './linear.js';

/** Added to the logits of ignored keys; exp() of it underflows to exactly 0 in float32. */
export const MASKED_LOGIT = -1e9;

/** [B, T, H * Dh] -> [B, H, T, Dh] */
export function splitHeads(x: tf.Tensor3D, heads: number): tf.Tensor4D {
  const [b, t, d] = x.shape;
  return x.reshape([b, t, heads, d / heads]).transpose([0, 2, 1, 3]); // [B, H, T, Dh]
}

/** [B, H, T, Dh] -> [B, T, H * Dh] */
export function mergeHeads(x: tf.Tensor4D): tf.Tensor3D {
  const [b, h, t, dh] = x.shape;
  return x.transpose([0, 2, 1, 3]).reshape([b, t, h * dh]); // [B, T, D]
}

/**
 * softmax(q k^T / sqrt(Dh) + maskBias) v. Returns the attended values and the weights.
 * q [B, H, Tq, Dh], k and v [B, H, Tk, Dh], keyMask [B, Tk] (1 = attend, 0 = ignore).
 */
export function scaledDotProductAttention(
  q: tf.Tensor4D,
  k: tf.Tensor4D,
  v: tf.Tensor4D,
  keyMask?: tf.Tensor2D,
): { out: tf.Tensor4D; weights: tf.Tensor4D } {
  return tf.tidy(() => {
    const scale = 1 / Math.sqrt(q.shape[3]);
    let logits = tf.matMul(q.mul(scale), k, false, true) as tf.Tensor4D; // [B, H, Tq, Tk]
    if (keyMask) {
      const [b, tk] = keyMask.shape;
      const bias = tf.sub(1, keyMask.toFloat()).mul(MASKED_LOGIT).reshape([b, 1, 1, tk]); // [B, 1, 1, Tk]
      logits = logits.add(bias); // [B, H, Tq, Tk]
    }
    const weights = tf.softmax(logits, -1) as tf.Tensor4D; // [B, H, Tq, Tk]
    const out = tf.matMul(weights, v) as tf.Tensor4D; // [B, H, Tq, Dh]
    return { out, weights };
  });
}

export interface AttentionOptions {
  /** Bias on the qkv projection. Default true. */
  qkvBias?: boolean;
}

export class MultiHeadSelfAttention extends Module {
  readonly qkv: Linear;
  readonly proj: Linear;

  constructor(
    init: ParamInit,
    readonly dim: number,
    readonly heads: number,
    options: AttentionOptions = {},
  ) {
    super();
    if (dim % heads !== 0) {
      throw new SkyclipError('BAD_INPUT', `attention width ${dim} is not divisible by ${heads} heads`);
    }
    this.qkv = this.child('qkv', new Linear(init, dim, 3 * dim, { bias: options.qkvBias ?? true }));
    this.proj = this.child('proj', new Linear(init, dim, dim));
  }

  private attend(x: tf.Tensor3D, keyMask?: tf.Tensor2D): { out: tf.Tensor3D; weights: tf.Tensor4D } {
    const qkv = this.qkv.forward(x); // [B, T, 3D]
    const [q, k, v] = tf.split(qkv, 3, -1) as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D]; // 3 x [B, T, D]
    const { out, weights } = scaledDotProductAttention(
      splitHeads(q, this.heads), // [B, H, T, Dh]
      splitHeads(k, this.heads), // [B, H, T, Dh]
      splitHeads(v, this.heads), // [B, H, T, Dh]
      keyMask,
    );
    return { out: this.proj.forward(mergeHeads(out)), weights }; // [B, T, D], [B, H, T, T]
  }

  forward(x: tf.Tensor3D, keyMask?: tf.Tensor2D): tf.Tensor3D {
    return tf.tidy(() => this.attend(x, keyMask).out); // [B, T, D]
  }

  /** The attention weights [B, H, T, T] (rows sum to 1), for inspection and tests. */
  attentionWeights(x: tf.Tensor3D, keyMask?: tf.Tensor2D): tf.Tensor4D {
    return tf.tidy(() => this.attend(x, keyMask).weights); // [B, H, T, T]
  }
}
