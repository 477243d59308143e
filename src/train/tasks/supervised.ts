/**
 * Supervised regression from scratch, the baseline AstroCLIP compares against (its supervised
 * ResNet18 on images, conv+attention on spectra): one of skyclip's encoders, freshly initialised,
 * plus a small MLP head, trained end to end to predict physical targets (redshift, and the
 * galaxy properties) directly. Targets are z-scored with the training set's mean and standard
 * deviation; the loss is the mean squared error over the (object, target) pairs whose label is
 * present (stars have no stellar mass), so one network learns every target at once.
 *
 *   const task = new SupervisedTask(model.image, 'image.', new SupervisedHead(init, 96, 5));
 *   task.predict(images);            // [B, 64, 64, 3] -> [B, 5], z-scored units
 *   task.loss({ inputs, targets, present });
 */
import { Mlp } from '../../nn/layers/mlp.js';
import { Module, type ParamInit } from '../../nn/module.js';
import { tf } from '../../nn/tf.js';
import type { TrainTask } from '../loop.js';

export interface SupervisedBatch {
  /** Stretched images [B, S, S, C] or spectra on the contract grid [B, L]. */
  inputs: tf.Tensor4D | tf.Tensor2D;
  /** z-scored targets [B, T] (0 where missing). */
  targets: tf.Tensor2D;
  /** 1 where the target is present, else 0, [B, T]. */
  present: tf.Tensor2D;
}

/** What the task needs of an encoder: a pooled embedding of a batch (the ViT and the SpecFormer both give one). */
export interface PooledEncoder extends Module {
  forward(inputs: never): { embedding: tf.Tensor2D };
}

/** MLP head on the pooled embedding: Linear(D -> hidden) -> GELU -> Linear(hidden -> T). */
export class SupervisedHead extends Module {
  readonly mlp: Mlp;

  constructor(
    init: ParamInit,
    readonly inDim: number,
    readonly outDim: number,
    /** Hidden width (default: the encoder width). */
    readonly hidden: number = inDim,
  ) {
    super();
    this.mlp = this.child('mlp', new Mlp(init, inDim, hidden, { outDim }));
  }

  forward(embedding: tf.Tensor2D): tf.Tensor2D {
    return this.mlp.forward(embedding); // [B, D] -> [B, T]
  }
}

/** Squared error over present pairs, averaged over them (0 when none is present). */
export function maskedPairMse(prediction: tf.Tensor2D, targets: tf.Tensor2D, present: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const sum = prediction.sub(targets).square().mul(present).sum(); // []
    return sum.div(present.sum().maximum(1)) as tf.Scalar;
  });
}

export class SupervisedTask implements TrainTask<SupervisedBatch> {
  constructor(
    readonly encoder: PooledEncoder,
    /** Weight-name prefix of the encoder in the model ('image.' or 'spectrum.'). */
    readonly prefix: string,
    readonly head: SupervisedHead,
  ) {}

  parameters() {
    return [...this.encoder.namedParameters(this.prefix), ...this.head.namedParameters('supervised_head.')].filter(([, v]) => v.trainable);
  }

  /** z-scored predictions [B, T]. */
  predict(inputs: tf.Tensor4D | tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const { embedding } = (this.encoder.forward as (x: tf.Tensor) => { embedding: tf.Tensor2D })(inputs); // [B, D]
      return this.head.forward(embedding); // [B, T]
    });
  }

  loss(batch: SupervisedBatch): tf.Scalar {
    return tf.tidy(() => maskedPairMse(this.predict(batch.inputs), batch.targets, batch.present));
  }

  /** Predicting the training mean (0 in z-scored units) for every target: the bar to beat. */
  baselineLoss(batch: SupervisedBatch): tf.Scalar {
    return tf.tidy(() => maskedPairMse(tf.zerosLike(batch.targets), batch.targets, batch.present));
  }
}
