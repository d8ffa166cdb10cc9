import assert from 'node:assert/strict';
import { compareDebVersions, dependencyNames, fnmatch, splitSpec } from './apt-spec.js';
import { compareEvr, parseNevr, rpmvercmp, splitPackageArch } from './rpm-version.js';

describe('Debian package specifiers', () => {
  const specs: Array<[string, ReturnType<typeof splitSpec>]> = [
    ['libaio1', { name: 'libaio1', cmp: null, version: null }],
    ['libaio1=0.3.113-4', { name: 'libaio1', cmp: '=', version: '0.3.113-4' }],
    ['libaio1>=0.3', { name: 'libaio1', cmp: '>=', version: '0.3' }],
    ['nginx=1.18*', { name: 'nginx', cmp: '=', version: '1.18*' }],
    ['libc6:i386=2.36-9', { name: 'libc6:i386', cmp: '=', version: '2.36-9' }],
  ];
  for (const [spec, want] of specs) it(`splits ${spec} as Ansible's package_split does`, () => assert.deepEqual(splitSpec(spec), want));

  const matches: Array<[string, string, boolean]> = [
    ['1.18.0-6', '1.18*', true],
    ['1.19.0', '1.18*', false],
    ['2.3-3', '2.3-?', true],
    ['2.3-3', '2.3-[0-2]', false],
    ['2.3-3', '2.3-[!0-2]', true],
    ['1.0+dfsg', '1.0+dfsg', true],
    ['1.0xdfsg', '1.0.dfsg', false],
  ];
  for (const [text, pattern, want] of matches) it(`fnmatch(${text}, ${pattern}) is ${want}`, () => assert.equal(fnmatch(text, pattern), want));

  // dpkg --compare-versions, by hand on Debian 12.
  const versions: Array<[string, string, -1 | 0 | 1]> = [
    ['1.0', '1.0', 0],
    ['1.0-1', '1.0-2', -1],
    ['1.0~rc1', '1.0', -1],
    ['1.0', '1.0+b1', -1],
    ['1:0.9', '2.0', 1],
    ['5.2.15-2+b13', '5.2.15-2+b8', 1],
    ['0.3.113-4', '0.3.113-4', 0],
    ['1.10', '1.9', 1],
    ['1.0a', '1.0', 1],
    ['2.36-9+deb12u14', '2.36-9+deb12u9', 1],
    ['1.0-0~', '1.0-0', -1],
  ];
  for (const [a, b, want] of versions) it(`compares ${a} with ${b} as dpkg does`, () => assert.equal(Math.sign(compareDebVersions(a, b)), want));

  it('reads the names a Depends field mentions, alternatives and :any included', () => {
    assert.deepEqual(dependencyNames('sed (>= 4.1.2-8), sgml-base (>= 1.28) | foo, python3:any'), ['sed', 'sgml-base', 'foo', 'python3']);
  });
});

describe('RPM versions', () => {
  // rpmdev-vercmp's answers (rpm's own test table, tests/rpmvercmp.at).
  const table: Array<[string, string, -1 | 0 | 1]> = [
    ['1.0', '1.0', 0],
    ['1.0', '2.0', -1],
    ['2.0.1', '2.0', 1],
    ['5.5p1', '5.5p2', -1],
    ['5.5p10', '5.5p1', 1],
    ['10xyz', '10.1xyz', -1],
    ['xyz10', 'xyz10.1', -1],
    ['1.0~rc1', '1.0', -1],
    ['1.0~rc1', '1.0~rc2', -1],
    ['1.0^', '1.0', 1],
    ['1.0^git1', '1.0^git2', -1],
    ['1.0^git1', '1.01', -1],
    ['a', '1', -1],
    ['1b.fc17', '1.fc17', -1],
    ['6.0.rc1', '6.0', 1],
  ];
  for (const [a, b, want] of table) it(`rpmvercmp(${a}, ${b}) is ${want}`, () => assert.equal(Math.sign(rpmvercmp(a, b)), want));

  it('compares epochs first', () => {
    assert.ok(compareEvr({ epoch: '1', version: '1.0', release: '1' }, { epoch: '0', version: '9.0', release: '1' }) > 0);
    assert.equal(compareEvr({ epoch: '0', version: '1.0', release: '1.el9' }, { epoch: '', version: '1.0', release: '1.el9' }), 0);
  });

  it('reads full name-version-release specifiers as Ansible does, and only those', () => {
    assert.deepEqual(parseNevr('htop-3.2.1-1.el9.x86_64'), { name: 'htop', epoch: '0', version: '3.2.1', release: '1.el9' });
    assert.deepEqual(parseNevr('qemu-kvm-17:8.2.0-11.el9'), { name: 'qemu-kvm', epoch: '17', version: '8.2.0', release: '11.el9' });
    assert.deepEqual(parseNevr('python3-libvirt-9.0.0-1.el9.rpm'), { name: 'python3-libvirt', epoch: '0', version: '9.0.0', release: '1.el9' });
    assert.equal(parseNevr('htop'), null);
    assert.equal(parseNevr('qemu-kvm'), null);
    assert.deepEqual(splitPackageArch('htop.x86_64'), ['htop', 'x86_64']);
    assert.deepEqual(splitPackageArch('python3.11'), ['python3.11', null]);
  });
});
