/**
 * The plotting toolkit, in one import: charts return `Panel`s, `gridLayout` arranges them,
 * `toSvg` makes a document and `svgToPng` a PNG. Cutouts and spectra have their own plots.
 *
 *   const panel = linePlot([{ label: 'train', x: steps, y: loss }], { yScale: 'log', title: 'Loss' });
 *   await svgToPng(toSvg(panel), 'docs/figures/loss.png', { scale: 2 });
 */
export { type AxesOptions, type LegendPosition, type RefLine, type TickSpec, AXES_DEFAULTS } from './axes.js';
export { histogram, type Histogram, type HistogramOptions } from './bin.js';
export {
  cutoutRgb,
  cutoutPng,
  writeCutoutPng,
  montagePng,
  writeMontagePng,
  upscaleNearest,
  CUTOUT_DEFAULTS,
  MONTAGE_DEFAULTS,
  type CutoutOptions,
  type MontageItem,
  type MontageOptions,
  type RgbImage,
} from './cutout.js';
export { gridLayout, type GridOptions } from './layout.js';
export {
  linePlot,
  scatterPlot,
  histogramPlot,
  barChart,
  type LineSeries,
  type ScatterSeries,
  type ScatterOptions,
  type HistogramSeries,
  type BarChartOptions,
} from './plot.js';
export { svgToPng, svgToPngBuffer, type RasterOptions, type RasterInfo } from './raster.js';
export { niceTicks, niceDomain, logTicks, formatTick, linearScale, logScale, type Scale, type ScaleType } from './scale.js';
export {
  spectrumPlot,
  smoothMasked,
  validPixels,
  SPECTRAL_LINES,
  QSO_LINES,
  STELLAR_LINES,
  SPECTRUM_DEFAULTS,
  type SpectralLine,
  type SpectrumData,
  type SpectrumPlotOptions,
} from './spectrum-plot.js';
export { toSvg, escapeXml, type Panel, type SvgDocumentOptions } from './svg.js';
export { PALETTE, THEME } from './theme.js';
