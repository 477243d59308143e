/**
 * Training checkpoints: parameters, optimizer moments and loop state in one directory,
 * replaced atomically (a crash mid-write leaves the previous checkpoint readable), so an
 * interrupted run resumes from its last checkpoint exactly.
 *
 * Layout of `<runDir>/checkpoint/`:
 *   state.json       { step, seed, samplesSeen, bestVal, savedAt, params: entries, moments: entries }
 *   params.bin       parameter values (weights-io encoding)
 *   moments.bin      AdamW first and second moments (`m:<name>`, `v:<name>`)
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeWeights, encodeWeights, type WeightEntry } from '../nn/weights-io.js';
import { tf } from '../nn/tf.js';
import { pathExists, replaceDirectory, writeFileSynced } from '../util/atomic.js';
import { SkyclipError } from '../util/errors.js';
import type { AdamWState } from './adamw.js';

export interface LoopState {
  /** Optimizer steps completed. */
  step: number;
  seed: number;
  samplesSeen: number;
  /** Best validation loss so far (Infinity before the first validation). */
  bestVal: number;
}

interface StateFile extends LoopState {
  savedAt: string;
  params: WeightEntry[];
  moments: WeightEntry[];
}

export interface Checkpoint {
  loop: LoopState;
  /** Parameter values by name (plain arrays: the caller assigns them to its variables). */
  params: Map<string, Float32Array>;
  optimizer: AdamWState;
}

const CHECKPOINT = 'checkpoint';

async function encodeArrays(arrays: Map<string, { values: Float32Array; shape: number[] }>) {
  const tensors = new Map<string, tf.Tensor>();
  for (const [name, { values, shape }] of arrays) tensors.set(name, tf.tensor(values, shape));
  try {
    return await encodeWeights(tensors);
  } finally {
    tf.dispose([...tensors.values()]);
  }
}

function decodeArrays(data: Uint8Array, entries: WeightEntry[]): Map<string, Float32Array> {
  const tensors = decodeWeights(data, entries);
  const out = new Map<string, Float32Array>();
  for (const [name, t] of tensors) out.set(name, t.dataSync() as Float32Array);
  tf.dispose([...tensors.values()]);
  return out;
}

/** Writes `<runDir>/checkpoint` atomically (temp directory, then rename over the old one). */
export async function saveCheckpoint(
  runDir: string,
  loop: LoopState,
  params: ReadonlyArray<readonly [string, tf.Variable]>,
  optimizer: AdamWState,
): Promise<void> {
  const paramArrays = new Map<string, { values: Float32Array; shape: number[] }>();
  const momentArrays = new Map<string, { values: Float32Array; shape: number[] }>();
  for (const [name, variable] of params) {
    paramArrays.set(name, { values: variable.dataSync() as Float32Array, shape: [...variable.shape] });
    const moments = optimizer.moments[name];
    if (moments) {
      momentArrays.set(`m:${name}`, { values: moments.m, shape: [...variable.shape] });
      momentArrays.set(`v:${name}`, { values: moments.v, shape: [...variable.shape] });
    }
  }
  const encodedParams = await encodeArrays(paramArrays);
  const encodedMoments = await encodeArrays(momentArrays);
  const state: StateFile = {
    ...loop,
    // JSON has no Infinity; "no validation yet" is stored as null.
    bestVal: Number.isFinite(loop.bestVal) ? loop.bestVal : (null as unknown as number),
    savedAt: new Date().toISOString(),
    params: encodedParams.entries,
    moments: encodedMoments.entries,
  };

  await mkdir(runDir, { recursive: true });
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const tmp = join(runDir, `.${CHECKPOINT}.tmp-${tag}`);
  const final = join(runDir, CHECKPOINT);
  await mkdir(tmp);
  try {
    await writeFileSynced(join(tmp, 'params.bin'), encodedParams.data);
    await writeFileSynced(join(tmp, 'moments.bin'), encodedMoments.data);
    await writeFileSynced(join(tmp, 'state.json'), `${JSON.stringify(state, null, 1)}\n`);
    await replaceDirectory(tmp, final);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

/** Reads `<runDir>/checkpoint`, or undefined when the run has none yet. */
export async function loadCheckpoint(runDir: string): Promise<Checkpoint | undefined> {
  const dir = join(runDir, CHECKPOINT);
  if (!(await pathExists(join(dir, 'state.json')))) return undefined;
  let state: StateFile;
  try {
    state = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as StateFile;
  } catch (err) {
    throw new SkyclipError('UNUSABLE', `checkpoint ${dir}/state.json is unreadable: ${(err as Error).message}`);
  }
  const params = decodeArrays(await readFile(join(dir, 'params.bin')), state.params);
  const moments = decodeArrays(await readFile(join(dir, 'moments.bin')), state.moments);
  const optimizer: AdamWState = { step: state.step, moments: {} };
  for (const name of params.keys()) {
    const m = moments.get(`m:${name}`);
    const v = moments.get(`v:${name}`);
    if (m && v) optimizer.moments[name] = { m, v };
  }
  const loop: LoopState = {
    step: state.step,
    seed: state.seed,
    samplesSeen: state.samplesSeen,
    bestVal: state.bestVal ?? Number.POSITIVE_INFINITY,
  };
  return { loop, params, optimizer };
}
