/** `skyclip simulate --n N --seed S --out DIR`: write a mock survey (thin layer over src/sim). */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { badInput } from '../../util/errors.js';
import { ProgressBar } from '../../util/progress.js';
import type { SimConfigInput } from '../../sim/config.js';
import { Simulator } from '../../sim/survey.js';
import { writeSurvey } from '../../sim/writer.js';
import type { Command } from '../command.js';
import { optionalInt } from '../options.js';

/** Rare-class rates for demos and tests (--boost-rare): every kind shows up in a few hundred objects. */
const BOOSTED_RATES = { lensPerMassiveElliptical: 0.3, merger: 0.08, tidal: 0.2, postStarburst: 0.03, artifact: 0.02 };


export const simulateCommand: Command = {
  name: 'simulate',
  summary: 'Write a mock survey: g,r,z cutouts, DESI-like spectra and a labelled catalog',
  usage: [
    'Usage: skyclip simulate --n N --out DIR [--seed S] [options]',
    '',
    'Simulates N objects (galaxies along the passive-to-star-forming sequence, an LRG tail, QSOs,',
    'stars and rare classes) from real SDSS templates and DECam filter curves, and writes',
    'DIR/catalog.csv, DIR/images/<id>.fits, DIR/spectra/<id>.fits, DIR/shards/ and DIR/survey.json.',
    'The same seed always gives the same bytes. See docs/mock-survey.md.',
    '',
    'Options:',
    '  --n N            number of objects (required)',
    '  --out DIR        output folder (required; created if missing)',
    '  --seed S         random seed (default 0)',
    '  --first I        index of the first object (default 0): write a big survey in parts, one DIR each',
    '  --size PX        cutout side in pixels (default 96)',
    '  --config FILE    JSON with a partial simulation config (see src/sim/config.ts)',
    '  --boost-rare     raise the rates of lenses, mergers, tidal features, E+A and artifacts',
    '  --no-fits        skip the per-object FITS files (catalog and shards only)',
    '  --no-shards      skip the binary training shards',
    '  --shard-size K   objects per shard (default 1024)',
    '  --single-thread  write the FITS files on the simulating thread too (default: a writer thread)',
    '  --quiet          no progress bar',
  ].join('\n'),
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        n: { type: 'string' },
        out: { type: 'string' },
        seed: { type: 'string' },
        first: { type: 'string' },
        size: { type: 'string' },
        config: { type: 'string' },
        'boost-rare': { type: 'boolean', default: false },
        'no-fits': { type: 'boolean', default: false },
        'no-shards': { type: 'boolean', default: false },
        'shard-size': { type: 'string' },
        'single-thread': { type: 'boolean', default: false },
        quiet: { type: 'boolean', default: false },
      },
      allowPositionals: false,
    });
    const n = optionalInt(values.n, 'n', 1);
    if (n === undefined) throw badInput('--n is required');
    if (!values.out) throw badInput('--out is required');
    let input: SimConfigInput = {};
    if (values.config) {
      try {
        input = JSON.parse(readFileSync(values.config, 'utf8')) as SimConfigInput;
      } catch (err) {
        throw badInput(`--config ${values.config}: ${(err as Error).message}`);
      }
    }
    const seed = optionalInt(values.seed, 'seed', 0);
    const size = optionalInt(values.size, 'size', 16);
    if (seed !== undefined) input = { ...input, seed };
    if (size !== undefined) input = { ...input, image: { ...input.image, size } };
    if (values['boost-rare']) input = { ...input, rates: { ...input.rates, ...BOOSTED_RATES } };

    const sim = await Simulator.create(input);
    const bar = new ProgressBar('simulate', n, { unit: 'objects', enabled: !values.quiet });
    const result = await writeSurvey(sim, {
      outDir: values.out,
      n,
      first: optionalInt(values.first, 'first', 0),
      fits: !values['no-fits'],
      shards: !values['no-shards'],
      shardSize: optionalInt(values['shard-size'], 'shard-size', 1),
      writerThread: !values['single-thread'],
      onProgress: (done) => {
        if (done < n) bar.update(done);
      },
    });
    bar.finish();
    console.log(
      `wrote ${result.n} objects to ${values.out} in ${result.seconds.toFixed(1)} s ` +
        `(${result.objectsPerSecond.toFixed(0)} objects/s; ${(result.n / result.cpuSeconds).toFixed(0)} per CPU-second over all threads; ` +
        `seed ${sim.config.seed}); catalog: ${result.catalogPath}`,
    );
    return 0;
  },
};
