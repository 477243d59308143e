/**
 * Figures of a simulated survey, for the docs:
 *   docs/figures/mock-cutouts.png        ~24 cutouts spanning classes and redshift, captioned
 *   docs/figures/mock-spectra.{png,svg}  one spectrum per kind (passive, star-forming, LRG,
 *                                        QSO, star) with emission/absorption line markers
 *
 * Usage: node --import tsx scripts/make-figures.ts --data DIR [--out docs/figures] [--cutouts 24]
 * where DIR was written by `skyclip simulate` (catalog.csv, images/<id>.fits, spectra/<id>.fits).
 * QSOs and stars are ~0.7 % and ~0.6 % of a survey, so the docs figures come from
 *   skyclip simulate --n 2000 --seed 7 --out /tmp/figsim --no-shards
 * (a 200-object survey usually has neither; their panels are then left out with a warning).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readImageCube } from '../src/io/image.js';
import { readSpectrum } from '../src/io/spectrum.js';
import { writeMontagePng, type MontageItem } from '../src/viz/cutout.js';
import { gridLayout } from '../src/viz/layout.js';
import { svgToPng } from '../src/viz/raster.js';
import { QSO_LINES, SPECTRAL_LINES, STELLAR_LINES, spectrumPlot, type SpectralLine } from '../src/viz/spectrum-plot.js';
import { toSvg, type Panel } from '../src/viz/svg.js';

const USAGE = 'Usage: node --import tsx scripts/make-figures.ts --data DIR [--out docs/figures] [--cutouts 24]';

interface CatalogRow {
  id: string;
  class: string;
  z: number;
  image_path: string;
  spectrum_path: string;
  /** Every column as text, for kinds the class name alone does not tell (e.g. a subclass). */
  fields: Record<string, string>;
}

/** RFC 4180 CSV: quoted fields may hold commas, quotes ("") and newlines. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      if (row.some((f) => f !== '')) rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  row.push(field);
  if (row.some((f) => f !== '')) rows.push(row);
  return rows;
}

async function readCatalog(dir: string): Promise<CatalogRow[]> {
  const [header, ...rows] = parseCsv(await readFile(join(dir, 'catalog.csv'), 'utf8'));
  for (const col of ['id', 'class', 'z', 'image_path', 'spectrum_path']) {
    if (!header.includes(col)) throw new Error(`${dir}/catalog.csv has no '${col}' column (columns: ${header.join(', ')})`);
  }
  return rows.map((cells) => {
    const fields = Object.fromEntries(header.map((h, i) => [h, cells[i] ?? '']));
    return { id: fields.id, class: fields.class, z: Number(fields.z), image_path: fields.image_path, spectrum_path: fields.spectrum_path, fields };
  });
}

/**
 * The group an object is shown as: its class, split by target sample for galaxies (BGS bright,
 * BGS faint, LRG look different), so the montage spans what the survey holds.
 */
function groupOf(r: CatalogRow): string {
  const sample = r.fields.sample ?? '';
  return r.class === 'GALAXY' && sample ? `GALAXY ${sample}` : r.class;
}

/** Caption line naming the class, and the target sample of a galaxy: "GALAXY (BGS bright)". */
function groupCaption(r: CatalogRow): string {
  const sample = r.fields.sample ?? '';
  if (r.class !== 'GALAXY' || !sample) return r.class;
  return `${r.class} (${sample.replace('BGS_BRIGHT', 'BGS bright').replace('BGS_FAINT', 'BGS faint')})`;
}

/**
 * `n` rows spread over groups and redshift: slots go round-robin over the groups (so each is
 * shown when n allows), and within a group at evenly spaced redshift quantiles. Returned
 * grouped, each group by increasing z, so the montage reads as a sequence.
 */
function spanGroupsAndRedshift(rows: readonly CatalogRow[], n: number): CatalogRow[] {
  const byGroup = new Map<string, CatalogRow[]>();
  for (const r of rows) byGroup.set(groupOf(r), [...(byGroup.get(groupOf(r)) ?? []), r]);
  const groups = [...byGroup.keys()].sort();
  const quota = new Map(groups.map((g) => [g, 0]));
  for (let given = 0, k = 0; given < Math.min(n, rows.length); k++) {
    const g = groups[k % groups.length];
    if (quota.get(g)! < byGroup.get(g)!.length) {
      quota.set(g, quota.get(g)! + 1);
      given++;
    }
  }
  return groups.flatMap((g) => {
    const members = [...byGroup.get(g)!].sort((a, b) => a.z - b.z);
    const q = quota.get(g)!;
    return Array.from({ length: q }, (_, i) => members[Math.round(((i + 0.5) / q) * members.length - 0.5)]);
  });
}

/** Three decimals; a star's tiny radial-velocity redshift prints as 0.000, not -0.000. */
function formatZ(z: number): string {
  return (Math.abs(z) < 5e-4 ? 0 : z).toFixed(3);
}

const isBgs = (r: CatalogRow) => r.class === 'GALAXY' && /^BGS/.test(r.fields.sample ?? '');

const num = (r: CatalogRow, column: string) => {
  const v = Number(r.fields[column]);
  return r.fields[column] === '' || !Number.isFinite(v) ? NaN : v;
};
/** Ascending by a numeric column, missing values last. */
const by = (column: string, sign = 1) => (a: CatalogRow, b: CatalogRow) =>
  (Number.isNaN(num(a, column)) ? 1 : 0) - (Number.isNaN(num(b, column)) ? 1 : 0) || sign * (num(a, column) - num(b, column));

/**
 * The spectrum kinds the figure shows, from the catalogue's class, sample and quenched
 * columns (quenched = sSFR < 1e-11 /yr, PHYSICS.md), and which example of each to show: the
 * brightest (the highest S/N shows the features a reader should see), or for star-forming
 * galaxies the strongest H-alpha emitter.
 */
const SPECTRUM_KINDS: ReadonlyArray<{
  title: string;
  matches: (r: CatalogRow) => boolean;
  best: (a: CatalogRow, b: CatalogRow) => number;
  /** Lines to mark: galaxy lines, the QSO broad lines, or stellar absorption features. */
  lines: readonly SpectralLine[];
}> = [
  { title: 'Passive galaxy', matches: (r) => isBgs(r) && r.fields.quenched === 'true' && r.fields.is_post_starburst !== 'true', best: by('mag_r'), lines: SPECTRAL_LINES },
  { title: 'Star-forming galaxy', matches: (r) => isBgs(r) && r.fields.quenched === 'false', best: by('ha_flux', -1), lines: SPECTRAL_LINES },
  { title: 'Luminous red galaxy', matches: (r) => r.class === 'GALAXY' && r.fields.sample === 'LRG', best: by('mag_z'), lines: SPECTRAL_LINES },
  { title: 'QSO', matches: (r) => r.class === 'QSO', best: by('mag_r'), lines: QSO_LINES },
  { title: 'Star', matches: (r) => r.class === 'STAR', best: by('mag_r'), lines: STELLAR_LINES },
];

async function cutoutFigure(dir: string, rows: readonly CatalogRow[], n: number, path: string): Promise<void> {
  const chosen = spanGroupsAndRedshift(rows, n);
  const items: MontageItem[] = [];
  for (const row of chosen) {
    const image = await readImageCube(join(dir, row.image_path), { bands: ['g', 'r', 'z'] });
    items.push({ cube: image.data, shape: image.shape, caption: `${groupCaption(row)}\nz = ${formatZ(row.z)}` });
  }
  // Cells of at least ~128 px (room for a caption, detail visible), in whole-pixel steps so
  // pixels stay square blocks.
  const width = Math.max(...items.map((it) => it.shape[2]));
  const upscale = Math.max(1, Math.ceil(128 / width));
  const info = await writeMontagePng(items, path, { upscale, columns: Math.min(6, items.length) });
  console.log(`wrote ${path} (${info.width} x ${info.height}, ${items.length} cutouts, x${upscale})`);
}

async function spectrumFigure(dir: string, rows: readonly CatalogRow[], base: string): Promise<void> {
  const panels: Panel[] = [];
  for (const kind of SPECTRUM_KINDS) {
    const row = rows.filter(kind.matches).sort(kind.best)[0];
    if (!row) {
      console.warn(`no '${kind.title}' in the catalog; its panel is left out`);
      continue;
    }
    const spec = await readSpectrum(join(dir, row.spectrum_path));
    const mag = Number.isFinite(num(row, 'mag_r')) ? `, r = ${num(row, 'mag_r').toFixed(1)}` : '';
    const title = `${kind.title}: ${row.id}, z = ${formatZ(row.z)}${mag}`;
    // 15 pixels = 12 A: below the width of the lines marked, enough to show the continuum at S/N ~ 1.
    panels.push(spectrumPlot(spec, { redshift: row.z, lines: kind.lines, smooth: 15, title, width: 1000, height: 280 }));
  }
  if (panels.length === 0) throw new Error('no spectra to plot');
  const svg = toSvg(gridLayout(panels, { columns: 1, title: 'Mock survey spectra (observed frame; grey = masked, ivar = 0)' }));
  await writeFile(`${base}.svg`, svg);
  const info = await svgToPng(svg, `${base}.png`);
  console.log(`wrote ${base}.svg and ${base}.png (${info.width} x ${info.height}, ${panels.length} spectra)`);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      data: { type: 'string' },
      out: { type: 'string', default: 'docs/figures' },
      cutouts: { type: 'string', default: '24' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!values.data) {
    console.error(USAGE);
    return 2;
  }
  const n = Number(values.cutouts);
  if (!(Number.isInteger(n) && n > 0)) {
    console.error(`--cutouts must be a positive integer, got ${values.cutouts}`);
    return 2;
  }
  const dir = resolve(values.data);
  const out = resolve(values.out);
  const rows = await readCatalog(dir);
  console.log(`${rows.length} objects in ${dir}/catalog.csv`);
  await cutoutFigure(dir, rows, n, join(out, 'mock-cutouts.png'));
  await spectrumFigure(dir, rows, join(out, 'mock-spectra'));
  return 0;
}

process.exitCode = await main();
