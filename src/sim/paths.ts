/**
 * Where the simulation's real ingredients live inside the repository. The project never reads
 * outside its own tree at run time: templates and filter curves were copied into data/.
 */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The repository's data/ folder (resolved from this file, so it works from any cwd). */
export const DEFAULT_DATA_DIR = fileURLToPath(new URL('../../data/', import.meta.url));

export function filterPath(dataDir: string, band: string): string {
  return join(dataDir, 'filters', `decam2014-${band}.ecsv`);
}

export function templatePath(dataDir: string, file: string): string {
  return join(dataDir, 'templates', file);
}
