/**
 * Unrelated objects in the field of a cutout: background/foreground galaxies from deep r-band number
 * counts and Galactic stars, placed at random. They are part of the image (as in any real cutout)
 * but not of the object's spectrum or catalogue fluxes.
 */
import type { NeighbourConfig } from './config.js';
import { drawCountsMagnitude, Population, roundN } from './population.js';
import type { Rng } from '../util/random.js';
import type { TemplateId } from './templates.js';

export interface Neighbour {
  kind: 'galaxy' | 'star';
  /** Pixel position (x, y). */
  x: number;
  y: number;
  /** g, r, z nanomaggies. */
  flux: [number, number, number];
  /** Galaxies only. */
  n: number;
  reArcsec: number;
  q: number;
  paRad: number;
}

/** Expected number of galaxies per deg^2 between magnitudes m1 and m2 for dN/dm = A 10^(s (m - 22.5)). */
export function galaxiesPerDeg2(cfg: NeighbourConfig): number {
  const [m1, m2] = cfg.magRange;
  const s = cfg.galaxyCountSlope;
  return (cfg.galaxyCountsAt22_5 / (s * Math.LN10)) * (Math.pow(10, s * (m2 - 22.5)) - Math.pow(10, s * (m1 - 22.5)));
}

/**
 * Draws the neighbours of one stamp (size x size pixels of `pixelScale` arcsec), with a 10-pixel
 * margin so objects just outside can spill light in.
 */
export function drawNeighbours(
  rng: Rng,
  cfg: NeighbourConfig,
  population: Population,
  starWeights: Record<string, number>,
  size: number,
  pixelScale: number,
): Neighbour[] {
  if (!cfg.enabled) return [];
  const margin = 10;
  const side = size + 2 * margin;
  const areaArcmin2 = (side * pixelScale) ** 2 / 3600;
  const nGal = rng.poisson((galaxiesPerDeg2(cfg) * areaArcmin2) / 3600);
  const nStar = rng.poisson(cfg.starsPerArcmin2 * areaArcmin2);
  const out: Neighbour[] = [];
  const place = () => [rng.range(-margin, size + margin) - 0.5, rng.range(-margin, size + margin) - 0.5];
  for (let i = 0; i < nGal; i++) {
    const r = drawCountsMagnitude(rng, cfg.magRange[0], cfg.magRange[1], cfg.galaxyCountSlope);
    // Fainter galaxies are further away and smaller (a rough magnitude-redshift and size-magnitude trend).
    const z = Math.min(1.5, Math.max(0.02, 0.05 + 0.13 * (r - 17) + 0.12 * rng.normal()));
    const mix = Population.sequenceMix(rng.range(0, 4));
    const f = population.mixFluxes(mix, z);
    const scale = Math.pow(10, -0.4 * (r - 22.5)) / f[1];
    const [x, y] = place();
    out.push({
      kind: 'galaxy',
      x,
      y,
      flux: [f[0] * scale, f[1] * scale, f[2] * scale],
      n: rng.chance(0.65) ? roundN(rng.range(0.7, 1.5)) : roundN(rng.range(2.5, 4.5)),
      reArcsec: Math.min(4, Math.max(0.08, Math.pow(10, Math.log10(0.7) - 0.08 * (r - 21) + 0.2 * rng.normal()))),
      q: rng.range(0.25, 1),
      paRad: rng.range(0, Math.PI),
    });
  }
  const ids = Object.keys(starWeights);
  for (let i = 0; i < nStar; i++) {
    const r = drawCountsMagnitude(rng, 16, 23, 0.15);
    const id = ids[rng.pick(ids.map((k) => starWeights[k]))] as TemplateId;
    const [gr, zr] = population.starFluxRatios(id);
    const fr = Math.pow(10, -0.4 * (r - 22.5));
    const [x, y] = place();
    out.push({ kind: 'star', x, y, flux: [gr * fr, fr, zr * fr], n: 0, reArcsec: 0, q: 1, paRad: 0 });
  }
  return out;
}
