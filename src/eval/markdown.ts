/**
 * report.md: the evaluation as a page that reads like AstroCLIP's results table (rows = method
 * and embedding, columns = redshift R^2 from images and from spectra, the four property R^2s,
 * morphology accuracy), followed by the detail behind every cell: photo-z metrics and interval
 * coverage, properties, morphology per question, retrieval, the label-efficiency curve and the
 * supervised baseline. Every number comes from report.json; a cell with nothing behind it says
 * so ('—' for not applicable, 'not run' for a baseline that was not given).
 */
import { GZ_QUESTIONS } from '../heads/index.js';
import { FAMILY_LABELS } from './features.js';
import { isSkipped, type Method, METHOD_LABELS, METHODS, type RegressionSummary, type ClassificationSummary } from './probe.js';
import { accuracyOf, type EvalReport, PROPERTY_COLUMNS, PROPERTY_LABELS, r2Of, type TargetResult } from './report.js';
import type { DirectionSummary } from './retrieval.js';
import type { SupervisedSummary } from './supervised.js';

const DASH = '—';

function fmt(v: number | null | undefined, digits = 2): string {
  return v === null || v === undefined || !Number.isFinite(v) ? DASH : v.toFixed(digits);
}

function pct(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? DASH : `${(100 * v).toFixed(1)} %`;
}

function pair(a: string, b: string): string {
  return a === DASH && b === DASH ? DASH : `${a} / ${b}`;
}

/** Redshift R^2 over galaxies (the headline's sample), or null. */
function galaxyR2(res: TargetResult | undefined): number | null {
  if (!res || isSkipped(res) || !('r2Galaxies' in res) || res.r2Galaxies === undefined) return null;
  return Number.isFinite(res.r2Galaxies) ? res.r2Galaxies : null;
}

function result(r: EvalReport, column: string, feature: string, method: Method): TargetResult | undefined {
  return r.targets[column]?.results[feature]?.[method];
}

function table(header: string[], rows: string[][]): string[] {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)];
}

function fewShotLabel(r: EvalReport): string {
  const draws = r.settings.fewShotDraws;
  return `few-shot MLP (${r.settings.fewShotLabels} labels${draws > 1 ? `, mean of ${draws} draws` : ''})`;
}

/** A few-shot mean with its spread over the label draws, e.g. "0.463 ± 0.051". */
function withSpread(value: number | undefined, spread: RegressionSummary['spread'], key: string, digits: number): string {
  const sd = spread?.sd[key];
  return sd === undefined ? fmt(value, digits) : `${fmt(value, digits)} ± ${fmt(sd, digits)}`;
}

/** The headline table: one row per (feature family, method) plus the supervised baseline. */
export function headlineTable(r: EvalReport): string[] {
  const header = ['method', 'features', 'z R² image', 'z R² spectrum', ...PROPERTY_COLUMNS.map((c) => `${PROPERTY_LABELS[c]} R² img / spec`), 'props mean img / spec', 'morphology acc. img / spec'];
  const rows: string[][] = [];
  const families: Array<{ family: string; image?: string; spectrum?: string }> = [
    { family: 'skyclip', image: 'skyclip-image', spectrum: 'skyclip-spectrum' },
    { family: 'random', image: 'random-image', spectrum: 'random-spectrum' },
    { family: 'photometry', image: 'photometry' },
    { family: 'pixels', spectrum: 'spectrum-pixels' },
  ];
  for (const f of families) {
    for (const method of METHODS) {
      const label = method === 'fewshot' ? fewShotLabel(r) : METHOD_LABELS[method];
      const img = (c: string) => (f.image ? fmt(r2Of(result(r, c, f.image, method))) : DASH);
      const spec = (c: string) => (f.spectrum ? fmt(r2Of(result(r, c, f.spectrum, method))) : DASH);
      const zOf = (feature: string | undefined) => (feature ? fmt(galaxyR2(result(r, 'z', feature, method))) : DASH);
      const agg = (feature: string | undefined) => (feature ? r.aggregates[feature]?.[method] : undefined);
      rows.push([
        label,
        FAMILY_LABELS[f.family as keyof typeof FAMILY_LABELS],
        zOf(f.image),
        zOf(f.spectrum),
        ...PROPERTY_COLUMNS.map((c) => pair(img(c), spec(c))),
        pair(fmt(agg(f.image)?.propertiesMeanR2), fmt(agg(f.spectrum)?.propertiesMeanR2)),
        pair(fmt(agg(f.image)?.morphologyMeanAccuracy), fmt(agg(f.spectrum)?.morphologyMeanAccuracy)),
      ]);
    }
  }
  const sup = Array.isArray(r.supervised) ? r.supervised : [];
  const byModality = (m: 'image' | 'spectrum') => sup.find((s) => s.modality === m);
  const supCell = (s: SupervisedSummary | undefined, c: string) => (s ? (s.targets[c] ? fmt(s.targets[c].r2) : DASH) : 'not run');
  const si = byModality('image');
  const ss = byModality('spectrum');
  const propMean = (s: SupervisedSummary | undefined) => {
    if (!s) return 'not run';
    const v = PROPERTY_COLUMNS.map((c) => s.targets[c]?.r2);
    return v.every((x) => x !== undefined && Number.isFinite(x)) ? fmt((v as number[]).reduce((a, b) => a + b, 0) / v.length) : DASH;
  };
  const supZ = (s: SupervisedSummary | undefined) => (s ? (s.targets.z ? fmt(s.targets.z.r2Galaxies) : DASH) : 'not run');
  rows.push([
    'supervised from scratch',
    'same encoder architecture, end to end',
    supZ(si),
    supZ(ss),
    ...PROPERTY_COLUMNS.map((c) => pair(supCell(si, c), supCell(ss, c))),
    pair(propMean(si), propMean(ss)),
    DASH,
  ]);
  return table(header, rows);
}

const VERDICT = (met: boolean | null) => (met === null ? 'not checked' : met ? '**met**' : '**not met**');

/** The targets on the mock survey, each with the verdict the numbers give. */
export function goalsSection(r: EvalReport): string[] {
  if (!r.goals?.length) return [];
  return [
    '## Targets on the mock survey',
    '',
    'Checked by the report from the numbers above (R² over galaxies; differences with a paired bootstrap over the held-out galaxies, 1,000 resamples).',
    '',
    ...table(['target', 'measured', 'verdict'], r.goals.map((g) => [g.goal, g.measured, VERDICT(g.met)])),
    '',
  ];
}

function regressionRows(r: EvalReport, column: string, photoz: boolean): string[][] {
  const rows: string[][] = [];
  for (const fs of r.featureSets) {
    for (const method of METHODS) {
      const res = result(r, column, fs.name, method);
      if (!res) continue;
      if (isSkipped(res)) {
        rows.push([fs.name, METHOD_LABELS[method], `skipped: ${res.skipped}`, ...Array(photoz ? 11 : 6).fill('')]);
        continue;
      }
      const s = res as RegressionSummary;
      const hyper = Object.entries(s.hyper).map(([k, v]) => `${k}=${v}`).join(', ');
      const labels = s.spread ? `${s.trainLabels} × ${s.spread.draws} draws` : String(s.trainLabels);
      const base = [fs.name, METHOD_LABELS[method], `${s.head} (${hyper}${s.spread ? ', first draw' : ''})`, labels, withSpread(s.r2, s.spread, 'r2', 3)];
      // k-NN: the calibrated coverage, then that of its own distribution's quantiles.
      const own = (calibrated: number, uncalibrated?: number) => (uncalibrated === undefined ? pct(calibrated) : `${pct(calibrated)} (own ${pct(uncalibrated)})`);
      const tail = [own(s.coverage68, s.uncalibrated?.coverage68), own(s.coverage95, s.uncalibrated?.coverage95), fmt(s.width68, 3), s.pit ? fmt(s.pit.ks, 3) : DASH];
      rows.push(photoz ? [...base, withSpread(s.r2Galaxies, s.spread, 'r2Galaxies', 3), fmt(s.sigmaNMAD, 4), pct(s.outlierFraction), fmt(s.bias, 4), ...tail] : [...base, ...tail]);
    }
  }
  return rows;
}

function directionRow(name: string, d: DirectionSummary): string[] {
  return [name, pct(d.recallAt1), pct(d.recallAt10), pct(d.recallAt100), String(d.medianRank), String(d.queries)];
}

/** AstroCLIP's published numbers (ANCHORS.md), quoted as the bar this table is read against. */
const ASTROCLIP_REFERENCE = [
  '| task (R² unless said) | AstroCLIP best | best baseline in the paper |',
  '|---|---|---|',
  '| redshift from images | 0.79 (k-NN) | supervised ResNet18 0.77; photometry MLP 0.68 |',
  '| redshift from spectra | 0.98-0.99 | supervised conv+attention 0.98-0.99 |',
  '| M*, Z_MW, t_age, sSFR from images | 0.74, 0.44, 0.27, 0.44 (mean 0.47) | ResNet18 0.72, 0.44, 0.23, 0.32 (0.43) |',
  '| same from spectra | 0.88, 0.58, 0.43, 0.64 (mean 0.63) | conv+attention 0.85, 0.62, 0.43, 0.67 (0.64) |',
  '| morphology, GZD-5 mean accuracy over 10 questions | 0.76 (0.78 image encoder alone) | Zoobot 0.88 |',
];

const GZ_SHORT: Record<string, string> = {
  gz_smooth_or_featured: 'smooth/featured',
  gz_disk_edge_on: 'edge-on',
  gz_has_spiral_arms: 'spiral',
  gz_bar: 'bar',
  gz_bulge_size: 'bulge',
  gz_how_rounded: 'rounded',
  gz_edge_on_bulge: 'edge-on bulge',
  gz_spiral_winding: 'winding',
  gz_spiral_arm_count: 'arm count',
  gz_merging: 'merging',
};

export function reportMarkdown(r: EvalReport): string {
  const lines: string[] = [];
  const s = r.settings;
  lines.push(`# skyclip evaluation: model \`${r.model.id}\` (${r.model.name})`, '');
  lines.push(
    `Reference (labelled) pool: \`${r.reference.dir}\` (seed ${r.reference.seed}), first ${r.reference.objects} objects: ` +
      `${r.reference.fit} fit (the heads' labels and the k-NN reference), ${r.reference.val} val (k, alpha, l2), ${r.reference.calibration} calibration (conformal intervals).`,
  );
  lines.push(`Scored on the held-out survey \`${r.heldout.dir}\` (seed ${r.heldout.seed}, never used in training; model trained on seeds ${r.model.trainingSeeds.join(', ') || 'none recorded'}): ${r.heldout.objects} objects.`);
  lines.push(`${r.settings.quick ? '**Quick run** (small pools and grids: a smoke test, not the reported numbers). ' : ''}Made ${r.createdAt}${r.gitCommit ? ` at commit ${r.gitCommit}` : ''} in ${r.timings.totalSec.toFixed(0)} s.`, '');

  lines.push('## Headline (AstroCLIP-style)', '');
  lines.push(
    `R² on the ${r.heldout.galaxies} held-out galaxies (AstroCLIP's sample: the properties exist for galaxies only, and redshift here leaves out the ${r.heldout.objects - r.heldout.galaxies} QSOs and stars; all-object numbers are in the Redshift section). ` +
      'Morphology = mean accuracy over the Galaxy Zoo questions that could be scored. "img / spec" = from image embeddings / from spectrum embeddings. Photometry is measured on the images, so it fills the image side only; the raw-spectrum baseline (each spectrum on the model\'s input grid, standardized and binned, no model at all) fills the spectrum side only and shows what the spectra themselves hold.',
    '',
  );
  lines.push(...headlineTable(r), '');
  lines.push(
    'For reading the table: AstroCLIP\'s published numbers on real DESI + Legacy Surveys data (Parker et al. 2024; quoted, not computed here — the mock survey and the model size differ, so compare orderings, not values):',
    '',
    ...ASTROCLIP_REFERENCE,
    '',
  );

  lines.push(...goalsSection(r));

  lines.push('## Redshift', '');
  const nGal = r.heldout.galaxies;
  lines.push(
    `R² over all ${r.heldout.objects} held-out objects, and over the ${nGal} galaxies ("R² galaxies", the headline's: AstroCLIP's sample has no QSOs or stars, and a few high-z QSOs weigh heavily in R²); the other metrics over all objects. ` +
      `Photo-z metrics on dz = (z_pred - z_true)/(1 + z_true): sigma_NMAD = 1.4826 median|dz - median dz|, outliers |dz| > 0.15, bias = median dz. Intervals: every head's are split-conformal (CQR) on the calibration split; for k-NN the coverage of its own predictive distribution's quantiles (k by PIT flatness on val; the PIT KS is of that distribution) follows in brackets.`,
    '',
  );
  lines.push(
    ...table(['features', 'method', 'head', 'labels', 'R²', 'R² galaxies', 'σ_NMAD', 'outliers', 'bias', '68 % cov.', '95 % cov.', '68 % width', 'PIT KS'], regressionRows(r, 'z', true)),
    '',
  );
  lines.push('![Predicted vs true redshift](redshift-scatter.png)', '', '![PIT histograms](redshift-pit.png)', '');

  lines.push('## Galaxy properties (galaxies with labels)', '');
  const propRows: string[][] = [];
  for (const fs of r.featureSets) {
    for (const method of METHODS) {
      const agg = r.aggregates[fs.name]?.[method];
      propRows.push([fs.name, METHOD_LABELS[method], ...PROPERTY_COLUMNS.map((c) => fmt(r2Of(result(r, c, fs.name, method)), 3)), fmt(agg?.propertiesMeanR2, 3)]);
    }
  }
  lines.push(...table(['features', 'method', ...PROPERTY_COLUMNS.map((c) => `${PROPERTY_LABELS[c]} (${c})`), 'mean'], propRows), '');
  for (const c of PROPERTY_COLUMNS) {
    lines.push(`<details><summary>${PROPERTY_LABELS[c]} (${c}): coverage and heads</summary>`, '');
    lines.push(...table(['features', 'method', 'head', 'labels', 'R²', '68 % cov.', '95 % cov.', '68 % width', 'PIT KS'], regressionRows(r, c, false)), '', '</details>', '');
  }

  lines.push('## Morphology and class', '');
  lines.push('Accuracy on the held-out objects for which the question was asked (Galaxy Zoo DECaLS decision tree); `class` = spectral class. n = held-out objects scored.', '');
  const morphCols = ['class', ...GZ_QUESTIONS];
  const nRow = ['n', '', ...morphCols.map((c) => {
    const any = r.featureSets.map((fs) => result(r, c, fs.name, 'knn')).find((x) => x && !isSkipped(x)) as ClassificationSummary | undefined;
    return any ? String(any.count) : '0';
  }), ''];
  const morphRows: string[][] = [nRow];
  for (const fs of r.featureSets) {
    for (const method of METHODS) {
      morphRows.push([fs.name, METHOD_LABELS[method], ...morphCols.map((c) => fmt(accuracyOf(result(r, c, fs.name, method)), 3)), fmt(r.aggregates[fs.name]?.[method]?.morphologyMeanAccuracy, 3)]);
    }
  }
  lines.push(...table(['features', 'method', ...morphCols.map((c) => GZ_SHORT[c] ?? c), 'GZ mean'], morphRows), '');

  lines.push('## Cross-modal retrieval', '');
  const ret = r.retrieval.skyclip;
  lines.push(`Groups of ${ret.candidates} held-out objects (${ret.groups} group${ret.groups === 1 ? '' : 's'}): each image ranks the group's spectra and vice versa.`, '');
  lines.push(
    ...table(['model / direction', 'recall@1', 'recall@10', 'recall@100', 'median rank', 'queries'], [
      directionRow('skyclip image -> spectrum', r.retrieval.skyclip.imageToSpectrum),
      directionRow('skyclip spectrum -> image', r.retrieval.skyclip.spectrumToImage),
      directionRow('random-init image -> spectrum', r.retrieval.random.imageToSpectrum),
      directionRow('random-init spectrum -> image', r.retrieval.random.spectrumToImage),
      ['chance', pct(ret.chance.recallAt1), pct(ret.chance.recallAt10), pct(ret.chance.recallAt100), String(ret.chance.medianRank), ''],
    ]),
    '',
  );

  lines.push('## Label efficiency (redshift)', '');
  lines.push(`R² on the held-out survey against the labels used (nested random subsets of the ${r.labelEfficiency.fitLabels} labelled fit objects). Hyperparameters use only those labels: k = min(${s.curveK}, N), ridge alpha on its own 20 % hold-out.`, '');
  lines.push(
    ...table(['features', 'method', ...r.labelEfficiency.sizes.map((n) => `N=${n}`)], r.labelEfficiency.series.map((c) => [c.feature, METHOD_LABELS[c.method], ...c.r2.map((v) => fmt(v, 3))])),
    '',
    '![Label efficiency](label-efficiency.png)',
    '',
  );

  lines.push('## Supervised baseline', '');
  if (Array.isArray(r.supervised)) {
    for (const sup of r.supervised) {
      lines.push(`\`${sup.dir}\` (model ${sup.modelId}, ${sup.modality} encoder trained from scratch for ${sup.steps} steps on seeds ${sup.trainingSeeds.join(', ')}${sup.samplesPerSec ? `, ${sup.samplesPerSec.toFixed(1)} samples/s` : ''}):`, '');
      lines.push(
        ...table(['target', 'R²', 'R² galaxies', 'σ_NMAD', 'outliers', 'bias', 'n'], Object.entries(sup.targets).map(([c, t]) => [c, fmt(t.r2, 3), fmt(t.r2Galaxies, 3), fmt(t.sigmaNMAD, 4), pct(t.outlierFraction), fmt(t.bias, 4), String(t.count)])),
        '',
      );
    }
  } else {
    lines.push(`Not run: ${r.supervised.hint}`, '');
  }

  lines.push('## Protocol', '');
  lines.push(
    `- Features are standard-scaled with the fit split's statistics. k-NN is distance-weighted with Euclidean distance on the scaled features (scikit-learn's weights='distance', AstroCLIP's zero-shot protocol); k from ${s.kGrid.join(', ')}.`,
    `- Linear probe: ridge (alpha on val) / multinomial logistic regression (l2 from ${s.l2Grid.join(', ')} on val), on the whole fit split.`,
    `- Few-shot: ${s.fewShotLabels} labelled fit objects per target, drawn ${s.fewShotDraws} times (seeds ${s.seed} to ${s.seed + s.fewShotDraws - 1}); every few-shot number is the mean over the draws (± their standard deviation where shown), hyperparameters and plots are the first draw's; MLP hidden ${s.fewShotHidden.join('x')}, at most ${s.mlpEpochs} epochs, early stopping on 20 % of those labels; prototype head when a class has fewer than ${s.fewShotMinPerClass} examples.`,
    `- Random-init baseline: the same architecture built with seed ${r.randomEncoder.seed} (model ${r.randomEncoder.id}), embedded and probed identically; nothing in it is trained or fitted (a spectrum principal-axis readout keeps zero axes, so it adds nothing).`,
    `- Photometry baseline: g, r, z aperture fluxes measured on the cutouts (radius ${s.apertures.magnitudeRadiusArcsec}" for magnitudes, ${s.apertures.colourRadiusArcsec}" for colours), asinh magnitudes softened by the measured aperture noise; features g, r, z, g-r, r-z.`,
    ...r.notes.map((n) => `- ${n}`),
    '',
  );
  lines.push('Files: `report.json` (every number here and more), `predictions-z.csv` (held-out redshift predictions of every head), the figures as PNG and SVG.', '');
  return lines.join('\n');
}
