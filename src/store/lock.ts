/**
 * One writer per store directory. Each writer holds its graphs in memory and checkpoints them
 * to files, so two writers would each save a graph missing the other's additions. The lock is
 * a file created exclusively (O_EXCL) holding the writer's pid and host; a lock left by a
 * process that has died on this host is taken over. Readers (read-only opens) take no lock.
 */
import { open, readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { SkyclipError } from '../util/errors.js';

export interface WriterLock {
  readonly path: string;
  release(): Promise<void>;
}

interface LockInfo {
  pid: number;
  host: string;
  since: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function tryCreate(path: string, info: LockInfo): Promise<boolean> {
  try {
    const fh = await open(path, 'wx');
    try {
      await fh.writeFile(JSON.stringify(info));
      await fh.sync();
    } finally {
      await fh.close();
    }
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

async function readLock(path: string): Promise<LockInfo | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<LockInfo>;
    if (typeof parsed.pid === 'number' && typeof parsed.host === 'string') return { pid: parsed.pid, host: parsed.host, since: String(parsed.since ?? '') };
  } catch {
    // Missing (released meanwhile) or torn (its writer died mid-write): treated as stale below.
  }
  return undefined;
}

export async function acquireWriterLock(path: string, storeDir: string): Promise<WriterLock> {
  const me: LockInfo = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    if (await tryCreate(path, me)) {
      let released = false;
      return {
        path,
        async release() {
          if (released) return;
          released = true;
          await rm(path, { force: true });
        },
      };
    }
    const holder = await readLock(path);
    if (holder && holder.host !== me.host) {
      throw new SkyclipError(
        'CONFLICT',
        `store ${storeDir} is locked by process ${holder.pid} on host ${holder.host}; if that process is gone, delete ${path}`,
        { path, holder },
      );
    }
    if (holder && alive(holder.pid)) {
      throw new SkyclipError(
        'CONFLICT',
        `store ${storeDir} is open for writing by process ${holder.pid}${holder.pid === process.pid ? ' (this process)' : ''}; close it first, or open the store read-only`,
        { path, holder },
      );
    }
    // The holder died without releasing: take the lock over (once; a second loss is a live race).
    await rm(path, { force: true });
  }
  throw new SkyclipError('CONFLICT', `could not lock store ${storeDir}: another process took the lock at the same time`, { path });
}
