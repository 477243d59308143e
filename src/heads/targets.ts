/**
 * The downstream targets skyclip evaluates, as data: which catalogue column, which kind of head,
 * and which extra metrics apply. Column names are those of the mock survey's catalogue
 * (src/sim/catalog-columns.ts); AstroCLIP's property-estimation and morphology tasks.
 */
export type TargetTask = 'regression' | 'classification';

export interface DownstreamTarget {
  /** Catalogue column. */
  column: string;
  task: TargetTask;
  /** Photo-z metrics (sigma_NMAD, outlier fraction, bias) apply: redshift only. */
  photoz?: boolean;
  description: string;
}

/** Galaxy Zoo DECaLS questions (AstroCLIP reports the mean accuracy over these ten). */
export const GZ_QUESTIONS: readonly string[] = [
  'gz_smooth_or_featured',
  'gz_disk_edge_on',
  'gz_has_spiral_arms',
  'gz_bar',
  'gz_bulge_size',
  'gz_how_rounded',
  'gz_edge_on_bulge',
  'gz_spiral_winding',
  'gz_spiral_arm_count',
  'gz_merging',
];

export const DOWNSTREAM_TARGETS: readonly DownstreamTarget[] = [
  { column: 'z', task: 'regression', photoz: true, description: 'redshift' },
  { column: 'logmstar', task: 'regression', description: 'log10 stellar mass' },
  { column: 'logssfr', task: 'regression', description: 'log10 specific star-formation rate' },
  { column: 'zmw', task: 'regression', description: 'mass-weighted stellar metallicity' },
  { column: 'tage', task: 'regression', description: 'mass-weighted stellar age' },
  { column: 'class', task: 'classification', description: 'spectral class' },
  ...GZ_QUESTIONS.map((column) => ({ column, task: 'classification' as const, description: `Galaxy Zoo answer: ${column.slice(3)}` })),
];

/** The target of a catalogue column, or undefined. */
export function downstreamTarget(column: string): DownstreamTarget | undefined {
  return DOWNSTREAM_TARGETS.find((t) => t.column === column);
}
