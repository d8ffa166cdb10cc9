import assert from 'node:assert/strict';
import { fakeContext } from '../../../../test/support/module-context.js';
import { loadProbeCases, RecordedHost, type ProbeCase } from '../../../../test/support/recorded-host.js';
import { AptArgs } from './apt-args.js';
import { APT_ENV, installArgv, planApt, preparedDiff, removeArgv, simulationArgv, upgradeArgv, type AptChange } from './apt-plan.js';
import { APT_PROBE, parseAptProbe, type AptHostState } from './apt-probe.js';
import { aptModule } from './apt.js';

// Recorded on a Debian 12 lab host (test/fixtures/probes/apt-probe/): the probe's
// parameters, its output, and what the parser makes of it.
const cases = new Map(loadProbeCases<unknown>('apt-probe').map((c) => [c.name, c]));
const fixture = (name: string): ProbeCase => {
  const c = cases.get(name);
  if (!c) throw new Error(`no probe case ${name}`);
  return c;
};
const stateOf = (name: string): AptHostState => parseAptProbe(fixture(name).stdout);
const args = (a: Record<string, unknown>): AptArgs => AptArgs.parse(a);
const issues = (a: Record<string, unknown>): string[] => {
  const r = AptArgs.safeParse(a);
  return r.success ? [] : r.error.issues.map((i) => i.message);
};

describe('apt probe parsing', () => {
  for (const c of cases.values()) {
    it(`parses ${c.name}: ${c.title}`, () => {
      const s = parseAptProbe(c.stdout);
      const names = [...new Set([...s.status.values()].map((e) => e.name))];
      assert.deepEqual({
        state: Object.fromEntries(names.map((n) => [n, `${s.status.get(n)!.state} ${s.status.get(n)!.version}`])),
        candidate: Object.fromEntries([...s.policy].map(([n, p]) => [n, p.candidate])),
        auto: [...s.auto],
        providers: Object.fromEntries([...s.providers].map(([n, l]) => [n, l.map((p) => `${p.name}${p.installed ? ' (installed)' : ''}`)])),
        stamp: s.stamp,
        debs: s.debs.map((d) => d.error ?? `${d.package} ${d.version} needs ${d.depends}`),
        sim: s.sim === null ? null : { rc: s.sim.rc, lines: s.sim.output.split('\n').length },
      }, c.expected);
    });
  }
});

describe('apt arguments', () => {
  it('takes Ansible\'s aliases and a comma-separated string of names', () => {
    const a = args({ pkg: 'libaio1, liburing2', 'update-cache': 'yes', 'allow-downgrades': true, 'install-recommends': false });
    assert.deepEqual(a.name, ['libaio1', 'liburing2']);
    assert.equal(a.update_cache, true);
    assert.equal(a.allow_downgrade, true);
    assert.equal(a.install_recommends, false);
    assert.equal(a.allow_unauthenticated, false);
    assert.equal(a.dpkg_options, 'force-confdef,force-confold');
  });

  it('reads upgrade: yes/no as YAML booleans, as Ansible maps them to its choices', () => {
    assert.equal(args({ upgrade: true }).upgrade, 'yes');
    assert.equal(args({ upgrade: false }).upgrade, 'no');
    assert.equal(args({ upgrade: 'dist' }).upgrade, 'dist');
  });

  it('refuses name wildcards, two = and option-like names, by name', () => {
    assert.match(issues({ name: 'libvirt*' })[0]!, /package name wildcards \("libvirt\*"\) are not supported by kvmplay/);
    assert.deepEqual(issues({ name: 'a=1=2' }), ['invalid package spec: a=1=2']);
    assert.match(issues({ name: '-oAPT::x=1' })[0]!, /is not a package name/);
    assert.deepEqual(issues({ name: '*', state: 'latest' }), []);
    assert.deepEqual(issues({ name: 'nginx=1.18*' }), []);
  });

  it('refuses a .deb URL and keeps deb, name and upgrade apart', () => {
    assert.match(issues({ deb: 'https://example.com/x.deb' })[0]!, /"deb" from a URL is not supported by kvmplay/);
    assert.match(issues({ deb: '/tmp/x.deb', name: 'x' })[0]!, /mutually exclusive: deb\|name\|upgrade/);
    assert.match(issues({ upgrade: 'no', name: 'x' })[0]!, /mutually exclusive/);
    assert.match(issues({ name: 'x', purge: 'maybe' })[0]!, /boolean/);
  });
});

describe('apt plan', () => {
  const mixed = stateOf('mixed-states');
  type Want = Array<Partial<AptChange> & { kind: AptChange['kind'] }> | { fail: RegExp };
  const table: Array<[string, Record<string, unknown>, AptHostState, Want]> = [
    ['does nothing when every name is installed', { name: ['libaio1', 'bash'] }, mixed, []],
    ['installs a missing package at its candidate version, pinned as Ansible pins it', { name: 'sgml-base' }, mixed, [{ kind: 'install', specs: ['sgml-base=1.31'] }]],
    ['fails on a name apt does not know', { name: 'nosuchpkg' }, mixed, { fail: /^No package matching 'nosuchpkg' is available$/ }],
    ['installs a virtual name by its name when its provider is not installed', { name: 'cron-daemon' }, mixed, [{ kind: 'install', specs: ['cron-daemon'] }]],
    ['is satisfied by the exact version installed', { name: 'libaio1=0.3.113-4' }, mixed, []],
    ['fails on a version no source has', { name: 'libaio1=9.9' }, mixed, { fail: /^no available installation candidate for libaio1=9\.9$/ }],
    ['fails on >= a version newer than any', { name: 'libaio1>=0.4' }, mixed, { fail: /no available installation candidate for libaio1>=0.4/ }],
    ['is satisfied by >= an older version', { name: 'libaio1>=0.3' }, mixed, []],
    ['marks a package installed as a dependency as manual, silently', { name: 'distro-info-data' }, mixed, [{ kind: 'mark_manual', names: ['distro-info-data'] }]],
    ['removes only what is installed', { name: ['libaio1', 'sgml-base', 'nosuchpkg'], state: 'absent' }, mixed, [{ kind: 'remove', specs: ['libaio1'] }]],
    ['purges a package whose configuration is left', { name: ['libaio1', 'sgml-base'], state: 'absent', purge: true }, mixed, [{ kind: 'remove', specs: ['libaio1', 'sgml-base'] }]],
    ['refreshes lists older than cache_valid_time, and that alone is the outcome', { update_cache: true, cache_valid_time: 3600 }, mixed, [{ kind: 'update_cache', alone: true, keys: true }]],
    ['keeps lists younger than cache_valid_time', { update_cache: true, cache_valid_time: 86400 }, mixed, []],
    ['refreshes with cache_valid_time alone (Ansible 2.4+)', { cache_valid_time: 60 }, mixed, [{ kind: 'update_cache', alone: true }]],
    ['resolves an unknown name again after a due refresh', { name: 'nosuchpkg', update_cache: true }, mixed, [{ kind: 'update_cache', alone: false, keys: true }, { kind: 'install', deferred: "No package matching 'nosuchpkg' is available" }]],
    ['skips a missing package with only_upgrade', { name: 'sgml-base', only_upgrade: true }, mixed, []],
    ['has nothing to upgrade when the candidate is installed', { name: 'bash', state: 'latest' }, mixed, []],
    ['looks again after a due refresh, for versions the new lists may bring', { name: 'bash', state: 'latest', cache_valid_time: 60 }, mixed, [{ kind: 'update_cache', alone: false }, { kind: 'install', specs: [], willChange: false }]],
    ['refuses more names beside * with latest', { name: ['*', 'bash'], state: 'latest' }, mixed, { fail: /^unable to install additional packages when upgrading all installed packages$/ }],
    ['upgrades everything for * with latest', { name: '*', state: 'latest' }, mixed, [{ kind: 'upgrade', mode: 'yes', aptitude: false }]],
    ['cleans first and goes on (clean alone changes nothing, as in Ansible)', { clean: true, update_cache: true }, mixed, [{ kind: 'clean' }, { kind: 'update_cache', alone: true }]],
    ['cleans alone without a change to report', { clean: true }, mixed, [{ kind: 'clean' }]],
    ['refreshes alone and autoremoves nothing when both are asked without names (as Ansible exits)', { update_cache: true, autoremove: true }, mixed, [{ kind: 'update_cache', alone: true }]],
    ['installs a .deb after its missing dependency', { deb: '/var/lib/kvmplay-repo/xml-core_0.18+nmu1_all.deb' }, stateOf('deb-missing-dependency'), [{ kind: 'deb', deps: ['sgml-base'], debs: ['/var/lib/kvmplay-repo/xml-core_0.18+nmu1_all.deb'] }]],
    ['fails on a .deb it cannot read', { deb: '/nonexistent/x.deb' }, stateOf('deb-unreadable'), { fail: /^Unable to install package: dpkg-deb: error: failed to read archive/ }],
    ['takes a .deb only with state=present', { deb: '/nonexistent/x.deb', state: 'absent' }, stateOf('deb-unreadable'), { fail: /^deb only supports state=present$/ }],
    ['runs a dist-upgrade that will change nothing (not counted)', { upgrade: 'dist' }, stateOf('dist-upgrade-nothing'), [{ kind: 'upgrade', mode: 'dist', willChange: false }]],
    ['fails build-dep with apt\'s error when there are no deb-src sources', { name: 'bash', state: 'build-dep' }, stateOf('build-dep-no-sources'), { fail: /build-dep bash' failed: E: You must put some 'deb-src' URIs in your sources.list$/ }],
    ['autoremoves a dependency nothing needs any more', { autoremove: true }, stateOf('autoremove-one'), [{ kind: 'cleanup', op: 'autoremove', willChange: true }]],
  ];
  for (const [name, a, s, want] of table) {
    it(name, () => {
      const p = planApt(args(a), s);
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

  it('registers the cache keys on the install path, not on the remove path (as Ansible)', () => {
    const install = planApt(args({ name: 'bash' }), mixed);
    assert.deepEqual(!('fail' in install) && install.data, { cache_updated: false, cache_update_time: 1796400372 });
    const remove = planApt(args({ name: 'bash', state: 'absent', update_cache: true }), mixed);
    assert.ok(!('fail' in remove));
    assert.equal(remove.data, undefined);
    assert.deepEqual(remove.changes[0], { kind: 'update_cache', alone: false, keys: false });
  });

  it('builds apt-get commands with Ansible\'s options in Ansible\'s order', () => {
    const a = args({ name: 'x', default_release: 'bookworm-backports', install_recommends: false, force: true, autoremove: true, allow_downgrade: true, dpkg_options: 'force-confnew' });
    assert.deepEqual(installArgv(a, ['x=1'], { buildDep: false }), [
      'apt-get', '-y', '-o', 'DPkg::Lock::Timeout=60', '-o', 'Dpkg::Options::=--force-confnew', '--force-yes', '--auto-remove', 'install', 'x=1',
      '-t', 'bookworm-backports', '-o', 'APT::Install-Recommends=no', '--allow-downgrades',
    ]);
    assert.deepEqual(removeArgv(args({ name: 'x', purge: true, state: 'absent' }), ['x']), [
      'apt-get', '-q', '-y', '-o', 'DPkg::Lock::Timeout=60', '-o', 'Dpkg::Options::=--force-confdef', '-o', 'Dpkg::Options::=--force-confold', '--purge', 'remove', 'x',
    ]);
    assert.equal(simulationArgv(args({ name: 'x' })), null);
    assert.deepEqual(upgradeArgv(args({ upgrade: 'safe' }), 'safe', true), ['aptitude', '-y', '-o', 'Dpkg::Options::=--force-confdef', '-o', 'Dpkg::Options::=--force-confold', 'safe-upgrade']);
    assert.deepEqual(upgradeArgv(args({ upgrade: 'full', force: true }), 'full', true).slice(-3), ['--assume-yes', '--allow-untrusted', 'full-upgrade']);
    assert.deepEqual(upgradeArgv(args({ upgrade: 'full', autoremove: true }), 'full', false).slice(-2), ['dist-upgrade', '--auto-remove']);
    assert.deepEqual(upgradeArgv(args({ upgrade: 'yes' }), 'yes', false).slice(-2), ['upgrade', '--with-new-pkgs']);
  });

  it('shows apt\'s prepared changes as the diff (Ansible\'s parse_diff)', () => {
    const out = 'Reading package lists...\nBuilding dependency tree...\nReading state information...\nThe following NEW packages will be installed:\n  libaio1\n0 upgraded, 1 newly installed, 0 to remove and 0 not upgraded.\nGet:1 file:/repo libaio1\n';
    assert.equal(preparedDiff(out), 'The following NEW packages will be installed:\n  libaio1\n0 upgraded, 1 newly installed, 0 to remove and 0 not upgraded.');
  });
});

describe('apt module', () => {
  const isProbe = (argv: readonly string[]): boolean => argv[0] === 'sh' && argv[2] === APT_PROBE;
  const installOut = 'Reading package lists...\nBuilding dependency tree...\nReading state information...\nThe following NEW packages will be installed:\n  sgml-base\n0 upgraded, 1 newly installed, 0 to remove and 0 not upgraded.\nSetting up sgml-base (1.31) ...\n';
  const host = (probe = fixture('mixed-states').stdout): RecordedHost => new RecordedHost().on(isProbe, { stdout: probe });

  it('installs with apt-get in Ansible\'s environment and registers stdout, stderr and the cache keys', async () => {
    const h = host().on(['apt-get', '-y'], { stdout: installOut, stderr: 'debconf: delaying package configuration, since apt-utils is not installed\n' });
    const r = await aptModule.run(h, args({ name: ['sgml-base', 'libaio1'] }), fakeContext({ become: true }));
    assert.equal(r.changed, true, r.msg);
    assert.equal(r.msg, 'install sgml-base=1.31');
    assert.equal(r.stdout, installOut);
    assert.match(r.stderr ?? '', /debconf/);
    assert.deepEqual(r.data, { cache_updated: false, cache_update_time: 1796400372 });
    const install = h.calls.find((c) => c.argv?.[0] === 'apt-get');
    assert.equal(install?.argv?.at(-1), 'sgml-base=1.31');
    assert.deepEqual(install?.opts?.env, APT_ENV);
    assert.equal(install?.opts?.become, true);
  });

  it('changes nothing in check mode and says what it would do', async () => {
    const h = host();
    const r = await aptModule.run(h, args({ name: 'sgml-base' }), fakeContext({ check: true }));
    assert.deepEqual([r.changed, r.msg], [true, 'would install sgml-base=1.31']);
    assert.ok(h.commands().every(isProbe));
  });

  it('reports a second run as ok', async () => {
    const r = await aptModule.run(host(), args({ name: ['libaio1', 'liburing2'] }), fakeContext());
    assert.deepEqual([r.changed, r.failed ?? false], [false, false]);
  });

  it('reports a refresh alone as changed only when the lists changed (Ansible\'s cache_updated)', async () => {
    const refresh = (stamp: number): RecordedHost => host().on((argv) => argv[0] === 'sh' && /apt-get -q/.test(argv[2] ?? ''), { stdout: `Hit:1 file:/repo ./ InRelease\n\n@@stamp ${stamp}\n` });
    const same = await aptModule.run(refresh(1796400372), args({ update_cache: true }), fakeContext());
    assert.deepEqual([same.changed, same.data], [false, { cache_updated: false, cache_update_time: 1796400372 }]);
    const fresh = await aptModule.run(refresh(1796425600), args({ update_cache: true }), fakeContext());
    assert.deepEqual([fresh.changed, fresh.data], [true, { cache_updated: true, cache_update_time: 1796425600 }]);
    const check = await aptModule.run(refresh(1796425600), args({ update_cache: true }), fakeContext({ check: true }));
    assert.deepEqual([check.changed, check.data], [true, { cache_updated: true, cache_update_time: 1796400372 }]);
  });

  it('fails with Ansible\'s message when the refresh keeps failing', async () => {
    const h = host().on((argv) => argv[0] === 'sh' && /apt-get -q/.test(argv[2] ?? ''), { rc: 100, stdout: '\n@@stamp 1\n', stderr: 'E: Failed to fetch file:/x\n' });
    const r = await aptModule.run(h, args({ update_cache: true, update_cache_retries: 1 }), fakeContext());
    assert.deepEqual([r.failed, r.msg], [true, 'Failed to update apt cache: E: Failed to fetch file:/x']);
  });

  it('resolves the names again after a refresh that brought new lists', async () => {
    const after = fixture('mixed-states').stdout.replace('--kvmplay:policy--\n', '--kvmplay:policy--\nnosuchpkg:\n  Installed: (none)\n  Candidate: 2.0-1\n  Version table:\n     2.0-1 500\n        500 file:/repo ./ Packages\n');
    const h = new RecordedHost()
      .on(isProbe, { stdout: fixture('mixed-states').stdout }, 1)
      .on((argv) => argv[0] === 'sh' && /apt-get -q/.test(argv[2] ?? ''), { stdout: '\n@@stamp 1796425600\n' })
      .on(isProbe, { stdout: after })
      .on(['apt-get', '-y'], { stdout: installOut });
    const r = await aptModule.run(h, args({ name: 'nosuchpkg', update_cache: true }), fakeContext());
    assert.equal(r.changed, true, r.msg);
    assert.equal(h.commands().find((a) => a[0] === 'apt-get')?.at(-1), 'nosuchpkg=2.0-1');
    assert.deepEqual(r.data, { cache_updated: true, cache_update_time: 1796425600 });
  });

  it('upgrades to a version only the refreshed lists know, for latest', async () => {
    const before = fixture('mixed-states').stdout;
    const after = before.replace('  Candidate: 5.2.15-2+b13\n  Version table:\n', '  Candidate: 5.2.15-2+b14\n  Version table:\n     5.2.15-2+b14 500\n        500 file:/repo ./ Packages\n');
    const h = new RecordedHost()
      .on(isProbe, { stdout: before }, 1)
      .on((argv) => argv[0] === 'sh' && /apt-get -q/.test(argv[2] ?? ''), { stdout: '\n@@stamp 1796425600\n' })
      .on(isProbe, { stdout: after })
      .on(['apt-get', '-y'], { stdout: 'Setting up bash\n' });
    const check = await aptModule.run(new RecordedHost().on(isProbe, { stdout: before }), args({ name: 'bash', state: 'latest', cache_valid_time: 60 }), fakeContext({ check: true }));
    assert.equal(check.changed, false);
    const r = await aptModule.run(h, args({ name: 'bash', state: 'latest', cache_valid_time: 60 }), fakeContext());
    assert.deepEqual([r.changed, h.commands().find((a) => a[0] === 'apt-get')?.at(-1)], [true, 'bash=5.2.15-2+b14']);
  });

  it('fails with Ansible\'s message, rc, stdout and stderr when apt-get fails', async () => {
    const h = host().on(['apt-get', '-y'], { rc: 100, stdout: 'Reading package lists...\n', stderr: 'E: Sub-process /usr/bin/dpkg returned an error code (1)\n' });
    const r = await aptModule.run(h, args({ name: 'sgml-base' }), fakeContext());
    assert.equal(r.failed, true);
    assert.equal(r.rc, 100);
    assert.match(r.msg, /^'apt-get -y .* install sgml-base=1\.31' failed: E: Sub-process/);
    assert.equal(r.stdout, 'Reading package lists...\n');
  });

  it('wraps the command in a policy-rc.d that answers policy_rc_d, and marks manual silently', async () => {
    const h = host().on((argv) => argv[0] === 'sh' && /policy-rc\.d/.test(argv[2] ?? ''), { stdout: installOut }).on(['apt-mark', 'manual'], { stdout: 'distro-info-data set to manually installed.\n' });
    const r = await aptModule.run(h, args({ name: ['sgml-base', 'distro-info-data'], policy_rc_d: 101 }), fakeContext());
    assert.equal(r.changed, true, r.msg);
    const wrapped = h.commands().find((a) => /policy-rc\.d/.test(a[2] ?? ''));
    assert.deepEqual(wrapped?.slice(4, 6), ['101', 'apt-get']);
    assert.deepEqual(h.commands().at(-1), ['sh', '-c', h.commands().at(-1)![2], 'kvmplay', '101', 'apt-mark', 'manual', 'distro-info-data']);
    const onlyMark = await aptModule.run(host().on(['apt-mark', 'manual'], {}), args({ name: 'distro-info-data' }), fakeContext());
    assert.deepEqual([onlyMark.changed, onlyMark.failed ?? false], [false, false]);
  });

  it('installs a .deb: its dependency by apt (marked manual), then the file by dpkg', async () => {
    const deb = '/var/lib/kvmplay-repo/xml-core_0.18+nmu1_all.deb';
    const h = host(fixture('deb-missing-dependency').stdout).on(['apt-get', '-y'], { stdout: 'dep\n' }).on(['apt-mark'], {}).on(['dpkg'], { stdout: 'Setting up xml-core\n' });
    const r = await aptModule.run(h, args({ deb }), fakeContext());
    assert.equal(r.changed, true, r.msg);
    const cmds = h.commands().filter((a) => !isProbe(a));
    assert.equal(cmds[0]?.at(-1), 'sgml-base');
    assert.deepEqual(cmds[1], ['apt-mark', 'manual', 'sgml-base']);
    assert.deepEqual(cmds[2], ['dpkg', '--force-confdef', '--force-confold', '-i', deb]);
    assert.equal(r.stdout, 'dep\nSetting up xml-core\n');
  });

  it('reports an upgrade that changed nothing as ok', async () => {
    const h = host(fixture('dist-upgrade-nothing').stdout).on(['apt-get', '-y'], { stdout: 'Calculating upgrade...\n0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n' });
    const r = await aptModule.run(h, args({ upgrade: 'dist' }), fakeContext());
    assert.deepEqual([r.changed, r.failed ?? false], [false, false]);
    const check = await aptModule.run(host(fixture('dist-upgrade-nothing').stdout), args({ upgrade: 'dist' }), fakeContext({ check: true }));
    assert.equal(check.changed, false);
  });

  it('says the host does not use apt', async () => {
    const r = await aptModule.run(new RecordedHost().on(isProbe, { rc: 127, stderr: 'apt-get not found: this host does not use apt\n' }), args({ name: 'x' }), fakeContext());
    assert.deepEqual([r.failed, r.msg], [true, 'reading the package state failed: apt-get not found: this host does not use apt']);
  });
});
