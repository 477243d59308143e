/**
 * A minimal 16-bit RGB PNG encoder for tests (sharp cannot be fed 16-bit raw pixels here).
 * PNG: signature, IHDR (bit depth 16, colour type 2), one zlib IDAT with filter 0 per row, IEND.
 */
import { deflateSync } from 'node:zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(8 + data.length + 4);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), 8 + data.length);
  return out;
}

/** `rgb` holds width * height * 3 values in 0..65535, row 0 = top. */
export function png16(width: number, height: number, rgb: ArrayLike<number>): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([16, 2, 0, 0, 0], 8);
  const raw = Buffer.alloc(height * (1 + width * 6));
  for (let y = 0; y < height; y += 1) {
    const row = y * (1 + width * 6);
    for (let i = 0; i < width * 3; i += 1) raw.writeUInt16BE(rgb[y * width * 3 + i]!, row + 1 + i * 2);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', new Uint8Array(0)),
  ]);
}
