/**
 * scripts/redshift-errors.ts end to end on a small predictions-z.csv and catalog.csv: the
 * largest error comes first with its catalogue columns and ratio, stars are left out unless
 * --all-objects, and bad input is a message with exit 2, not a stack.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('../../scripts/redshift-errors.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'skyclip-zerr-'));
after(() => rmSync(dir, { recursive: true, force: true }));

writeFileSync(
  join(dir, 'predictions-z.csv'),
  ['id,z_true,skyclip-spectrum/knn,spectrum-pixels/knn', 'a,0.10,0.11,0.10', 'b,0.37,0.20,0.36', 'c,0.20,0.21,', 's,0.00,0.90,0.00'].join('\n'),
);
writeFileSync(
  join(dir, 'catalog.csv'),
  ['id,class,sample,templates,spec_snr_r', 'a,GALAXY,BGS_BRIGHT,gal025:1.000,5.0', 'b,GALAXY,BGS_FAINT,gal026:1.000,3.5', 'c,GALAXY,LRG,lrg028:1.000,2.0', 's,STAR,MWS,starA:1.000,9.0'].join('\n'),
);

function run(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', script, '--report', dir, '--catalog', join(dir, 'catalog.csv'), ...args], { encoding: 'utf8' });
}

describe('scripts/redshift-errors.ts', () => {
  it('lists the galaxies by squared error with what they are', () => {
    const r = run('--top', '2');
    assert.equal(r.status, 0, r.stderr);
    const rows = r.stdout.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| id'));
    assert.equal(rows.length, 2);
    // b: (1 + 0.37) / (1 + 0.20) = 1.142; share 0.0289 / (0.0001 + 0.0289 + 0.0001) = 99 %.
    assert.match(rows[0], /^\| b \| GALAXY \| BGS_FAINT \| gal026:1\.000 \| 3\.5 \| 0\.370 \| 0\.200 \| 1\.142 \| 0\.360 \| 99 % \|/);
    assert.match(r.stdout, /on 3 galaxies/);
    assert.doesNotMatch(r.stdout, /\| s \|/);
  });

  it('takes the stars too with --all-objects', () => {
    const r = run('--all-objects', '--top', '1');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /on 4 objects/);
    assert.match(r.stdout, /^\| s \| STAR /m);
  });

  it('refuses an unknown head, a bad --top and a missing report with a message', () => {
    for (const [args, message] of [
      [['--column', 'nope/knn'], /has no column 'nope\/knn'/],
      [['--top', '0'], /--top must be a positive integer/],
      [['--bogus'], /Unknown option/],
    ] as const) {
      const r = run(...args);
      assert.equal(r.status, 2);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /\n\s+at /); // no stack trace
    }
    const missing = spawnSync(process.execPath, ['--import', 'tsx', script, '--report', join(dir, 'nowhere'), '--catalog', join(dir, 'catalog.csv')], { encoding: 'utf8' });
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /cannot read .*predictions-z\.csv/);
  });
});
