/**
 * `skyclip demo`: the default main job (`npm start`) until the HTTP service lands. It builds
 * the fixed-seed demo survey under index-data/ on the first run (with a progress bar), then
 * prints what it holds. The survey itself (constants, crash-safe build) is src/sim/demo-survey.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseCatalog } from '../../sim/catalog-columns.js';
import { DEMO_SURVEY, ensureDemoSurvey } from '../../sim/demo-survey.js';
import type { ObjectLabels } from '../../sim/labels.js';
import { badInput } from '../../util/errors.js';
import type { Command } from '../command.js';

export { DEMO_SURVEY, ensureDemoSurvey } from '../../sim/demo-survey.js';

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** A short, human-readable summary of a survey catalog. */
export function summarizeCatalog(rows: ObjectLabels[]): string {
  const count = (key: (r: ObjectLabels) => string) => {
    const m = new Map<string, number>();
    for (const r of rows) m.set(key(r), (m.get(key(r)) ?? 0) + 1);
    return [...m.entries()].sort((a, b) => b[1] - a[1]);
  };
  const pct = (n: number) => `${((100 * n) / rows.length).toFixed(1)} %`;
  const galaxies = rows.filter((r) => r.class === 'GALAXY');
  const z = galaxies.map((r) => r.z).sort((a, b) => a - b);
  const lines = [
    `${rows.length} objects`,
    `  by sample: ${count((r) => r.sample).map(([k, n]) => `${k} ${n} (${pct(n)})`).join(', ')}`,
    `  by split:  ${count((r) => r.split).map(([k, n]) => `${k} ${n}`).join(', ')}`,
    `  galaxy redshift: median ${quantile(z, 0.5).toFixed(3)}, 5-95 % ${quantile(z, 0.05).toFixed(3)}-${quantile(z, 0.95).toFixed(3)}`,
    `  quenched galaxies: ${pct(galaxies.filter((r) => r.quenched).length)} of galaxies`,
    `  rare: lenses ${rows.filter((r) => r.is_lens).length}, mergers ${rows.filter((r) => r.is_merger).length}, ` +
      `post-starburst ${rows.filter((r) => r.is_post_starburst).length}`,
  ];
  return lines.join('\n');
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'Build (first run) and summarise the fixed-seed demo survey in index-data/',
  usage: [
    'Usage: skyclip demo [--dir DIR] [--quiet]',
    '',
    `Simulates the demo survey (${DEMO_SURVEY.n} objects, seed ${DEMO_SURVEY.seed}) into DIR`,
    `(default ${DEMO_SURVEY.dir}) unless it is already there, then prints a summary.`,
    'This is what `npm start` runs until the HTTP service lands.',
  ].join('\n'),
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: { dir: { type: 'string' }, quiet: { type: 'boolean', default: false } },
      allowPositionals: false,
    });
    const dir = values.dir ?? DEMO_SURVEY.dir;
    if (dir.trim() === '') throw badInput('--dir must not be empty');
    const { built } = await ensureDemoSurvey(dir, { quiet: values.quiet });
    const rows = parseCatalog(readFileSync(join(dir, 'catalog.csv'), 'utf8'));
    console.log(`${built ? 'built' : 'found'} the demo survey in ${dir}:`);
    console.log(summarizeCatalog(rows));
    console.log(`\nInspect a file:  npx skyclip inspect ${join(dir, 'images', `${rows[0].id}.fits`)}`);
    console.log(`Make figures:    npm run figures -- --data ${dir} --out /tmp/figures`);
    return 0;
  },
};
