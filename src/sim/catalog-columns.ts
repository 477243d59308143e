/**
 * The columns of DIR/catalog.csv, as typed data: one entry per column, in file order, with its
 * type, unit and meaning. The CSV writer and reader both work from this list, and
 * docs/mock-survey.md reproduces it. Empty cells mean "not applicable" (null).
 */
import type { ObjectLabels } from './labels.js';

export type ColumnType = 'string' | 'int' | 'float' | 'bool';

export interface CatalogColumn {
  name: keyof ObjectLabels;
  type: ColumnType;
  /** Physical unit ('' for dimensionless or categorical). */
  unit: string;
  description: string;
  /** Allowed values of categorical string columns ('' = not asked / not applicable). */
  values?: readonly string[];
}

const GZ = 'Galaxy Zoo DECaLS (GZD-5) answer';

export const CATALOG_COLUMNS: readonly CatalogColumn[] = [
  { name: 'id', type: 'string', unit: '', description: 'Object id, s<seed>-<index>; also the FITS file names' },
  { name: 'index', type: 'int', unit: '', description: 'Index of the object in its survey (objects depend only on seed and index)' },
  { name: 'ra', type: 'float', unit: 'deg', description: 'Right ascension (uniform on the sphere inside the footprint)' },
  { name: 'dec', type: 'float', unit: 'deg', description: 'Declination' },
  { name: 'class', type: 'string', unit: '', description: 'Spectral class', values: ['GALAXY', 'QSO', 'STAR'] },
  { name: 'sample', type: 'string', unit: '', description: 'Target sample: BGS bright (r < 19.5) or faint, LRG-like tail, QSO or star contaminant', values: ['BGS_BRIGHT', 'BGS_FAINT', 'LRG', 'QSO', 'STAR'] },
  { name: 'z', type: 'float', unit: '', description: 'True redshift (stars: radial velocity / c)' },
  { name: 'logmstar', type: 'float', unit: 'dex(Msun)', description: 'log10 stellar mass' },
  { name: 'logssfr', type: 'float', unit: 'dex(1/yr)', description: 'log10 specific star-formation rate (SFR / M*)' },
  { name: 'sfr', type: 'float', unit: 'Msun/yr', description: 'Star-formation rate (sets the emission lines through Kennicutt 98)' },
  { name: 'quenched', type: 'bool', unit: '', description: 'sSFR < 1e-11 /yr' },
  { name: 'zmw', type: 'float', unit: 'dex', description: 'Mass-weighted stellar metallicity log10(Z_MW / Zsun)' },
  { name: 'tage', type: 'float', unit: 'Gyr', description: 'Mass-weighted stellar age' },
  { name: 'mag_g', type: 'float', unit: 'mag', description: 'True total AB magnitude in DECam g (all components of the object, no neighbours)' },
  { name: 'mag_r', type: 'float', unit: 'mag', description: 'True total AB magnitude in DECam r' },
  { name: 'mag_z', type: 'float', unit: 'mag', description: 'True total AB magnitude in DECam z' },
  { name: 'flux_g', type: 'float', unit: 'nanomaggy', description: 'True total g flux (m = 22.5 - 2.5 log10 flux); equals the synthetic photometry of the noiseless spectrum' },
  { name: 'flux_r', type: 'float', unit: 'nanomaggy', description: 'True total r flux' },
  { name: 'flux_z', type: 'float', unit: 'nanomaggy', description: 'True total z flux' },
  { name: 'abs_mag_r', type: 'float', unit: 'mag', description: 'Rest-frame absolute AB magnitude in DECam r (from M* and M/L)' },
  { name: 'rest_gr', type: 'float', unit: 'mag', description: 'Rest-frame g - r of the continuum (DECam filters)' },
  { name: 'logml_r', type: 'float', unit: 'dex(Msun/Lsun)', description: 'log10 M/L_r: Bell+03 from rest_gr plus the luminosity-evolution term -0.45 z' },
  { name: 'dn4000', type: 'float', unit: '', description: 'Dn4000 of the rest-frame continuum (f_nu, 4000-4100 / 3850-3950 A)' },
  { name: 'ha_flux', type: 'float', unit: '1e-17 erg/s/cm2', description: 'Observed (dust-attenuated) H-alpha line flux' },
  { name: 'templates', type: 'string', unit: '', description: 'Template mix of the continuum, id:weight joined by +, weights are rest r-band light fractions' },
  { name: 'template_position', type: 'float', unit: '', description: 'Position on the passive (0, template 023) to star-forming (4, template 027) sequence' },
  { name: 'morph_type', type: 'string', unit: '', description: 'Structural type', values: ['elliptical', 'lenticular', 'spiral', 'point'] },
  { name: 'bt', type: 'float', unit: '', description: 'Bulge-to-total light ratio' },
  { name: 'sersic_n', type: 'float', unit: '', description: 'Sersic index of the dominant component (bulge if B/T >= 0.5, else disc)' },
  { name: 're_arcsec', type: 'float', unit: 'arcsec', description: 'Half-light radius of the dominant component along its major axis' },
  { name: 're_kpc', type: 'float', unit: 'kpc', description: 'Same in kpc (van der Wel+14 size-mass relation)' },
  { name: 'axis_ratio', type: 'float', unit: '', description: 'Projected axis ratio b/a of the dominant component' },
  { name: 'pa_deg', type: 'float', unit: 'deg', description: 'Position angle of the major axis, counter-clockwise from the image +x axis' },
  { name: 'has_arms', type: 'bool', unit: '', description: 'Spiral arms were drawn (whether resolved or not)' },
  { name: 'arm_count', type: 'int', unit: '', description: 'Number of spiral arms' },
  { name: 'arm_pitch_deg', type: 'float', unit: 'deg', description: 'Pitch angle of the logarithmic spiral' },
  { name: 'bar', type: 'string', unit: '', description: 'Bar drawn in the disc (whether resolved or not)', values: ['strong', 'weak', 'none'] },
  { name: 'gz_smooth_or_featured', type: 'string', unit: '', description: `${GZ}: smooth-or-featured`, values: ['smooth', 'featured-or-disk', 'artifact'] },
  { name: 'gz_disk_edge_on', type: 'string', unit: '', description: `${GZ}: disk-edge-on`, values: ['yes', 'no', ''] },
  { name: 'gz_has_spiral_arms', type: 'string', unit: '', description: `${GZ}: has-spiral-arms`, values: ['yes', 'no', ''] },
  { name: 'gz_bar', type: 'string', unit: '', description: `${GZ}: bar`, values: ['strong', 'weak', 'no', ''] },
  { name: 'gz_bulge_size', type: 'string', unit: '', description: `${GZ}: bulge-size`, values: ['dominant', 'large', 'moderate', 'small', 'none', ''] },
  { name: 'gz_how_rounded', type: 'string', unit: '', description: `${GZ}: how-rounded`, values: ['round', 'in-between', 'cigar-shaped', ''] },
  { name: 'gz_edge_on_bulge', type: 'string', unit: '', description: `${GZ}: edge-on-bulge`, values: ['boxy', 'none', 'rounded', ''] },
  { name: 'gz_spiral_winding', type: 'string', unit: '', description: `${GZ}: spiral-winding`, values: ['tight', 'medium', 'loose', ''] },
  { name: 'gz_spiral_arm_count', type: 'string', unit: '', description: `${GZ}: spiral-arm-count`, values: ['1', '2', '3', '4', 'more-than-4', 'cant-tell', ''] },
  { name: 'gz_merging', type: 'string', unit: '', description: `${GZ}: merging`, values: ['none', 'minor-disturbance', 'major-disturbance', 'merger'] },
  { name: 'is_lens', type: 'bool', unit: '', description: 'Strong lens: a background source lensed by this galaxy (SIS) into arcs' },
  { name: 'lens_theta_e', type: 'float', unit: 'arcsec', description: 'Einstein radius' },
  { name: 'lens_source_z', type: 'float', unit: '', description: 'Redshift of the lensed source (its lines are in the spectrum)' },
  { name: 'lens_magnification', type: 'float', unit: '', description: 'Total magnification of the source inside the cutout' },
  { name: 'is_merger', type: 'bool', unit: '', description: 'Ongoing merger: an overlapping companion with tidal tails' },
  { name: 'merger_kind', type: 'string', unit: '', description: 'Major (mass ratio < 4) or minor merger', values: ['major', 'minor', 'none'] },
  { name: 'merger_mass_ratio', type: 'float', unit: '', description: 'Stellar mass ratio primary / companion' },
  { name: 'tidal', type: 'string', unit: '', description: 'Tidal feature drawn', values: ['shells', 'stream', 'none'] },
  { name: 'tidal_strength', type: 'string', unit: '', description: 'Minor or major disturbance', values: ['minor', 'major', 'none'] },
  { name: 'is_post_starburst', type: 'bool', unit: '', description: 'Post-starburst (E+A): old population plus A stars, no emission lines' },
  { name: 'artifact', type: 'string', unit: '', description: 'Image artifact', values: ['satellite-trail', 'none'] },
  { name: 'psf_fwhm_g', type: 'float', unit: 'arcsec', description: 'Gaussian PSF FWHM in g for this cutout' },
  { name: 'psf_fwhm_r', type: 'float', unit: 'arcsec', description: 'PSF FWHM in r' },
  { name: 'psf_fwhm_z', type: 'float', unit: 'arcsec', description: 'PSF FWHM in z' },
  { name: 'noise_g', type: 'float', unit: 'nanomaggy', description: 'Sky noise per pixel in g (object shot noise comes on top)' },
  { name: 'noise_r', type: 'float', unit: 'nanomaggy', description: 'Sky noise per pixel in r' },
  { name: 'noise_z', type: 'float', unit: 'nanomaggy', description: 'Sky noise per pixel in z' },
  { name: 'n_neighbours', type: 'int', unit: '', description: 'Unrelated galaxies and stars drawn in and around the cutout' },
  { name: 'spec_program', type: 'string', unit: '', description: 'DESI program that sets the spectrum depth', values: ['bright', 'dark'] },
  { name: 'fibre_fraction', type: 'float', unit: '', description: "Share of the object's r light inside the 1.5 arcsec fibre (sets the spectrum's S/N)" },
  { name: 'spec_snr_r', type: 'float', unit: '', description: 'Median S/N per pixel of the spectrum in the r camera (5760-7620 A)' },
  { name: 'spec_snr_z', type: 'float', unit: '', description: 'Median S/N per pixel in the z camera (7520-9824 A), where LRG continua are brightest' },
  { name: 'spec_masked_fraction', type: 'float', unit: '', description: 'Share of the 7781 spectrum pixels with ivar = 0 (no template coverage)' },
  { name: 'split', type: 'string', unit: '', description: 'train / val / test, from a hash of the id (stable across runs and N)', values: ['train', 'val', 'test'] },
  { name: 'image_path', type: 'string', unit: '', description: 'g,r,z cutout FITS, relative to the catalog folder' },
  { name: 'spectrum_path', type: 'string', unit: '', description: 'Spectrum FITS (BINTABLE WAVELENGTH, FLUX, IVAR), relative to the catalog folder' },
  { name: 'shard', type: 'string', unit: '', description: 'Shard (manifest name) holding the object in the binary training format, or empty' },
  { name: 'shard_index', type: 'int', unit: '', description: 'Position of the object inside its shard (-1 when not written to a shard)' },
];

/** Significant digits written for floats: enough for float32-level truth without noise digits. */
const FLOAT_DIGITS = 8;

function formatCell(value: unknown, type: ColumnType): string {
  if (value === null || value === undefined) return '';
  if (type === 'float') {
    const x = value as number;
    return Number.isFinite(x) ? String(Number(x.toPrecision(FLOAT_DIGITS))) : '';
  }
  if (type === 'bool') return value ? 'true' : 'false';
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function catalogHeader(): string {
  return CATALOG_COLUMNS.map((c) => c.name).join(',');
}

export function catalogRow(labels: ObjectLabels): string {
  return CATALOG_COLUMNS.map((c) => formatCell(labels[c.name], c.type)).join(',');
}

/** Splits one CSV line (RFC 4180 quoting). */
function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

function parseCell(text: string, type: ColumnType): string | number | boolean | null {
  if (type === 'string') return text;
  if (text === '') return null;
  if (type === 'bool') return text === 'true';
  return Number(text);
}

/** Reads catalog.csv text back into label objects (header must match CATALOG_COLUMNS). */
export function parseCatalog(text: string): ObjectLabels[] {
  const lines = text.split('\n').filter((l) => l.length > 0);
  if (lines.length === 0) return [];
  const header = lines[0].split(',');
  const expected = CATALOG_COLUMNS.map((c) => c.name);
  if (header.join(',') !== expected.join(',')) throw new Error('catalog.csv header does not match CATALOG_COLUMNS');
  return lines.slice(1).map((line) => {
    const cells = splitCsvLine(line);
    const row: Record<string, unknown> = {};
    CATALOG_COLUMNS.forEach((c, i) => {
      row[c.name] = parseCell(cells[i] ?? '', c.type);
    });
    return row as unknown as ObjectLabels;
  });
}
