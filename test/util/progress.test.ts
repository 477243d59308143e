import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { ProgressBar, formatDuration } from '../../src/util/progress.js';

test('formatDuration renders mm:ss and h:mm:ss, and dashes for unknown', () => {
  assert.equal(formatDuration(0), '00:00');
  assert.equal(formatDuration(75), '01:15');
  assert.equal(formatDuration(3725), '1:02:05');
  assert.equal(formatDuration(Number.NaN), '--:--');
});

test('progress bar reports done/total, rate and ETA, and a final line', () => {
  const sink = new PassThrough();
  let written = '';
  sink.on('data', (chunk: Buffer) => (written += chunk.toString()));
  const bar = new ProgressBar('simulate', 10, {
    unit: 'objects',
    stream: sink as unknown as NodeJS.WriteStream,
    logEveryMs: 0,
  });
  bar.tick(4);
  assert.match(bar.line(), /4\/10 objects/);
  assert.match(bar.line(), /objects\/s/);
  assert.match(bar.line(), /ETA \d\d:\d\d|ETA --:--/);
  bar.finish();
  assert.match(written, /10\/10 objects/);
  assert.match(written, /100%/);
});
