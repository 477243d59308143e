/** `skyclip embed --model DIR --data DIR --out FILE`: embeddings of a survey split or of files (thin layer over src/embed). */
import { basename, extname } from 'node:path';
import { parseArgs } from 'node:util';
import type { Embeddings } from '../../embed/index.js';
import { badInput } from '../../util/errors.js';
import { ProgressBar } from '../../util/progress.js';
import type { Command } from '../command.js';
import { positiveInt } from '../options.js';

export const embedCommand: Command = {
  name: 'embed',
  summary: 'Embed images and spectra (a survey split, or FITS/PNG/JPEG files) into the shared space',
  usage: [
    'Usage: skyclip embed --model DIR --data DIR [--split test] --out FILE',
    '       skyclip embed --model DIR [--image FILE]... [--spectrum FILE]... --out FILE',
    '',
    'Runs every object through the preprocessing contract saved with the model (crop, stretch;',
    'resampling onto the model grid) and both encoders, and writes unit vectors to FILE in the',
    "'skyclip-embeddings' format: magic SKYEMBD1, a uint32 header length, a JSON header (ids,",
    'dim, model id, data, block offsets), then float32 little-endian [count, dim] blocks for',
    'image and spectrum (src/embed/embeddings-file.ts documents it, with a numpy one-liner).',
    'Files: FITS cubes in nanomaggies, PNG/JPEG Legacy-viewer pictures (already stretched), and',
    'spectrum FITS files of any layout skyclip reads; with both --image and --spectrum the n-th',
    'image and n-th spectrum are one object (id = image file name).',
    '',
    'Options:',
    '  --model DIR      model directory (required)',
    '  --data DIR       survey folder (catalog.csv + shards/)',
    '  --split NAME     train, val, test or all (default test)',
    '  --image FILE     image file (repeatable)',
    '  --spectrum FILE  spectrum file (repeatable)',
    '  --out FILE       embeddings file to write (required)',
    '  --batch N        objects per forward pass (default 64)',
    '  --quiet          no progress bar',
  ].join('\n'),
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        model: { type: 'string' },
        data: { type: 'string' },
        split: { type: 'string', default: 'test' },
        image: { type: 'string', multiple: true },
        spectrum: { type: 'string', multiple: true },
        out: { type: 'string' },
        batch: { type: 'string' },
        quiet: { type: 'boolean', default: false },
      },
      allowPositionals: false,
    });
    if (!values.model) throw badInput('--model is required');
    if (!values.out) throw badInput('--out is required');
    const imageFiles = values.image ?? [];
    const spectrumFiles = values.spectrum ?? [];
    const fromFiles = imageFiles.length + spectrumFiles.length > 0;
    if (fromFiles === Boolean(values.data)) throw badInput('give either --data DIR or --image/--spectrum files');
    if (imageFiles.length > 0 && spectrumFiles.length > 0 && imageFiles.length !== spectrumFiles.length) {
      throw badInput(`${imageFiles.length} images and ${spectrumFiles.length} spectra: with both, they pair up one to one`);
    }
    const batchSize = positiveInt(values.batch, 'batch', 64);
    const [{ initBackend }, { loadModel }, { SurveyDataset }, { openSurvey, parseSplit }, { Embedder, imageFromFile, spectrumFromFile, writeEmbeddings }] = await Promise.all([
      import('../../nn/backend.js'),
      import('../../nn/weights-io.js'),
      import('../../data/dataset.js'),
      import('../../data/survey.js'),
      import('../../embed/index.js'),
    ]);
    await initBackend();
    const loaded = await loadModel(values.model);
    const { model } = loaded;
    const contract = model.config.preprocess;
    const started = performance.now();
    let result: Embeddings;
    try {
      if (values.data) {
        const split = parseSplit(values.split!);
        const survey = openSurvey(values.data);
        try {
          const dataset = new SurveyDataset(survey, contract, split);
          if (dataset.size === 0) throw badInput(`${values.data} has no objects in split '${split}'`);
          const bar = new ProgressBar('embed', 2 * dataset.size, { unit: 'objects', enabled: !values.quiet });
          const image = new Embedder(model, { batchSize, onProgress: (d) => bar.update(d) }).datasetImages(dataset);
          const spectrum = new Embedder(model, { batchSize, onProgress: (d) => bar.update(dataset.size + d) }).datasetSpectra(dataset);
          bar.finish();
          result = {
            ids: dataset.ids(),
            dim: model.config.align.dim,
            image,
            spectrum,
            model: { id: loaded.id, name: loaded.config.name, dir: values.model },
            data: { dir: values.data, key: survey.key, seed: survey.seed, split },
          };
        } finally {
          survey.close();
        }
      } else {
        const embedder = new Embedder(model, { batchSize });
        const images = await Promise.all(imageFiles.map((f) => imageFromFile(f, contract.image)));
        const spectra = await Promise.all(spectrumFiles.map((f) => spectrumFromFile(f, contract.spectrum)));
        const names = (imageFiles.length > 0 ? imageFiles : spectrumFiles).map((f) => basename(f, extname(f)));
        result = {
          ids: names,
          dim: model.config.align.dim,
          image: images.length > 0 ? embedder.images(images.map((i) => i.data)) : undefined,
          spectrum: spectra.length > 0 ? embedder.spectra(spectra.map((s) => s.flux)) : undefined,
          model: { id: loaded.id, name: loaded.config.name, dir: values.model },
          data: { files: { images: imageFiles, spectra: spectrumFiles }, displayUnitImages: images.filter((i) => i.units === 'display').length },
        };
      }
    } finally {
      model.dispose();
    }
    const { bytes } = await writeEmbeddings(values.out, result);
    const seconds = (performance.now() - started) / 1000;
    const modalities = [result.image ? 'image' : '', result.spectrum ? 'spectrum' : ''].filter(Boolean).join(' + ');
    console.log(`embedded ${result.ids.length} objects (${modalities}, ${result.dim}-d, model ${loaded.id}) in ${seconds.toFixed(1)} s -> ${values.out} (${bytes} bytes)`);
    return 0;
  },
};
