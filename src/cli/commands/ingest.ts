/**
 * `skyclip ingest SOURCE --store DIR --model DIR`: embeds a survey folder, a catalog.csv or a
 * folder of FITS/PNG/JPEG files into a store (creating it), resumably; `--reindex` and
 * `--rebuild` are the store's remedies (src/store/remedies.ts). A thin layer over src/ingest.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { IngestFailure, IngestProgress, IngestReport } from '../../ingest/types.js';
import { badInput } from '../../util/errors.js';
import { ProgressBar } from '../../util/progress.js';
import type { Command } from '../command.js';
import { positiveInt } from '../options.js';

/** Failures listed in full before "... and N more". */
const LISTED_FAILURES = 20;
/** Exit code after Ctrl-C (128 + SIGINT), as shells report it. */
const EXIT_INTERRUPTED = 130;

function listFailures(failed: readonly IngestFailure[]): string {
  const lines = failed.slice(0, LISTED_FAILURES).map((f) => `  ${f.id}${f.file ? `  ${f.file}` : ''}: ${f.message}`);
  if (failed.length > LISTED_FAILURES) lines.push(`  ... and ${failed.length - LISTED_FAILURES} more`);
  return lines.join('\n');
}

function summary(source: string, storeDir: string, report: IngestReport, vectors: { objects: number; image: number; spectrum: number }, backend: string): string {
  const rate = report.seconds > 0 ? report.processed / report.seconds : 0;
  return [
    `ingested ${source} into ${storeDir}: ${report.total} objects in the source, ${report.skipped} already embedded, ` +
      `${report.processed} processed (${report.embedded.image} image + ${report.embedded.spectrum} spectrum vectors) in ${report.seconds.toFixed(1)} s ` +
      `(${rate.toFixed(1)} objects/s, ${backend})`,
    `store ${storeDir}: ${vectors.objects} objects, ${vectors.image} image and ${vectors.spectrum} spectrum vectors`,
  ].join('\n');
}

export const ingestCommand: Command = {
  name: 'ingest',
  summary: 'Embed a survey, a catalog.csv or a folder of FITS/PNG/JPEG files into a store (resumable)',
  usage: [
    'Usage: skyclip ingest SOURCE --store DIR --model DIR [--batch N] [--rebuild] [--reindex] [--quiet]',
    '       skyclip ingest --reindex --store DIR',
    '       skyclip ingest --rebuild --store DIR --model DIR [SOURCE]',
    '',
    'Reads every object of SOURCE, prepares its image and spectrum by the model\'s preprocessing',
    'contract, embeds them and adds the catalog rows and vectors to the store in DIR (created when',
    "missing, with the model's dimension). Objects already embedded are skipped, so rerunning after",
    'an interruption continues where it stopped. Ctrl-C stops after the current batch and saves.',
    '',
    'SOURCE is one of:',
    '  a survey folder      written by `skyclip simulate` (catalog.csv with image_path/spectrum_path)',
    '  a catalog .csv       columns id, ra, dec (degrees) and image_path and/or spectrum_path',
    "                       (relative to the csv's folder or absolute); known label columns",
    '                       (class, z, logmstar, ...) are stored typed, others as extra fields',
    '  a folder of files    *.fits/*.fit/*.fts(.gz), *.png, *.jpg: one object per file name (stem),',
    '                       images/X.fits and spectra/X.fits pair up; image or spectrum is decided',
    '                       by content; the position comes from RA/DEC cards or a RA---TAN WCS',
    '',
    'Options:',
    '  --store DIR   the store (required)',
    '  --model DIR   model directory (required, except for --reindex alone)',
    '  --batch N     objects read and embedded per step (default 64)',
    '  --rebuild     re-embed the whole catalog with --model, also when another model built the',
    '                store: a new store is built beside it and swapped in when complete (the',
    '                old one stays intact if interrupted; rerun to resume). SOURCE is optional.',
    '  --reindex     rebuild the HNSW indexes from the vectors in catalog.sqlite (for a store',
    '                whose index files are lost or corrupted)',
    '  --quiet       no progress bar',
    '',
    'Exit status: 0 when every object landed, 1 when some files failed (they are listed),',
    '2 for bad arguments or an unusable store, 130 when interrupted.',
  ].join('\n'),
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        store: { type: 'string' },
        model: { type: 'string' },
        batch: { type: 'string' },
        rebuild: { type: 'boolean', default: false },
        reindex: { type: 'boolean', default: false },
        quiet: { type: 'boolean', default: false },
      },
      allowPositionals: true,
    });
    if (positionals.length > 1) throw badInput(`ingest takes one SOURCE, got ${positionals.length}: ${positionals.join(' ')}`);
    const sourcePath = positionals[0];
    const storeDir = values.store;
    if (!storeDir || storeDir.trim() === '') throw badInput('--store DIR is required');
    const batchSize = positiveInt(values.batch, 'batch', 64);
    const quiet = values.quiet ?? false;
    const rebuild = values.rebuild ?? false;
    const reindex = values.reindex ?? false;

    const [{ Store }, ingestLib] = await Promise.all([import('../../store/index.js'), import('../../ingest/index.js')]);
    const { pathExists } = await import('../../util/atomic.js');
    const storeExists = await pathExists(join(storeDir, 'catalog.sqlite'));

    if (reindex && sourcePath === undefined && !rebuild) {
      const { modelId, vectors } = await ingestLib.reindexStore(storeDir, { progress: !quiet });
      console.log(`reindexed ${storeDir} (model ${modelId}): ${vectors.image} image and ${vectors.spectrum} spectrum vectors in fresh indexes`);
      return 0;
    }
    if (!values.model) throw badInput('--model DIR is required (the model that embeds the objects)');
    if (sourcePath === undefined && !rebuild) throw badInput('give the SOURCE to ingest (a survey folder, a catalog .csv or a folder of FITS/PNG/JPEG files)');
    if (rebuild && sourcePath === undefined && !storeExists) throw badInput(`--rebuild without SOURCE re-embeds an existing store, but ${storeDir} holds none`);
    const source = sourcePath === undefined ? undefined : await ingestLib.resolveIngestSource(sourcePath);

    if (reindex && storeExists && !rebuild) {
      const { vectors } = await ingestLib.reindexStore(storeDir, { progress: !quiet });
      if (!quiet) console.error(`reindexed ${storeDir}: ${vectors.image} image and ${vectors.spectrum} spectrum vectors`);
    }

    const [{ initBackend }, { loadModel }, { Embedder }] = await Promise.all([import('../../nn/backend.js'), import('../../nn/weights-io.js'), import('../../embed/index.js')]);
    const backend = await initBackend();
    const loaded = await loadModel(values.model);
    const embedder = new Embedder(loaded.model);

    const controller = new AbortController();
    const onSigint = () => {
      console.error('\nstopping after the current batch (Ctrl-C again to quit at once; the store stays consistent either way)');
      controller.abort();
      process.removeListener('SIGINT', onSigint);
    };
    process.on('SIGINT', onSigint);
    let bar: ProgressBar | undefined;
    const onProgress = (p: IngestProgress) => {
      if (quiet || p.total === 0) return;
      bar ??= new ProgressBar('ingest', p.total, { unit: 'objects' });
      bar.update(p.done);
    };
    const options = { batchSize, onProgress, signal: controller.signal };
    const label = sourcePath ?? storeDir;
    let report: IngestReport;
    let vectors: { objects: number; image: number; spectrum: number };
    try {
      if (rebuild && storeExists) {
        const rebuilt = await ingestLib.rebuildStore(storeDir, embedder, { ...options, modelId: loaded.id, source });
        report = rebuilt;
        const after = await Store.open(rebuilt.swapped ? storeDir : rebuilt.workDir, { modelId: loaded.id, readOnly: true });
        vectors = { objects: after.count(), image: after.count('image'), spectrum: after.count('spectrum') };
        await after.close();
        if (rebuilt.swapped && !quiet) console.error(`rebuilt ${storeDir} with model ${loaded.id} (was ${rebuilt.previousModelId})`);
      } else {
        const store = await Store.open(storeDir, { modelId: loaded.id, create: true, dimension: embedder.dim, progress: !quiet });
        try {
          report = await ingestLib.ingest(store, embedder, source!, { ...options, modelId: loaded.id });
          vectors = { objects: store.count(), image: store.count('image'), spectrum: store.count('spectrum') };
        } finally {
          await store.close();
        }
      }
    } finally {
      process.removeListener('SIGINT', onSigint);
      loaded.model.dispose();
    }
    if (!report.interrupted) bar?.finish();
    else if (bar) process.stderr.write('\n');
    console.log(summary(label, storeDir, report, vectors, backend.name));
    if (report.failed.length > 0) {
      console.error(`${report.failed.length} object${report.failed.length === 1 ? '' : 's'} or files failed:\n${listFailures(report.failed)}`);
    }
    if (report.interrupted) {
      const again = ['skyclip ingest', ...(sourcePath ? [sourcePath] : []), '--store', storeDir, '--model', values.model, ...(rebuild ? ['--rebuild'] : [])].join(' ');
      console.error(`interrupted: what was embedded is saved${rebuild ? ` (in ${storeDir}'s rebuild folder; the old store is untouched)` : ''}; run \`${again}\` to resume`);
      return EXIT_INTERRUPTED;
    }
    return report.failed.length > 0 ? 1 : 0;
  },
};
