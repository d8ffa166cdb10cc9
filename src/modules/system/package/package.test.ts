import assert from 'node:assert/strict';
import { mapPackageNames, type DistroInfo } from './package-names.js';
import { packageCommands, parseAptSimulate, parseCheckUpdate, parseDpkgQuery, parseRpmQuery, planPackages } from './package-plan.js';
import { packageModule } from './package.js';
import { fakeContext } from '../../../../test/support/module-context.js';
import { loadProbeCases, RecordedHost } from '../../../../test/support/recorded-host.js';

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
    ['keeps genisoimage on Debian', ['genisoimage'], DEB_SYSTEMD, 'present', ['genisoimage']],
    ['keeps genisoimage on RHEL 8', ['genisoimage'], RHEL8, 'present', ['genisoimage']],
    ['installs xorriso for genisoimage on RHEL 9, which has no genisoimage', ['genisoimage', 'xorriso'], RHEL9, 'present', ['xorriso']],
  ];
  for (const [name, req, d, state, want] of table) it(name, () => assert.deepEqual(mapPackageNames(req, d, state).names, want));

  it('says why bridge-utils was dropped', () => {
    assert.match(mapPackageNames(['bridge-utils'], RHEL9, 'present').notes.join(), /not shipped on RHEL 9/);
  });

  it('says why genisoimage became xorriso', () => {
    assert.match(mapPackageNames(['genisoimage'], RHEL9, 'present').notes.join(), /genisoimage → xorriso/);
  });
});

describe('package query probes', () => {
  // Recorded on Debian 12 (test/fixtures/probes/package-query/): the argv is the case's params.
  for (const c of loadProbeCases<unknown>('package-query')) {
    it(`parses ${c.name}: ${c.title}`, () => {
      if (c.params[0] === 'dpkg-query') assert.deepEqual(Object.fromEntries(parseDpkgQuery(c.stdout)), c.expected);
      else assert.deepEqual(parseAptSimulate(c.stdout, c.params.slice(4)), c.expected);
    });
  }
});

describe('package state parsing and planning', () => {
  it('counts only "install ok installed" from dpkg-query', () => {
    const out = 'bash install ok installed 5.2.15-2+b2\nfoo unknown ok not-installed \nbar deinstall ok config-files 1.0\nlibc6:amd64 install ok installed 2.36\n';
    assert.deepEqual([...parseDpkgQuery(out)], [['bash', '5.2.15-2+b2'], ['libc6', '2.36']]);
  });

  it('skips "is not installed" lines from rpm -q', () => {
    assert.deepEqual([...parseRpmQuery('qemu-kvm 8.0.0-16.el9\npackage libvirt is not installed\n')], [['qemu-kvm', '8.0.0-16.el9']]);
  });

  it('finds upgrades in check-update output', () => {
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
  const isQuery = (argv: readonly string[]): boolean => argv[0] === 'dpkg-query';
  // dpkg-query as it answers (package-query fixtures): the installed names' lines, rc 1 when some name is unknown.
  const recorded = (installed: string[], apt: { rc?: number; stdout?: string; stderr?: string } = { stdout: 'done' }): RecordedHost =>
    new RecordedHost()
      .on(['dpkg-query'], (argv) => {
        const names = argv.slice(4);
        const missing = names.filter((n) => !installed.includes(n));
        return {
          rc: missing.length ? 1 : 0,
          stdout: names.filter((n) => installed.includes(n)).map((n) => `${n} install ok installed 1.0\n`).join(''),
          stderr: missing.map((n) => `dpkg-query: no packages found matching ${n}\n`).join(''),
        };
      })
      .on(['apt-get', '-o'], { stdout: 'Reading package lists...\n' })
      .on(['env'], apt);

  it('installs the mapped names with become, then is unchanged when all are present', async () => {
    const host = recorded([]);
    const r = await packageModule.run(host, packageModule.args.parse({ name: ['libvirt'] }), fakeContext({ become: true, vars: { facts } }));
    assert.equal(r.changed, true, r.msg);
    assert.equal(r.msg, 'install libvirt-daemon-system libvirt-daemon-system-sysv dnsmasq-base (libvirt → libvirt-daemon-system; libvirt-daemon-system-sysv added: no systemd as PID 1, libvirt needs its init scripts; dnsmasq-base added: libvirt NAT networks need it)');
    assert.equal(r.rc, 0);
    assert.equal(r.stdout, 'done');
    const install = host.calls.find((c) => c.argv?.[0] === 'env');
    assert.equal(install?.opts?.become, true);
    assert.equal(install?.opts?.timeoutMs, 15 * 60_000);
    assert.deepEqual(install?.argv?.slice(-3), ['libvirt-daemon-system', 'libvirt-daemon-system-sysv', 'dnsmasq-base']);
    const again = await packageModule.run(recorded(['libvirt-daemon-system', 'libvirt-daemon-system-sysv', 'dnsmasq-base']), packageModule.args.parse({ name: 'libvirt' }), fakeContext({ vars: { facts } }));
    assert.equal(again.changed, false, again.msg);
    assert.match(again.msg, /^all packages present \(libvirt → libvirt-daemon-system/);
  });

  it('reports what it would remove in check mode and runs nothing that changes', async () => {
    const host = recorded(['bridge-utils']);
    const r = await packageModule.run(host, packageModule.args.parse({ name: 'bridge-utils', state: 'absent' }), fakeContext({ check: true, vars: { facts } }));
    assert.equal(r.changed, true);
    assert.match(r.msg, /would remove bridge-utils/);
    assert.equal(host.commands().filter((argv) => !isQuery(argv)).length, 0);
  });

  it('refreshes the cache before installing, never in check mode, and a refresh alone changes nothing', async () => {
    const args = packageModule.args.parse({ name: 'bridge-utils', update_cache: true });
    const check = recorded([]);
    const c = await packageModule.run(check, args, fakeContext({ check: true, vars: { facts } }));
    assert.equal(c.msg, 'would install bridge-utils');
    assert.equal(check.commands().filter((argv) => !isQuery(argv)).length, 0);
    const host = recorded([]);
    const r = await packageModule.run(host, args, fakeContext({ vars: { facts } }));
    assert.equal(r.msg, 'install bridge-utils');
    assert.deepEqual(host.commands().filter((argv) => !isQuery(argv)).map((argv) => argv[0]), ['apt-get', 'env']);
    assert.deepEqual(host.commands().find((argv) => argv[0] === 'apt-get'), ['apt-get', '-o', 'DPkg::Lock::Timeout=600', 'update']);
    const present = await packageModule.run(recorded(['bridge-utils']), args, fakeContext({ vars: { facts } }));
    assert.equal(present.changed, false);
    assert.equal(present.msg, 'all packages present');
    const presentInCheck = await packageModule.run(recorded(['bridge-utils']), args, fakeContext({ check: true, vars: { facts } }));
    assert.deepEqual([presentInCheck.changed, presentInCheck.msg], [false, 'all packages present']);
  });

  it('lists upgrades for latest with a simulation, and upgrades them', async () => {
    const sim = loadProbeCases('package-query').find((c) => c.name === 'apt-get-simulate-one-upgradable');
    const host = recorded(['bash', 'bridge-utils']).on(['apt-get', '-s'], { stdout: sim?.stdout ?? '' });
    const r = await packageModule.run(host, packageModule.args.parse({ name: ['bash', 'bridge-utils'], state: 'latest' }), fakeContext({ vars: { facts } }));
    assert.equal(r.msg, 'upgrade bash');
    assert.equal(host.commands().find((argv) => argv[0] === 'env')?.at(-1), 'bash');
  });

  it('fails, changed, with rc, stdout and stderr when apt-get fails', async () => {
    const host = recorded([], { rc: 100, stdout: 'Reading package lists...\n', stderr: 'E: Unable to locate package nosuch\n' });
    const r = await packageModule.run(host, packageModule.args.parse({ name: 'nosuch' }), fakeContext({ vars: { facts } }));
    assert.equal(r.failed, true);
    assert.equal(r.changed, true);
    assert.equal(r.rc, 100);
    assert.equal(r.msg, 'apt failed (rc=100): E: Unable to locate package nosuch');
    assert.equal(r.stdout, 'Reading package lists...\n');
    assert.equal(r.stderr, 'E: Unable to locate package nosuch\n');
    assert.deepEqual(r.data?.['install'], ['nosuch']);
  });

  it('fails unchanged on a host without a supported package manager', async () => {
    const r = await packageModule.run(new RecordedHost(), packageModule.args.parse({ name: 'x' }), fakeContext({ vars: { facts: { ...facts, pkg_mgr: 'unknown' } } }));
    assert.equal(r.failed, true);
    assert.equal(r.changed, false);
    assert.equal(r.msg, 'no supported package manager on this host (found: unknown)');
  });

  it('refuses names that could be options', () => {
    assert.equal(packageModule.args.safeParse({ name: '-oAPT::x' }).success, false);
  });

  it('uses the package manager named by use instead of the pkg_mgr fact', async () => {
    const host = recorded([]);
    const r = await packageModule.run(host, packageModule.args.parse({ name: 'bridge-utils', use: 'apt' }), fakeContext({ vars: { facts: { ...facts, pkg_mgr: 'unknown' } } }));
    assert.equal(r.msg, 'install bridge-utils');
    assert.equal(host.commands().at(-1)?.[2], 'apt-get');
  });

  it('refuses a manager it cannot use and the managers\' own arguments, by name', () => {
    const issue = (a: Record<string, unknown>): string => {
      const r = packageModule.args.safeParse(a);
      return r.success ? '' : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    };
    assert.match(issue({ name: 'x', use: 'zypper' }), /^use: is not a package manager kvmplay's package can use \(auto, apt, dnf, yum\)$/);
    assert.match(issue({ name: 'x', cache_valid_time: 3600 }), /"cache_valid_time" is not supported by kvmplay's package .*: use apt, dnf or yum/);
    assert.match(issue({ name: 'x', enablerepo: 'epel' }), /"enablerepo" is not supported by kvmplay's package/);
  });
});
