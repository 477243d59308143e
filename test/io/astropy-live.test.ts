/**
 * Live check against astropy when /usr/bin/python3 has it: freshly written files of every
 * BITPIX (scaled, unsigned, BLANK), 1-D/2-D/3-D, multi-HDU and a BINTABLE of every column
 * type must pass astropy's verify('exception') and give the same summary as our reader.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFits } from '../../src/io/fits/read.js';
import { writeFits } from '../../src/io/fits/write.js';
import { summarizeFits } from '../../src/io/inspect.js';
import { compareWithAstropy } from './helpers/astropy-compare.js';
import { astropyUnavailableReason, runAstropyReference } from './helpers/astropy.js';
import { sampleFiles } from './helpers/samples.js';
import { tempDir } from './helpers/tmp.js';

test('astropy opens what we write (verify) and reads the same values', async (t) => {
  const unavailable = astropyUnavailableReason();
  if (unavailable) {
    t.skip(unavailable);
    return;
  }
  const dir = tempDir('astropy-live');
  const paths: string[] = [];
  for (const sample of sampleFiles()) {
    const path = join(dir, `${sample.name}.fits`);
    await writeFits(path, sample.hdus);
    paths.push(path);
  }
  const report = runAstropyReference(paths, true);
  let worst = 0;
  for (const path of paths) {
    const ref = report.files[path]!;
    assert.deepEqual(ref.warnings, [], `astropy warnings for ${path}`);
    const comparison = compareWithAstropy(summarizeFits(await readFits(path)), ref);
    assert.deepEqual(comparison.differences, [], path);
    worst = Math.max(worst, comparison.maxRelativeDifference);
  }
  t.diagnostic(`astropy ${report.astropy}: ${paths.length} files, max relative difference ${worst.toExponential(2)}`);
});
