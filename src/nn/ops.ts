/**
 * Small differentiable ops written around the wasm backend's fast paths.
 *
 * On wasm, a 2-D matMul with transposeA or transposeB (which tfjs's own matMul gradient uses:
 * dA = dY B^T, dB = A^T dY) runs about 10x slower than the same product on explicitly
 * transposed operands (XNNPACK only takes the untransposed case). `dense` therefore computes
 * its gradient with explicit transposes; on other backends this costs nothing measurable.
 */
import { tf } from './tf.js';

/** [M, K] -> [K, M] */
function t2(x: tf.Tensor2D): tf.Tensor2D {
  return x.transpose([1, 0]); // [K, M]
}

const denseNoBias = tf.customGrad((x, w, save) => {
  const a = x as tf.Tensor2D; // [M, K]
  const b = w as tf.Tensor2D; // [K, N]
  (save as tf.GradSaveFunc)([a, b]);
  return {
    value: tf.matMul(a, b), // [M, N]
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as [tf.Tensor2D, tf.Tensor2D];
      const g = dy as tf.Tensor2D; // [M, N]
      return [tf.matMul(g, t2(sb)), tf.matMul(t2(sa), g)]; // [M, K], [K, N]
    },
  };
});

const denseBias = tf.customGrad((x, w, bias, save) => {
  const a = x as tf.Tensor2D; // [M, K]
  const b = w as tf.Tensor2D; // [K, N]
  (save as tf.GradSaveFunc)([a, b]);
  return {
    value: tf.fused.matMul({ a, b, bias: bias as tf.Tensor1D }), // [M, N]
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as [tf.Tensor2D, tf.Tensor2D];
      const g = dy as tf.Tensor2D; // [M, N]
      return [tf.matMul(g, t2(sb)), tf.matMul(t2(sa), g), g.sum(0)]; // [M, K], [K, N], [N]
    },
  };
});

/** y = x w (+ bias): x [M, K], w [K, N], bias [N] -> [M, N]. */
export function dense(x: tf.Tensor2D, w: tf.Tensor2D, bias?: tf.Tensor1D): tf.Tensor2D {
  return (bias ? denseBias(x, w, bias) : denseNoBias(x, w)) as tf.Tensor2D; // [M, N]
}
