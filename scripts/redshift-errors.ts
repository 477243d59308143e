/**
 * The largest redshift errors of one head of an evaluation report, with the catalogue columns
 * that say what the objects are: where an R^2 shortfall sits (src/eval/error-budget.ts).
 *
 *   node --import tsx scripts/redshift-errors.ts --report models/tiny/report \
 *     --catalog runs/train-tiny/sim-heldout/catalog.csv [--column skyclip-spectrum/knn] \
 *     [--compare spectrum-pixels/knn] [--top 15] [--all-objects]
 *
 * Reads REPORT/predictions-z.csv (written by `skyclip eval`: one row per held-out object, one
 * column per head) and the held-out survey's catalog.csv. Galaxies only by default, as the
 * report's headline R^2. Prints a markdown table: each object's true and predicted z, the ratio
 * (1 + z_true) / (1 + z_pred) (a constant ratio across rows points at one feature mistaken for
 * another), the --compare head's prediction for the same object, the cumulative share of the
 * residual sum of squares and the R^2 left if these objects were predicted exactly.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorBudget } from '../src/eval/error-budget.js';
import { parseCsv, type CsvTable } from '../src/ingest/csv.js';
import { scriptCli } from './script-cli.js';

const cli = scriptCli('redshift-errors');
const fail: (message: string) => never = cli.fail; // annotated, so a call narrows like a declared function
const values = cli.parse({
  report: { type: 'string' },
  catalog: { type: 'string' },
  column: { type: 'string', default: 'skyclip-spectrum/knn' },
  compare: { type: 'string', default: 'spectrum-pixels/knn' },
  top: { type: 'string', default: '15' },
  'all-objects': { type: 'boolean', default: false },
});

function readTable(path: string): CsvTable {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    fail(`cannot read ${path}: ${(e as Error).message}`);
  }
  try {
    return parseCsv(text, path);
  } catch (e) {
    fail((e as Error).message);
  }
}

function columnIndex(table: CsvTable, name: string, path: string): number {
  const i = table.header.indexOf(name);
  if (i < 0) fail(`${path} has no column '${name}' (it has: ${table.header.join(', ')})`);
  return i;
}

/** Empty cells (a head that was skipped) become NaN, which errorBudget leaves out. */
const numberOf = (cell: string | undefined): number => (cell === undefined || cell.trim() === '' ? Number.NaN : Number(cell));

if (!values.report || !values.catalog) fail('--report DIR and --catalog FILE are required');
const top = Number(values.top);
if (!Number.isInteger(top) || top < 1) fail(`--top must be a positive integer, got '${values.top}'`);

const predictionsPath = join(values.report, 'predictions-z.csv');
const predictions = readTable(predictionsPath);
const catalog = readTable(values.catalog);
const [idCol, truthCol, headCol] = ['id', 'z_true', values.column].map((c) => columnIndex(predictions, c, predictionsPath));
const compareCol = predictions.header.indexOf(values.compare); // optional: absent in reports without the baseline
const catalogCols = Object.fromEntries(
  ['id', 'class', 'sample', 'templates', 'spec_snr_r'].map((c) => [c, columnIndex(catalog, c, values.catalog!)]),
) as Record<'id' | 'class' | 'sample' | 'templates' | 'spec_snr_r', number>;
const byId = new Map(catalog.rows.map((r) => [r.cells[catalogCols.id], r.cells]));

const rows = predictions.rows.filter((r) => {
  const entry = byId.get(r.cells[idCol]);
  if (!entry) fail(`${r.cells[idCol]} (line ${r.line} of ${predictionsPath}) is not in ${values.catalog}: is it the held-out survey the report scored?`);
  return values['all-objects'] || entry[catalogCols.class] === 'GALAXY';
});
const truth = rows.map((r) => numberOf(r.cells[truthCol]));
const predicted = rows.map((r) => numberOf(r.cells[headCol]));
const budget = errorBudget(truth, predicted, top);
if (budget.count === 0) fail(`no object has both z_true and a '${values.column}' prediction`);

const fixed = (v: number, d: number) => (Number.isFinite(v) ? v.toFixed(d) : '—');
const scope = values['all-objects'] ? 'objects' : 'galaxies';
console.log(`${values.column} on ${budget.count} ${scope}: R^2 ${fixed(budget.r2, 4)}; its ${budget.rows.length} largest squared errors:`);
console.log('');
console.log(`| id | class | sample | templates | S/N r | z true | z pred | (1+z_true)/(1+z_pred) | ${compareCol >= 0 ? `${values.compare} | ` : ''}share of SS_res (cumulative) | R^2 if exact |`);
console.log(`|---|---|---|---|---|---|---|---|${compareCol >= 0 ? '---|' : ''}---|---|`);
for (const row of budget.rows) {
  const cells = rows[row.index].cells;
  const entry = byId.get(cells[idCol])!;
  const ratio = (1 + row.truth) / (1 + row.predicted);
  const compared = compareCol >= 0 ? `${fixed(numberOf(cells[compareCol]), 3)} | ` : '';
  console.log(
    `| ${cells[idCol]} | ${entry[catalogCols.class]} | ${entry[catalogCols.sample]} | ${entry[catalogCols.templates]} | ${fixed(numberOf(entry[catalogCols.spec_snr_r]), 1)} | ${fixed(row.truth, 3)} | ${fixed(row.predicted, 3)} | ${fixed(ratio, 3)} | ${compared}${(100 * row.cumulativeShare).toFixed(0)} % | ${fixed(row.r2IfExact, 4)} |`,
  );
}
