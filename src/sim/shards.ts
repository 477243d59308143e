/**
 * A fast binary format for training on the mock survey: DIR/shards/manifest.json plus, per shard,
 * two files of little-endian float32 records, one record per object in catalogue order:
 *   shard-NNNNN.images.bin   [count, 3, size, size]   nanomaggies (bands g, r, z)
 *   shard-NNNNN.spectra.bin  [count, 2, 7781]         flux (1e-17 erg/s/cm2/A) then ivar
 * Record i of a shard starts at i * recordBytes, so any object is one read, and image-only or
 * spectrum-only training never touches the other file. The wavelength grid is in the manifest.
 *
 * Example:
 *   const shards = openShards('/tmp/simA');
 *   const { image, flux, ivar } = shards.read(42);   // object with catalogue index 42
 */
import { closeSync, mkdirSync, openSync, readFileSync, readSync, write, writeFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { join } from 'node:path';
import { SkyclipError } from '../util/errors.js';

export const SHARD_FORMAT = 'skyclip-mock-shards';
export const SHARD_VERSION = 1;

export interface ShardEntry {
  /** Paths relative to the survey folder. */
  images: string;
  spectra: string;
  /** Catalogue index of the shard's first object, and how many objects it holds. */
  first: number;
  count: number;
}

export interface ShardManifest {
  format: typeof SHARD_FORMAT;
  version: number;
  byteOrder: 'little';
  dtype: 'float32';
  count: number;
  imageShape: [number, number, number];
  bands: ['g', 'r', 'z'];
  imageUnit: 'nanomaggy';
  pixelScaleArcsec: number;
  spectrumLength: number;
  spectrumFields: ['flux', 'ivar'];
  spectrumUnit: string;
  wavelength: { start: number; step: number; n: number; unit: 'Angstrom'; medium: 'vacuum' };
  shards: ShardEntry[];
}

const LITTLE_ENDIAN = endianness() === 'LE';

/** Bytes of a float32 array in little-endian order (a view on little-endian hosts, a copy otherwise). */
function leBytes(data: Float32Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(4 * i, data[i], true);
  return out;
}

function fromLeBytes(bytes: Uint8Array, count: number): Float32Array {
  if (LITTLE_ENDIAN && bytes.byteOffset % 4 === 0) return new Float32Array(bytes.buffer, bytes.byteOffset, count);
  const out = new Float32Array(count);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, true);
  return out;
}

export interface ShardWriterOptions {
  /** Survey folder; shards go to DIR/shards. */
  dir: string;
  /** Objects per shard (default 1024). */
  shardSize?: number;
  imageShape: [number, number, number];
  pixelScaleArcsec: number;
  wavelength: { start: number; step: number; n: number };
  /** Catalogue index of the first object written (default 0). */
  first?: number;
}

/**
 * Appends objects to shard files in order; `finish` writes the manifest. Writes are positional and
 * asynchronous (the disk never stalls the simulation); at most `maxPending` are in flight.
 */
export class ShardWriter {
  private readonly opts: Required<ShardWriterOptions>;
  private readonly entries: ShardEntry[] = [];
  private imageFd = -1;
  private spectrumFd = -1;
  private written = 0;
  private readonly spectrumBuffer: Float32Array;
  private readonly pending = new Set<Promise<void>>();
  private failure: Error | null = null;
  private readonly maxPending = 64;
  private readonly closing: Promise<void>[] = [];

  constructor(options: ShardWriterOptions) {
    this.opts = { ...options, shardSize: options.shardSize ?? 1024, first: options.first ?? 0 };
    mkdirSync(join(this.opts.dir, 'shards'), { recursive: true });
    this.spectrumBuffer = new Float32Array(2 * options.wavelength.n);
  }

  /** Where the next object goes: shard name and position inside it. */
  nextLocation(): { shard: string; index: number } {
    const k = Math.floor(this.written / this.opts.shardSize);
    return { shard: shardName(k), index: this.written % this.opts.shardSize };
  }

  /** Queues one object's record; resolves when there is room for more. */
  async add(image: Float32Array, flux: Float32Array, ivar: Float32Array): Promise<void> {
    const [b, h, w] = this.opts.imageShape;
    const n = this.opts.wavelength.n;
    if (image.length !== b * h * w || flux.length !== n || ivar.length !== n) {
      throw new SkyclipError('BAD_INPUT', 'shard record has the wrong size');
    }
    if (this.failure) throw this.failure;
    if (this.written % this.opts.shardSize === 0) this.openShard();
    const at = this.written % this.opts.shardSize;
    this.spectrumBuffer.set(flux, 0);
    this.spectrumBuffer.set(ivar, n);
    // The image is written from the caller's array (callers must not modify it until `finish`; the
    // simulator never does); the spectrum record is assembled in a fresh buffer.
    this.positionalWrite(this.imageFd, leBytes(image), at * image.byteLength);
    this.positionalWrite(this.spectrumFd, leBytes(this.spectrumBuffer).slice(), at * this.spectrumBuffer.byteLength);
    this.entries[this.entries.length - 1].count++;
    this.written++;
    while (this.pending.size >= this.maxPending) await Promise.race(this.pending);
    if (this.failure) throw this.failure;
  }

  private positionalWrite(fd: number, bytes: Uint8Array, position: number): void {
    const p: Promise<void> = new Promise<void>((resolve) => {
      write(fd, bytes, 0, bytes.length, position, (err, n) => {
        if (err) this.failure ??= err;
        else if (n !== bytes.length) this.failure ??= new SkyclipError('INTERNAL', `short shard write (${n} of ${bytes.length} bytes)`);
        resolve();
      });
    }).finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  private openShard(): void {
    this.closeFiles();
    const k = this.entries.length;
    const entry: ShardEntry = {
      images: `shards/${shardName(k)}.images.bin`,
      spectra: `shards/${shardName(k)}.spectra.bin`,
      first: this.opts.first + this.written,
      count: 0,
    };
    this.imageFd = openSync(join(this.opts.dir, entry.images), 'w');
    this.spectrumFd = openSync(join(this.opts.dir, entry.spectra), 'w');
    this.entries.push(entry);
  }

  /** Closes the current shard's files once their queued writes are done. */
  private closeFiles(): void {
    const fds = [this.imageFd, this.spectrumFd].filter((fd) => fd >= 0);
    this.imageFd = this.spectrumFd = -1;
    if (fds.length === 0) return;
    const writes = [...this.pending];
    this.closing.push(Promise.all(writes).then(() => fds.forEach((fd) => closeSync(fd))));
  }

  /** Waits for every write, closes the files and writes the manifest. */
  async finish(): Promise<ShardManifest> {
    this.closeFiles();
    await Promise.all([...this.pending, ...this.closing]);
    if (this.failure) throw this.failure;
    const { start, step, n } = this.opts.wavelength;
    const manifest: ShardManifest = {
      format: SHARD_FORMAT,
      version: SHARD_VERSION,
      byteOrder: 'little',
      dtype: 'float32',
      count: this.written,
      imageShape: this.opts.imageShape,
      bands: ['g', 'r', 'z'],
      imageUnit: 'nanomaggy',
      pixelScaleArcsec: this.opts.pixelScaleArcsec,
      spectrumLength: n,
      spectrumFields: ['flux', 'ivar'],
      spectrumUnit: '1e-17 erg/(s cm2 Angstrom)',
      wavelength: { start, step, n, unit: 'Angstrom', medium: 'vacuum' },
      shards: this.entries,
    };
    writeFileSync(join(this.opts.dir, 'shards', 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    return manifest;
  }
}

export function shardName(k: number): string {
  return `shard-${String(k).padStart(5, '0')}`;
}

export interface ShardRecord {
  image: Float32Array;
  flux: Float32Array;
  ivar: Float32Array;
}

/** Random access to a survey's shards by catalogue index. */
export class ShardReader {
  readonly manifest: ShardManifest;
  private readonly dir: string;
  private readonly fds = new Map<string, number>();

  constructor(dir: string) {
    this.dir = dir;
    let parsed: ShardManifest;
    const path = join(dir, 'shards', 'manifest.json');
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8')) as ShardManifest;
    } catch (err) {
      throw new SkyclipError('NOT_FOUND', `no readable shard manifest at ${path} (${(err as Error).message})`);
    }
    if (parsed.format !== SHARD_FORMAT || parsed.version !== SHARD_VERSION) {
      throw new SkyclipError('UNSUPPORTED', `${path}: format ${parsed.format} v${parsed.version} is not ${SHARD_FORMAT} v${SHARD_VERSION}`);
    }
    this.manifest = parsed;
  }

  get count(): number {
    return this.manifest.count;
  }

  private fd(rel: string): number {
    let fd = this.fds.get(rel);
    if (fd === undefined) {
      fd = openSync(join(this.dir, rel), 'r');
      this.fds.set(rel, fd);
    }
    return fd;
  }

  private locate(index: number): { entry: ShardEntry; at: number } {
    for (const entry of this.manifest.shards) {
      if (index >= entry.first && index < entry.first + entry.count) return { entry, at: index - entry.first };
    }
    throw new SkyclipError('NOT_FOUND', `object index ${index} is not in the shards (0..${this.count - 1})`);
  }

  private readFloats(rel: string, at: number, count: number): Float32Array {
    const bytes = new Uint8Array(count * 4);
    const got = readSync(this.fd(rel), bytes, 0, bytes.length, at * bytes.length);
    if (got !== bytes.length) throw new SkyclipError('UNUSABLE', `${rel}: short read (${got} of ${bytes.length} bytes)`);
    return fromLeBytes(bytes, count);
  }

  /** Image [3, size, size] of object `index`. */
  readImage(index: number): Float32Array {
    const { entry, at } = this.locate(index);
    const [b, h, w] = this.manifest.imageShape;
    return this.readFloats(entry.images, at, b * h * w);
  }

  /** Flux and ivar of object `index`. */
  readSpectrum(index: number): { flux: Float32Array; ivar: Float32Array } {
    const { entry, at } = this.locate(index);
    const n = this.manifest.spectrumLength;
    const both = this.readFloats(entry.spectra, at, 2 * n);
    return { flux: both.subarray(0, n), ivar: both.subarray(n) };
  }

  read(index: number): ShardRecord {
    return { image: this.readImage(index), ...this.readSpectrum(index) };
  }

  /** The wavelength grid of every spectrum (Angstrom, vacuum). */
  wavelength(): Float64Array {
    const { start, step, n } = this.manifest.wavelength;
    return Float64Array.from({ length: n }, (_, i) => start + step * i);
  }

  close(): void {
    for (const fd of this.fds.values()) closeSync(fd);
    this.fds.clear();
  }
}

export function openShards(dir: string): ShardReader {
  return new ShardReader(dir);
}
