import assert from 'node:assert/strict';
import { fakeContext } from '../../../../test/support/module-context.js';
import { loadProbeCases, RecordedHost, runsScript } from '../../../../test/support/recorded-host.js';
import { PACKAGE_FACTS_SCRIPT, parsePackageFacts, type PackageFact } from './package-facts-parse.js';
import { managersOf, packageFactsModule, planPackageFacts } from './package-facts.js';

interface Expected { apt: boolean; rpm: boolean; count: number; packages: Record<string, PackageFact[] | null> }

describe('package_facts probe', () => {
  for (const c of loadProbeCases<Expected>('package-facts')) {
    it(`parses ${c.name}: ${c.title}`, () => {
      const p = parsePackageFacts(c.stdout);
      assert.equal(p.apt.available, c.expected.apt);
      assert.equal(p.rpm.available, c.expected.rpm);
      const all = { ...p.rpm.packages, ...p.apt.packages };
      assert.equal(Object.keys(all).length, c.expected.count);
      for (const [name, entries] of Object.entries(c.expected.packages)) assert.deepEqual(all[name] ?? null, entries, name);
    });
  }

  it('names a foreign architecture\'s package name:arch, as python-apt\'s cache does, and skips removed ones', () => {
    const marker = (n: string): string => `\n--kvmplay:${n}--\n`;
    const out = `${marker('apt-arch')}amd64${marker('apt-rc')}0${marker('apt')}ii \tlibc6\t2.36-9\tamd64\tlibs\nii \tlibc6\t2.36-9\ti386\tlibs\nrc \told\t1.0\tamd64\tadmin\n`;
    const p = parsePackageFacts(out);
    assert.deepEqual(Object.keys(p.apt.packages), ['libc6', 'libc6:i386']);
  });

  it('reads rpm -qa, epoch null when there is none', () => {
    const marker = (n: string): string => `\n--kvmplay:${n}--\n`;
    const p = parsePackageFacts(`${marker('apt-missing')}${marker('rpm-rc')}0${marker('rpm')}bash\t5.1.8\t9.el9\t(none)\tx86_64\ngpg-pubkey\t8483c65d\t5ccc5b19\t(none)\t(none)\nkernel\t5.14.0\t1.el9\t1\tx86_64\n`);
    assert.equal(p.apt.available, false);
    assert.deepEqual(p.rpm.packages['bash'], [{ name: 'bash', version: '5.1.8', release: '9.el9', epoch: null, arch: 'x86_64', source: 'rpm' }]);
    assert.deepEqual(p.rpm.packages['gpg-pubkey'], [{ name: 'gpg-pubkey', version: '8483c65d', release: '5ccc5b19', epoch: null, arch: null, source: 'rpm' }]);
    assert.equal((p.rpm.packages['kernel']?.[0] as { epoch: number }).epoch, 1);
  });
});

describe('package_facts arguments and planning', () => {
  const msg = (a: Record<string, unknown>): string => {
    const r = packageFactsModule.args.safeParse(a);
    return r.success ? 'ok' : r.error.issues.map((i) => i.message).join('; ');
  };
  it('takes apt, rpm and their aliases, refuses the other managers by name, and Ansible\'s words for unknown ones', () => {
    assert.equal(msg({ manager: 'auto' }), 'ok');
    assert.equal(msg({ manager: ['apt', 'dnf'], strategy: 'all' }), 'ok');
    assert.match(msg({ manager: 'pacman' }), /^manager "pacman" is not supported by kvmplay/);
    assert.equal(msg({ manager: 'dpkg' }), 'Unsupported package managers requested: dpkg');
    assert.equal(msg({ strategy: 'some' }).includes('first'), true);
  });
  it('tries the named managers first, then apt and rpm for auto', () => {
    assert.deepEqual(managersOf(['auto']), ['apt', 'rpm']);
    assert.deepEqual(managersOf(['yum', 'auto']), ['rpm', 'apt']);
  });
  it('stops at the first manager that answers unless the strategy is all, and fails as Ansible when none does', () => {
    const read = {
      apt: { available: true, packages: { a: [{ name: 'a', version: '1', arch: 'all', category: '', origin: '', source: 'apt' as const }] } },
      rpm: { available: true, packages: { b: [{ name: 'b', version: '1', release: '1', epoch: null, arch: 'noarch', source: 'rpm' as const }] } },
    };
    const first = planPackageFacts({ manager: ['auto'], strategy: 'first' }, { managers: ['apt', 'rpm'], read });
    assert.ok(!('fail' in first));
    assert.deepEqual(Object.keys((first.data.ansible_facts as { packages: object }).packages), ['a']);
    const all = planPackageFacts({ manager: ['auto'], strategy: 'all' }, { managers: ['apt', 'rpm'], read });
    assert.ok(!('fail' in all));
    assert.deepEqual(Object.keys((all.data.ansible_facts as { packages: object }).packages), ['a', 'b']);
    const none = planPackageFacts({ manager: ['rpm'], strategy: 'first' }, { managers: ['rpm'], read: { ...read, rpm: { available: false, packages: {} } } });
    assert.ok('fail' in none);
    assert.equal(none.fail, "Could not detect a supported package manager from the following list: ['rpm'], or the required Python library is not installed. Check warnings for details.");
  });
});

describe('package_facts module', () => {
  it('reads the recorded host and changes nothing', async () => {
    const [c] = loadProbeCases('package-facts');
    const host = new RecordedHost().on(runsScript(PACKAGE_FACTS_SCRIPT), { stdout: c?.stdout ?? '' });
    const r = await packageFactsModule.run(host, packageFactsModule.args.parse({}), fakeContext({ check: true }));
    assert.equal(r.changed, false);
    assert.deepEqual(host.commands()[0]?.slice(3), ['kvmplay', 'apt', 'rpm']);
    const packages = (r.data?.['ansible_facts'] as { packages: Record<string, PackageFact[]> }).packages;
    assert.equal(packages['python3-apt']?.[0]?.source, 'apt');
  });
});
