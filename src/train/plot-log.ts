/**
 * The training-curve figure of a run: train loss (thin, plus a running mean) and validation
 * loss against the step, from the loop's log.jsonl; masked-modeling runs also draw their
 * predict-the-mean baseline as a dashed reference line. Written as SVG and PNG.
 *
 *   const records = await readLogRecords('runs/tiny/pretrain-image');
 *   await writeLossPlot(records, 'models/tiny/training-log/pretrain-image/loss', {
 *     title: 'Image MAE pretraining', baseline: 0.93 });   // -> loss.svg, loss.png
 */
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { linePlot, svgToPng, toSvg, type LineSeries, type RefLine } from '../viz/index.js';
import type { LogRecord } from './loop.js';

/** Every record of runDir/log.jsonl (empty when the run has none). */
export async function readLogRecords(runDir: string): Promise<LogRecord[]> {
  let text: string;
  try {
    text = await readFile(join(runDir, 'log.jsonl'), 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as LogRecord);
}

/** Trailing mean over `window` points (the first points average what there is). */
export function runningMean(values: readonly number[], window: number): number[] {
  const out: number[] = [];
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i];
    if (i >= window) sum -= values[i - window];
    out.push(sum / Math.min(i + 1, window));
  }
  return out;
}

export interface LossPlotOptions {
  title?: string;
  /** Predict-the-mean baseline (masked modeling), drawn as a dashed horizontal line. */
  baseline?: number;
  /** Label of the baseline line. Default 'predict-the-mean baseline'. */
  baselineLabel?: string;
}

/** The figure as an SVG document. */
export function lossPlotSvg(records: readonly LogRecord[], options: LossPlotOptions = {}): string {
  const train = records.filter((r) => r.kind === 'train' && Number.isFinite(r.loss));
  const val = records.filter((r) => r.kind === 'val' && Number.isFinite(r.loss));
  const series: LineSeries[] = [];
  if (train.length > 0) {
    const steps = train.map((r) => r.step);
    const losses = train.map((r) => r.loss);
    series.push({ x: steps, y: losses, width: 0.8, opacity: 0.35, color: '#1f77b4' });
    const window = Math.max(1, Math.round(train.length / 50));
    series.push({ label: window > 1 ? `train (mean of ${window} steps)` : 'train', x: steps, y: runningMean(losses, window), color: '#1f77b4' });
  }
  if (val.length > 0) {
    series.push({ label: 'validation', x: val.map((r) => r.step), y: val.map((r) => r.loss), color: '#d62728', markers: true });
  }
  if (series.length === 0) series.push({ label: 'no records', x: [0], y: [0] });
  const all = [...train, ...val].map((r) => r.loss);
  if (options.baseline !== undefined && Number.isFinite(options.baseline)) all.push(options.baseline);
  const positive = all.length > 0 && all.every((v) => v > 0);
  const spread = positive ? Math.max(...all) / Math.min(...all) : 1;
  const hLines: RefLine[] =
    options.baseline !== undefined && Number.isFinite(options.baseline)
      ? [{ at: options.baseline, label: options.baselineLabel ?? 'predict-the-mean baseline', dash: '6 4', color: '#555555' }]
      : [];
  // A fixed domain that holds the data and the baseline (automatic domains ignore reference lines).
  const log = spread > 20;
  const lo = all.length > 0 ? Math.min(...all) : 0;
  const hi = all.length > 0 ? Math.max(...all) : 1;
  const pad = (hi - lo) * 0.05 || Math.abs(hi) * 0.05 || 1;
  const yDomain: [number, number] = log ? [lo / 1.15, hi * 1.15] : [lo - pad, hi + pad];
  const panel = linePlot(series, {
    title: options.title,
    xLabel: 'step',
    yLabel: 'loss',
    yScale: log ? 'log' : 'linear',
    yDomain,
    hLines,
    legend: 'bottom-left', // loss curves fall from the top left; the baseline label sits top right
    width: 720,
    height: 420,
  });
  return toSvg(panel);
}

/** Writes `<base>.svg` and `<base>.png`; returns their paths. */
export async function writeLossPlot(records: readonly LogRecord[], base: string, options: LossPlotOptions = {}): Promise<{ svg: string; png: string }> {
  const svg = lossPlotSvg(records, options);
  await mkdir(dirname(base), { recursive: true });
  const paths = { svg: `${base}.svg`, png: `${base}.png` };
  await writeFile(paths.svg, svg);
  await svgToPng(svg, paths.png, { scale: 2 });
  return paths;
}
