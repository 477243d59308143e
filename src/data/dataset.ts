/**
 * One split of a simulated survey, preprocessed by a model's contract: item k of the dataset is
 * catalogue row `positions[k]`; `image(k)` / `spectrum(k)` read it from the shards and return
 * the model's input, optionally augmented (training only) with a caller's seeded Rng.
 * `imageTensor` / `spectrumTensor` stack items into the tensors the encoders take.
 *
 *   const survey = openSurvey('/tmp/sim');
 *   const train = new SurveyDataset(survey, presetConfig('tiny').preprocess, 'train');
 *   const x = train.imageTensor([0, 1, 2]);      // [3, 64, 64, 3], stretched
 *   const s = train.spectrumTensor([0, 1, 2]);   // [3, 1946] on the contract grid
 */
import type { PreprocessContract } from '../config/model-config.js';
import { tf } from '../nn/tf.js';
import type { CubeShape } from '../preprocess/stretch.js';
import type { ObjectLabels } from '../sim/labels.js';
import type { Rng } from '../util/random.js';
import { SkyclipError } from '../util/errors.js';
import { blurAndNoise, conditionsOfRow, dihedral, spectrumNoise, type AugmentConfig } from './augment.js';
import { contractCrop, prepareSpectrum, stretchToModel, type PreparedImage, type PreparedSpectrum } from './preprocess.js';
import { splitPositions, type SplitName, type Survey } from './survey.js';

/** Augment one sample: the settings and the sample's own generator. */
export interface SampleAugment {
  config: AugmentConfig;
  rng: Rng;
}

export class SurveyDataset {
  /** Catalogue positions (into survey.rows) of the dataset's items, ascending. */
  readonly positions: Int32Array;
  private readonly imageShape: CubeShape;

  /**
   * @param limit keep only the first `limit` objects of the split (catalogue order); default all.
   */
  constructor(
    readonly survey: Survey,
    readonly contract: PreprocessContract,
    readonly split: SplitName,
    limit?: number,
  ) {
    const all = splitPositions(survey, split);
    this.positions = limit !== undefined && limit < all.length ? all.slice(0, limit) : all;
    const [b, h, w] = survey.shards.manifest.imageShape;
    this.imageShape = [b, h, w];
    const { image } = contract;
    if (b !== image.stretch.bands.length) {
      throw new SkyclipError('CONFLICT', `${survey.dir} has ${b}-band images; the model expects ${image.stretch.bands.join(',')}`);
    }
    if (h < image.cropSize) throw new SkyclipError('CONFLICT', `${survey.dir} has ${h}-pixel cutouts; the model crops ${image.cropSize}`);
    const scale = survey.conditions.pixelScale;
    if (Math.abs(scale - image.pixelScale) > 1e-6 * image.pixelScale) {
      throw new SkyclipError('CONFLICT', `${survey.dir} has ${scale} arcsec pixels; the model was made for ${image.pixelScale}`);
    }
  }

  get size(): number {
    return this.positions.length;
  }

  row(item: number): ObjectLabels {
    return this.survey.rows[this.positions[item]];
  }

  /** Item ids in dataset order. */
  ids(): string[] {
    return Array.from(this.positions, (p) => this.survey.rows[p].id);
  }

  /** The model's image input for one item (augmented when `augment` is given). */
  image(item: number, augment?: SampleAugment): PreparedImage {
    const row = this.row(item);
    const cube = this.survey.shards.readImage(row.index);
    if (augment) {
      const own = conditionsOfRow(row, this.survey.conditions.pixelScale);
      blurAndNoise(cube, this.imageShape, own, this.survey.conditions, augment.config, augment.rng);
    }
    const crop = contractCrop(cube, this.imageShape, this.contract.image);
    const k = augment?.config.dihedral ? augment.rng.int(8) : 0;
    const turned = k === 0 ? crop.data : dihedral(crop.data, crop.shape, k);
    return stretchToModel(turned, crop.shape, this.contract.image);
  }

  /** The model's spectrum input for one item (augmented when `augment` is given). */
  spectrum(item: number, augment?: SampleAugment): PreparedSpectrum {
    const row = this.row(item);
    let { flux, ivar } = this.survey.shards.readSpectrum(row.index);
    if (augment) ({ flux, ivar } = spectrumNoise(flux, ivar, augment.config, augment.rng));
    return prepareSpectrum(this.survey.wavelength, flux, ivar, this.contract.spectrum);
  }

  /** Stacked images [B, S, S, C] of the given items; `augmentOf(j)` augments sample j. */
  imageTensor(items: ArrayLike<number>, augmentOf?: (j: number) => SampleAugment | undefined): tf.Tensor4D {
    const { cropSize: s, stretch } = this.contract.image;
    const c = stretch.bands.length;
    const values = new Float32Array(items.length * s * s * c);
    for (let j = 0; j < items.length; j++) values.set(this.image(items[j], augmentOf?.(j)).data, j * s * s * c);
    return tf.tensor4d(values, [items.length, s, s, c]); // [B, S, S, C]
  }

  /** Stacked spectra [B, L] of the given items; `augmentOf(j)` augments sample j. */
  spectrumTensor(items: ArrayLike<number>, augmentOf?: (j: number) => SampleAugment | undefined): tf.Tensor2D {
    const l = this.contract.spectrum.grid.length;
    const values = new Float32Array(items.length * l);
    for (let j = 0; j < items.length; j++) values.set(this.spectrum(items[j], augmentOf?.(j)).flux, j * l);
    return tf.tensor2d(values, [items.length, l]); // [B, L]
  }
}

