/**
 * Positions on the sky: the angular separation of two (ra, dec) points and the (ra, dec)
 * bounding box of a cone, which lets SQL discard most rows through an index before the exact
 * separation is computed. All angles are degrees; RA in [0, 360), Dec in [-90, 90].
 *
 *   angularSeparationDeg(359.9, 0, 0.1, 0)               // 0.2 (across RA = 0)
 *   coneBox({ ra: 359.5, dec: 10, radiusDeg: 1 }).ra     // two intervals, [358.48, 360) and [0, 0.52]
 */
import { badInput } from '../util/errors.js';

export interface Cone {
  /** Centre right ascension, degrees (any finite value; taken modulo 360). */
  ra: number;
  /** Centre declination, degrees, in [-90, 90]. */
  dec: number;
  /** Radius, degrees, in (0, 180]. */
  radiusDeg: number;
}

export interface ConeBox {
  /** Declination interval, inclusive, clipped to [-90, 90]. */
  dec: [number, number];
  /** RA intervals, inclusive; one normally, two when the box crosses RA = 0, [[0, 360]] when every RA can match (a pole inside the cone). */
  ra: Array<[number, number]>;
}

const RAD = Math.PI / 180;

/**
 * Bounds are widened by this much (degrees, ~4 micro-arcsec) so that rounding in the box
 * arithmetic can never drop a point the exact test would keep; the exact test decides.
 */
const BOX_MARGIN_DEG = 1e-9;

export function normalizeRa(ra: number): number {
  const r = ra % 360;
  return r < 0 ? r + 360 : r === 360 ? 0 : r;
}

/**
 * Great-circle separation in degrees. The Vincenty form (atan2 of the cross- and dot-product
 * magnitudes) is accurate at every separation: the arccos of a dot product loses precision
 * near 0 and 180 degrees, the haversine near 180.
 */
export function angularSeparationDeg(ra1: number, dec1: number, ra2: number, dec2: number): number {
  const dra = (ra2 - ra1) * RAD;
  const d1 = dec1 * RAD;
  const d2 = dec2 * RAD;
  const sinD1 = Math.sin(d1);
  const cosD1 = Math.cos(d1);
  const sinD2 = Math.sin(d2);
  const cosD2 = Math.cos(d2);
  const cosDra = Math.cos(dra);
  const x = cosD2 * Math.sin(dra);
  const y = cosD1 * sinD2 - sinD1 * cosD2 * cosDra;
  const z = sinD1 * sinD2 + cosD1 * cosD2 * cosDra;
  return Math.atan2(Math.hypot(x, y), z) / RAD;
}

export function validateCone(cone: Cone): Cone {
  const { ra, dec, radiusDeg } = cone;
  if (!Number.isFinite(ra)) throw badInput(`cone ra must be a finite number of degrees, got ${ra}`);
  if (!Number.isFinite(dec) || dec < -90 || dec > 90) throw badInput(`cone dec must be in [-90, 90] degrees, got ${dec}`);
  if (!Number.isFinite(radiusDeg) || radiusDeg <= 0 || radiusDeg > 180) {
    throw badInput(`cone radiusDeg must be in (0, 180], got ${radiusDeg}`);
  }
  return { ra: normalizeRa(ra), dec, radiusDeg };
}

/**
 * The smallest RA/Dec box holding the cone. Away from the poles, the widest RA offset of a
 * circle of radius r around declination d is asin(sin r / cos d) (at the circle's tangent
 * points, which lie above |d|, so a box of |ra - ra0| <= that offset is exact, not the naive
 * r / cos d that can cut the circle). When d + r reaches a pole the circle contains it and
 * every RA is possible.
 */
export function coneBox(input: Cone): ConeBox {
  const cone = validateCone(input);
  const r = cone.radiusDeg;
  const decLo = Math.max(-90, cone.dec - r - BOX_MARGIN_DEG);
  const decHi = Math.min(90, cone.dec + r + BOX_MARGIN_DEG);
  if (cone.dec + r >= 90 || cone.dec - r <= -90) return { dec: [decLo, decHi], ra: [[0, 360]] };
  const ratio = Math.sin(r * RAD) / Math.cos(cone.dec * RAD);
  if (ratio >= 1) return { dec: [decLo, decHi], ra: [[0, 360]] };
  const half = Math.asin(ratio) / RAD + BOX_MARGIN_DEG;
  const lo = cone.ra - half;
  const hi = cone.ra + half;
  if (lo < 0) return { dec: [decLo, decHi], ra: [[0, hi], [lo + 360, 360]] };
  if (hi >= 360) return { dec: [decLo, decHi], ra: [[0, hi - 360], [lo, 360]] };
  return { dec: [decLo, decHi], ra: [[lo, hi]] };
}
