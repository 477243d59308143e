import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromRows, matrix } from '../../src/heads/matrix.js';
import { MlpNetwork, trainMlp } from '../../src/heads/mlp-network.js';
import { MlpClassifier, MlpRegressor } from '../../src/heads/mlp-heads.js';
import { PrototypeClassifier } from '../../src/heads/prototype.js';
import { Rng } from '../../src/util/random.js';
import { accuracy, r2Score } from '../../src/heads/metrics.js';
import { blobs, curveSet } from './synthetic.js';

const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

test('MLP backward pass matches finite differences', () => {
  const net = MlpNetwork.init([3, 5, 4, 2], 11);
  const rng = new Rng(1);
  const n = 4;
  const input = Float64Array.from({ length: n * 3 }, () => rng.normal());
  const coef = Float64Array.from({ length: n * 2 }, () => rng.normal());
  // Loss = sum(coef * outputs), so dLoss/dOutputs = coef.
  const loss = () => net.forward(matrix(input, 3)).reduce((s, o, i) => s + o * coef[i], 0);
  const acts = net.forwardAll(input, n);
  const g = net.backward(acts, coef, n);
  const h = 1e-6;
  const check = (params: Float64Array, grads: Float64Array) => {
    for (let p = 0; p < params.length; p++) {
      const keep = params[p];
      params[p] = keep + h;
      const up = loss();
      params[p] = keep - h;
      const down = loss();
      params[p] = keep;
      close(grads[p], (up - down) / (2 * h), 1e-6);
    }
  };
  net.weights.forEach((w, l) => check(w, g.weights[l]));
  net.biases.forEach((b, l) => check(b, g.biases[l]));
});

// A harder few-shot task: three classes around unit centres in 32-D with noise of norm ~1.7 per object.
const classes = ['bar', 'no-bar', 'weak-bar'];
const fewShot = (seed: number, perClass: number) => blobs(classes, perClass, 32, 0.3, seed);

test('few-shot MLP with 10 labels per class beats chance clearly, deterministically', () => {
  const train = fewShot(5, 10);
  const heldOut = fewShot(6, 200);
  const head = MlpClassifier.fit(train, undefined, { hidden: [32], seed: 1 });
  const acc = accuracy(heldOut.y, head.predict(heldOut.x));
  assert.ok(acc > 0.6, `accuracy ${acc} (chance 1/3)`);
  assert.equal(head.training.epochs, 300, 'no val: runs all epochs');
  // Same seed, same network; another seed, another network.
  assert.deepEqual(MlpClassifier.fit(train, undefined, { hidden: [32], seed: 1 }).toJSON(), head.toJSON());
  assert.notDeepEqual(MlpClassifier.fit(train, undefined, { hidden: [32], seed: 2 }).toJSON().network, head.toJSON().network);
  // AstroCLIP's deeper head trains too.
  const deep = MlpClassifier.fit(train, undefined, { hidden: [64, 64], seed: 1, epochs: 100 });
  assert.ok(accuracy(heldOut.y, deep.predict(heldOut.x)) > 0.6);
});

test('early stopping on a validation split keeps the best epoch', () => {
  // Noisier classes and a fast step size: the validation loss turns up within a few dozen epochs.
  const train = blobs(classes, 10, 32, 0.5, 5);
  const val = blobs(classes, 30, 32, 0.5, 7);
  const head = MlpClassifier.fit(train, val, { seed: 1, patience: 10, epochs: 400, learningRate: 1e-2 });
  const t = head.training;
  assert.ok(t.epochs < 400, `stopped after ${t.epochs}`);
  assert.equal(t.epochs - t.bestEpoch, 10, 'stops exactly `patience` epochs after the best');
  // The kept weights are the best epoch's: their validation loss is the reported one.
  const p = head.predict(val.x);
  const ce = -val.y.reduce((s, y, i) => s + Math.log(p.probabilities[i * 3 + classes.indexOf(y)]), 0) / val.y.length;
  close(ce, t.bestValLoss!, 1e-9);
});

test('trainMlp lowers the training loss on a regression batch', () => {
  const net = MlpNetwork.init([2, 8, 1], 3);
  const x = fromRows([[0, 0], [0, 1], [1, 0], [1, 1]]);
  const target = Float64Array.from([0, 1, 1, 0]); // XOR needs the hidden layer
  const sq = (out: Float64Array, rows: Int32Array) => {
    const grad = new Float64Array(rows.length);
    let loss = 0;
    rows.forEach((r, i) => {
      loss += (out[i] - target[r]) ** 2;
      grad[i] = (2 * (out[i] - target[r])) / rows.length;
    });
    return { loss: loss / rows.length, grad };
  };
  const report = trainMlp(net, x, sq, { epochs: 2000, learningRate: 0.01, batchSize: 4, weightDecay: 0 });
  assert.ok(report.finalTrainLoss < 0.01, `loss ${report.finalTrainLoss}`);
});

test('few-shot MLP regressor learns a smooth target and reports sigma from val', () => {
  const noise = () => 0.03;
  const train = curveSet(60, 1, noise);
  const val = curveSet(60, 2, noise);
  const heldOut = curveSet(300, 3, noise);
  const head = MlpRegressor.fit(train, val, { hidden: [64, 64], seed: 3, learningRate: 3e-3 });
  const p = head.predict(heldOut.x);
  const r2 = r2Score(heldOut.y, p.point);
  assert.ok(r2 > 0.8, `R^2 ${r2}`);
  assert.equal(head.sigmaSource, 'val');
  assert.ok(head.sigma > 0.02 && head.sigma < 0.2, `sigma ${head.sigma}`);
  assert.equal(p.intervals.length, 2);
});

test('prototype classifier, by hand', () => {
  // Class a: (2, 0) and (0, 1) -> unit vectors (1, 0), (0, 1) -> prototype (1, 1)/sqrt 2.
  // Class b: (-3, 0) -> (-1, 0). The unlabelled row is ignored.
  const x = fromRows([[2, 0], [0, 1], [-3, 0], [50, 50]]);
  const head = PrototypeClassifier.fit({ x, y: ['a', 'a', 'b', null] }, undefined, { logitScale: 1 });
  assert.deepEqual(head.counts, [2, 1]);
  const sims = head.similarities(fromRows([[1, 0], [0, -2]]));
  close(sims[0], Math.SQRT1_2, 1e-12);
  close(sims[1], -1, 1e-12);
  close(sims[2], -Math.SQRT1_2, 1e-12);
  close(sims[3], 0, 1e-12);
  const p = head.predict(fromRows([[1, 0], [0, -2]]));
  // softmax([1/sqrt 2, -1]) for the first query.
  close(p.probabilities[0], 1 / (1 + Math.exp(-1 - Math.SQRT1_2)), 1e-12);
  assert.deepEqual(p.predicted, ['a', 'b']);
});

test('prototype classifier works from one example per class', () => {
  const one = fewShot(9, 1);
  const heldOut = fewShot(6, 200);
  const head = PrototypeClassifier.fit(one);
  assert.ok(accuracy(heldOut.y, head.predict(heldOut.x)) > 0.5);
});
