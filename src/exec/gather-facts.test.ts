import assert from 'node:assert/strict';
import { osFamily, parseFacts, parseOsRelease } from './gather-facts.js';

const DEBIAN = [
  'hostname=lab01',
  'kernel=6.1.0-28-amd64',
  'cpus=4',
  'memtotal_kb=8041236',
  'service_mgr=sysv',
  'pkg=apt-get',
  '--kvmplay-os-release--',
  'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"',
  'NAME="Debian GNU/Linux"',
  'VERSION_ID="12"',
  'ID=debian',
  '',
].join('\n');

describe('gathered facts', () => {
  it('reads a Debian host from one round trip of output', () => {
    assert.deepEqual(parseFacts(DEBIAN), {
      hostname: 'lab01', os_id: 'debian', os_version: '12', os_family: 'Debian', os_name: 'Debian GNU/Linux 12 (bookworm)',
      kernel: '6.1.0-28-amd64', cpus: 4, memory_mb: 7852, service_mgr: 'sysv', pkg_mgr: 'apt',
    });
  });

  it('prefers dnf over yum on a RHEL host with systemd, as Ansible does', () => {
    const out = 'hostname=hv01\ncpus=2\nservice_mgr=systemd\npkg=dnf\npkg=yum\n--kvmplay-os-release--\nID="rhel"\nID_LIKE="fedora"\nVERSION_ID="9.3"\n';
    const f = parseFacts(out);
    assert.equal(f.pkg_mgr, 'dnf');
    assert.equal(f.service_mgr, 'systemd');
    assert.equal(f.os_family, 'RedHat');
    assert.equal(f.os_version, '9.3');
  });

  it('says unknown rather than guessing when nothing was found', () => {
    const f = parseFacts('');
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
