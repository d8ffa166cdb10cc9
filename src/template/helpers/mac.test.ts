import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mac, macFromSeed } from './mac.js';

describe('mac helper', () => {
  it('gives a 52:54:00 address whose last bytes are the start of sha256(seed)', () => {
    const digest = createHash('sha256').update('hv01/web01/0').digest('hex');
    const want = `52:54:00:${digest.slice(0, 2)}:${digest.slice(2, 4)}:${digest.slice(4, 6)}`;
    assert.equal(macFromSeed('hv01/web01/0'), want);
    assert.equal(macFromSeed('hv01/web01/0'), '52:54:00:26:f1:7e'); // pinned: must never change
  });

  it('gives the same address for the same seed and different ones for different seeds', () => {
    assert.equal(mac('hv01', 'web01', 0), mac('hv01', 'web01', 0));
    assert.notEqual(mac('hv01', 'web01', 0), mac('hv01', 'web01', 1));
    assert.notEqual(mac('hv01', 'web01', 0), mac('hv02', 'web01', 0));
  });

  it('joins several arguments with "/" so a single seed string gives the same address', () => {
    assert.equal(mac('hv01', 'web01', 0), macFromSeed('hv01/web01/0'));
    assert.equal(mac('hv01', 'web01', '0'), mac('hv01', 'web01', 0));
  });

  it('matches the shape of a MAC address', () => {
    assert.match(mac('x'), /^52:54:00(:[0-9a-f]{2}){3}$/);
  });

  it('refuses no seed, empty parts and non-scalar parts', () => {
    assert.throws(() => mac(), /needs a seed/);
    assert.throws(() => mac('hv01', ''), /seed part 2 is empty/);
    assert.throws(() => mac('hv01', { a: 1 }), /seed part 2 must be a string or a number/);
    assert.throws(() => mac(undefined), /seed part 1/);
  });
});
