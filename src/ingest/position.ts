/**
 * An object's sky position from FITS header cards, for sources that have no catalog (a folder
 * of files). Never guessed: a header without one of these gives undefined and the object is
 * reported as failed.
 *
 * In order of preference, per HDU:
 *   1. RA and DEC cards: numbers in degrees, or sexagesimal strings ('10:00:28.6' hours,
 *      '+02:12:21' degrees; blank- or colon-separated).
 *   2. A celestial gnomonic WCS (CTYPE1 = 'RA---TAN', CTYPE2 = 'DEC--TAN'): the position of the
 *      image centre, ((NAXIS1 + 1) / 2, (NAXIS2 + 1) / 2), through CD1_1..CD2_2 (or CDELTi with
 *      PCi_j) and the inverse gnomonic projection (Calabretta & Greisen 2002, sect. 5.1.3);
 *      that is CRVAL1/CRVAL2 when CRPIX is the centre, as in a Legacy Surveys cutout. Without
 *      the pixel scale, CRVAL1/CRVAL2 themselves.
 *
 *   positionFromCards(hdu.cards, hdu.shape)   // { ra: 150.12, dec: 2.2 } or undefined
 */
import { cardNumber, cardString } from '../io/fits/header.js';
import type { HeaderCard } from '../io/fits/types.js';

export interface SkyPosition {
  ra: number;
  dec: number;
}

const DEG = Math.PI / 180;

/** '10:00:28.6', '10 00 28.6' or '-02:12:21' -> signed value in the first field's unit. */
export function parseSexagesimal(text: string): number | undefined {
  const trimmed = text.trim();
  const match = /^([+-]?)(\d{1,3})[:\s]+(\d{1,2})(?:[:\s]+(\d{1,2}(?:\.\d*)?))?$/.exec(trimmed);
  if (!match) {
    const plain = Number(trimmed);
    return trimmed !== '' && Number.isFinite(plain) ? plain : undefined;
  }
  const [, sign, a, b, c] = match;
  const minutes = Number(b);
  const seconds = c === undefined ? 0 : Number(c);
  if (minutes >= 60 || seconds >= 60) return undefined;
  const value = Number(a) + minutes / 60 + seconds / 3600;
  return sign === '-' ? -value : value;
}

function valid(p: SkyPosition | undefined): SkyPosition | undefined {
  if (!p || !Number.isFinite(p.ra) || !Number.isFinite(p.dec) || p.dec < -90 || p.dec > 90) return undefined;
  return { ra: ((p.ra % 360) + 360) % 360, dec: p.dec };
}

function fromRaDecCards(cards: readonly HeaderCard[]): SkyPosition | undefined {
  const raCard = cards.find((c) => c.key === 'RA');
  const decCard = cards.find((c) => c.key === 'DEC');
  if (!raCard || !decCard) return undefined;
  const ra = typeof raCard.value === 'number' ? raCard.value : typeof raCard.value === 'string' ? hoursOrDegrees(raCard.value) : undefined;
  const dec = typeof decCard.value === 'number' ? decCard.value : typeof decCard.value === 'string' ? parseSexagesimal(decCard.value) : undefined;
  return ra === undefined || dec === undefined ? undefined : valid({ ra, dec });
}

/** A sexagesimal RA string is in hours; a plain number string in degrees. */
function hoursOrDegrees(text: string): number | undefined {
  const value = parseSexagesimal(text);
  if (value === undefined) return undefined;
  return /[:\s]/.test(text.trim()) ? value * 15 : value;
}

/** The linear part of the WCS: [[cd11, cd12], [cd21, cd22]] in degrees per pixel, if the header gives it. */
function cdMatrix(cards: readonly HeaderCard[]): [number, number, number, number] | undefined {
  const cd = ['CD1_1', 'CD1_2', 'CD2_1', 'CD2_2'].map((k) => cardNumber(cards, k));
  if (cd[0] !== undefined || cd[3] !== undefined) {
    return [cd[0] ?? 0, cd[1] ?? 0, cd[2] ?? 0, cd[3] ?? 0];
  }
  const d1 = cardNumber(cards, 'CDELT1');
  const d2 = cardNumber(cards, 'CDELT2');
  if (d1 === undefined || d2 === undefined) return undefined;
  const pc = (k: string, fallback: number) => cardNumber(cards, k) ?? fallback;
  return [d1 * pc('PC1_1', 1), d1 * pc('PC1_2', 0), d2 * pc('PC2_1', 0), d2 * pc('PC2_2', 1)];
}

/** Inverse gnomonic projection: standard coordinates (xi, eta) in degrees about (ra0, dec0) -> sky. */
export function deprojectTan(xiDeg: number, etaDeg: number, ra0: number, dec0: number): SkyPosition {
  const xi = xiDeg * DEG;
  const eta = etaDeg * DEG;
  const d0 = dec0 * DEG;
  const denom = Math.cos(d0) - eta * Math.sin(d0);
  const ra = ra0 + Math.atan2(xi, denom) / DEG;
  const dec = Math.atan2(Math.sin(d0) + eta * Math.cos(d0), Math.hypot(xi, denom)) / DEG;
  return { ra, dec };
}

function fromTanWcs(cards: readonly HeaderCard[], shape: readonly number[]): SkyPosition | undefined {
  const t1 = cardString(cards, 'CTYPE1')?.trim().toUpperCase();
  const t2 = cardString(cards, 'CTYPE2')?.trim().toUpperCase();
  if (t1 !== 'RA---TAN' || t2 !== 'DEC--TAN') return undefined;
  const ra0 = cardNumber(cards, 'CRVAL1');
  const dec0 = cardNumber(cards, 'CRVAL2');
  if (ra0 === undefined || dec0 === undefined) return undefined;
  const cd = cdMatrix(cards);
  // shape is row-major: [..., NAXIS2, NAXIS1].
  const nx = shape[shape.length - 1];
  const ny = shape[shape.length - 2];
  if (!cd || nx === undefined || ny === undefined) return valid({ ra: ra0, dec: dec0 });
  const dx = (nx + 1) / 2 - (cardNumber(cards, 'CRPIX1') ?? 0);
  const dy = (ny + 1) / 2 - (cardNumber(cards, 'CRPIX2') ?? 0);
  const xi = cd[0] * dx + cd[1] * dy;
  const eta = cd[2] * dx + cd[3] * dy;
  return valid(deprojectTan(xi, eta, ra0, dec0));
}

/** The position one HDU's header gives, or undefined. `shape` is the HDU's data shape (row-major). */
export function positionFromCards(cards: readonly HeaderCard[], shape: readonly number[] = []): SkyPosition | undefined {
  return fromRaDecCards(cards) ?? fromTanWcs(cards, shape);
}
