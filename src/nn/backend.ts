/**
 * The ONE place that chooses the tfjs backend. Nothing else in the code base names one.
 *
 * Order: `SKYCLIP_BACKEND` if set (tensorflow-gpu | tensorflow | wasm | cpu; anything else is a
 * BAD_INPUT error, and a named backend that fails to load is an UNSUPPORTED error, never a silent
 * fallback), else the first that loads of tensorflow-gpu, tensorflow, wasm, cpu.
 *
 * - tensorflow-gpu / tensorflow: the optional `@tensorflow/tfjs-node-gpu` / `@tensorflow/tfjs-node`
 *   packages, loaded by dynamic import only (they are optionalDependencies and usually absent).
 *   Both register on the engine of `./tf.js` under the tfjs name 'tensorflow'.
 * - wasm: `@tensorflow/tfjs-backend-wasm`. In Node its .wasm binaries are read from the package's
 *   dist directory (a file path, set with `setWasmPaths`). It runs single-threaded in Node 20
 *   (the threaded build needs browser workers); SIMD is used when the runtime has it.
 *   Known gaps of this backend that the model code is written around (verified, see
 *   test/nn/backend.test.ts): no `Conv2DBackpropFilter` kernel (so patch embedding is
 *   reshape + matMul, not conv2d) and no `UnsortedSegmentSum` kernel (so `tf.gather` has no
 *   gradient: learned positions are picked by a one-hot matMul; gathers only touch inputs).
 * - cpu: the pure-JS backend, always there, slowest.
 *
 * Usage:
 *   const info = await initBackend();          // idempotent: later calls return the same info
 *   info.name;                                  // 'wasm'
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { SkyclipError, badInput } from '../util/errors.js';
import { tf } from './tf.js';

/** Backends skyclip knows, in automatic preference order. */
export const BACKEND_NAMES = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** One attempt to load a backend. */
export interface BackendAttempt {
  name: BackendName;
  ok: boolean;
  /** Why it did not load (message of the error). */
  error?: string;
  /** Time spent trying, in milliseconds. */
  ms: number;
}

export interface BackendInfo {
  /** The chosen backend, in skyclip's names. */
  name: BackendName;
  /** The name the tfjs engine uses for it ('tensorflow' for both native packages). */
  tfjsName: string;
  /** 'env' when SKYCLIP_BACKEND named it, 'auto' when picked by preference order. */
  source: 'env' | 'auto';
  /** Every attempt, in order, up to and including the one that succeeded. */
  tried: BackendAttempt[];
  /** tfjs version in use. */
  tfjsVersion: string;
  /** wasm only: threads in use and whether SIMD is on. */
  wasm?: { threads: number; simd: boolean };
}

/** Loads a backend's package (if any) and makes it the engine's current backend. */
export type BackendLoader = () => Promise<void>;

export interface InitBackendOptions {
  /** Environment to read SKYCLIP_BACKEND from. Default process.env. */
  env?: Record<string, string | undefined>;
  /** Where the one-line choice is logged. Default: a line on stderr. */
  logger?: (line: string) => void;
  /** Replace loaders (tests use this to simulate a missing or failing backend). */
  loaders?: Partial<Record<BackendName, BackendLoader>>;
}

const require = createRequire(import.meta.url);

/** Dynamic import whose specifier TypeScript does not resolve (the package may be absent). */
async function importOptional(specifier: string): Promise<unknown> {
  return import(specifier);
}

async function activate(tfjsName: string): Promise<void> {
  const ok = await tf.setBackend(tfjsName);
  if (!ok) throw new Error(`tfjs could not initialize backend '${tfjsName}'`);
  await tf.ready();
}

async function loadNative(pkg: string): Promise<void> {
  await importOptional(pkg); // registers 'tensorflow' on the shared engine
  if (tf.findBackendFactory('tensorflow') == null) {
    throw new Error(`${pkg} loaded but registered no 'tensorflow' backend`);
  }
  await activate('tensorflow');
}

async function loadWasm(): Promise<void> {
  const wasm = (await import('@tensorflow/tfjs-backend-wasm')) as typeof import('@tensorflow/tfjs-backend-wasm');
  // Node: point the emscripten loader at the package's own .wasm files, as a file path prefix.
  const distDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
  wasm.setWasmPaths(`${distDir}/`);
  await activate('wasm');
}

const DEFAULT_LOADERS: Record<BackendName, BackendLoader> = {
  'tensorflow-gpu': () => loadNative('@tensorflow/tfjs-node-gpu'),
  tensorflow: () => loadNative('@tensorflow/tfjs-node'),
  wasm: loadWasm,
  cpu: () => activate('cpu'),
};

const TFJS_NAMES: Record<BackendName, string> = {
  'tensorflow-gpu': 'tensorflow',
  tensorflow: 'tensorflow',
  wasm: 'wasm',
  cpu: 'cpu',
};

/** Checks a SKYCLIP_BACKEND value; throws BAD_INPUT naming the allowed values. */
export function parseBackendName(value: string): BackendName {
  const v = value.trim().toLowerCase();
  if ((BACKEND_NAMES as readonly string[]).includes(v)) return v as BackendName;
  throw badInput(
    `SKYCLIP_BACKEND='${value}' is not a backend skyclip knows; use one of: ${BACKEND_NAMES.join(', ')}`,
    { variable: 'SKYCLIP_BACKEND', value, allowed: [...BACKEND_NAMES] },
  );
}

function message(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0]! : String(err);
}

/**
 * Chooses and activates a backend, every call anew (no caching). Prefer `initBackend()`;
 * this is exported for tests and for tools that must switch deliberately.
 */
export async function selectBackend(options: InitBackendOptions = {}): Promise<BackendInfo> {
  const env = options.env ?? process.env;
  const loaders = { ...DEFAULT_LOADERS, ...options.loaders };
  const requested = env.SKYCLIP_BACKEND?.trim() ? parseBackendName(env.SKYCLIP_BACKEND) : undefined;
  const candidates: readonly BackendName[] = requested ? [requested] : BACKEND_NAMES;
  const tried: BackendAttempt[] = [];
  for (const name of candidates) {
    const t0 = performance.now();
    try {
      await loaders[name]();
      tried.push({ name, ok: true, ms: performance.now() - t0 });
      const info: BackendInfo = {
        name,
        tfjsName: TFJS_NAMES[name],
        source: requested ? 'env' : 'auto',
        tried,
        tfjsVersion: tf.version.tfjs,
      };
      if (name === 'wasm') {
        const wasm = (await import('@tensorflow/tfjs-backend-wasm')) as typeof import('@tensorflow/tfjs-backend-wasm');
        info.wasm = { threads: wasm.getThreadsCount(), simd: tf.env().getBool('WASM_HAS_SIMD_SUPPORT') };
      }
      return info;
    } catch (err) {
      tried.push({ name, ok: false, error: message(err), ms: performance.now() - t0 });
    }
  }
  if (requested) {
    throw new SkyclipError(
      'UNSUPPORTED',
      `SKYCLIP_BACKEND=${requested} could not be loaded: ${tried[0]?.error ?? 'unknown error'}`,
      { tried },
    );
  }
  throw new SkyclipError('INTERNAL', 'no tfjs backend could be loaded', { tried });
}

function describe(info: BackendInfo): string {
  const skipped = info.tried.filter((a) => !a.ok).map((a) => a.name);
  const extra = info.wasm ? ` (threads=${info.wasm.threads}, simd=${info.wasm.simd})` : '';
  const why = info.source === 'env' ? 'from SKYCLIP_BACKEND' : skipped.length ? `unavailable: ${skipped.join(', ')}` : 'first choice';
  return `skyclip: tfjs ${info.tfjsVersion} backend ${info.name}${extra} [${why}]`;
}

let pending: Promise<BackendInfo> | undefined;
let chosen: BackendInfo | undefined;

/**
 * Chooses the backend once per process and logs the choice once. Later calls return the same
 * info whatever options they pass. A failed first call is not cached, so it may be retried.
 */
export function initBackend(options: InitBackendOptions = {}): Promise<BackendInfo> {
  if (!pending) {
    const log = options.logger ?? ((line: string) => process.stderr.write(`${line}\n`));
    pending = selectBackend(options).then(
      (info) => {
        chosen = info;
        log(describe(info));
        return info;
      },
      (err: unknown) => {
        pending = undefined;
        throw err;
      },
    );
  }
  return pending;
}

/** The backend chosen by `initBackend()`, or undefined before it has finished. */
export function backendInfo(): BackendInfo | undefined {
  return chosen;
}
