/**
 * Activations as plain functions (no parameters), picked by name from the config.
 */
import { tf } from '../tf.js';

export type ActivationName = 'gelu' | 'gelu_tanh';
export type Activation = <R extends tf.Rank>(x: tf.Tensor<R>) => tf.Tensor<R>;

const SQRT1_2 = Math.SQRT1_2;
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** Exact GELU: 0.5 x (1 + erf(x / sqrt 2)) (torch.nn.GELU() default). */
export const gelu: Activation = (x) =>
  tf.tidy(() => x.mul(x.mul(SQRT1_2).erf().add(1)).mul(0.5)); // [...]

/** Tanh approximation: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) (GPT-2, nanoGPT). */
export const geluTanh: Activation = (x) =>
  tf.tidy(() => {
    const inner = x.add(x.pow(3).mul(0.044715)).mul(SQRT_2_OVER_PI); // [...]
    return x.mul(inner.tanh().add(1)).mul(0.5); // [...]
  });

export function activation(name: ActivationName): Activation {
  return name === 'gelu' ? gelu : geluTanh;
}
