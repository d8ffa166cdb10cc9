import assert from 'node:assert/strict';
import type { RunOptions, RunResult } from '../../../transport/host.js';
import { mapPackageNames, type DistroInfo } from './package-names.js';
import { packageCommands, parseAptSimulate, parseCheckUpdate, parseDpkgQuery, parseRpmQuery, planPackages } from './package-plan.js';
import { packageModule } from './package.js';
import { fakeContext } from '../../../../test/support/module-context.js';
import { FakeHost } from '../../../../test/support/fake-host.js';

const DEB_SYSV: DistroInfo = { family: 'Debian', major: '12', service_mgr: 'sysv' };
const DEB_SYSTEMD: DistroInfo = { family: 'Debian', major: '12', service_mgr: 'systemd' };
const RHEL8: DistroInfo = { family: 'RedHat', major: '8', service_mgr: 'systemd' };
const RHEL9: DistroInfo = { family: 'RedHat', major: '9', service_mgr: 'systemd' };
const STACK = ['qemu-kvm', 'libvirt', 'virt-install', 'bridge-utils', 'libvirt-clients'];

describe('KVM stack package names', () => {
  const table: Array<[string, readonly string[], DistroInfo, 'present' | 'absent', string[]]> = [
    ['maps the stack to Debian names on systemd, with dnsmasq-base for NAT networks', STACK, DEB_SYSTEMD, 'present', ['qemu-system-x86', 'qemu-utils', 'libvirt-daemon-system', 'virtinst', 'bridge-utils', 'libvirt-clients', 'dnsmasq-base']],
    ['adds libvirt-daemon-system-sysv on Debian without systemd', STACK, DEB_SYSV, 'present', ['qemu-system-x86', 'qemu-utils', 'libvirt-daemon-system', 'virtinst', 'bridge-utils', 'libvirt-clients', 'libvirt-daemon-system-sysv', 'dnsmasq-base']],
    ['adds the sysv package to Debian names too', ['libvirt-daemon-system', 'dnsmasq-base'], DEB_SYSV, 'present', ['libvirt-daemon-system', 'dnsmasq-base', 'libvirt-daemon-system-sysv']],
    ['adds nothing when removing', ['libvirt'], DEB_SYSV, 'absent', ['libvirt-daemon-system']],
    ['maps the stack to RHEL 8 names', STACK, RHEL8, 'present', ['qemu-kvm', 'libvirt', 'virt-install', 'bridge-utils', 'libvirt-client']],
    ['drops bridge-utils on RHEL 9', STACK, RHEL9, 'present', ['qemu-kvm', 'libvirt', 'virt-install', 'libvirt-client']],
    ['maps Debian names on RHEL', ['qemu-system-x86', 'qemu-utils', 'virtinst'], RHEL9, 'present', ['qemu-kvm', 'qemu-img', 'virt-install']],
    ['leaves other names alone', ['htop'], RHEL9, 'present', ['htop']],
  ];
  for (const [name, req, d, state, want] of table) it(name, () => assert.deepEqual(mapPackageNames(req, d, state).names, want));

  it('says why bridge-utils was dropped', () => {
    assert.match(mapPackageNames(['bridge-utils'], RHEL9, 'present').notes.join(), /not shipped on RHEL 9/);
  });
});

describe('package state parsing and planning', () => {
  it('counts only "install ok installed" from dpkg-query', () => {
    const out = 'bash install ok installed 5.2.15-2+b2\nfoo unknown ok not-installed \nbar deinstall ok config-files 1.0\nlibc6:amd64 install ok installed 2.36\n';
    assert.deepEqual([...parseDpkgQuery(out)], [['bash', '5.2.15-2+b2'], ['libc6', '2.36']]);
  });

  it('skips "is not installed" lines from rpm -q', () => {
    assert.deepEqual([...parseRpmQuery('qemu-kvm 8.0.0-16.el9\npackage libvirt is not installed\n')], [['qemu-kvm', '8.0.0-16.el9']]);
  });

  it('finds upgrades in apt simulation and check-update output', () => {
    assert.deepEqual(parseAptSimulate('NOTE: simulation\nInst bash [5.2.15-2] (5.2.15-3 Debian:12)\nInst libx (1)\nConf bash\n', ['bash']), ['bash']);
    assert.deepEqual(parseCheckUpdate('\nqemu-kvm.x86_64    17:8.2.0-11.el9   appstream\nother.noarch 1 baseos\n', ['qemu-kvm']), ['qemu-kvm']);
  });

  const installed = new Map([['a', '1'], ['b', '2']]);
  const plans: Array<[string, 'present' | 'absent' | 'latest', string[], { install: string[]; upgrade: string[]; remove: string[] }]> = [
    ['installs only what is missing', 'present', [], { install: ['c'], upgrade: [], remove: [] }],
    ['removes only what is installed', 'absent', [], { install: [], upgrade: [], remove: ['a', 'b'] }],
    ['upgrades what has a newer version', 'latest', ['b'], { install: ['c'], upgrade: ['b'], remove: [] }],
  ];
  for (const [name, state, ups, want] of plans) it(name, () => assert.deepEqual(planPackages(['a', 'b', 'c'], state, installed, ups), want));

  it('builds a non-interactive apt install without recommends, and dnf commands', () => {
    const [apt] = packageCommands('apt', { install: ['x'], upgrade: [], remove: [] }, { installRecommends: false });
    assert.deepEqual(apt?.slice(0, 3), ['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get']);
    assert.ok(apt?.includes('--no-install-recommends') && apt.includes('DPkg::Lock::Timeout=600') && apt.at(-1) === 'x');
    assert.deepEqual(packageCommands('dnf', { install: [], upgrade: [], remove: ['y'] }, { installRecommends: true }), [['dnf', '-y', 'remove', 'y']]);
  });
});

describe('package module', () => {
  const facts = { pkg_mgr: 'apt', os_family: 'Debian', os_version: '12', service_mgr: 'sysv' };
  const fake = (installed: string[]): FakeHost => {
    const host = new FakeHost();
    host.onCommand = (argv: readonly string[], _o: RunOptions): RunResult | undefined => {
      if (argv[0] === 'dpkg-query') return { rc: 1, stdout: argv.slice(4).filter((n) => installed.includes(n)).map((n) => `${n} install ok installed 1.0\n`).join(''), stderr: '' };
      if (argv[0] === 'env') return { rc: 0, stdout: 'done', stderr: '' };
      return undefined;
    };
    return host;
  };

  it('installs the mapped names with become, then is unchanged when all are present', async () => {
    const host = fake([]);
    const r = await packageModule.run(host, packageModule.args.parse({ name: ['libvirt'] }), fakeContext({ become: true, vars: { facts } }));
    assert.equal(r.changed, true, r.msg);
    const install = host.calls.find((c) => c.argv?.[0] === 'env');
    assert.equal(install?.opts?.become, true);
    assert.equal(install?.opts?.timeoutMs, 15 * 60_000);
    assert.deepEqual(install?.argv?.slice(-3), ['libvirt-daemon-system', 'libvirt-daemon-system-sysv', 'dnsmasq-base']);
    const again = await packageModule.run(fake(['libvirt-daemon-system', 'libvirt-daemon-system-sysv', 'dnsmasq-base']), packageModule.args.parse({ name: 'libvirt' }), fakeContext({ vars: { facts } }));
    assert.equal(again.changed, false, again.msg);
  });

  it('reports what it would remove in check mode and runs nothing that changes', async () => {
    const host = fake(['bridge-utils']);
    const r = await packageModule.run(host, packageModule.args.parse({ name: 'bridge-utils', state: 'absent' }), fakeContext({ check: true, vars: { facts } }));
    assert.equal(r.changed, true);
    assert.match(r.msg, /would remove bridge-utils/);
    assert.equal(host.calls.filter((c) => c.argv?.[0] !== 'dpkg-query').length, 0);
  });

  it('refuses names that could be options', () => {
    assert.equal(packageModule.args.safeParse({ name: '-oAPT::x' }).success, false);
  });
});
