/**
 * Running scripts/astropy-reference.py with Debian's /usr/bin/python3 (the python3 on PATH
 * may be a pyenv interpreter without astropy).
 */
import { spawnSync } from 'node:child_process';
import type { AstropyFileSummary } from './astropy-compare.js';

export const SYSTEM_PYTHON = '/usr/bin/python3';
const SCRIPT = 'scripts/astropy-reference.py';

export interface AstropyReport {
  astropy: string;
  numpy: string;
  files: Record<string, AstropyFileSummary>;
}

/** Why astropy cannot be used here, or undefined when it can. */
export function astropyUnavailableReason(): string | undefined {
  const probe = spawnSync(SYSTEM_PYTHON, ['-c', 'import astropy, numpy'], { encoding: 'utf8' });
  if (probe.error) return `${SYSTEM_PYTHON} cannot be run (${probe.error.message})`;
  if (probe.status !== 0) return `${SYSTEM_PYTHON} has no astropy (${probe.stderr.trim().split('\n').pop()})`;
  return undefined;
}

/** astropy's summary of each file; --verify makes astropy check standard conformance too. */
export function runAstropyReference(paths: string[], verify: boolean): AstropyReport {
  const args = [SCRIPT, ...(verify ? ['--verify'] : []), ...paths];
  const run = spawnSync(SYSTEM_PYTHON, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`astropy-reference.py failed (${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout) as AstropyReport;
}
