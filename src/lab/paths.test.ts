import assert from 'node:assert/strict';
import { hostAddress, hostIndex, hostMac, hostName, labDirs, MAX_HOSTS, netnsName, outerLinks } from './paths.js';

describe('lab paths', () => {
  it('names hosts lab01 … lab240 with at least two digits', () => {
    assert.equal(hostName(1), 'lab01');
    assert.equal(hostName(42), 'lab42');
    assert.equal(hostName(100), 'lab100');
    assert.equal(hostName(MAX_HOSTS), 'lab240');
    assert.throws(() => hostName(0));
    assert.throws(() => hostName(MAX_HOSTS + 1));
  });

  it('reads a host index back from its name and rejects other names', () => {
    for (const i of [1, 9, 10, 99, 100, 240]) assert.equal(hostIndex(hostName(i)), i);
    for (const n of ['lab1', 'lab001', 'lab241', 'lab00', 'web01', 'lab01x']) assert.equal(hostIndex(n), null, n);
  });

  it('puts host i at 10.213.0.(10+i), never in the control network', () => {
    assert.equal(hostAddress(1), '10.213.0.11');
    assert.equal(hostAddress(240), '10.213.0.250');
  });

  it('keeps every link name within the kernel limit of 15 characters', () => {
    for (let i = 1; i <= MAX_HOSTS; i++) {
      for (const l of outerLinks(i)) assert.ok(l.length <= 15, l);
    }
    assert.deepEqual(outerLinks(3), ['kvp1-lab03', 'kvp2-lab03']);
    assert.equal(netnsName(3), 'kvp-lab03');
  });

  it('gives em1 and em2 stable, distinct, locally administered MACs', () => {
    assert.equal(hostMac(11, 1), '02:6b:76:01:00:0b');
    assert.equal(hostMac(11, 2), '02:6b:76:02:00:0b');
    assert.equal(hostMac(240, 1), '02:6b:76:01:00:f0');
  });

  it('uses the documented directories unless the environment overrides them', () => {
    assert.deepEqual(labDirs({}), { cacheDir: '/var/cache/kvmplay', labDir: '/var/lib/kvmplay/lab' });
    assert.deepEqual(labDirs({ KVMPLAY_CACHE_DIR: '/srv/c', KVMPLAY_LAB_DIR: '/srv/l' }), { cacheDir: '/srv/c', labDir: '/srv/l' });
  });

  it('refuses directories that overlay mount options cannot carry', () => {
    assert.throws(() => labDirs({ KVMPLAY_LAB_DIR: '/srv/a,b' }), /must not contain/);
    assert.throws(() => labDirs({ KVMPLAY_CACHE_DIR: '/srv/a:b' }), /must not contain/);
    assert.throws(() => labDirs({ KVMPLAY_CACHE_DIR: '/srv/x', KVMPLAY_LAB_DIR: '/srv/x/lab' }), /contain each other/);
  });
});
