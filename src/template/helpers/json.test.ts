import assert from 'node:assert/strict';
import { toJson } from './json.js';

describe('json helper', () => {
  it('writes compact JSON by default', () => {
    assert.equal(toJson({ a: [1, 'x'], b: null }), '{"a":[1,"x"],"b":null}');
  });

  it('indents when asked', () => {
    assert.equal(toJson([1], 2), '[\n  1\n]');
    assert.equal(toJson([1], 0), '[1]');
  });

  it('refuses a bad indent and values JSON cannot hold', () => {
    assert.throws(() => toJson([1], 'x'), /indent must be/);
    assert.throws(() => toJson([1], 11), /indent must be/);
    assert.throws(() => toJson(undefined), /cannot write undefined as JSON/);
  });
});
