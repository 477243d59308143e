/**
 * Parameter-free poolings of a token sequence into one vector per sample.
 *
 *   meanPool(x);        // [B, T, D] -> [B, D]  (AstroCLIP's spectrum embedding = token mean)
 *   meanPool(x, mask);  // mean over tokens where mask [B, T] is 1
 *   clsPool(x);         // [B, T, D] -> [B, D]  (token 0)
 */
import { tf } from '../tf.js';

export type PoolName = 'mean' | 'cls';

export function meanPool(x: tf.Tensor3D, mask?: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    if (!mask) return x.mean(1) as tf.Tensor2D; // [B, D]
    const m = mask.toFloat().expandDims(2); // [B, T, 1]
    const total = x.mul(m).sum(1); // [B, D]
    const count = m.sum(1).maximum(1); // [B, 1]
    return total.div(count) as tf.Tensor2D; // [B, D]
  });
}

export function clsPool(x: tf.Tensor3D): tf.Tensor2D {
  return tf.tidy(() => {
    const [b, , d] = x.shape;
    return x.slice([0, 0, 0], [b, 1, d]).reshape([b, d]) as tf.Tensor2D; // [B, D]
  });
}
