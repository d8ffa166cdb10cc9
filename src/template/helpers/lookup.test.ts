import assert from 'node:assert/strict';
import { lookupKey } from './lookup.js';

describe('lookup helper', () => {
  it('reads own keys of maps and indexes of lists', () => {
    assert.equal(lookupKey({ hv01: { a: 1 } }, 'hv01') !== undefined, true);
    assert.equal(lookupKey(['a', 'b'], 1), 'b');
  });

  it('gives undefined for missing keys, prototype members and non-containers', () => {
    assert.equal(lookupKey({}, 'x'), undefined);
    assert.equal(lookupKey({}, 'constructor'), undefined);
    assert.equal(lookupKey({}, '__proto__'), undefined);
    assert.equal(lookupKey(null, 'x'), undefined);
    assert.equal(lookupKey('str', 0), undefined);
  });

  it('refuses keys that are not strings or numbers', () => {
    assert.throws(() => lookupKey({}, null), /key must be a string or a number/);
  });
});
