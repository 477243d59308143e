/**
 * Objects from files -> model inputs, through the io readers and the contract:
 * - images: FITS cubes in nanomaggies (bands picked and ordered by the contract) are cropped
 *   and stretched; PNG/JPEG pictures (Legacy-viewer display units, already stretched) are
 *   only cropped (see prepareDisplayImage for the caveat);
 * - spectra: any layout readSpectrum knows (DESI-like table, SDSS loglam, 1-D WCS image) is
 *   resampled onto the contract grid, masked pixels filled.
 *
 *   const img = await imageFromFile('cutout.fits', contract.image);   // PreparedImage
 *   const spec = await spectrumFromFile('spec.fits', contract.spectrum); // PreparedSpectrum
 */
import { prepareDisplayImage, prepareImage, prepareSpectrum, type ImageContract, type PreparedImage, type PreparedSpectrum, type SpectrumContract } from '../data/preprocess.js';
import { readImage } from '../io/image.js';
import { readSpectrum } from '../io/spectrum.js';

export interface FileImage extends PreparedImage {
  source: string;
  /** 'nanomaggy' style physical values (FITS) or already-stretched display values (PNG/JPEG). */
  units: 'physical' | 'display';
}

export async function imageFromFile(path: string, image: ImageContract): Promise<FileImage> {
  const read = await readImage(path, { bands: [...image.stretch.bands] });
  if (read.kind === 'raster') {
    return { ...prepareDisplayImage(read.data, read.shape, image), source: path, units: 'display' };
  }
  return { ...prepareImage(read.data, read.shape, image), source: path, units: 'physical' };
}

export interface FileSpectrum extends PreparedSpectrum {
  source: string;
}

export async function spectrumFromFile(path: string, spectrum: SpectrumContract): Promise<FileSpectrum> {
  const read = await readSpectrum(path);
  return { ...prepareSpectrum(read.wavelength, read.flux, read.ivar, spectrum), source: path };
}
