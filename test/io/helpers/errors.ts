/** Asserting that a promise rejects with a SkyclipError of a given code whose message names the input. */
import assert from 'node:assert/strict';
import { SkyclipError, type SkyclipErrorCode } from '../../../src/util/errors.js';

export async function rejectsWith(
  promise: Promise<unknown> | (() => unknown),
  code: SkyclipErrorCode,
  mentions: Array<string | RegExp>,
): Promise<SkyclipError> {
  let caught: unknown;
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof SkyclipError, `expected a SkyclipError, got ${caught === undefined ? 'no error' : String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  for (const m of mentions) {
    if (typeof m === 'string') assert.ok(caught.message.includes(m), `message "${caught.message}" should mention "${m}"`);
    else assert.match(caught.message, m);
  }
  return caught;
}
