import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareWithAnsible, deprefixed } from './ansible-compare.js';
import { OSDIST_PATHS, distributionFacts } from './ansible-distribution.js';
import { ansibleFacts, ansibleFactVars, isRestrictedFactVar } from './ansible-facts.js';
import { cpuFacts, virtualFacts } from './ansible-hardware.js';
import { networkFacts } from './ansible-network.js';
import { DUMPED_FILES, readAnsibleProbe, type AnsibleProbe } from './ansible-probe.js';
import { dateTimeFacts, fqdnOf, pkgMgrFact, serviceMgrFact } from './ansible-system.js';
import { ansibleFactsOf, HOST_FACTS_SCRIPT, parseHostFacts } from './facts-parse.js';
import { factVariables, factsModule } from './facts.js';
import { fakeContext } from '../../../../test/support/module-context.js';
import { loadProbeCases, RecordedHost, runsScript } from '../../../../test/support/recorded-host.js';
import { INSTALL_DIR } from '../../../util/install-dir.js';

// Recordings of the probe on lab hosts, each with what `ansible -m setup` returned for the
// same host at the same moment (test/fixtures/probes/facts/lab0*-ansible-*.json).
const RECORDED = loadProbeCases<Record<string, unknown>>('facts')
  .map((c) => ({ ...c, setup: (c as unknown as { ansible_setup?: Record<string, unknown> }).ansible_setup }))
  .filter((c) => c.setup !== undefined);

/** The probe's sections for a host made of `files` (what the probe would dump) and `ans` lines. */
function probeOf(files: Readonly<Record<string, string>>, sections: Readonly<Record<string, string>> = {}, ans: readonly string[] = []): AnsibleProbe {
  const dumped = Object.entries(files).filter(([path]) => DUMPED_FILES.includes(path));
  const releases = Object.entries(files).flatMap(([path, text]) => {
    const m = /^\/etc\/([^/]*[-_](release|version))$/.exec(path);
    return m ? [`${m[1]}\t${text.split('\n')[0]}`] : [];
  });
  return readAnsibleProbe(new Map([
    ['ans', ans.join('\n')],
    ['files', dumped.map(([path, text]) => `\n@@file ${path}\n${text}`).join('')],
    ['distro-release', releases.join('\n')],
    ...Object.entries(sections),
  ]));
}

describe('Ansible facts from recorded probes, against Ansible\'s setup on the same host', () => {
  it('has recordings to compare', () => assert.ok(RECORDED.length >= 2));
  for (const c of RECORDED) {
    it(`gives Ansible's facts for ${c.name}`, () => {
      const mine = ansibleFactsOf(parseHostFacts(c.stdout));
      // Recorded at the same moment: the relaxed keys (time, free memory) moved by seconds at most.
      const r = compareWithAnsible(mine, deprefixed(c.setup!), 30);
      assert.deepEqual(r.problems, []);
      for (const key of ['hostname', 'distribution', 'os_family', 'processor', 'interfaces', 'default_ipv4', 'dns', 'selinux']) {
        assert.ok(r.equal.includes(key) || r.relaxed.includes(key), key);
      }
    });
  }
});

describe('Ansible facts: distribution', () => {
  const folder = join(INSTALL_DIR, 'test', 'fixtures', 'probes', 'facts', 'distributions');
  for (const file of readdirSync(folder).filter((f) => f.endsWith('.json')).sort()) {
    const c = JSON.parse(readFileSync(join(folder, file), 'utf8')) as { title: string; files: Record<string, string>; ansible: Record<string, unknown> };
    it(`reads ${c.title.split(':')[0]} as Ansible does`, () => {
      assert.deepEqual(distributionFacts(probeOf(c.files, { 'os-release': c.files['/etc/os-release'] ?? '' })), c.ansible);
    });
  }

  it('has the probe dump every file Ansible reads for it', () => {
    for (const path of OSDIST_PATHS) assert.ok(DUMPED_FILES.includes(path), path);
    assert.ok(DUMPED_FILES.includes('/etc/debian_version'));
  });
});

describe('Ansible facts: package and service managers', () => {
  const on = (...paths: string[]): AnsibleProbe => probeOf({}, {}, paths.map((p) => `exists=${p}`));
  it('takes the family\'s official package manager, as Ansible does', () => {
    const rh = (major: string, distribution = 'RedHat'): { distribution: string; major: string; osFamily: string } => ({ distribution, major, osFamily: 'RedHat' });
    assert.equal(pkgMgrFact(on('/usr/bin/yum', '/usr/bin/dnf'), rh('9')), 'dnf');
    assert.equal(pkgMgrFact(on('/usr/bin/yum'), rh('7', 'CentOS')), 'yum');
    assert.equal(pkgMgrFact(on('/usr/bin/yum', '/usr/bin/dnf'), rh('39', 'Fedora')), 'dnf');
    assert.equal(pkgMgrFact(on('/usr/bin/yum'), rh('2', 'Amazon')), 'yum');
    assert.equal(pkgMgrFact(on('/usr/bin/dnf', '/run/ostree-booted'), rh('9')), 'atomic_container');
    const debian = { distribution: 'Debian', major: '12', osFamily: 'Debian' };
    assert.equal(pkgMgrFact(on('/usr/bin/apt-get', '/usr/bin/dnf'), debian), 'apt');
    assert.equal(pkgMgrFact(on(), { distribution: 'Alpine', major: '3', osFamily: 'Alpine' }), 'unknown');
    assert.equal(pkgMgrFact(on('/sbin/apk'), { distribution: 'Alpine', major: '3', osFamily: 'Alpine' }), 'apk');
  });

  it('names PID 1 unless it is `init` or a shell, then looks for systemd, upstart, openrc, sysvinit', () => {
    const svc = (comm: string | undefined, ans: string[]): string =>
      serviceMgrFact(probeOf(comm === undefined ? {} : { '/proc/1/comm': `${comm}\n` }, {}, ans), 'Debian');
    assert.equal(svc('systemd', []), 'systemd');
    assert.equal(svc('sshd', ['bin=systemctl', 'exists=/run/systemd/system/']), 'sshd');
    assert.equal(svc('runit-init', []), 'runit');
    assert.equal(svc('init', ['bin=systemctl', 'exists=/run/systemd/system/']), 'systemd');
    assert.equal(svc('bash', ['exists=/etc/init.d/']), 'sysvinit');
    assert.equal(svc('init', ['bin=systemctl', 'sbin_init=../lib/systemd/systemd']), 'systemd');
    assert.equal(svc('init', []), 'service');
    // No /proc/1/comm: `ps` answers (a busybox ps printing a PID column does not count).
    assert.equal(svc(undefined, ['ps1=0|openrc-init']), 'openrc');
    assert.equal(svc(undefined, ['ps1=0|  1 root init', 'exists=/sbin/openrc']), 'openrc');
  });
});

describe('Ansible facts: processor, virtualization, time, names', () => {
  it('counts sockets, cores and threads the way Ansible does', () => {
    // Two sockets, two cores each, hyperthreading: 8 vcpus.
    const cpus = [0, 1, 2, 3, 4, 5, 6, 7].map((n) => [
      `processor\t: ${n}`, 'vendor_id\t: GenuineIntel', 'model name\t: Intel Xeon', `physical id\t: ${n >> 2}`,
      'siblings\t: 4', `core id\t\t: ${(n >> 1) & 1}`, 'cpu cores\t: 2', 'flags: vme',
    ].join('\n')).join('\n');
    const f = cpuFacts(probeOf({}, { cpuinfo: cpus }), 'x86_64', 8);
    assert.deepEqual([f['processor_count'], f['processor_cores'], f['processor_threads_per_core'], f['processor_vcpus'], f['processor_nproc']], [2, 2, 2, 8, 8]);
    assert.deepEqual((f['processor'] as string[]).slice(0, 3), ['0', 'GenuineIntel', 'Intel Xeon']);
    // An ARM board: processor lines count.
    const arm = cpuFacts(probeOf({}, { cpuinfo: 'processor\t: 0\nprocessor\t: 1\nmodel name\t: ARMv8' }), 'aarch64', 2);
    assert.equal(arm['processor_count'], 2);
  });

  it('finds the first virtualization technology and lists every one', () => {
    const docker = virtualFacts(probeOf({ '/proc/1/cgroup': '0::/system.slice/docker-0123abcd.scope\n' }, {}, ['exists=/dev/kvm']));
    assert.deepEqual(docker, { virtualization_type: 'docker', virtualization_role: 'guest', virtualization_tech_guest: ['docker', 'container'], virtualization_tech_host: ['kvm'] });
    const hypervisor = virtualFacts(probeOf({}, { modules: 'kvm_intel\nkvm\nvirtio' }, ['exists=/dev/kvm']));
    assert.deepEqual(hypervisor, { virtualization_type: 'kvm', virtualization_role: 'host', virtualization_tech_guest: [], virtualization_tech_host: ['kvm'] });
    const guest = virtualFacts(probeOf({ '/sys/devices/virtual/dmi/id/product_name': 'KVM\n', '/sys/devices/virtual/dmi/id/sys_vendor': 'QEMU\n' }));
    assert.deepEqual(guest, { virtualization_type: 'kvm', virtualization_role: 'guest', virtualization_tech_guest: ['kvm'], virtualization_tech_host: [] });
    assert.deepEqual(virtualFacts(probeOf({})), { virtualization_type: 'NA', virtualization_role: 'NA', virtualization_tech_guest: [], virtualization_tech_host: [] });
  });

  it('gives date_time in Ansible\'s keys and formats, tz_dst as CPython finds it', () => {
    const at = (date: string, jan: string, jul: string): Record<string, string> =>
      dateTimeFacts(probeOf({}, {}, [`date=${date}`, `tz_jan=${jan}`, `tz_jul=${jul}`]))['date_time'] as Record<string, string>;
    const berlin = at('2024|07|Monday|1|27|08|14|05|09|1720440309|123456789|CEST|+0200', '+0100|CET', '+0200|CEST');
    assert.deepEqual(berlin, {
      year: '2024', month: '07', weekday: 'Monday', weekday_number: '1', weeknumber: '27', day: '08', hour: '14',
      minute: '05', second: '09', epoch: '1720440309', epoch_int: '1720440309', date: '2024-07-08', time: '14:05:09',
      iso8601_micro: '2024-07-08T12:05:09.123456Z', iso8601: '2024-07-08T12:05:09Z', iso8601_basic: '20240708T140509123456',
      iso8601_basic_short: '20240708T140509', tz: 'CEST', tz_dst: 'CEST', tz_offset: '+0200',
    });
    // Southern hemisphere: summer time is in January.
    assert.equal(at('2024|07|Monday|1|27|08|22|05|09|1720440309|1|AEST|+1000', '+1100|AEDT', '+1000|AEST')['tz_dst'], 'AEDT');
  });

  it('takes the fqdn from the address lookup, as socket.getfqdn does', () => {
    assert.equal(fqdnOf('hv1', '10.0.0.5      hv1.example.net hv1'), 'hv1.example.net');
    assert.equal(fqdnOf('hv1', '10.0.0.5      hv1 hv1-alias.example.net'), 'hv1-alias.example.net');
    assert.equal(fqdnOf('hv1', '10.0.0.5      hv1'), 'hv1');
    assert.equal(fqdnOf('hv1', undefined), 'hv1');
  });
});

describe('Ansible facts: network', () => {
  const net = (sysfs: string, primary: string, extra: Record<string, string> = {}): Record<string, unknown> =>
    networkFacts(probeOf({}, { net: sysfs, 'ip-primary': primary, ...extra }, ['bin=ip']));

  it('reads bridges, bonds and point-to-point links, names with `-` and `.` kept in the list', () => {
    const sysfs = [
      '@@dev br-lan', '@@attr address=52:54:00:00:00:01', '@@attr mtu=1500', '@@attr operstate=up', '@@attr type=1', '@@attr flags=0x1103',
      '@@attr bridge', '@@attr bridge/bridge_id=8000.525400000001', '@@attr bridge/stp_state=0', '@@brif eth0.10',
      '@@dev eth0.10', '@@attr address=52:54:00:00:00:02', '@@attr mtu=1500', '@@attr operstate=up', '@@attr type=1',
      '@@dev bond0', '@@attr address=52:54:00:00:00:03', '@@attr mtu=9000', '@@attr operstate=down', '@@attr type=1', '@@attr bonding',
      '@@attr bonding/slaves=eth1 eth2', '@@attr bonding/mode=802.3ad 4', '@@attr bonding/miimon=100', '@@attr bonding/lacp_rate=slow 0', '@@attr bonding/primary=',
      '@@dev ppp0', '@@attr mtu=1492', '@@attr operstate=unknown', '@@attr type=512',
    ].join('\n');
    const ip = [
      '5: br-lan: <BROADCAST,MULTICAST,PROMISC,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP',
      '    inet 192.168.1.1/24 brd 192.168.1.255 scope global br-lan',
      '    inet6 fd00::1/64 scope global ',
      '6: eth0.10@eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master br-lan state UP',
      '7: bond0: <BROADCAST,MULTICAST,MASTER> mtu 9000 qdisc noop state DOWN',
      '8: ppp0: <POINTOPOINT,MULTICAST,NOARP,UP,LOWER_UP> mtu 1492 qdisc fq_codel state UNKNOWN',
      '    inet 10.64.0.2 peer 10.64.0.1/32 scope global ppp0',
      '    inet6 fe80::1 peer fe80::2/128 scope link ',
    ].join('\n');
    const f = net(sysfs, ip);
    assert.deepEqual(f['interfaces'], ['br-lan', 'eth0.10', 'bond0', 'ppp0']);
    assert.deepEqual(f['br-lan'], {
      device: 'br-lan', macaddress: '52:54:00:00:00:01', mtu: 1500, active: true, type: 'bridge', interfaces: ['eth0.10'],
      id: '8000.525400000001', stp: false, promisc: true,
      ipv4: { address: '192.168.1.1', broadcast: '192.168.1.255', netmask: '255.255.255.0', network: '192.168.1.0', prefix: '24' },
      ipv6: [{ address: 'fd00::1', prefix: '64', scope: 'global' }],
    });
    assert.deepEqual(f['bond0'], { device: 'bond0', macaddress: '52:54:00:00:00:03', mtu: 9000, active: false, type: 'bonding', slaves: ['eth1', 'eth2'], mode: '802.3ad', miimon: '100', lacp_rate: 'slow' });
    assert.deepEqual((f['ppp0'] as Record<string, unknown>)['ipv4'], { address: '10.64.0.2', broadcast: '', netmask: '255.255.255.255', network: '10.64.0.2', prefix: '32' });
    assert.deepEqual((f['ppp0'] as Record<string, unknown>)['ipv6'], [{ address: 'fe80::1', prefix: '128', scope: 'link' }]);
    assert.deepEqual(f['all_ipv4_addresses'], ['192.168.1.1', '10.64.0.2']);
    assert.deepEqual(f['all_ipv6_addresses'], ['fd00::1', 'fe80::1']);
    assert.deepEqual([f['default_ipv4'], f['default_ipv6']], [{}, {}]);
    // The fact names themselves: `-` becomes `_`, `.` stays (Ansible's fact namespace).
    const all = ansibleFacts(new Map([['ans', 'bin=ip'], ['net', sysfs], ['ip-primary', ip]]));
    assert.ok('br_lan' in all && 'eth0.10' in all && !('br-lan' in all));
    assert.ok('ansible_br_lan' in ansibleFactVars(all));
  });

  it('falls back to `ip addr show` where `primary` is unknown (busybox) and has no facts without ip', () => {
    const sysfs = '@@dev eth0\n@@attr mtu=1500\n@@attr type=1';
    const f = net(sysfs, "ip: can't find device 'primary'\n@@noprimary\n2: eth0: <UP> mtu 1500\n    inet 10.0.0.2/8 scope global eth0", { 'route-v4': '8.8.8.8 via 10.0.0.1 dev eth0 src 10.0.0.2 uid 0\n    cache' });
    assert.deepEqual(f['default_ipv4'], { gateway: '10.0.0.1', interface: 'eth0', address: '10.0.0.2', broadcast: '', netmask: '255.0.0.0', network: '10.0.0.0', prefix: '8', macaddress: '', mtu: 1500, type: 'ether', alias: 'eth0' });
    assert.deepEqual(networkFacts(probeOf({}, { net: sysfs })), {});
  });
});

describe('Ansible facts as variables', () => {
  it('gives ansible_facts and ansible_<name> for each fact, connection variables excepted', () => {
    const facts = { ansible: { os_family: 'Debian', default_ipv4: { address: '10.0.0.2' }, host: 'eth-named-host', ssh_host_key_ed25519_public: 'AAAA' } };
    const vars = factVariables(facts);
    assert.deepEqual(vars['ansible_facts'], facts.ansible);
    assert.equal(vars['ansible_os_family'], 'Debian');
    assert.deepEqual(vars['ansible_default_ipv4'], { address: '10.0.0.2' });
    assert.equal('ansible_host' in vars, false); // a fact never becomes the connection address
    assert.equal(vars['ansible_ssh_host_key_ed25519_public'], 'AAAA');
    assert.deepEqual(factVariables(undefined), { ansible_facts: {} }); // always defined, as in Ansible
    for (const name of ['ansible_user', 'ansible_become_user', 'ansible_python_interpreter', 'ansible_ssh_args_x', 'ansible_facts']) assert.ok(isRestrictedFactVar(name), name);
    for (const name of ['ansible_eth0', 'ansible_local_bridge', 'ansible_docker0']) assert.ok(!isRestrictedFactVar(name), name);
  });

  it('registers Ansible\'s names as ansible_facts and kvmplay\'s as facts from the facts module', async () => {
    const c = RECORDED.find((x) => x.name.startsWith('lab04'));
    assert.ok(c);
    const host = new RecordedHost().on(runsScript(HOST_FACTS_SCRIPT), { stdout: c.stdout });
    const r = await factsModule.run(host, factsModule.args.parse({}), fakeContext());
    const facts = r.data?.['facts'] as Record<string, unknown>;
    const ansible = r.data?.['ansible_facts'] as Record<string, unknown>;
    assert.equal(facts['service_mgr'], 'systemd');
    assert.equal(facts['os_id'], 'debian');
    assert.equal('ansible' in JSON.parse(JSON.stringify(facts)), false);
    assert.deepEqual([ansible['distribution'], ansible['os_family'], ansible['service_mgr'], ansible['virtualization_type']], ['Debian', 'Debian', 'systemd', 'container']);
  });
});
