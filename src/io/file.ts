/**
 * Reading a whole input file into memory, with file-system failures turned into typed errors
 * that name the path (a missing file is NOT_FOUND, not an uncaught ENOENT).
 */
import { readFile } from 'node:fs/promises';
import { ioError } from './io-error.js';

export async function readFileBytes(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw ioError('NOT_FOUND', path, 'no such file');
    if (code === 'EISDIR') throw ioError('BAD_INPUT', path, 'is a directory, not a file');
    if (code === 'EACCES' || code === 'EPERM') throw ioError('BAD_INPUT', path, 'permission denied');
    if (code === 'ERR_FS_FILE_TOO_LARGE') {
      throw ioError('UNSUPPORTED', path, 'file is too large to read into memory (over 2 GiB)');
    }
    throw err;
  }
}
