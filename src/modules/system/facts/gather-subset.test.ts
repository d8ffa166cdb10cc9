import assert from 'node:assert/strict';
import { badSubsetMessage, GATHER_SUBSET_NAMES, gatherCollectors, gatherSubsetList, MIN_COLLECTORS, unknownSubset } from './gather-subset.js';

// Each row: gather_subset → the collectors ansible-core 2.14 runs on Linux for it
// (collector_classes_from_gather_subset with setup's minimal subset, checked against
// Ansible's own function when the table was written).
const MIN = [...MIN_COLLECTORS].sort();
const ALL = ['apparmor', 'caps', 'chroot', 'cmdline', 'date_time', 'distribution', 'dns', 'env', 'facter', 'fibre_channel_wwn', 'fips',
  'hardware', 'iscsi', 'loadavg', 'local', 'lsb', 'network', 'nvme', 'ohai', 'pkg_mgr', 'platform', 'python', 'selinux', 'service_mgr',
  'ssh_pub_keys', 'user', 'virtual'];
const CASES: ReadonlyArray<readonly [readonly string[], readonly string[]]> = [
  [['all'], ALL],
  [['!all'], MIN],
  [['min'], MIN],
  [['!all', '!min'], []],
  [['!all', 'network'], [...MIN, 'network'].sort()],
  // What network needs comes along, even with the minimal collectors excluded.
  [['!all', '!min', 'network'], ['distribution', 'network', 'platform']],
  [['!all', '!min', 'hardware'], ['hardware', 'platform']],
  // A fact's name selects its collector.
  [['!all', '!min', 'os_family'], ['distribution']],
  [['!all', '!min', 'processor'], ['hardware', 'platform']],
  [['!all', '!min', 'user_id'], ['user']],
  // An explicit name wins over an exclusion, in any order.
  [['!all', '!min', 'virtual', '!virtual'], ['virtual']],
  // Without `all`, only the minimal collectors and what is asked: an exclusion alone
  // leaves the minimal ones (ansible-core 2.14 does so: `!hardware` gathers no network facts).
  [['!network', 'interfaces'], [...MIN, 'network'].sort()],
  [['!hardware', '!network', '!virtual', '!ohai', '!facter'], MIN],
  [['all', '!hardware', '!network', '!virtual', '!ohai', '!facter'], ['apparmor', 'caps', 'chroot', 'cmdline', 'date_time', 'distribution', 'dns', 'env', 'fibre_channel_wwn', 'fips', 'iscsi', 'loadavg', 'local', 'lsb', 'nvme', 'pkg_mgr', 'platform', 'python', 'selinux', 'service_mgr', 'ssh_pub_keys', 'user']],
  // Excluding a collector another one needs does not remove it (network needs distribution).
  [['all', '!distribution'], ALL],
  // Excluding an unknown name is no error (Ansible ignores it).
  [['!all', '!nonsense'], MIN],
];

describe('gather_subset', () => {
  for (const [subset, want] of CASES) {
    it(`runs the collectors Ansible runs for ${JSON.stringify(subset)}`, () => {
      assert.deepEqual([...gatherCollectors(subset)].sort(), want);
    });
  }

  it('refuses an unknown subset with Ansible\'s message, which lists the valid names', () => {
    assert.throws(() => gatherCollectors(['!all', 'netwrok']), {
      message: `Bad subset 'netwrok' given to Ansible. gather_subset options allowed: all, ${GATHER_SUBSET_NAMES.join(', ')}`,
    });
    assert.match(badSubsetMessage('x'), /allowed: all, all_ipv4_addresses, all_ipv6_addresses, apparmor, architecture, caps, chroot, cmdline, /);
    assert.ok(GATHER_SUBSET_NAMES.includes('virtualization_type') && GATHER_SUBSET_NAMES.includes('ohai') && !GATHER_SUBSET_NAMES.includes('min'));
    assert.equal(unknownSubset(['all', 'min', '!whatever', 'network', 'facter', 'nope']), 'nope');
    assert.equal(unknownSubset(['!all', 'ssh_host_pub_keys']), undefined);
  });

  it('reads a list as it is and a string as names separated by commas; nothing means all', () => {
    assert.deepEqual(gatherSubsetList('!all, network'), ['!all', 'network']);
    assert.deepEqual(gatherSubsetList(['!all', 'network ']), ['!all', 'network']);
    assert.deepEqual(gatherSubsetList([]), ['all']);
    assert.deepEqual(gatherSubsetList(undefined), ['all']);
  });
});
