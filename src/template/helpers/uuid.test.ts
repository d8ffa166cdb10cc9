import assert from 'node:assert/strict';
import { KVMPLAY_UUID_NAMESPACE, uuid, uuidFromSeed, uuidV5 } from './uuid.js';

describe('uuid helper', () => {
  it('computes RFC 4122 version 5 UUIDs (known vector from Python uuid.uuid5)', () => {
    assert.equal(uuidV5('python.org', '6ba7b810-9dad-11d1-80b4-00c04fd430c8'), '886313e1-3b8a-5372-9b90-0c9aee199e5d');
  });

  it('derives a pinned UUID from a seed in the kvmplay namespace', () => {
    assert.equal(KVMPLAY_UUID_NAMESPACE, '47f13d18-e79e-4241-8c40-56ffffe52757');
    assert.equal(uuidFromSeed('hv01/web01'), '5b94230b-457f-5efb-8543-bd54f72e4074'); // must never change
  });

  it('sets the version 5 and RFC 4122 variant bits', () => {
    for (const seed of ['a', 'b', 'hv01/web01', 'ü']) {
      assert.match(uuidFromSeed(seed), /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });

  it('gives the same UUID for the same seed parts, joined with "/"', () => {
    assert.equal(uuid('hv01', 'web01'), uuidFromSeed('hv01/web01'));
    assert.notEqual(uuid('hv01', 'web01'), uuid('hv01', 'web02'));
  });

  it('refuses an empty seed', () => {
    assert.throws(() => uuid(), /needs a seed/);
    assert.throws(() => uuid(''), /empty/);
  });
});
