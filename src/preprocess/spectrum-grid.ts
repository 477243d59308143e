/**
 * Onto the model's wavelength grid: spectra arrive on whatever grid their instrument used
 * (DESI's 0.8 A, SDSS's log-lambda, the templates' 1e-4 dex) and the model wants the
 * contract's fixed linear grid. Each output pixel is the inverse-variance-weighted mean of
 * the input pixels it overlaps (weights = overlap length x ivar), so flux density is
 * conserved, noisy and masked pixels count less or not at all, and the output ivar is the
 * exact inverse variance of that weighted mean.
 */
export interface LinearGrid {
  /** Centre of the first pixel, Angstrom. */
  start: number;
  /** Pixel width, Angstrom. */
  step: number;
  length: number;
}

export interface GriddedSpectrum {
  flux: Float32Array;
  /** 0 where no valid input pixel overlaps (flux is 0 there too: masked, not data). */
  ivar: Float32Array;
}

/** Edges of pixels given their centres (midpoints between neighbours; ends mirrored). */
function pixelEdges(centres: ArrayLike<number>): Float64Array {
  const n = centres.length;
  const edges = new Float64Array(n + 1);
  for (let i = 1; i < n; i++) edges[i] = 0.5 * (centres[i - 1] + centres[i]);
  edges[0] = centres[0] - (n > 1 ? edges[1] - centres[0] : 0.5);
  edges[n] = centres[n - 1] + (n > 1 ? centres[n - 1] - edges[n - 1] : 0.5);
  return edges;
}

/**
 * Resamples (wavelength, flux, ivar) onto `grid`. Wavelengths must increase. Input pixels
 * with ivar = 0 or non-finite flux are ignored.
 */
export function resampleToGrid(
  wavelength: ArrayLike<number>,
  flux: ArrayLike<number>,
  ivar: ArrayLike<number>,
  grid: LinearGrid,
): GriddedSpectrum {
  const n = wavelength.length;
  const inEdges = pixelEdges(wavelength);
  const outFlux = new Float32Array(grid.length);
  const outIvar = new Float32Array(grid.length);
  let j = 0; // first input pixel that may overlap the current output pixel
  for (let i = 0; i < grid.length; i++) {
    const lo = grid.start + (i - 0.5) * grid.step;
    const hi = lo + grid.step;
    while (j < n && inEdges[j + 1] <= lo) j++;
    let weightSum = 0;
    let weightedFlux = 0;
    let varianceTerm = 0; // sum of overlap^2 * ivar
    for (let k = j; k < n && inEdges[k] < hi; k++) {
      const overlap = Math.min(hi, inEdges[k + 1]) - Math.max(lo, inEdges[k]);
      const w = ivar[k];
      if (overlap <= 0 || !(w > 0) || !Number.isFinite(flux[k])) continue;
      weightSum += overlap * w;
      weightedFlux += overlap * w * flux[k];
      varianceTerm += overlap * overlap * w;
    }
    if (weightSum > 0) {
      outFlux[i] = weightedFlux / weightSum;
      outIvar[i] = (weightSum * weightSum) / varianceTerm;
    }
  }
  return { flux: outFlux, ivar: outIvar };
}
