import assert from 'node:assert/strict';
import { HOST_FACTS_SCRIPT, osFamily, parseHostFacts, parseIpJson, parseOsRelease } from './facts-parse.js';
import { factsModule, factsFor } from './facts.js';
import { fakeContext } from '../../../../test/support/module-context.js';
import { loadProbeCases, RecordedHost, runsScript } from '../../../../test/support/recorded-host.js';

// Recorded outputs of the probe, with what the parser makes of them (test/fixtures/probes/facts/).
const CASES = loadProbeCases<Record<string, unknown>>('facts');
const LAB_NO_KVM = CASES.find((c) => c.name === 'lab01-sysv-apt-no-vmx')?.stdout ?? '';

// Written after a Debian 12 and a RHEL 9 hypervisor's output (no such host in the lab).
const DEBIAN_KVM = `--kvmplay:kv--
hostname=hv1
kernel=6.1.0-18-amd64
cpus=16
memtotal_kb=65843212
service_mgr=systemd
pkg=apt-get
dev_kvm=yes
kvm_module=yes
cpu_vendor=GenuineIntel
cpu_flags=fpu vme vmx sse2 lm
libvirtd_version=libvirtd (libvirt) 9.0.0
virsh_version=9.0.0
virtqemud_bin=yes
unit:virtqemud.socket=disabled
unit:virtqemud.service=disabled
unit:libvirtd.socket=enabled
unit:libvirtd.service=enabled
--kvmplay:os-release--
PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
VERSION_ID="12"
ID=debian
--kvmplay:ip--
`;

const RHEL9 = `--kvmplay:kv--
hostname=rh9
kernel=5.14.0-362.el9.x86_64
cpus=8
memtotal_kb=16000000
service_mgr=systemd
pkg=dnf
pkg=yum
dev_kvm=yes
kvm_module=yes
cpu_vendor=AuthenticAMD
cpu_flags=fpu svm lm
libvirtd_version=
virsh_version=9.5.0
virtqemud_bin=yes
unit:virtqemud.socket=enabled
unit:virtqemud.service=enabled
unit:libvirtd.socket=disabled
unit:libvirtd.service=disabled
--kvmplay:os-release--
NAME="Red Hat Enterprise Linux"
VERSION_ID="9.3"
ID="rhel"
ID_LIKE="fedora"
PRETTY_NAME="Red Hat Enterprise Linux 9.3 (Plow)"
--kvmplay:ip--
ip: unknown option -j
`;

describe('facts parsing', () => {
  for (const c of CASES) {
    it(`reads ${c.name}: ${c.title}`, () => {
      assert.equal(c.rc, 0);
      const f = parseHostFacts(c.stdout);
      for (const [key, want] of Object.entries(c.expected)) assert.deepEqual(f[key], want, key);
    });
  }

  it('maps interfaces to their global IPv4 address and tells ports by their master', () => {
    // lab05 with em1 in br0: the address is on br0; lo's and em2's link-local ones do not count.
    const ip = JSON.stringify([
      { ifname: 'lo', address: '00:00:00:00:00:00', operstate: 'UNKNOWN', addr_info: [{ family: 'inet', local: '127.0.0.1', prefixlen: 8, scope: 'host' }] },
      { ifname: 'em1', master: 'br0', address: '02:6b:76:01:00:05', operstate: 'UP', addr_info: [] },
      { ifname: 'em2', address: '02:6b:76:02:00:05', operstate: 'UP', addr_info: [{ family: 'inet6', local: 'fe80::6b:76ff:fe02:5', prefixlen: 64, scope: 'link' }] },
      { ifname: 'br0', address: '02:6b:76:01:00:05', operstate: 'UP', addr_info: [{ family: 'inet', local: '10.213.0.15', prefixlen: 24, scope: 'global' }, { family: 'inet', local: '10.213.0.99', prefixlen: 24, scope: 'global' }] },
    ]);
    const f = parseHostFacts(`--kvmplay:ip--\n${ip}\n`);
    assert.deepEqual(f.ipv4, { br0: '10.213.0.15/24' });
    assert.deepEqual(f.interfaces.map((i) => [i.name, i.master]), [['lo', null], ['em1', 'br0'], ['em2', null], ['br0', null]]);
    // iproute2 without scope in its JSON: loopback told by range; no JSON at all: nothing.
    assert.deepEqual(parseHostFacts(LAB_NO_KVM).ipv4, { em1: '10.213.0.11/24' });
    assert.deepEqual(parseHostFacts(RHEL9).ipv4, {});
  });

  it('reads a Debian hypervisor with monolithic libvirtd enabled', () => {
    const f = parseHostFacts(DEBIAN_KVM);
    assert.equal(f.cpu_virt_flag, 'vmx');
    assert.equal(f.cpu_hypervisor, false);
    assert.equal(f.kvm_module_loaded, true);
    assert.equal(f.dev_kvm, true);
    assert.equal(f.libvirt_version, '9.0.0');
    assert.equal(f.libvirt_modular, false);
    assert.deepEqual(f.interfaces, []);
  });

  it('reads a RHEL 9-like host: dnf before yum, svm, modular daemons, no ip -j', () => {
    const f = parseHostFacts(RHEL9);
    assert.equal(f.os_family, 'RedHat');
    assert.equal(f.os_version, '9.3');
    assert.equal(f.os_major, '9');
    assert.equal(f.pkg_mgr, 'dnf');
    assert.equal(f.cpu_virt_flag, 'svm');
    assert.equal(f.libvirt_version, '9.5.0');
    assert.equal(f.libvirt_modular, true);
    assert.deepEqual(f.interfaces, []);
  });

  it('takes the distribution default when no libvirt unit is enabled yet', () => {
    const fresh = RHEL9.replace(/=enabled/g, '=disabled');
    assert.equal(parseHostFacts(fresh).libvirt_modular, true);
    assert.equal(parseHostFacts(DEBIAN_KVM.replace(/=enabled/g, '=disabled')).libvirt_modular, false);
  });

  it('never fails on empty or garbled output', () => {
    const f = parseHostFacts('');
    assert.equal(f.pkg_mgr, 'unknown');
    assert.equal(f.kvm_module_loaded, null);
    assert.deepEqual(parseIpJson('{not json'), []);
  });
});

describe('facts module', () => {
  it('probes in one round trip and registers facts and ansible_facts', async () => {
    const host = new RecordedHost().on(runsScript(HOST_FACTS_SCRIPT), { stdout: LAB_NO_KVM });
    const r = await factsModule.run(host, factsModule.args.parse({}), fakeContext());
    assert.equal(r.changed, false);
    assert.equal(r.failed, undefined, r.msg);
    assert.equal(r.msg, 'Debian GNU/Linux 12 (bookworm) (apt, sysv)');
    assert.equal(host.calls.length, 1);
    const facts = r.data?.['facts'] as Record<string, unknown>;
    assert.equal(facts['service_mgr'], 'sysv');
    // An output without Ansible's sections (an older probe) gives no Ansible facts rather than wrong ones.
    assert.deepEqual(r.data?.['ansible_facts'], {});
  });

  it('fails with the rc and stderr of a probe that fails', async () => {
    const host = new RecordedHost().on(runsScript(HOST_FACTS_SCRIPT), { rc: 2, stderr: 'sh: 1: syntax error\n' });
    const r = await factsModule.run(host, factsModule.args.parse({}), fakeContext());
    assert.equal(r.failed, true);
    assert.equal(r.changed, false);
    assert.equal(r.msg, 'gathering facts failed (rc=2): sh: 1: syntax error');
    assert.equal(r.rc, 2);
  });

  it('reuses facts already in the host vars when they have the needed keys', async () => {
    const host = new RecordedHost();
    const f = await factsFor(host, fakeContext({ vars: { facts: { pkg_mgr: 'apt' } } }), ['pkg_mgr']);
    assert.equal(f['pkg_mgr'], 'apt');
    assert.equal(host.calls.length, 0);
  });
});

// The runner's gather_facts reads these keys (they were its own small fact set).
const GATHERED_KEYS = ['hostname', 'os_id', 'os_version', 'os_family', 'os_name', 'kernel', 'cpus', 'memory_mb', 'service_mgr', 'pkg_mgr'];

function pick(f: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, f[k]]));
}

describe('gathered facts', () => {
  it('reads a Debian host from one round trip of output', () => {
    const out = [
      '--kvmplay:kv--',
      'hostname=lab01',
      'kernel=6.1.0-28-amd64',
      'cpus=4',
      'memtotal_kb=8041236',
      'service_mgr=sysv',
      'pkg=apt-get',
      '--kvmplay:os-release--',
      'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"',
      'NAME="Debian GNU/Linux"',
      'VERSION_ID="12"',
      'ID=debian',
      '',
    ].join('\n');
    assert.deepEqual(pick(parseHostFacts(out), GATHERED_KEYS), {
      hostname: 'lab01', os_id: 'debian', os_version: '12', os_family: 'Debian', os_name: 'Debian GNU/Linux 12 (bookworm)',
      kernel: '6.1.0-28-amd64', cpus: 4, memory_mb: 7852, service_mgr: 'sysv', pkg_mgr: 'apt',
    });
  });

  it('prefers dnf over yum on a RHEL host with systemd, as Ansible does', () => {
    const out = '--kvmplay:kv--\nhostname=hv01\ncpus=2\nservice_mgr=systemd\npkg=dnf\npkg=yum\n--kvmplay:os-release--\nID="rhel"\nID_LIKE="fedora"\nVERSION_ID="9.3"\n';
    const f = parseHostFacts(out);
    assert.equal(f.pkg_mgr, 'dnf');
    assert.equal(f.service_mgr, 'systemd');
    assert.equal(f.os_family, 'RedHat');
    assert.equal(f.os_version, '9.3');
  });

  it('says unknown rather than guessing when nothing was found', () => {
    const f = parseHostFacts('');
    assert.equal(f.pkg_mgr, 'unknown');
    assert.equal(f.cpus, 0);
    assert.equal(f.os_family, 'unknown');
  });

  it('unquotes os-release values with shell rules, without running them', () => {
    assert.deepEqual(parseOsRelease(`NAME='A $(b)'\nX="say \\"hi\\" \\$HOME"\n# comment\nBAD LINE`), { NAME: 'A $(b)', X: 'say "hi" $HOME' });
  });

  it('finds the family through ID_LIKE for derivatives', () => {
    assert.equal(osFamily('rocky', 'rhel centos fedora'), 'RedHat');
    assert.equal(osFamily('pop', 'ubuntu debian'), 'Debian');
    assert.equal(osFamily('gentoo', ''), 'Gentoo');
  });
});
