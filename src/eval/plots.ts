/**
 * The report's figures, drawn with src/viz and written as SVG and PNG side by side:
 * - redshift-scatter: predicted vs true redshift per (feature set, method), with the 1:1 line;
 * - redshift-pit: PIT histograms of the k-NN predictive distributions (flat at 1 = calibrated);
 * - label-efficiency: redshift R^2 against the number of labels (log axis).
 * The panels take the numbers the report holds; nothing here computes a metric.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gridLayout, histogramPlot, linePlot, scatterPlot, svgToPng, toSvg, type LineSeries, type Panel } from '../viz/index.js';

export interface PlotFiles {
  svg: string;
  png: string;
}

/** Writes a panel as base.svg and base.png (2x, for sharp text). */
export async function writePanel(panel: Panel, dir: string, base: string): Promise<PlotFiles> {
  const svg = toSvg(panel);
  const files = { svg: join(dir, `${base}.svg`), png: join(dir, `${base}.png`) };
  await writeFile(files.svg, svg);
  await svgToPng(svg, files.png, { scale: 2 });
  return files;
}

export interface ScatterInput {
  title: string;
  truth: ArrayLike<number | null | undefined>;
  predicted: ArrayLike<number>;
}

/**
 * Predicted vs true redshift panels (objects with a true z) with the 1:1 line; every panel has
 * the same axes, covering all truths and predictions, so panels compare at a glance.
 */
export function redshiftScatter(inputs: readonly ScatterInput[], title: string): Panel {
  const points = inputs.map((input) => {
    const x: number[] = [];
    const y: number[] = [];
    for (let i = 0; i < input.truth.length; i++) {
      const t = input.truth[i];
      if (t === null || t === undefined || !Number.isFinite(t) || !Number.isFinite(input.predicted[i])) continue;
      x.push(t);
      y.push(input.predicted[i]);
    }
    return { x, y };
  });
  let lo = 0;
  let hi = 0;
  for (const p of points) for (const v of [...p.x, ...p.y]) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  const pad = 0.03 * (hi - lo || 1);
  const domain: [number, number] = [lo < 0 ? lo - pad : 0, hi + pad];
  const panels = inputs.map((input, k) =>
    scatterPlot([{ ...points[k], radius: 1.6, opacity: 0.45 }], {
      width: 380,
      height: 340,
      title: input.title,
      xLabel: 'true z',
      yLabel: 'predicted z',
      identityLine: true,
      xDomain: domain,
      yDomain: domain,
    }),
  );
  return gridLayout(panels, { columns: Math.min(4, panels.length), title });
}

export interface PitInput {
  title: string;
  /** Density per equal bin over [0, 1] (1 = flat). */
  density: readonly number[];
}

export function pitHistograms(inputs: readonly PitInput[], title: string): Panel {
  const panels = inputs.map((input) => {
    const bins = input.density.length;
    const edges = Array.from({ length: bins + 1 }, (_, i) => i / bins);
    const top = Math.max(2, ...input.density.filter(Number.isFinite)) * 1.05;
    return histogramPlot([{ edges, counts: input.density.map((d) => (Number.isFinite(d) ? d : 0)) }], {
      width: 340,
      height: 260,
      title: input.title,
      xLabel: 'PIT',
      yLabel: 'density',
      xDomain: [0, 1],
      yDomain: [0, top],
      hLines: [{ at: 1, label: 'calibrated' }],
    });
  });
  return gridLayout(panels, { columns: Math.min(3, panels.length), title });
}

export interface CurveInput {
  label: string;
  r2: readonly number[];
  dash?: string;
}

/** R^2 against labels; values below the axis floor are drawn at the floor (the report keeps the true values). */
export function labelEfficiencyPlot(sizes: readonly number[], curves: readonly CurveInput[], title: string): Panel {
  const floor = -0.5;
  const finite = curves.flatMap((c) => c.r2.filter(Number.isFinite));
  const low = Math.max(floor, Math.min(0, ...finite));
  const series: LineSeries[] = curves.map((c) => ({
    label: c.label,
    x: sizes,
    y: c.r2.map((v) => (Number.isFinite(v) ? Math.max(v, low) : Number.NaN)),
    markers: true,
    dash: c.dash,
  }));
  return linePlot(series, {
    width: 720,
    height: 440,
    title,
    xLabel: 'labelled objects',
    yLabel: 'redshift R² on the held-out survey',
    xScale: sizes.length > 1 && sizes[0] > 0 ? 'log' : 'linear',
    yDomain: [low, 1],
    legend: 'top-left',
    hLines: [{ at: 0, label: 'R² 0 = predicting the mean' }],
  });
}
