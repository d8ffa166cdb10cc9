import assert from 'node:assert/strict';
import { VirshParseError, parsePoolInfo } from './index.js';

// Recorded from libvirt 9.0.0 (Debian 12): a dir pool defined, then started.
const INACTIVE = 'Name:           kvph-pool1\nUUID:           145cc4bd-c45d-4497-86db-f4152d0eb34d\nState:          inactive\nPersistent:     yes\nAutostart:      no\n\n';
const RUNNING = 'Name:           kvph-pool1\nUUID:           145cc4bd-c45d-4497-86db-f4152d0eb34d\nState:          running\nPersistent:     yes\nAutostart:      yes\n'
  + 'Capacity:       270553174016\nAllocation:     25594449920\nAvailable:      244958724096\n\n';

describe('virsh pool-info --bytes parsing', () => {
  it('reads an inactive pool, which has no sizes', () => {
    assert.deepEqual(parsePoolInfo(INACTIVE), {
      name: 'kvph-pool1', uuid: '145cc4bd-c45d-4497-86db-f4152d0eb34d', state: 'inactive', persistent: true, autostart: false,
      capacity: null, allocation: null, available: null,
    });
  });

  it('reads a running pool\'s sizes as byte strings', () => {
    const info = parsePoolInfo(RUNNING);
    assert.deepEqual([info.state, info.autostart, info.capacity, info.allocation, info.available], ['running', true, '270553174016', '25594449920', '244958724096']);
  });

  it('keeps sizes past 2^53 exact', () => {
    assert.equal(parsePoolInfo(RUNNING.replace('270553174016', '18446744073709551615')).capacity, '18446744073709551615');
  });

  it('reads virsh\'s words for a failed call as unknown (null)', () => {
    const info = parsePoolInfo(INACTIVE.replace('Persistent:     yes', 'Persistent:     unknown').replace('Autostart:      no', 'Autostart:      no autostart'));
    assert.deepEqual([info.persistent, info.autostart], [null, null]);
  });

  it('reads every state virsh prints', () => {
    for (const s of ['building', 'degraded', 'inaccessible']) assert.equal(parsePoolInfo(INACTIVE.replace('inactive', s)).state, s);
  });

  it('refuses human sizes (no --bytes), unknown states and output without a name', () => {
    assert.throws(() => parsePoolInfo(RUNNING.replace('270553174016', '251.97 GiB')), VirshParseError);
    assert.throws(() => parsePoolInfo(INACTIVE.replace('inactive', 'exploded')), VirshParseError);
    assert.throws(() => parsePoolInfo('State:          running\n'), VirshParseError);
  });
});
