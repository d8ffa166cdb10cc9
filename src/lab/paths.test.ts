import assert from 'node:assert/strict';
import {
  CONTROL_ADDRESS, hostAddress, hostCidr, hostIndex, hostMac, hostName, hostPrefixLen, labDirs, MAX_HOSTS, netnsName, outerLinks,
} from './paths.js';

const ALL = Array.from({ length: MAX_HOSTS }, (_, k) => k + 1);

describe('lab paths', () => {
  it('names hosts lab01 … lab1000 with at least two digits', () => {
    assert.equal(hostName(1), 'lab01');
    assert.equal(hostName(42), 'lab42');
    assert.equal(hostName(100), 'lab100');
    assert.equal(hostName(240), 'lab240');
    assert.equal(hostName(241), 'lab241');
    assert.equal(MAX_HOSTS, 1000);
    assert.equal(hostName(MAX_HOSTS), 'lab1000');
    assert.throws(() => hostName(0));
    assert.throws(() => hostName(MAX_HOSTS + 1));
  });

  it('reads a host index back from its name and rejects other names', () => {
    for (const i of ALL) assert.equal(hostIndex(hostName(i)), i);
    for (const n of ['lab1', 'lab001', 'lab0241', 'lab1001', 'lab9999', 'lab10000', 'lab00', 'web01', 'lab01x']) assert.equal(hostIndex(n), null, n);
  });

  it('keeps hosts 1-240 at 10.213.0.(10+i)/24, as before', () => {
    assert.equal(hostCidr(1), '10.213.0.11/24');
    assert.equal(hostCidr(5), '10.213.0.15/24');
    assert.equal(hostCidr(240), '10.213.0.250/24');
    for (let i = 1; i <= 240; i++) assert.equal(hostAddress(i), `10.213.0.${10 + i}`);
  });

  it('puts hosts 241-1000 in 10.213.1-3.x/22, from .1 to .254 of each /24', () => {
    assert.equal(hostCidr(241), '10.213.1.1/22');
    assert.equal(hostAddress(494), '10.213.1.254');
    assert.equal(hostAddress(495), '10.213.2.1');
    assert.equal(hostAddress(748), '10.213.2.254');
    assert.equal(hostAddress(749), '10.213.3.1');
    assert.equal(hostCidr(MAX_HOSTS), '10.213.3.252/22');
    assert.deepEqual([240, 241, 1000].map(hostPrefixLen), [24, 22, 22]);
  });

  it('gives every host its own address in 10.213.0.0/22, never a .0/.255, the control side or 10.213.0.1-10', () => {
    const seen = new Set<string>();
    for (const i of ALL) {
      const a = hostAddress(i);
      const m = /^10\.213\.([0-3])\.(\d+)$/.exec(a);
      assert.ok(m, a);
      const last = Number(m[2]);
      assert.ok(last >= 1 && last <= 254, a);
      if (m[1] === '0') assert.ok(last >= 11 && last <= 250, a);
      assert.notEqual(a, CONTROL_ADDRESS);
      assert.ok(!seen.has(a), a);
      seen.add(a);
    }
    assert.equal(seen.size, 1000);
  });

  it('refuses host indexes outside 1-1000', () => {
    for (const i of [0, -1, 1001, 1.5]) {
      assert.throws(() => hostAddress(i), /outside 1…1000/);
      assert.throws(() => hostMac(i, 1), /outside/);
    }
  });

  it('keeps every link name within the kernel limit of 15 characters', () => {
    for (const i of ALL) {
      for (const l of outerLinks(i)) assert.ok(l.length <= 15, l);
    }
    assert.deepEqual(outerLinks(1000), ['kvp1-lab1000', 'kvp2-lab1000']);
    assert.equal(netnsName(1000), 'kvp-lab1000');
    assert.deepEqual(outerLinks(3), ['kvp1-lab03', 'kvp2-lab03']);
    assert.equal(netnsName(3), 'kvp-lab03');
  });

  it('gives em1 and em2 stable, distinct, locally administered MACs', () => {
    assert.equal(hostMac(11, 1), '02:6b:76:01:00:0b');
    assert.equal(hostMac(11, 2), '02:6b:76:02:00:0b');
    assert.equal(hostMac(240, 1), '02:6b:76:01:00:f0');
    assert.equal(hostMac(256, 1), '02:6b:76:01:01:00');
    assert.equal(hostMac(1000, 2), '02:6b:76:02:03:e8');
    const macs = new Set(ALL.flatMap((i) => [hostMac(i, 1), hostMac(i, 2)]));
    assert.equal(macs.size, 2 * MAX_HOSTS);
    for (const m of macs) assert.match(m, /^02(:[0-9a-f]{2}){5}$/);
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
