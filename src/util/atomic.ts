/**
 * Crash-safe file writes: write a temporary file beside the target, fsync it, rename it over
 * the target, fsync the directory. rename(2) within one directory is atomic, so a reader (or a
 * process restarted after a crash) sees either the whole old file or the whole new one, never
 * a torn one. Temporary names carry TEMP_MARKER so a later writer can sweep leftovers.
 *
 *   await writeFileAtomic(join(dir, 'manifest.json'), JSON.stringify(manifest));
 *   await writeAtomicWith(join(dir, 'image.g3.hnsw'), (tmp) => index.writeIndex(tmp));
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Part of every temporary file name; nothing else in a store directory contains it. */
export const TEMP_MARKER = '.tmp-';

export interface AtomicWriteOptions {
  /**
   * Called after the temporary file is complete and synced, just before the rename. A test
   * seam: throwing here, or killing the process, leaves exactly the state a crash at that
   * point would, so tests can check the old file survives.
   */
  beforeRename?: (target: string) => void;
}

export function tempPathFor(target: string): string {
  return join(dirname(target), `${basename(target)}${TEMP_MARKER}${process.pid}-${randomBytes(4).toString('hex')}`);
}

/** fsync a file (so its bytes are on disk before a rename makes them visible). */
export async function fsyncFile(path: string): Promise<void> {
  const fh = await open(path, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** fsync a directory, so a rename or unlink inside it survives power loss. */
export async function fsyncDir(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch (err) {
    // Some filesystems refuse fsync on a directory (EINVAL/EISDIR/EPERM); the rename is still atomic.
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'EISDIR' && code !== 'EPERM' && code !== 'EBADF') throw err;
  } finally {
    await fh?.close();
  }
}

/**
 * Atomically replaces `target` with what `write(tmpPath)` writes to the temporary path. The
 * writer may be a library that only takes a file name (hnswlib's writeIndex); the file is
 * synced here, since such writers do not.
 */
export async function writeAtomicWith(
  target: string,
  write: (tmpPath: string) => Promise<unknown>,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const tmp = tempPathFor(target);
  try {
    await write(tmp);
    await fsyncFile(tmp);
    options.beforeRename?.(target);
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  await fsyncDir(dirname(target));
}

export async function writeFileAtomic(target: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  await writeAtomicWith(
    target,
    async (tmp) => {
      const fh = await open(tmp, 'wx');
      try {
        await fh.writeFile(data);
      } finally {
        await fh.close();
      }
    },
    options,
  );
}

export interface FileDigest {
  sha256: string;
  bytes: number;
}

/** sha256 (hex) and size of a file, streamed so large indexes are not read into memory at once. */
export async function digestFile(path: string): Promise<FileDigest> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).byteLength;
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** Writes a file and fsyncs it (for files inside a temporary directory that is renamed later). */
export async function writeFileSynced(path: string, data: string | Uint8Array): Promise<void> {
  const fh = await open(path, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export async function pathExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Puts a complete temporary directory in place of `target`. A directory cannot be renamed over
 * a non-empty one, so an existing target is first moved aside, then the new one renamed in,
 * then the old one removed: at every moment either the old or the new directory is complete
 * (a crash between the two renames leaves the old one under its aside name, never a torn one).
 */
export async function replaceDirectory(tmpDir: string, target: string): Promise<void> {
  if (await pathExists(target)) {
    const aside = join(dirname(target), `.${basename(target)}.old-${process.pid}-${randomBytes(4).toString('hex')}`);
    await rename(target, aside);
    await rename(tmpDir, target);
    await rm(aside, { recursive: true, force: true });
  } else {
    await rename(tmpDir, target);
  }
  await fsyncDir(dirname(target));
}
