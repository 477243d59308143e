import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

function skyclip(...args: string[]) {
  return spawnSync(process.execPath, ['bin/skyclip.js', ...args], { encoding: 'utf8' });
}

test('skyclip --help lists the commands and exits 0', () => {
  const run = skyclip('--help');
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /Usage: skyclip <command>/);
  assert.match(run.stdout, /Commands:/);
});

test('an unknown command is a clear error with a non-zero exit', () => {
  const run = skyclip('frobnicate');
  assert.equal(run.status, 2);
  assert.match(run.stderr, /unknown command 'frobnicate'/);
});
