/**
 * Pixel rendering of the mock cutouts: analytic light profiles integrated over pixels, a Gaussian
 * PSF applied by separable convolution, and point sources rendered as PSF integrals. All buffers
 * are row-major [y][x] Float64Arrays of side `size`; pixel (x, y) covers [x - 0.5, x + 0.5].
 *
 * Flux normalisation: every profile is scaled so that its analytic total equals the requested flux.
 * When the whole profile (out to its truncation) lies inside the stamp, the rendered pixels are
 * instead rescaled to sum to the flux exactly, removing the small error of sub-pixel integration;
 * when it does not, the light beyond the edge is lost, as in a real cutout.
 */
import { normalCdfFast as normalCdf } from './special.js';
import {
  SersicTable,
  sersicB,
  sersicEnclosedFraction,
  sersicRadialIntegral,
  sersicRadialIntegralUntruncated,
  sersicTruncation,
  sersicValue,
} from './sersic.js';

/** Minor semi-axis (pixels) of the central ellipse whose light is placed analytically. */
const CORE_RADIUS = 0.3;
/** Most sub-samples per pixel side. */
const MAX_SUBSAMPLES = 12;

/** Linear map from pixel offsets (dx, dy) to profile coordinates p = M (dx, dy). */
export interface Frame {
  cx: number;
  cy: number;
  m00: number;
  m01: number;
  m10: number;
  m11: number;
}

/** Ellipse of axis ratio q whose major axis is at angle pa (radians, counter-clockwise from +x). */
export function ellipseFrame(cx: number, cy: number, q: number, pa: number): Frame {
  const c = Math.cos(pa);
  const s = Math.sin(pa);
  return { cx, cy, m00: c, m01: s, m10: -s / q, m11: c / q };
}

/**
 * A shape drawn in a thin disc's plane (disc axis ratio qDisk at angle pa) with its own axis ratio
 * qIn and angle `angleIn` inside that plane: bars, and arms' coordinates.
 */
export function inDiskFrame(cx: number, cy: number, qDisk: number, pa: number, qIn: number, angleIn: number): Frame {
  const d = ellipseFrame(cx, cy, qDisk, pa);
  const c = Math.cos(angleIn);
  const s = Math.sin(angleIn);
  // R(-angleIn) then diag(1, 1/qIn), applied after the disc deprojection d.
  const a00 = c;
  const a01 = s;
  const a10 = -s / qIn;
  const a11 = c / qIn;
  return {
    cx,
    cy,
    m00: a00 * d.m00 + a01 * d.m10,
    m01: a00 * d.m01 + a01 * d.m11,
    m10: a10 * d.m00 + a11 * d.m10,
    m11: a10 * d.m01 + a11 * d.m11,
  };
}

function det(f: Frame): number {
  return Math.abs(f.m00 * f.m11 - f.m01 * f.m10);
}

/** Largest stretch of the map (its spectral norm), for sub-sampling decisions. */
function stretch(f: Frame): number {
  const a = f.m00 * f.m00 + f.m10 * f.m10;
  const b = f.m00 * f.m01 + f.m10 * f.m11;
  const d = f.m01 * f.m01 + f.m11 * f.m11;
  const tr = a + d;
  const disc = Math.sqrt(Math.max(0, (tr * tr) / 4 - (a * d - b * b)));
  return Math.sqrt(tr / 2 + disc);
}

/** Pixel box [x0, x1] x [y0, y1] (inclusive) and whether it had to be clipped to the stamp. */
export interface Box {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  clipped: boolean;
}

/** Bounding box of {d : |M d| <= r} clipped to the stamp. */
function ellipseBox(f: Frame, r: number, size: number): Box {
  // Inverse of M: the ellipse is {M^-1 p : |p| <= r}; its half-extents are r * |row of M^-1|.
  const dt = f.m00 * f.m11 - f.m01 * f.m10;
  const i00 = f.m11 / dt;
  const i01 = -f.m01 / dt;
  const i10 = -f.m10 / dt;
  const i11 = f.m00 / dt;
  const hx = r * Math.hypot(i00, i01);
  const hy = r * Math.hypot(i10, i11);
  return clipBox(f.cx - hx, f.cx + hx, f.cy - hy, f.cy + hy, size);
}

export function clipBox(xa: number, xb: number, ya: number, yb: number, size: number): Box {
  const x0 = Math.floor(xa - 0.5);
  const x1 = Math.ceil(xb + 0.5);
  const y0 = Math.floor(ya - 0.5);
  const y1 = Math.ceil(yb + 0.5);
  const clipped = x0 < 0 || y0 < 0 || x1 > size - 1 || y1 > size - 1;
  return { x0: Math.max(0, x0), x1: Math.min(size - 1, x1), y0: Math.max(0, y0), y1: Math.min(size - 1, y1), clipped };
}

export interface ArmModulation {
  count: number;
  /** Pitch angle, radians. */
  pitch: number;
  amplitude: number;
  /** Phase, radians. */
  phase: number;
  /** Arms fade inside this radius (profile units, i.e. pixels along the major axis). */
  innerRadius: number;
  /** Scale radius of the logarithmic spiral (pixels). */
  scale: number;
}

export interface SersicRender {
  /** Profile's effective radius along its major axis, pixels. */
  rePx: number;
  n: number;
  frame: Frame;
  flux: number;
  arms?: ArmModulation;
}

/**
 * Normalised discrete Gaussian kernel of the given variance (pixels^2), out to 3.5 sigma. Below a
 * variance of 0.5 a sampled Gaussian is too narrow (its discrete variance falls short), so the exact
 * 3-tap kernel [v/2, 1 - v, v/2] is used; variance 0 is the identity.
 */
export function gaussianKernel(variance: number): Float64Array {
  if (variance <= 1e-12) return Float64Array.of(1);
  if (variance < 0.5) return Float64Array.of(variance / 2, 1 - variance, variance / 2);
  const sigma = Math.sqrt(variance);
  const radius = Math.max(1, Math.ceil(3.5 * sigma));
  const kernel = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let j = -radius; j <= radius; j++) {
    const v = Math.exp(-(j * j) / (2 * variance));
    kernel[j + radius] = v;
    sum += v;
  }
  for (let j = 0; j < kernel.length; j++) kernel[j] /= sum;
  return kernel;
}

/** Mean of ((1 + cos x) / 2)^3 over a period: C(6, 3) / 4^3. */
const ARM_SHAPE_MEAN = 20 / 64;

/** Union of boxes, for convolution extents. */
export function unionBox(a: Box | null, b: Box): Box {
  if (!a) return { ...b };
  return { x0: Math.min(a.x0, b.x0), x1: Math.max(a.x1, b.x1), y0: Math.min(a.y0, b.y0), y1: Math.max(a.y1, b.y1), clipped: a.clipped || b.clipped };
}

export class StampRenderer {
  readonly size: number;
  private readonly scratch: Float64Array;
  private readonly tmp: Float64Array;
  private readonly cascadeA: Float64Array;
  private readonly cascadeB: Float64Array;

  constructor(size: number) {
    this.size = size;
    this.scratch = new Float64Array(size * size);
    this.tmp = new Float64Array(size * size);
    this.cascadeA = new Float64Array(size * size);
    this.cascadeB = new Float64Array(size * size);
  }

  newImage(): Float64Array {
    return new Float64Array(this.size * this.size);
  }

  /**
   * Adds a Sersic component of total flux `flux` to `out` (sub-pixel integrated, adaptive:
   * up to 12 x 12 samples per pixel where the profile is steep). Returns the box it touched.
   */
  addSersic(out: Float64Array, spec: SersicRender): Box | null {
    const { n, frame, flux, rePx, arms } = spec;
    if (!(flux > 0) || !(rePx > 0)) return null;
    const table = SersicTable.get(n);
    const t = table.truncation;
    const box = ellipseBox(frame, t.outer * rePx, this.size);
    if (box.x0 > box.x1 || box.y0 > box.y1) return null;
    const analytic = (2 * Math.PI * rePx * rePx * table.radialIntegral) / det(frame);
    // The cusp: light inside a tiny central ellipse (minor semi-axis CORE_RADIUS px) comes from the
    // exact enclosed-light formula and is deposited at the centre; sub-pixel sampling handles the
    // rest, where the profile is smooth. Without this, n = 4 profiles of R_e ~ 1 px are off by 10-20 %.
    const norm = stretch(frame);
    const xCore = Math.min((CORE_RADIUS * norm) / rePx, 0.5 * t.inner);
    const coreFraction = (sersicRadialIntegralUntruncated(n) * sersicEnclosedFraction(n, xCore)) / table.radialIntegral;
    const rCore = xCore * rePx;
    const rCore2 = rCore * rCore;
    const s = this.scratch;
    const size = this.size;
    const invRe2 = 1 / (rePx * rePx);
    const gradScale = (norm / rePx) * 2.5;
    const reach2 = (t.outer * rePx + 2 * norm) ** 2;
    const nearCore2 = (rCore + 1.5 * norm) ** 2;
    // Beyond this radius (squared, profile units) one sample per pixel suffices: solved from the slope
    // (b/n) x^(1/n - 1), which falls outwards for n > 1 and is largest at the truncation for n <= 1.
    const slopeAt = (x: number) => (table.b / n) * Math.pow(x, 1 / n - 1);
    let smooth2: number;
    if (n > 1) {
      const x1 = Math.pow(n / (table.b * gradScale), 1 / (1 / n - 1));
      smooth2 = (x1 * rePx + norm) ** 2;
    } else smooth2 = gradScale * slopeAt(t.outer) <= 1 ? 0 : Number.POSITIVE_INFINITY;
    let sum = 0;
    let sumPlain = 0;
    for (let y = box.y0; y <= box.y1; y++) {
      const dy = y - frame.cy;
      for (let x = box.x0; x <= box.x1; x++) {
        const dx = x - frame.cx;
        const px = frame.m00 * dx + frame.m01 * dy;
        const py = frame.m10 * dx + frame.m11 * dy;
        const rp2 = px * px + py * py;
        if (rp2 > reach2) {
          s[y * size + x] = 0;
          continue;
        }
        // Sub-samples per side from the profile's slope a pixel closer in (midpoint error ~ (slope h)^2 / 24);
        // pixels touching the core get the finest sampling so the excluded core is resolved too.
        let ns: number;
        if (rp2 < nearCore2) ns = MAX_SUBSAMPLES;
        else if (rp2 >= smooth2) ns = 1;
        else {
          const rIn = Math.max(Math.sqrt(rp2) - norm, rCore);
          ns = Math.min(MAX_SUBSAMPLES, Math.max(1, Math.ceil(gradScale * table.slope(rIn * rIn * invRe2))));
        }
        let accPlain = 0;
        if (ns === 1) {
          accPlain = rp2 < rCore2 ? 0 : table.value(rp2 * invRe2);
        } else {
          const h = 1 / ns;
          for (let iy = 0; iy < ns; iy++) {
            const oy = dy + (iy + 0.5) * h - 0.5;
            for (let ix = 0; ix < ns; ix++) {
              const ox = dx + (ix + 0.5) * h - 0.5;
              const qx = frame.m00 * ox + frame.m01 * oy;
              const qy = frame.m10 * ox + frame.m11 * oy;
              const r2 = qx * qx + qy * qy;
              if (r2 >= rCore2) accPlain += table.value(r2 * invRe2);
            }
          }
          accPlain *= h * h;
        }
        let acc = accPlain;
        if (arms && accPlain > 0) {
          // Arm modulation varies over many pixels: evaluated once per pixel, at its centre.
          const rad = Math.sqrt(rp2);
          const phi = Math.atan2(py, px);
          const wind = Math.log(Math.max(rad, 1e-3) / arms.scale) / Math.tan(arms.pitch);
          const c = 0.5 * (1 + Math.cos(arms.count * (phi - arms.phase) - arms.count * wind));
          const fade = 1 - Math.exp(-(rp2 / (arms.innerRadius * arms.innerRadius)));
          acc = accPlain * (1 + arms.amplitude * fade * (c * c * c - ARM_SHAPE_MEAN));
        }
        s[y * size + x] = acc;
        sum += acc;
        sumPlain += accPlain;
      }
    }
    const outside = (1 - coreFraction) * flux;
    // Whole profile inside: make the pixels sum to the flux exactly. Otherwise analytic amplitude,
    // with arms rescaled so they move light around without adding any.
    const scale = sum > 0 ? (box.clipped ? ((flux / analytic) * sumPlain) / sum : outside / sum) : 0;
    for (let y = box.y0; y <= box.y1; y++) {
      const row = y * size;
      for (let x = box.x0; x <= box.x1; x++) out[row + x] += scale * s[row + x];
    }
    this.deposit(out, frame.cx, frame.cy, coreFraction * flux);
    return box;
  }

  /** Adds `flux` at a sub-pixel position, split bilinearly over the four nearest pixel centres. */
  private deposit(out: Float64Array, cx: number, cy: number, flux: number): void {
    const size = this.size;
    const x0 = Math.floor(cx);
    const y0 = Math.floor(cy);
    const fx = cx - x0;
    const fy = cy - y0;
    const put = (x: number, y: number, w: number) => {
      if (x >= 0 && y >= 0 && x < size && y < size) out[y * size + x] += flux * w;
    };
    put(x0, y0, (1 - fx) * (1 - fy));
    put(x0 + 1, y0, fx * (1 - fy));
    put(x0, y0 + 1, (1 - fx) * fy);
    put(x0 + 1, y0 + 1, fx * fy);
  }

  /**
   * Adds a chain of Gaussian blobs (a tidal stream or tail) of total flux `flux` inside the stamp:
   * points[k] = [x, y, sigma, weight]. Normalised numerically (the stream is built inside the stamp).
   */
  addBlobChain(out: Float64Array, points: Array<[number, number, number, number]>, flux: number): Box | null {
    const size = this.size;
    let box: Box | null = null;
    const s = this.scratch;
    const touched: Box[] = [];
    for (const [x0, y0, sig] of points) {
      const b = clipBox(x0 - 3.5 * sig, x0 + 3.5 * sig, y0 - 3.5 * sig, y0 + 3.5 * sig, size);
      if (b.x0 > b.x1 || b.y0 > b.y1) continue;
      for (let y = b.y0; y <= b.y1; y++) for (let x = b.x0; x <= b.x1; x++) s[y * size + x] = 0;
      touched.push(b);
    }
    let sum = 0;
    for (const [x0, y0, sig, w] of points) {
      const b = clipBox(x0 - 3.5 * sig, x0 + 3.5 * sig, y0 - 3.5 * sig, y0 + 3.5 * sig, size);
      if (b.x0 > b.x1 || b.y0 > b.y1) continue;
      const inv = 1 / (2 * sig * sig);
      for (let y = b.y0; y <= b.y1; y++) {
        for (let x = b.x0; x <= b.x1; x++) {
          const v = w * Math.exp(-((x - x0) ** 2 + (y - y0) ** 2) * inv);
          s[y * size + x] += v;
          sum += v;
        }
      }
      box = unionBox(box, b);
    }
    if (!box || !(sum > 0)) return null;
    const scale = flux / sum;
    for (const b of touched) {
      for (let y = b.y0; y <= b.y1; y++) {
        for (let x = b.x0; x <= b.x1; x++) {
          const i = y * size + x;
          if (s[i] !== 0) {
            out[i] += scale * s[i];
            s[i] = 0;
          }
        }
      }
    }
    return box;
  }

  /**
   * Adds concentric shell arcs (radii in pixels, centred at (cx, cy), each covering `halfWidth`
   * radians either side of `angle`), total flux `flux`, normalised numerically.
   */
  addShells(out: Float64Array, cx: number, cy: number, shells: Array<{ radius: number; angle: number; halfWidth: number; weight: number }>, flux: number): Box | null {
    const size = this.size;
    const rMax = Math.max(...shells.map((sh) => sh.radius * 1.3));
    const box = clipBox(cx - rMax, cx + rMax, cy - rMax, cy + rMax, size);
    const s = this.scratch;
    let sum = 0;
    for (let y = box.y0; y <= box.y1; y++) {
      for (let x = box.x0; x <= box.x1; x++) {
        const dx = x - cx;
        const dy = y - cy;
        const r = Math.hypot(dx, dy);
        const phi = Math.atan2(dy, dx);
        let v = 0;
        for (const sh of shells) {
          const w = 0.08 * sh.radius + 0.7;
          let d = phi - sh.angle;
          d = Math.atan2(Math.sin(d), Math.cos(d));
          if (Math.abs(d) > sh.halfWidth) continue;
          // Sharp outer edge, softer inside: shells are caustics of radial orbits.
          const dr = r - sh.radius;
          const radial = dr > 0 ? Math.exp(-(dr * dr) / (0.5 * w * w)) : Math.exp(-(dr * dr) / (2 * w * w));
          v += sh.weight * radial * Math.cos((0.5 * Math.PI * d) / sh.halfWidth);
        }
        s[y * size + x] = v;
        sum += v;
      }
    }
    if (!(sum > 0)) return null;
    const scale = flux / sum;
    for (let y = box.y0; y <= box.y1; y++) for (let x = box.x0; x <= box.x1; x++) out[y * size + x] += scale * s[y * size + x];
    return box;
  }

  /**
   * Adds a source lensed by a singular isothermal sphere centred at (cx, cy): each pixel (4 x 4
   * sub-samples) maps to the source plane by beta = theta - thetaE theta/|theta| and takes the
   * source's surface brightness there (lensing conserves surface brightness). The source profile
   * has unit total flux, so the return value `magnification` is the total flux gain inside the stamp.
   * All lengths in pixels; the source is `spec` (its frame centred on the source position).
   */
  addLensedSource(out: Float64Array, cx: number, cy: number, thetaE: number, spec: SersicRender, fluxScale: number): { box: Box | null; magnification: number } {
    const size = this.size;
    const { n, frame, rePx } = spec;
    const b = sersicB(n);
    const t = sersicTruncation(n);
    const analytic = (2 * Math.PI * rePx * rePx * sersicRadialIntegral(n)) / det(frame);
    const reach = thetaE + Math.hypot(frame.cx, frame.cy) + t.outer * rePx * stretch(frame) + 3;
    const box = clipBox(cx - reach, cx + reach, cy - reach, cy + reach, size);
    const s = this.scratch;
    const ns = 4;
    let sum = 0;
    for (let y = box.y0; y <= box.y1; y++) {
      for (let x = box.x0; x <= box.x1; x++) {
        let acc = 0;
        for (let iy = 0; iy < ns; iy++) {
          for (let ix = 0; ix < ns; ix++) {
            const tx = x + (ix + 0.5) / ns - 0.5 - cx;
            const ty = y + (iy + 0.5) / ns - 0.5 - cy;
            const r = Math.hypot(tx, ty);
            const k = r > 0 ? thetaE / r : 0;
            // Source-plane position relative to the source centre (frame.cx, frame.cy are offsets from the lens).
            const bx = tx - k * tx - frame.cx;
            const by = ty - k * ty - frame.cy;
            const qx = frame.m00 * bx + frame.m01 * by;
            const qy = frame.m10 * bx + frame.m11 * by;
            acc += sersicValue(Math.sqrt(qx * qx + qy * qy) / rePx, n, b, t);
          }
        }
        const v = acc / (ns * ns) / analytic;
        s[y * size + x] = v;
        sum += v;
      }
    }
    if (!(sum > 0)) return { box: null, magnification: 0 };
    for (let y = box.y0; y <= box.y1; y++) for (let x = box.x0; x <= box.x1; x++) out[y * size + x] += fluxScale * s[y * size + x];
    return { box, magnification: sum };
  }

  /**
   * out += scale * conv(src restricted to `box`, Gaussian PSF of `sigma` px), written only inside
   * `outBox` (default: everywhere the result is non-zero). Separable, kernel sampled at integer offsets
   * out to 3.5 sigma and normalised, so the convolution conserves flux except for light pushed over the edge.
   */
  convolveInto(src: Float64Array, box: Box, sigma: number, out: Float64Array, outBox?: Box, scale = 1): Box {
    return this.convolveKernel(src, box, gaussianKernel(sigma * sigma), out, outBox, scale);
  }

  /**
   * out_b += scales[b] * conv(src, Gaussian sigmas[b]) for the three bands at the cost of about 1.3
   * convolutions: once with the smallest sigma, then with the narrow kernels that widen it to the
   * next band's (Gaussian variances add). For a light profile shared by all bands (one SED).
   */
  convolveBands(src: Float64Array, box: Box, sigmas: readonly number[], scales: readonly number[], outs: Float64Array[]): void {
    const order = [0, 1, 2].sort((i, j) => sigmas[i] - sigmas[j]);
    let input = src;
    let inBox = box;
    let variance = 0;
    const stages = [this.cascadeA, this.cascadeB];
    for (let k = 0; k < 3; k++) {
      const b = order[k];
      const target = sigmas[b] * sigmas[b];
      const stage = stages[k % 2];
      const kernel = gaussianKernel(Math.max(0, target - variance));
      const outBox = this.convolveKernel(input, inBox, kernel, outs[b], undefined, scales[b], stage);
      input = stage;
      inBox = outBox;
      variance = target;
    }
  }

  /**
   * out += scale * conv(src in box, kernel) over outBox; when `stage` is given the unscaled result
   * is also stored there (every pixel of the returned box), for the next step of a cascade.
   */
  private convolveKernel(src: Float64Array, box: Box, kernel: Float64Array, out: Float64Array, outBox: Box | undefined, scale: number, stage: Float64Array | null = null): Box {
    const size = this.size;
    const radius = (kernel.length - 1) / 2;
    const tmp = this.tmp;
    const X0 = Math.max(0, box.x0 - radius, outBox ? outBox.x0 : 0);
    const X1 = Math.min(size - 1, box.x1 + radius, outBox ? outBox.x1 : size - 1);
    const Y0 = Math.max(0, box.y0 - radius, outBox ? outBox.y0 : 0);
    const Y1 = Math.min(size - 1, box.y1 + radius, outBox ? outBox.y1 : size - 1);
    // Horizontal pass over the source rows that reach the output rows. Where the whole kernel lies
    // inside the source box the symmetric fast path runs (half the multiplications, no clamping).
    const ya = Math.max(box.y0, Y0 - radius);
    const yb = Math.min(box.y1, Y1 + radius);
    const k = kernel;
    const kc = k[radius];
    for (let y = ya; y <= yb; y++) {
      const row = y * size;
      for (let x = X0; x <= X1; x++) {
        let acc: number;
        if (x - radius >= box.x0 && x + radius <= box.x1) {
          const c = row + x;
          acc = kc * src[c];
          for (let j = 1; j <= radius; j++) acc += k[radius + j] * (src[c - j] + src[c + j]);
        } else {
          const lo = Math.max(box.x0, x - radius);
          const hi = Math.min(box.x1, x + radius);
          acc = 0;
          const k0 = x + radius;
          for (let xs = lo; xs <= hi; xs++) acc += src[row + xs] * k[k0 - xs];
        }
        tmp[row + x] = acc;
      }
    }
    // Vertical pass into the output (same fast path by rows).
    for (let y = Y0; y <= Y1; y++) {
      const row = y * size;
      if (y - radius >= ya && y + radius <= yb) {
        for (let x = X0; x <= X1; x++) {
          const c = row + x;
          let acc = kc * tmp[c];
          for (let j = 1; j <= radius; j++) acc += k[radius + j] * (tmp[c - j * size] + tmp[c + j * size]);
          if (stage) stage[c] = acc;
          out[c] += scale * acc;
        }
      } else {
        const lo = Math.max(ya, y - radius);
        const hi = Math.min(yb, y + radius);
        const k0 = y + radius;
        for (let x = X0; x <= X1; x++) {
          let acc = 0;
          for (let ys = lo; ys <= hi; ys++) acc += tmp[ys * size + x] * k[k0 - ys];
          if (stage) stage[row + x] = acc;
          out[row + x] += scale * acc;
        }
      }
    }
    return { x0: X0, x1: X1, y0: Y0, y1: Y1, clipped: false };
  }

  /**
   * Adds an elliptical Gaussian of total `flux` with covariance [[cxx, cxy], [cxy, cyy]] (pixels^2),
   * sampled at pixel centres out to 4 sigma: the cheap stand-in for faint, small neighbours once the
   * PSF is folded into the covariance.
   */
  addGaussian(out: Float64Array, cx: number, cy: number, flux: number, cxx: number, cxy: number, cyy: number): void {
    const size = this.size;
    const d = cxx * cyy - cxy * cxy;
    const a = cyy / d;
    const bxy = -cxy / d;
    const c = cxx / d;
    const amp = flux / (2 * Math.PI * Math.sqrt(d));
    const hx = 4 * Math.sqrt(cxx);
    const hy = 4 * Math.sqrt(cyy);
    const box = clipBox(cx - hx, cx + hx, cy - hy, cy + hy, size);
    // Along a row, f(x+1)/f(x) = exp(-a(dx + 1/2) - b dy) changes by the constant factor exp(-a):
    // two exps per row instead of one per pixel.
    const step = Math.exp(-a);
    for (let y = box.y0; y <= box.y1; y++) {
      const dy = y - cy;
      const dx0 = box.x0 - cx;
      let f = amp * Math.exp(-0.5 * (a * dx0 * dx0 + 2 * bxy * dx0 * dy + c * dy * dy));
      let ratio = Math.exp(-a * (dx0 + 0.5) - bxy * dy);
      const row = y * size;
      for (let x = box.x0; x <= box.x1; x++) {
        out[row + x] += f;
        f *= ratio;
        ratio *= step;
      }
    }
  }

  /** Adds a point source of `flux`: the Gaussian PSF integrated exactly over each pixel (erf). */
  addPointSource(out: Float64Array, cx: number, cy: number, flux: number, sigma: number): void {
    const size = this.size;
    const reach = Math.ceil(5.5 * sigma) + 1;
    const x0 = Math.max(0, Math.floor(cx) - reach);
    const x1 = Math.min(size - 1, Math.ceil(cx) + reach);
    const y0 = Math.max(0, Math.floor(cy) - reach);
    const y1 = Math.min(size - 1, Math.ceil(cy) + reach);
    if (x0 > x1 || y0 > y1) return;
    const wx = new Float64Array(x1 - x0 + 1);
    const wy = new Float64Array(y1 - y0 + 1);
    for (let x = x0; x <= x1; x++) wx[x - x0] = normalCdf((x + 0.5 - cx) / sigma) - normalCdf((x - 0.5 - cx) / sigma);
    for (let y = y0; y <= y1; y++) wy[y - y0] = normalCdf((y + 0.5 - cy) / sigma) - normalCdf((y - 0.5 - cy) / sigma);
    for (let y = y0; y <= y1; y++) {
      const fy = flux * wy[y - y0];
      const row = y * size;
      for (let x = x0; x <= x1; x++) out[row + x] += fy * wx[x - x0];
    }
  }

  /** Adds a straight trail (Gaussian cross-section of `sigma` px) through the stamp: an artifact. */
  addTrail(out: Float64Array, angle: number, offset: number, peak: number, sigma: number): void {
    const size = this.size;
    const c = Math.cos(angle);
    const s = Math.sin(angle);
    const mid = (size - 1) / 2;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const d = -(x - mid) * s + (y - mid) * c - offset;
        if (Math.abs(d) < 5 * sigma) out[y * size + x] += peak * Math.exp(-(d * d) / (2 * sigma * sigma));
      }
    }
  }
}
