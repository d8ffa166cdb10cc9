// apt (and package on top of it) against ansible-playbook (test/support/twin.ts):
// ansible-playbook on lab02, kvmplay on lab03, the same task statuses on both runs, the
// same package states (dpkg's status and apt's auto marks of the test's packages, the
// policy-rc.d that policy_rc_d must put back) and the same registered values, written
// under root. Packages are host-wide: the test brings both hosts to the same baseline
// first (python3-apt, which Ansible's apt needs, on both) and puts back what it found.
// dnf and yum cannot run in this Debian lab: their unit tests cover them.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { repoRoot } from '../support/cli.js';
import { TwinLab } from '../support/twin.js';

const fixture = (name: string): string => join(repoRoot, 'test', 'fixtures', 'twin-modules', 'packages', name);

const HOSTS = ['lab02', 'lab03'];
// Small packages of the lab's repository (src/lab/repo.ts): libraries without services.
const TEST_PACKAGES = ['libaio1', 'liburing2', 'xml-core', 'sgml-base', 'libjansson4', 'libexecs0', 'nosuchpkg-kvmplay'];
// Ansible's apt needs python-apt on the host (it would install it itself, with a warning).
const APT_PYTHON = ['python3-apt', 'python-apt-common', 'distro-info-data'];

const ENV = 'export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8';
const INSTALLED = `dpkg-query -W -f '\${Package} \${Status}\\n' "$@" 2>/dev/null | awk '$4 == "installed" { print $1 }'; true`;
const PURGE = `${ENV}; [ $# -eq 0 ] || apt-get purge -y -q "$@" >/dev/null 2>&1; true`;
const INSTALL = `${ENV}; apt-get install -y -q "$@" >/dev/null`;
const STATE = `dpkg-query -W -f '\${Package} \${Status}\\n' "$@" 2>/dev/null | sort
echo "auto: $(apt-mark showauto "$@" 2>/dev/null | sort | tr '\\n' ' ')"
sha256sum /usr/sbin/policy-rc.d; ls -l /usr/sbin/policy-rc.d | cut -d' ' -f1
true`;
// Lists older than any cache_valid_time, one of them missing: the refresh must fetch it
// (the lists folder's mtime, Ansible's cache_update_time, moves).
const STALE_LISTS = 'rm -f /var/lib/apt/lists/*_Release && touch -d "@$(( $(date +%s) - 172800 ))" /var/lib/apt/lists';

describe('apt and package against Ansible', function () {
  let lab: TwinLab;
  const found = new Map<string, string[]>();
  const state = async (h: string, root: string): Promise<string> =>
    `${await lab.fileTree(h, root)}${await lab.read(h, `${root}/registered.txt`)}${await lab.sh(h, STATE, ...TEST_PACKAGES)}`;
  const baseline = async (): Promise<void> => {
    await Promise.all(HOSTS.map(async (h) => {
      await lab.sh(h, PURGE, ...TEST_PACKAGES.filter((p) => p !== 'nosuchpkg-kvmplay'));
      await lab.sh(h, INSTALL, ...APT_PYTHON.slice(0, 1));
    }));
  };

  before(async () => {
    lab = await TwinLab.open('packages');
    for (const h of HOSTS) found.set(h, (await lab.sh(h, INSTALLED, ...TEST_PACKAGES, ...APT_PYTHON)).split('\n').filter(Boolean));
    await baseline();
  });
  after(async () => {
    // Back to what the hosts had: the test's packages and python-apt only if they were there.
    await Promise.all(HOSTS.map(async (h) => {
      const had = found.get(h) ?? [];
      await lab.sh(h, PURGE, ...[...TEST_PACKAGES, ...APT_PYTHON].filter((p) => !had.includes(p) && p !== 'nosuchpkg-kvmplay'));
      const missing = had.filter((p) => TEST_PACKAGES.includes(p));
      if (missing.length) await lab.sh(h, INSTALL, ...missing);
    }));
    await lab.close();
  });

  it('installs .deb files and their missing dependencies as ansible-playbook does', async () => {
    const r = await lab.twin({ playbook: fixture('deb.yaml'), ansibleHost: 'lab02', kvmplayHost: 'lab03', state });
    assert.deepEqual(r.problems, []);
    for (const line of ['A .deb whose dependency is missing: changed', 'A .deb with nothing missing: changed', 'The same .deb again: ok']) {
      assert.ok(r.outcomes.includes(line), r.outcomes.join('\n'));
    }
  });

  it('removes, purges and autoremoves as ansible-playbook does', async () => {
    const r = await lab.twin({ playbook: fixture('remove.yaml'), ansibleHost: 'lab02', kvmplayHost: 'lab03', state });
    assert.deepEqual(r.problems, []);
    for (const line of ['Remove xml-core, keeping its configuration: changed', 'Purge what is left of xml-core, and libexecs0: changed', 'Autoremove alone: ok']) {
      assert.ok(r.outcomes.includes(line), r.outcomes.join('\n'));
    }
  });

  it('refreshes stale lists and installs by name, version and state as ansible-playbook does', async () => {
    await Promise.all(HOSTS.map((h) => lab.sh(h, STALE_LISTS)));
    const r = await lab.twin({ playbook: fixture('install.yaml'), ansibleHost: 'lab02', kvmplayHost: 'lab03', state });
    assert.deepEqual(r.problems, []);
    for (const line of ['Refresh lists older than an hour: changed', 'Refresh again within the hour: ok', 'Install two libraries: changed', 'Name its dependency: ok',
      'At least an older version: ok', 'The package module on top of apt: ok', 'An unknown package: failed']) {
      assert.ok(r.outcomes.includes(line), r.outcomes.join('\n'));
    }
  });

  it('upgrades, cleans and refuses build-dep without sources as ansible-playbook does', async () => {
    const r = await lab.twin({ playbook: fixture('misc.yaml'), ansibleHost: 'lab02', kvmplayHost: 'lab03', state });
    assert.deepEqual(r.problems, []);
    for (const line of ['Dist-upgrade with nothing to upgrade: ok', 'Everything to its latest version: ok', 'Build dependencies without deb-src sources: failed', 'Clean: ok']) {
      assert.ok(r.outcomes.includes(line), r.outcomes.join('\n'));
    }
  });

  it('purges everything with autoremove as ansible-playbook does', async () => {
    const r = await lab.twin({ playbook: fixture('cleanup.yaml'), ansibleHost: 'lab02', kvmplayHost: 'lab03', state });
    assert.deepEqual(r.problems, []);
    assert.ok(r.outcomes.includes('Purge the test packages and what only they needed: changed'), r.outcomes.join('\n'));
  });
});
