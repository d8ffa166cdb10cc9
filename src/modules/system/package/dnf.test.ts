import assert from 'node:assert/strict';
import { fakeContext } from '../../../../test/support/module-context.js';
import { loadProbeCases, RecordedHost, type ProbeCase } from '../../../../test/support/recorded-host.js';
import {
  DnfArgs, globalOptions, makecacheCommand, nothingToDo, parseCheckUpdateNames, parseRpmProbe, planRpm, probeQuery, rpmCommand, RPM_PROBE,
  transactionResults, YumArgs, type RpmChange, type RpmHostState,
} from './dnf-plan.js';
import { dnfModule, yumModule } from './dnf.js';

// The RHEL family cannot run in the Debian lab: these outputs are written from rpm's
// and dnf 4's documented formats (test/fixtures/probes/rpm-probe/, each says so).
const cases = new Map(loadProbeCases<unknown>('rpm-probe').map((c) => [c.name, c]));
const fixture = (name: string): ProbeCase => {
  const c = cases.get(name);
  if (!c) throw new Error(`no probe case ${name}`);
  return c;
};
const stateOf = (name: string): RpmHostState & { tool: 'dnf' } => ({ ...parseRpmProbe(fixture(name).stdout), tool: 'dnf' });
const dnf = (a: Record<string, unknown>): DnfArgs => DnfArgs.parse(a);
const issues = (a: Record<string, unknown>): string[] => {
  const r = DnfArgs.safeParse(a);
  return r.success ? [] : r.error.issues.map((i) => i.message);
};

// dnf 4.14 on EL9, as its documentation and bug reports show it.
const INSTALL_OUT = `Last metadata expiration check: 0:12:01 ago on Tue 12 Mar 2024 10:00:00 AM UTC.
Dependencies resolved.
================================================================================
 Package            Arch         Version                 Repository       Size
================================================================================
Installing:
 htop               x86_64       3.2.2-2.el9             epel            173 k
Installing dependencies:
 hwloc-libs         x86_64       2.4.1-5.el9             baseos          2.0 M

Transaction Summary
================================================================================
Install  2 Packages

Running transaction
  Installing       : hwloc-libs-2.4.1-5.el9.x86_64                          1/2
  Installing       : htop-3.2.2-2.el9.x86_64                                2/2

Installed:
  htop-3.2.2-2.el9.x86_64              hwloc-libs-2.4.1-5.el9.x86_64

Complete!
`;
const REMOVE_OUT = `Dependencies resolved.
Removing:
 htop    x86_64   3.2.2-2.el9   @epel   421 k

Removed:
  htop-3.2.2-2.el9.x86_64

Complete!
`;

describe('rpm probe parsing', () => {
  const nevra = (p: { name: string; epoch: string; version: string; release: string; arch: string }): string => `${p.name}-${p.epoch}:${p.version}-${p.release}.${p.arch}`;
  for (const c of cases.values()) {
    it(`parses ${c.name}: ${c.title}`, () => {
      const s = parseRpmProbe(c.stdout);
      assert.deepEqual({
        installed: Object.fromEntries([...s.installed].map(([k, v]) => [k, v.map(nevra)])),
        files: s.files.map((x) => ({ path: x.path, error: x.error, pkg: x.pkg && nevra(x.pkg), installed: x.installed.map(nevra) })),
        query: s.query && { rc: s.query.rc, lines: s.query.output.split('\n').length },
      }, c.expected);
    });
  }

  it('reads check-update\'s names until the obsoletes section', () => {
    const q = parseRpmProbe(fixture('check-update-latest').stdout).query;
    assert.deepEqual(parseCheckUpdateNames(q?.output ?? ''), ['qemu-kvm']);
  });

  it('reads a transaction\'s final sections into Ansible\'s results', () => {
    assert.deepEqual(transactionResults(INSTALL_OUT), ['Installed: htop-3.2.2-2.el9.x86_64', 'Installed: hwloc-libs-2.4.1-5.el9.x86_64']);
    assert.deepEqual(transactionResults(REMOVE_OUT), ['Removed: htop-3.2.2-2.el9.x86_64']);
    assert.deepEqual(transactionResults(INSTALL_OUT, true).slice(0, 1), ['Downloaded: htop-3.2.2-2.el9.x86_64']);
    assert.ok(nothingToDo('Package htop-3.2.2-2.el9.x86_64 is already installed.\nDependencies resolved.\nNothing to do.\nComplete!\n'));
  });
});

describe('dnf and yum arguments', () => {
  it('takes Ansible\'s aliases and defaults', () => {
    const a = dnf({ pkg: 'htop,tmux', 'expire-cache': true });
    assert.deepEqual(a.name, ['htop', 'tmux']);
    assert.equal(a.update_cache, true);
    assert.equal(a.installroot, '/');
    assert.equal(a.lock_timeout, 30);
    assert.equal(YumArgs.parse({ name: 'htop' }).use_backend, 'auto');
  });

  it('refuses what kvmplay cannot do, by name', () => {
    assert.match(issues({ list: 'installed' })[0]!, /"list" is not supported by kvmplay/);
    assert.match(issues({ name: '@virtualization' })[0]!, /groups, environments and modules \(@…\) are not supported by kvmplay/);
    assert.match(issues({ name: 'https://example.com/x.rpm' })[0]!, /from a URL are not supported by kvmplay/);
    assert.match(issues({ name: 'htop tmux' })[0]!, /space separated string of packages/);
    assert.deepEqual(issues({ name: 'python3 >= 3.9' }), []);
    assert.match(issues({ name: 'htop', autoremove: true, state: 'present' })[0]!, /Autoremove should be used alone or with state=absent/);
    assert.match(issues({ name: 'htop', allowerasing: true, use_backend: 'x' })[0]!, /use_backend/);
    assert.equal(YumArgs.safeParse({ name: 'htop', nobest: true }).success, false);
  });
});

describe('dnf plan', () => {
  const mixed = stateOf('installed-and-missing');
  type Want = Array<Partial<RpmChange>> | { fail: RegExp };
  const table: Array<[string, Record<string, unknown>, RpmHostState & { tool: 'dnf' }, Want]> = [
    ['installs only what no installed package matches (name, provide, comparison)', { name: ['htop', 'qemu-kvm', 'web-server', 'python3 >= 3.9'] }, mixed, [{ kind: 'transaction', verb: 'install', specs: ['qemu-kvm'] }]],
    ['installs a name-version-release that is not installed', { name: 'libvirt-daemon-9.0.0-10.el9' }, mixed, [{ verb: 'install', specs: ['libvirt-daemon-9.0.0-10.el9'] }]],
    ['removes only what is installed', { name: ['htop', 'qemu-kvm'], state: 'removed' }, mixed, [{ verb: 'remove', specs: ['htop'] }]],
    ['upgrades an installed package with an update, for latest', { name: ['qemu-kvm', 'htop'], state: 'latest' }, stateOf('check-update-latest'), [{ verb: 'upgrade', specs: ['qemu-kvm'] }]],
    ['upgrades everything for * with latest', { name: '*', state: 'latest' }, stateOf('check-update-latest'), [{ verb: 'upgrade', specs: [] }]],
    ['installs a local .rpm newer than the installed version', { name: '/tmp/htop-3.3.0-1.el9.x86_64.rpm' }, stateOf('local-rpm-older-installed'), [{ verb: 'install', specs: ['/tmp/htop-3.3.0-1.el9.x86_64.rpm'] }]],
    ['refuses to remove a path', { name: '/tmp/htop-3.3.0-1.el9.x86_64.rpm', state: 'absent' }, stateOf('local-rpm-older-installed'), { fail: /^Cannot remove paths -- please specify package name\.$/ }],
    ['autoremoves alone (state becomes absent) when dnf would remove something', { autoremove: true }, stateOf('autoremove-some'), [{ verb: 'autoremove', willChange: true }]],
    ['runs an autoremove that will change nothing (not counted)', { autoremove: true }, stateOf('autoremove-nothing'), [{ verb: 'autoremove', willChange: false }]],
    ['refreshes the cache alone without changing anything', { update_cache: true }, mixed, [{ kind: 'makecache' }]],
  ];
  for (const [name, a, s, want] of table) {
    it(name, () => {
      const p = planRpm(dnf(a), s);
      if ('fail' in want) {
        assert.ok('fail' in p, JSON.stringify(p));
        assert.match(p.fail, want.fail);
        return;
      }
      assert.ok(!('fail' in p), JSON.stringify(p));
      assert.equal(p.changes.length, want.length, JSON.stringify(p.changes));
      want.forEach((w, i) => assert.deepEqual({ ...p.changes[i], ...w }, p.changes[i]));
    });
  }

  it('leaves a newer installed version alone unless allow_downgrade (Ansible\'s case 4)', () => {
    const s = { ...mixed, installed: new Map([...mixed.installed, ['htop-3.2.1-1.el9', []], ['htop', [{ name: 'htop', epoch: '0', version: '3.2.2', release: '2.el9', arch: 'x86_64' }]]]) };
    const p = planRpm(dnf({ name: 'htop-3.2.1-1.el9' }), s);
    assert.deepEqual(!('fail' in p) && p.changes, []);
    const down = planRpm(dnf({ name: 'htop-3.2.1-1.el9', allow_downgrade: true }), s);
    assert.deepEqual(!('fail' in down) && down.changes, [{ kind: 'transaction', verb: 'downgrade', specs: ['htop-3.2.1-1.el9'], willChange: true }]);
  });

  it('says which packages update_only left out', () => {
    const p = planRpm(dnf({ name: ['qemu-kvm', 'tmux'], update_only: true }), { ...stateOf('check-update-latest'), installed: new Map([...stateOf('check-update-latest').installed, ['tmux', []]]) });
    assert.ok(!('fail' in p));
    assert.deepEqual(p.changes, [{ kind: 'transaction', verb: 'upgrade', specs: ['qemu-kvm'], willChange: true }]);
    assert.deepEqual(p.data?.['results'], ['Packages providing tmux not installed due to update_only specified', 'Installed: qemu-kvm']);
  });

  it('builds dnf and yum commands with Ansible\'s options', () => {
    const a = dnf({ name: 'htop', enablerepo: 'epel,crb', disable_gpg_check: true, install_weak_deps: false, releasever: '9', exclude: ['kernel*'], installroot: '/mnt/sysimage', nobest: true, sslverify: false });
    assert.deepEqual(rpmCommand(a, 'install', ['htop']), [
      'dnf', '-y', '--nogpgcheck', '--enablerepo=epel', '--enablerepo=crb', '--installroot=/mnt/sysimage', '--releasever=9', '--exclude=kernel*',
      '--setopt=sslverify=False', '--setopt=install_weak_deps=False', '--nobest', 'install', 'htop',
    ]);
    assert.deepEqual(makecacheCommand(YumArgs.parse({ update_cache: true })), ['yum', 'makecache']);
    assert.deepEqual(makecacheCommand(dnf({ update_cache: true })), ['dnf', 'makecache', '--refresh']);
    assert.deepEqual(rpmCommand(YumArgs.parse({ name: 'x', use_backend: 'dnf' }), 'remove', ['x']), ['dnf', '-y', 'remove', 'x']);
    assert.deepEqual(globalOptions(dnf({ name: 'x', download_only: true, download_dir: '/var/tmp/pkgs' })), ['--downloadonly', '--downloaddir=/var/tmp/pkgs']);
    assert.deepEqual(probeQuery(dnf({ name: 'x', state: 'latest' }), ['x']), ['dnf', '-q', 'check-update', 'x']);
    assert.equal(probeQuery(dnf({ name: 'x' }), ['x']), null);
  });
});

describe('dnf and yum modules', () => {
  const isProbe = (argv: readonly string[]): boolean => argv[0] === 'sh' && argv[2] === RPM_PROBE;
  const host = (probe: string): RecordedHost => new RecordedHost().on(isProbe, { stdout: probe });
  const isDnf = (verb: string) => (argv: readonly string[]): boolean => argv[0] === 'sh' && argv.slice(4).includes(verb);

  it('installs with dnf and registers Ansible\'s results, rc and msg', async () => {
    const h = host(fixture('installed-and-missing').stdout).on(isDnf('install'), { stdout: INSTALL_OUT });
    const r = await dnfModule.run(h, dnf({ name: ['htop', 'qemu-kvm'] }), fakeContext({ become: true }));
    assert.equal(r.changed, true, r.msg);
    assert.equal(r.rc, 0);
    assert.deepEqual(r.data?.['results'], ['Installed: htop-3.2.2-2.el9.x86_64', 'Installed: hwloc-libs-2.4.1-5.el9.x86_64']);
    const cmd = h.commands().find(isDnf('install'));
    assert.deepEqual(cmd?.slice(4), ['30', 'dnf', 'dnf', '-y', 'install', 'qemu-kvm']);
  });

  it('reports Ansible\'s check-mode message and runs only the probe', async () => {
    const h = host(fixture('installed-and-missing').stdout);
    const r = await dnfModule.run(h, dnf({ name: 'qemu-kvm' }), fakeContext({ check: true }));
    assert.deepEqual([r.changed, r.msg], [true, 'Check mode: No changes made, but would have if not in check mode']);
    assert.deepEqual(r.data?.['results'], ['Installed: qemu-kvm']);
    assert.ok(h.commands().every(isProbe));
  });

  it('is ok with "Nothing to do" when everything is installed', async () => {
    const r = await yumModule.run(host(fixture('installed-and-missing').stdout), YumArgs.parse({ name: 'htop' }), fakeContext());
    assert.deepEqual([r.changed, r.msg, r.data?.['results']], [false, 'Nothing to do', []]);
  });

  it('runs yum for the yum module and keeps dnf\'s failures', async () => {
    const h = host(fixture('installed-and-missing').stdout).on(isDnf('install'), { rc: 1, stdout: '', stderr: 'Error: Unable to find a match: qemu-kvm\n' });
    const r = await yumModule.run(h, YumArgs.parse({ name: 'qemu-kvm' }), fakeContext());
    assert.equal(r.failed, true);
    assert.equal(r.msg, 'Failed to install some of the specified packages');
    assert.deepEqual(r.data?.['failures'], ['Unable to find a match: qemu-kvm']);
    assert.equal(h.commands().find(isDnf('install'))?.[6], 'yum');
  });

  it('says the host does not use rpm', async () => {
    const r = await dnfModule.run(new RecordedHost().on(isProbe, { rc: 127, stderr: 'rpm not found: this host does not use dnf/yum\n' }), dnf({ name: 'x' }), fakeContext());
    assert.deepEqual([r.failed, r.msg], [true, 'reading the package state failed: rpm not found: this host does not use dnf/yum']);
  });
});
