/** `skyclip inspect FILE [--json]`: what is in a FITS file (thin layer over src/io/inspect.ts). */
import { parseArgs } from 'node:util';
import { badInput } from '../../util/errors.js';
import { readFits } from '../../io/fits/read.js';
import { formatFitsSummary, summarizeFits } from '../../io/inspect.js';
import type { Command } from '../command.js';

export const inspectCommand: Command = {
  name: 'inspect',
  summary: 'Show the HDUs, header cards and data statistics of a FITS file',
  usage: [
    'Usage: skyclip inspect FILE [--json]',
    '',
    'Prints every HDU of FILE: its header cards and, for data, the shape, BITPIX or column',
    'formats, and min / max / mean / sum over the finite values with the count of',
    'non-finite ones (per numeric column for tables). The numbers match astropy.',
    '',
    'Options:',
    '  --json    print the summary as JSON instead of a table',
  ].join('\n'),
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { json: { type: 'boolean', default: false } },
      allowPositionals: true,
    });
    if (positionals.length !== 1) throw badInput('inspect needs exactly one FILE');
    const summary = summarizeFits(await readFits(positionals[0]!));
    console.log(values.json ? JSON.stringify(summary, null, 2) : formatFitsSummary(summary));
    return 0;
  },
};
