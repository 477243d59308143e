/**
 * The mock survey in memory: `Simulator.create(config)` loads the real ingredients once (templates,
 * filters) and `simulate(i)` returns object i's g, r, z cutout, DESI spectrum and catalogue labels.
 * Object i depends only on (seed, i), so any subset can be made in any order, and nothing here
 * touches the disk after start-up (writer.ts does the files).
 *
 * Example:
 *   const sim = await Simulator.create({ seed: 7 });
 *   const obj = sim.simulate(0);
 *   obj.image;          // Float32Array [3, 96, 96], nanomaggies, bands g r z
 *   obj.spectrum.flux;  // Float32Array [7781], 1e-17 erg/s/cm2/A on sim.wavelength
 *   obj.labels.z;       // true redshift
 *
 * One object, step by step (render):
 * 1. every component of the system (galaxy, merging companion, lensed source; or the star/QSO)
 *    gets its SED on the model grid; the sum is the spectrum, each component's dot products with
 *    the DECam bands are its image fluxes;
 * 2. each component's light profile is drawn once at unit flux and added to the three band images
 *    with its band fluxes (so colours are the SED's), neighbours too; each band is convolved with
 *    that band's PSF; point sources are added as exact PSF integrals;
 * 3. noise: per-pixel Gaussian sky noise plus the objects' shot noise; the spectrum's noise follows
 *    the light in a 1.5" fibre (spectrum.ts).
 */
import { Cosmology } from './cosmology.js';
import { resolveSimConfig, type SimConfig, type SimConfigInput } from './config.js';
import { MODEL_N, desiWavelength } from './desi.js';
import { BANDS, loadFilters, type Band, type Filter } from './filters.js';
import { StampRenderer, ellipseFrame, inDiskFrame, unionBox, type Box } from './image.js';
import { buildLabels, type ObjectLabels } from './labels.js';
import { gzAnswers } from './morphology.js';
import { drawNeighbours } from './neighbours.js';
import { DEFAULT_DATA_DIR } from './paths.js';
import { Population, type GalaxyParams, type ObjectParams } from './population.js';
import { Rng, STREAM } from '../util/random.js';
import { SedBuilder, type RestSed, type SedSpec } from './sed.js';
import { SpectrumObserver } from './spectrum.js';
import { loadTemplateLibrary, type TemplateLibrary } from './templates.js';

export interface SimulateOptions {
  /** Also return the noiseless products (tests, figures). */
  truth?: boolean;
}

export interface SimTruth {
  /** Noiseless image of the object alone (no neighbours, no artifact), [3, size, size]. */
  objectImage: Float64Array;
  /** Noiseless image as observed (object + neighbours + artifact), [3, size, size]. */
  noiselessImage: Float64Array;
  /** Noiseless model spectrum on the model grid (3000-11000 A, 0.8 A), and its template coverage. */
  modelSpectrum: Float64Array;
  modelValid: Uint8Array;
  /** The spectrum without noise on the DESI grid (0 where masked). */
  spectrumNoiseless: Float32Array;
  /** Centre of the object in pixel coordinates (x, y). */
  center: [number, number];
}

export interface SimulatedObject {
  params: ObjectParams;
  labels: ObjectLabels;
  /** [3, size, size] row-major, bands g, r, z, nanomaggies per pixel. */
  image: Float32Array;
  spectrum: { flux: Float32Array; ivar: Float32Array };
  truth?: SimTruth;
}

const FWHM_PER_SIGMA = 2 * Math.sqrt(2 * Math.LN2);

/** Filters and templates are read-only once loaded: simulators on the same data folder share them. */
const ingredients = new Map<string, Promise<{ filters: Record<Band, Filter>; library: TemplateLibrary }>>();
function loadIngredients(dataDir: string): Promise<{ filters: Record<Band, Filter>; library: TemplateLibrary }> {
  let entry = ingredients.get(dataDir);
  if (!entry) {
    entry = (async () => {
      const filters = loadFilters(dataDir);
      return { filters, library: await loadTemplateLibrary(dataDir, filters) };
    })();
    entry.catch(() => ingredients.delete(dataDir));
    ingredients.set(dataDir, entry);
  }
  return entry;
}
/**
 * Neighbour galaxies fainter than r = 22 (0.4 nanomaggies; near the noise of a 96-pixel cutout) are
 * drawn as PSF-convolved Gaussians rather than convolved Sersic profiles: the difference is below
 * the noise and it saves most of the convolution time.
 */
const FAINT_NEIGHBOUR_NMGY = Math.pow(10, -0.4 * (22 - 22.5));

export class Simulator {
  readonly config: SimConfig;
  readonly population: Population;
  readonly sed: SedBuilder;
  /** DESI wavelength grid of every spectrum (Angstrom, vacuum). */
  readonly wavelength: Float64Array;
  /** Shape of every image: [bands, y, x]. */
  readonly imageShape: [number, number, number];
  private readonly renderer: StampRenderer;
  private readonly unit: Float64Array;
  private readonly bandBuffers: Float64Array[];
  private readonly componentModel = new Float64Array(MODEL_N);
  private readonly componentValid = new Uint8Array(MODEL_N);
  private readonly normals: Float64Array;
  private readonly noiseless: Float64Array;
  private readonly model = new Float64Array(MODEL_N);
  private readonly valid = new Uint8Array(MODEL_N);
  private readonly spectra = new SpectrumObserver();
  private readonly rest: RestSed;
  private readonly gains: [number, number, number];

  static async create(input: SimConfigInput = {}, options: { dataDir?: string } = {}): Promise<Simulator> {
    const config = resolveSimConfig(input);
    const { filters, library } = await loadIngredients(options.dataDir ?? DEFAULT_DATA_DIR);
    const sed = new SedBuilder(library, new Cosmology(), filters);
    return new Simulator(config, sed, new Population(config, sed));
  }

  private constructor(config: SimConfig, sed: SedBuilder, population: Population) {
    this.config = config;
    this.sed = sed;
    this.population = population;
    this.rest = sed.newRestSed();
    this.wavelength = desiWavelength();
    const size = config.image.size;
    this.imageShape = [3, size, size];
    this.renderer = new StampRenderer(size);
    this.unit = this.renderer.newImage();
    this.normals = this.renderer.newImage();
    this.noiseless = new Float64Array(3 * size * size);
    this.bandBuffers = [0, 1, 2].map(() => this.renderer.newImage());
    // Effective gain (counts per nanomaggy) from sky level / median sky variance per pixel.
    const pix2 = config.image.pixelScale ** 2;
    this.gains = BANDS.map((b) => {
      const fit = config.image.noiseNmgy[b];
      const median = fit.scale + fit.loc;
      const sky = Math.pow(10, -0.4 * (config.image.skyMagPerArcsec2[b] - 22.5)) * pix2;
      return sky / (median * median);
    }) as [number, number, number];
  }

  /** Object i's parameters (no pixels). */
  draw(index: number): ObjectParams {
    return this.population.draw(index);
  }

  /** Object i, complete. */
  simulate(index: number, options: SimulateOptions = {}): SimulatedObject {
    return this.render(this.population.draw(index), options);
  }

  /** Objects start .. start + count - 1, lazily. */
  *simulateRange(start: number, count: number, options: SimulateOptions = {}): Generator<SimulatedObject> {
    for (let i = start; i < start + count; i++) yield this.simulate(i, options);
  }

  /** Turns parameters into image, spectrum and labels (parameters may come from draw() and be edited). */
  render(p: ObjectParams, options: SimulateOptions = {}): SimulatedObject {
    const cfg = this.config;
    const size = cfg.image.size;
    const pix = cfg.image.pixelScale;
    const r = this.renderer;
    const cx = (size - 1) / 2 + p.centerOffsetPx[0];
    const cy = (size - 1) / 2 + p.centerOffsetPx[1];
    const psf = p.conditions.psfSigmaPx;

    const model = this.model;
    const valid = this.valid;
    model.fill(0);
    valid.fill(1);
    const flux: [number, number, number] = [0, 0, 0];
    const intrinsic = this.bandBuffers;
    for (const buf of intrinsic) buf.fill(0);
    let box: Box | null = null;
    let lensMagnification: number | null = null;
    const kpcPerArcsec = this.sed.cosmology.kpcPerArcsec(Math.max(p.z, 1e-4));
    const kpcPerPx = kpcPerArcsec * pix;

    // Adds a component's SED (times `factor`) to the spectrum; returns its band fluxes (unmagnified).
    // The primary (galaxy, star or QSO) sets the spectrum's coverage mask. A secondary component
    // (merging companion, lensed source) adds its light only where its own templates cover: outside,
    // its continuum is left out of the spectrum rather than invented, and the pixel is not masked
    // (masking the whole system for a faint lensed source would leave nothing to see).
    const addSed = (spec: SedSpec, factor = 1, primary = true): [number, number, number] => {
      const tmp = this.componentModel;
      const cover = this.componentValid;
      tmp.fill(0);
      cover.fill(1);
      const rest = this.sed.buildRest(spec, this.rest);
      this.sed.observeInto(spec, rest, tmp, cover);
      if (primary) {
        for (let j = 0; j < MODEL_N; j++) {
          model[j] += factor * tmp[j];
          valid[j] &= cover[j];
        }
      } else {
        for (let j = 0; j < MODEL_N; j++) if (cover[j]) model[j] += factor * tmp[j];
      }
      const f = this.sed.modelPhotometer.all(tmp);
      for (let b = 0; b < 3; b++) flux[b] += factor * f[b];
      return f;
    };
    // Adds the unit-flux profile in this.unit to the band images with band fluxes f.
    const addProfile = (f: [number, number, number], touched: Box | null) => {
      if (!touched) return;
      const u = this.unit;
      for (let b = 0; b < 3; b++) {
        const img = intrinsic[b];
        for (let y = touched.y0; y <= touched.y1; y++) {
          for (let x = touched.x0; x <= touched.x1; x++) img[y * size + x] += f[b] * u[y * size + x];
        }
      }
      box = unionBox(box, touched);
    };

    let pointFlux: [number, number, number] | null = null;
    let single: { box: Box; flux: [number, number, number] } | null = null;
    if (p.galaxy) {
      const f = addSed(p.galaxy.physics.sed);
      const tailFraction = p.merger ? p.merger.tailFraction : 0;
      const primaryBox = this.drawGalaxy(p.galaxy, cx, cy, kpcPerPx, p, tailFraction, 1);
      // One SED, one light profile: this.unit is convolved directly, band by band in cascade.
      if (!p.merger && !p.lens) single = primaryBox ? { box: primaryBox, flux: f } : null;
      else addProfile(f, primaryBox);
      if (p.merger) {
        const m = p.merger;
        const sep = m.separationKpc / kpcPerPx;
        const ang = (m.angleDeg * Math.PI) / 180;
        const fc = addSed(m.companion.physics.sed, 1, false);
        addProfile(fc, this.drawGalaxy(m.companion, cx + sep * Math.cos(ang), cy + sep * Math.sin(ang), kpcPerPx, p, m.tailFraction, -1));
      }
      if (p.lens) {
        const l = p.lens;
        const src = l.source;
        this.unit.fill(0);
        const toPx = 1 / pix;
        const frame = ellipseFrame(src.offsetArcsec[0] * toPx, src.offsetArcsec[1] * toPx, src.q, (src.paDeg * Math.PI) / 180);
        const res = r.addLensedSource(this.unit, cx, cy, l.thetaEArcsec * toPx, { n: src.n, rePx: Math.max(0.05, src.reArcsec * toPx), frame, flux: 1 }, 1);
        lensMagnification = res.magnification;
        if (res.box && res.magnification > 0) {
          const fs = addSed(src.sed, res.magnification, false);
          addProfile(fs, res.box);
        }
      }
    } else if (p.point) {
      pointFlux = addSed(p.point.sed);
    }

    // The noiseless cutout: the object convolved per band (over its own box), then the neighbours.
    const noiseless = this.noiseless;
    noiseless.fill(0);
    const plane = size * size;
    const planes = [0, 1, 2].map((b) => noiseless.subarray(b * plane, (b + 1) * plane));
    if (single) r.convolveBands(this.unit, single.box, psf, single.flux, planes);
    for (let b = 0; b < 3; b++) {
      if (box) r.convolveInto(intrinsic[b], box, psf[b], planes[b]);
      if (pointFlux) r.addPointSource(planes[b], cx, cy, pointFlux[b], psf[b]);
    }
    const objectImage = options.truth ? noiseless.slice() : null;
    const fibreFraction = this.fibreFraction(noiseless.subarray(plane, 2 * plane), cx, cy, flux[1]);

    // Neighbours, each convolved over its own small box (cheaper than one convolution of a box that
    // spans the stamp); faint ones as Gaussians, stars as PSFs.
    const nbRng = Rng.stream(cfg.seed, p.index, STREAM.neighbours);
    const neighbours = drawNeighbours(nbRng, cfg.image.neighbours, this.population, cfg.star.typeWeights, size, pix);
    for (const nb of neighbours) {
      if (nb.kind === 'star') {
        for (let b = 0; b < 3; b++) r.addPointSource(noiseless.subarray(b * plane, (b + 1) * plane), nb.x, nb.y, nb.flux[b], psf[b]);
      } else if (nb.flux[1] < FAINT_NEIGHBOUR_NMGY) {
        // Faint galaxies: Gaussians with the Sersic half-light radius (R_e = 1.1774 sigma), PSF added in quadrature.
        const sMaj = nb.reArcsec / pix / 1.1774;
        const sMin = sMaj * nb.q;
        const c = Math.cos(nb.paRad);
        const sn = Math.sin(nb.paRad);
        for (let b = 0; b < 3; b++) {
          const s2 = psf[b] * psf[b];
          const cxx = sMaj * sMaj * c * c + sMin * sMin * sn * sn + s2;
          const cyy = sMaj * sMaj * sn * sn + sMin * sMin * c * c + s2;
          const cxy = (sMaj * sMaj - sMin * sMin) * c * sn;
          r.addGaussian(noiseless.subarray(b * plane, (b + 1) * plane), nb.x, nb.y, nb.flux[b], cxx, cxy, cyy);
        }
      } else {
        this.unit.fill(0);
        const touched = r.addSersic(this.unit, { n: nb.n, rePx: nb.reArcsec / pix, frame: ellipseFrame(nb.x, nb.y, nb.q, nb.paRad), flux: 1 });
        if (!touched) continue;
        r.convolveBands(this.unit, touched, psf, nb.flux, planes);
      }
    }
    if (p.artifact) {
      const b = BANDS.indexOf(p.artifact.band);
      const view = noiseless.subarray(b * size * size, (b + 1) * size * size);
      r.addTrail(view, (p.artifact.angleDeg * Math.PI) / 180, p.artifact.offsetPx, p.artifact.peakNmgy, psf[b]);
    }

    // Pixel noise: sky (per-object level) plus the sources' shot noise through an effective gain.
    const image = new Float32Array(3 * size * size);
    const noiseRng = Rng.stream(cfg.seed, p.index, STREAM.imageNoise);
    const normals = this.normals;
    for (let b = 0; b < 3; b++) {
      noiseRng.fillNormal(normals);
      const sky = p.conditions.noiseNmgy[b];
      const sky2 = sky * sky;
      const invGain = 1 / this.gains[b];
      // Below this level the source's shot noise adds < 0.5 % to the sky's variance: skip the sqrt.
      const shotFrom = 0.005 * sky2 * this.gains[b];
      const off = b * size * size;
      for (let i = 0; i < size * size; i++) {
        const v = noiseless[off + i];
        const sigma = v > shotFrom ? Math.sqrt(sky2 + v * invGain) : sky;
        image[off + i] = v + sigma * normals[i];
      }
    }

    // Spectrum: noise from the fibre light and the program's depth.
    const sp = cfg.spectrum;
    const sigma0 = sp.sigmaBright * (p.conditions.program === 'dark' ? sp.darkToBrightNoise : 1) * p.conditions.specNoiseFactor;
    const spectrum = this.spectra.observe(model, valid, { sigma0, fibreFraction, shotNoiseFlux: sp.shotNoiseFlux }, Rng.stream(cfg.seed, p.index, STREAM.spectrumNoise));

    const gz = gzAnswers(p, { kpcPerArcsec, psfFwhmArcsec: psf[1] * FWHM_PER_SIGMA * pix });
    const labels = buildLabels(
      p,
      {
        flux,
        gz,
        kpcPerArcsec,
        lensMagnification,
        nNeighbours: neighbours.length,
        fibreFraction,
        snrMedianR: spectrum.snrMedianR,
        snrMedianZ: spectrum.snrMedianZ,
        maskedFraction: spectrum.maskedFraction,
      },
      pix,
      cfg.split,
    );
    const out: SimulatedObject = { params: p, labels, image, spectrum: { flux: spectrum.flux, ivar: spectrum.ivar } };
    if (options.truth && objectImage) {
      out.truth = {
        objectImage,
        noiselessImage: noiseless.slice(),
        modelSpectrum: model.slice(),
        modelValid: valid.slice(),
        spectrumNoiseless: spectrum.noiseless.slice(),
        center: [cx, cy],
      };
    }
    return out;
  }

  /**
   * Draws a galaxy's unit-flux light (bulge, disc with arms and bar, tidal features or merger tail)
   * into this.unit and returns the touched box. `tailSense` orients a merger tail away from the partner.
   */
  private drawGalaxy(g: GalaxyParams, cx: number, cy: number, kpcPerPx: number, p: ObjectParams, tailFraction: number, tailSense: 1 | -1): Box | null {
    const r = this.renderer;
    const u = this.unit;
    u.fill(0);
    const s = g.structure;
    const pa = (s.paDeg * Math.PI) / 180;
    const tidal = tailSense === 1 ? p.tidal : null;
    const featureFraction = tidal ? tidal.fraction : tailFraction;
    const body = 1 - featureFraction;
    let box: Box | null = null;
    const add = (b: Box | null) => {
      if (b) box = unionBox(box, b);
    };
    if (s.bulge && s.bt > 0) {
      add(r.addSersic(u, { n: s.bulge.n, rePx: s.bulge.reKpc / kpcPerPx, frame: ellipseFrame(cx, cy, s.bulge.q, pa), flux: body * s.bt }));
    }
    if (s.disk && s.bt < 1) {
      const diskLight = body * (1 - s.bt);
      const barFraction = s.bar ? s.bar.fraction : 0;
      const rePx = s.disk.reKpc / kpcPerPx;
      const arms = s.arms
        ? {
            count: s.arms.count,
            pitch: (s.arms.pitchDeg * Math.PI) / 180,
            amplitude: s.arms.amplitude,
            phase: (s.arms.phaseDeg * Math.PI) / 180,
            innerRadius: Math.max(0.5, s.bulge ? (1.5 * s.bulge.reKpc) / kpcPerPx : 0.3 * rePx),
            scale: rePx,
          }
        : undefined;
      add(r.addSersic(u, { n: s.disk.n, rePx, frame: ellipseFrame(cx, cy, s.disk.q, pa), flux: diskLight * (1 - barFraction), arms }));
      if (s.bar) {
        const frame = inDiskFrame(cx, cy, s.disk.q, pa, s.bar.q, (s.bar.angleDeg * Math.PI) / 180);
        add(r.addSersic(u, { n: 0.5, rePx: s.bar.lengthKpc / kpcPerPx, frame, flux: diskLight * barFraction }));
      }
    }
    if (featureFraction > 0) {
      const rePx = ((s.disk ?? s.bulge)?.reKpc ?? 3) / kpcPerPx;
      if (tidal && tidal.kind === 'shells') {
        const count = tidal.strength === 'major' ? 4 : 3;
        const shells = [];
        for (let k = 0; k < count; k++) {
          shells.push({
            radius: rePx * (1.5 + ((tidal.extentRe - 1.5) * k) / (count - 1)),
            angle: (tidal.angleDeg * Math.PI) / 180 + k * Math.PI,
            halfWidth: 0.9,
            weight: 1 / (1 + k),
          });
        }
        add(r.addShells(u, cx, cy, shells, featureFraction));
      } else {
        // A stream or tidal tail: a curved chain of blobs leaving the galaxy and fading outwards.
        const extent = tidal ? tidal.extentRe : 4;
        const sense = tidal ? tidal.sense : tailSense;
        const angle0 = tidal ? (tidal.angleDeg * Math.PI) / 180 : p.merger ? ((p.merger.angleDeg + (tailSense === 1 ? 180 : 0)) * Math.PI) / 180 : 0;
        const points: Array<[number, number, number, number]> = [];
        for (let k = 0; k < 40; k++) {
          const t = k / 39;
          const radius = rePx * (1.2 + (extent - 1.2) * t);
          const ang = angle0 + sense * 1.2 * t;
          points.push([cx + radius * Math.cos(ang), cy + radius * Math.sin(ang), Math.max(1, 0.12 * radius), 1 - 0.6 * t]);
        }
        add(r.addBlobChain(u, points, featureFraction));
      }
    }
    return box;
  }

  /** Share of the object's total r flux inside the fibre (radius 0.75"), from the noiseless r image. */
  private fibreFraction(rImage: Float64Array, cx: number, cy: number, totalR: number): number {
    if (!(totalR > 0)) return 1;
    const size = this.config.image.size;
    const rad = this.config.spectrum.fibreDiameterArcsec / 2 / this.config.image.pixelScale;
    const rad2 = rad * rad;
    let sum = 0;
    const ns = 4;
    for (let y = Math.max(0, Math.floor(cy - rad - 1)); y <= Math.min(size - 1, Math.ceil(cy + rad + 1)); y++) {
      for (let x = Math.max(0, Math.floor(cx - rad - 1)); x <= Math.min(size - 1, Math.ceil(cx + rad + 1)); x++) {
        let inside = 0;
        for (let iy = 0; iy < ns; iy++) {
          for (let ix = 0; ix < ns; ix++) {
            const dx = x + (ix + 0.5) / ns - 0.5 - cx;
            const dy = y + (iy + 0.5) / ns - 0.5 - cy;
            if (dx * dx + dy * dy <= rad2) inside++;
          }
        }
        sum += (inside / (ns * ns)) * rImage[y * size + x];
      }
    }
    return Math.min(1, Math.max(1e-3, sum / totalR));
  }
}
