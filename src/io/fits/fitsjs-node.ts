/**
 * fitsjs (astrojs/fitsjs 0.6) in Node. The library is a browser script: its lib/fits.js is an
 * IIFE that attaches `astro.FITS` to `this`, refers to a global `astro`, and reads files with
 * FileReader, Blob.slice and Web Workers. Loaded with a plain `require` it breaks in Node
 * (`astro` is not a global, `File`/`FileReader` do not exist). So the script text is compiled
 * once into a function whose parameters stand in for those browser globals:
 * - `astro` is a private namespace (nothing is written to Node's globals);
 * - the file handed to fitsjs is a Blob-like object over bytes already in memory whose
 *   `slice` returns an ArrayBuffer, so fitsjs takes its in-memory (`buffer`) code paths;
 * - `FileReader` is a shim that delivers that ArrayBuffer on the next macrotask
 *   (setImmediate), so reading a file never recurses deeply and a timer can always fire;
 * - `Worker`/`window`/`XMLHttpRequest` are undefined: the code paths that need them
 *   (getFrame's worker decoding, URL loading) are never used here.
 *
 * Patches to the private namespace, each fixing something fitsjs gets wrong for valid files:
 * - BITPIX = 64 is valid FITS (since 3.0) but fitsjs's header check throws on it;
 * - headers with more than 600 cards are silently cut (Header.maxLines);
 * - ZCMPTYPE other than RICE_1 throws even though skyclip only skips such HDUs;
 * - EXTEND in an extension header throws (astropy accepts it).
 * fitsjs's console warnings (card order) are dropped: scanFitsLayout reports what matters.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** A fitsjs data unit (Image, BinaryTable, Table or CompressedImage) holding its raw bytes. */
export interface FitsjsDataUnit {
  buffer?: ArrayBuffer;
}

export interface FitsjsBinaryTable extends FitsjsDataUnit {
  /** One decoder per column: reads the column's value(s) at a byte offset of a row. */
  accessors: Array<(view: DataView, offset: number) => [unknown, number]>;
}

export interface FitsjsHdu {
  data?: FitsjsDataUnit;
}

interface FitsjsNamespace {
  FITS: {
    new (file: unknown, callback: (fits: { hdus: FitsjsHdu[] }) => void): unknown;
    HeaderVerify: { VerifyFns: Record<string, (...args: unknown[]) => unknown> };
    Header: { prototype: { maxLines: number } };
    Image: {
      prototype: {
        _getFrame(buffer: ArrayBuffer, bitpix: number, bzero: number, bscale: number): ArrayLike<number>;
      };
    };
  };
}

/** The parse a block belongs to, so the shared FileReader shim can report to the right one. */
interface ParseContext {
  cancelled: boolean;
  fail(error: unknown): void;
}

const blockOwners = new WeakMap<ArrayBuffer, ParseContext>();

class ImmediateFileReader {
  onloadend: ((event: { target: { result: ArrayBuffer } }) => void) | null = null;

  readAsArrayBuffer(block: ArrayBuffer): void {
    const context = blockOwners.get(block);
    setImmediate(() => {
      if (context?.cancelled) return;
      try {
        this.onloadend?.({ target: { result: block } });
      } catch (error) {
        // fitsjs throws strings or Errors from its header checks; hand them to the parse.
        context?.fail(error);
      }
    });
  }
}

const quietConsole = { warn() {}, log() {}, error() {}, info() {} };

function loadFitsjs(): FitsjsNamespace {
  const require = createRequire(import.meta.url);
  const source = readFileSync(require.resolve('fitsjs'), 'utf8');
  const holder: { astro: Record<string, unknown> } = { astro: {} };
  // Class stand-ins: fitsjs only assigns `File.prototype.slice` at load time.
  class FileStandIn {}
  class BlobStandIn {}
  const run = new Function(
    'astro', 'File', 'Blob', 'FileReader', 'XMLHttpRequest', 'Worker', 'window', 'console',
    source,
  ) as (this: unknown, ...args: unknown[]) => void;
  run.call(holder, holder.astro, FileStandIn, BlobStandIn, ImmediateFileReader, undefined, undefined, undefined, quietConsole);
  const astro = holder.astro as unknown as FitsjsNamespace;
  patch(astro);
  return astro;
}

function patch(astro: FitsjsNamespace): void {
  const verify = astro.FITS.HeaderVerify.VerifyFns;
  const checkBitpix = verify.BITPIX!;
  verify.BITPIX = function (this: unknown, ...args: unknown[]) {
    const value = Number.parseInt(String(args[0]), 10);
    return value === 64 ? value : checkBitpix.apply(this, args);
  };
  verify.ZCMPTYPE = (value: unknown) => value;
  verify.EXTEND = (value: unknown) => value === 'T';
  astro.FITS.Header.prototype.maxLines = Number.POSITIVE_INFINITY;
}

let loaded: FitsjsNamespace | undefined;

export function fitsjs(): FitsjsNamespace {
  loaded ??= loadFitsjs();
  return loaded;
}

/** A Blob-like view of `bytes` for fitsjs, `size` bytes long (zero-filled past the end). */
function blobLike(bytes: Uint8Array, size: number, context: ParseContext) {
  return {
    size,
    slice(start: number, end: number): ArrayBuffer {
      const from = Math.min(Math.max(start, 0), size);
      const to = Math.min(Math.max(end, from), size);
      const block = new ArrayBuffer(to - from);
      const available = bytes.subarray(Math.min(from, bytes.length), Math.min(to, bytes.length));
      new Uint8Array(block).set(available);
      blockOwners.set(block, context);
      return block;
    },
  };
}

export class FitsjsError extends Error {
  constructor(
    message: string,
    readonly timedOut: boolean,
  ) {
    super(message);
    this.name = 'FitsjsError';
  }
}

/**
 * Runs fitsjs's own parser (astro.FITS) over `size` bytes of `bytes` and resolves with its
 * HDUs. Rejects with FitsjsError when fitsjs throws, or when its callback has not fired
 * after `timeoutMs` (then the parse is cancelled, so it stops asking for blocks).
 */
export function parseWithFitsjs(bytes: Uint8Array, size: number, timeoutMs: number): Promise<FitsjsHdu[]> {
  const { FITS } = fitsjs();
  return new Promise<FitsjsHdu[]>((resolve, reject) => {
    const context: ParseContext = {
      cancelled: false,
      fail(error) {
        if (context.cancelled) return;
        context.cancelled = true;
        clearTimeout(timer);
        reject(new FitsjsError(error instanceof Error ? error.message : String(error), false));
      },
    };
    const timer = setTimeout(() => {
      if (context.cancelled) return;
      context.cancelled = true;
      reject(new FitsjsError(`fitsjs did not finish within ${timeoutMs} ms`, true));
    }, timeoutMs);
    try {
      new FITS(blobLike(bytes, size, context), (fits) => {
        if (context.cancelled) return;
        context.cancelled = true;
        clearTimeout(timer);
        resolve(fits.hdus);
      });
    } catch (error) {
      context.fail(error);
    }
  });
}
