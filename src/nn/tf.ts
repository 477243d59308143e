/**
 * The one tfjs namespace the whole code base imports (`import { tf } from '../nn/tf.js'`).
 *
 * `@tensorflow/tfjs` resolves in Node to its CommonJS bundle, the same module object that the
 * optional `@tensorflow/tfjs-node(-gpu)` packages `require`, so a native backend loaded later by
 * `initBackend()` (backend.ts) registers on this very engine. Nothing outside `backend.ts`
 * chooses or names a backend; everything else just uses `tf`.
 */
import * as tf from '@tensorflow/tfjs';

export { tf };
