/**
 * Training objectives, as small functions of tensors (the model holds no loss; STYLE.md).
 * Every function runs inside tf.tidy and returns a scalar that the caller owns.
 */
import { tf } from '../nn/tf.js';

/**
 * Symmetric InfoNCE (CLIP) on L2-normalized embeddings: row i of `a` and row i of `b` are a
 * positive pair, every other row of the batch a negative. logits = scale * a b^T; the loss is
 * the mean of the a->b and b->a cross-entropies. AstroCLIP fixes the scale at 15.5.
 */
export function infoNce(a: tf.Tensor2D, b: tf.Tensor2D, logitScale: number): tf.Scalar {
  return tf.tidy(() => {
    const batch = a.shape[0];
    const logits = tf.matMul(a, b, false, true).mul(logitScale) as tf.Tensor2D; // [B, B]
    const labels = tf.oneHot(tf.range(0, batch, 1, 'int32'), batch).toFloat(); // [B, B]
    const aToB = tf.losses.softmaxCrossEntropy(labels, logits); // []
    const bToA = tf.losses.softmaxCrossEntropy(labels, logits.transpose()); // []
    return aToB.add(bToA).div(2) as tf.Scalar;
  });
}

/**
 * Mean squared error over masked positions only (masked-modeling objectives): `mask` is 1
 * where a position was hidden from the encoder and must be reconstructed, 0 elsewhere.
 * `prediction`, `target`: [B, T, F]; `mask`: [B, T]. Positions with mask 0 contribute nothing.
 */
export function maskedMse(
  prediction: tf.Tensor3D,
  target: tf.Tensor3D,
  mask: tf.Tensor2D,
): tf.Scalar {
  return tf.tidy(() => {
    const perToken = prediction.sub(target).square().mean(2); // [B, T]
    const maskedSum = perToken.mul(mask).sum(); // []
    const count = mask.sum().maximum(1); // [] (guards an all-visible batch)
    return maskedSum.div(count) as tf.Scalar;
  });
}
