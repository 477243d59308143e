/**
 * The embeddings file `skyclip embed` writes: object ids and float32 unit vectors for both
 * modalities, in one small binary file with a JSON header (format 'skyclip-embeddings' v1).
 *
 * Layout (all integers little-endian):
 *   bytes 0..7     ASCII magic "SKYEMBD1"
 *   bytes 8..11    uint32 H: byte length of the JSON header
 *   bytes 12..     H bytes of UTF-8 JSON (padded with spaces so the data starts on a 64-byte boundary)
 *   then           one block per entry of header.blocks, at its `offset` (bytes from the file start,
 *                  a multiple of 64; zero padding between blocks):
 *                  float32 little-endian, row-major [count, dim]; row i belongs to header.ids[i]
 * Header fields: format, version, dim, count, dtype ('float32'), byteOrder ('little'),
 *   ids (string[count]), blocks ([{ modality: 'image' | 'spectrum', offset, byteLength }]),
 *   model ({ id, name, dir }), data ({ dir, key, seed, split } or { files }), createdAt.
 * Vectors are L2-normalized, so a dot product is the cosine similarity.
 *
 * numpy reads it with:
 *   h = int.from_bytes(b[8:12], 'little'); meta = json.loads(b[12:12 + h])
 *   blk = meta['blocks'][0]; x = np.frombuffer(b, '<f4', meta['count'] * meta['dim'], blk['offset']).reshape(meta['count'], meta['dim'])
 *
 *   await writeEmbeddings('emb.bin', { ids, dim: 64, image, spectrum, model: {...}, data: {...} });
 *   const { ids, image, spectrum } = await readEmbeddings('emb.bin');
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { SkyclipError } from '../util/errors.js';

export const EMBEDDINGS_MAGIC = 'SKYEMBD1';
export const EMBEDDINGS_FORMAT = 'skyclip-embeddings';
const ALIGN = 64;

export type Modality = 'image' | 'spectrum';

export interface EmbeddingsHeader {
  format: typeof EMBEDDINGS_FORMAT;
  version: 1;
  dim: number;
  count: number;
  dtype: 'float32';
  byteOrder: 'little';
  ids: string[];
  blocks: Array<{ modality: Modality; offset: number; byteLength: number }>;
  model: { id: string; name: string; dir?: string };
  data: Record<string, unknown>;
  createdAt: string;
}

export interface Embeddings {
  ids: string[];
  dim: number;
  /** [count * dim] per modality present. */
  image?: Float32Array;
  spectrum?: Float32Array;
  model: EmbeddingsHeader['model'];
  data: Record<string, unknown>;
}

export interface ReadEmbeddings extends Embeddings {
  header: EmbeddingsHeader;
}

function checkLittleEndian(): void {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
    throw new SkyclipError('UNSUPPORTED', 'embeddings files assume a little-endian machine');
  }
}

/** Encodes embeddings to the file's bytes. */
export function encodeEmbeddings(e: Embeddings, createdAt = new Date().toISOString()): Buffer {
  checkLittleEndian();
  const count = e.ids.length;
  const present = (['image', 'spectrum'] as const).filter((m) => e[m] !== undefined);
  for (const m of present) {
    if (e[m]!.length !== count * e.dim) {
      throw new SkyclipError('BAD_INPUT', `${m} embeddings have ${e[m]!.length} values for ${count} ids of dimension ${e.dim}`);
    }
  }
  const blockBytes = count * e.dim * 4;
  const blockStride = Math.ceil(blockBytes / ALIGN) * ALIGN; // every block starts 64-byte aligned
  const header = (dataStart: number): EmbeddingsHeader => ({
    format: EMBEDDINGS_FORMAT,
    version: 1,
    dim: e.dim,
    count,
    dtype: 'float32',
    byteOrder: 'little',
    ids: e.ids,
    blocks: present.map((modality, k) => ({ modality, offset: dataStart + k * blockStride, byteLength: blockBytes })),
    model: e.model,
    data: e.data,
    createdAt,
  });
  // The header names the data offsets, which depend on the header's length: settle the fixed point.
  let dataStart = ALIGN;
  let json = '';
  for (;;) {
    json = JSON.stringify(header(dataStart));
    const needed = Math.ceil((12 + Buffer.byteLength(json)) / ALIGN) * ALIGN;
    if (needed <= dataStart) break;
    dataStart = needed;
  }
  const jsonBytes = Buffer.from(json, 'utf8'); // followed by spaces up to dataStart
  const out = Buffer.alloc(dataStart + present.length * blockStride);
  out.write(EMBEDDINGS_MAGIC, 0, 'ascii');
  out.writeUInt32LE(dataStart - 12, 8);
  jsonBytes.copy(out, 12);
  out.fill(0x20, 12 + jsonBytes.length, dataStart);
  present.forEach((m, k) => {
    const v = e[m]!;
    Buffer.from(v.buffer, v.byteOffset, v.byteLength).copy(out, dataStart + k * blockStride);
  });
  return out;
}

/** Decodes the bytes of an embeddings file; throws UNUSABLE naming what is wrong. */
export function decodeEmbeddings(bytes: Uint8Array, source = 'embeddings'): ReadEmbeddings {
  checkLittleEndian();
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bad = (why: string) => new SkyclipError('UNUSABLE', `${source} is not a skyclip embeddings file: ${why}`);
  if (buf.byteLength < 12 || buf.toString('ascii', 0, 8) !== EMBEDDINGS_MAGIC) throw bad('wrong magic bytes');
  const h = buf.readUInt32LE(8);
  if (12 + h > buf.byteLength) throw bad('header runs past the end of the file');
  let header: EmbeddingsHeader;
  try {
    header = JSON.parse(buf.toString('utf8', 12, 12 + h)) as EmbeddingsHeader;
  } catch {
    throw bad('header is not JSON');
  }
  if (header.format !== EMBEDDINGS_FORMAT || header.version !== 1 || header.dtype !== 'float32') throw bad(`format ${header.format} v${header.version}`);
  if (!Array.isArray(header.ids) || header.ids.length !== header.count) throw bad('ids do not match count');
  const out: ReadEmbeddings = { ids: header.ids, dim: header.dim, model: header.model, data: header.data, header };
  for (const block of header.blocks) {
    const expected = header.count * header.dim * 4;
    if (block.byteLength !== expected || block.offset + block.byteLength > buf.byteLength || block.offset % 4 !== 0) {
      throw bad(`block '${block.modality}' does not fit the file`);
    }
    const copy = new Uint8Array(buf.subarray(block.offset, block.offset + block.byteLength)); // aligned own buffer
    out[block.modality] = new Float32Array(copy.buffer, 0, header.count * header.dim);
  }
  return out;
}

/** Writes the file atomically (temporary file, fsync, rename). */
export async function writeEmbeddings(path: string, e: Embeddings): Promise<{ bytes: number }> {
  const data = encodeEmbeddings(e);
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  return { bytes: data.byteLength };
}

export async function readEmbeddings(path: string): Promise<ReadEmbeddings> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch {
    throw new SkyclipError('NOT_FOUND', `${path} does not exist`, { path });
  }
  return decodeEmbeddings(bytes, path);
}
