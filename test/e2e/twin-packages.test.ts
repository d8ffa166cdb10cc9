// apt (and package on top of it) against ansible-playbook (test/support/twin.ts):
// ansible-playbook on lab02, kvmplay on lab03, the same task statuses on both runs, the
// same package states (dpkg's status and apt's auto marks of the test's packages, the
// policy-rc.d that policy_rc_d must put back) and the same registered values, written
// under root. Packages are host-wide, and earlier tests leave the two hosts different:
// the test brings both to one baseline first (see `baseline`) and puts back what it found.
// dnf and yum cannot run in this Debian lab: their unit tests cover them.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ROOTFS_FILES } from '../../src/lab/recipe.js';
import { repoRoot } from '../support/cli.js';
import { markAllManual, type PackageSnapshot, restorePackages, snapshotPackages } from '../support/package-snapshot.js';
import { TwinLab } from '../support/twin.js';

const fixture = (name: string): string => join(repoRoot, 'test', 'fixtures', 'twin-modules', 'packages', name);

const HOSTS = ['lab02', 'lab03'];
// Small packages of the lab's repository (src/lab/repo.ts): libraries without services.
const TEST_PACKAGES = ['libaio1', 'liburing2', 'xml-core', 'sgml-base', 'libjansson4', 'libexecs0'];
const UNKNOWN_PACKAGE = 'nosuchpkg-kvmplay';
// Ansible's apt needs python-apt on the host (it would install it itself, with a warning).
const APT_PYTHON = 'python3-apt';

const POLICY_RC_D = '/usr/sbin/policy-rc.d';
const RECIPE_POLICY_RC_D = ROOTFS_FILES.find((f) => `/${f.path}` === POLICY_RC_D);
if (!RECIPE_POLICY_RC_D) throw new Error(`the lab recipe has no ${POLICY_RC_D}`);

const ENV = 'export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8';
const INSTALL = `${ENV}; [ $# -eq 0 ] || apt-get install -y -q "$@" >/dev/null`;
const PURGE = `${ENV}; [ $# -eq 0 ] || apt-get purge -y -q "$@" >/dev/null`;
// Removing the test's packages also removes what depends on them (on a host with the KVM
// stack, qemu needs libaio1): remove first, so those keep their configuration until
// restorePackages puts them back, then purge only the test's own packages (installed or not).
const REMOVE = `${ENV}; [ $# -eq 0 ] || apt-get remove -y -q "$@" >/dev/null`;
// policy-rc.d as "present MODE BASE64" or "absent", and back.
const READ_POLICY = `if [ -e ${POLICY_RC_D} ]; then echo "present $(stat -c %a ${POLICY_RC_D}) $(base64 -w0 ${POLICY_RC_D})"; else echo absent; fi`;
const WRITE_POLICY = `if [ "$1" = absent ]; then rm -f ${POLICY_RC_D}; else printf %s "$3" | base64 -d > ${POLICY_RC_D} && chmod "$2" ${POLICY_RC_D}; fi`;
const STATE = `dpkg-query -W -f '\${Package} \${Status}\\n' "$@" 2>/dev/null | sort
echo "auto: $(apt-mark showauto "$@" 2>/dev/null | sort | tr '\\n' ' ')"
sha256sum ${POLICY_RC_D}; ls -l ${POLICY_RC_D} | cut -d' ' -f1
true`;
// Lists older than any cache_valid_time, one of them missing: the refresh must fetch it
// (the lists folder's mtime, Ansible's cache_update_time, moves).
const STALE_LISTS = 'rm -f /var/lib/apt/lists/*_Release && touch -d "@$(( $(date +%s) - 172800 ))" /var/lib/apt/lists';

/** What a host had before the test: the test puts it back. */
interface HostSnapshot { packages: PackageSnapshot; policy: string[] }

describe('apt and package against Ansible', function () {
  let lab: TwinLab;
  const found = new Map<string, HostSnapshot>();
  const state = async (h: string, root: string): Promise<string> =>
    `${await lab.fileTree(h, root)}${await lab.read(h, `${root}/registered.txt`)}${await lab.sh(h, STATE, ...TEST_PACKAGES, UNKNOWN_PACKAGE)}`;

  const snapshot = async (h: string): Promise<HostSnapshot> => ({
    packages: await snapshotPackages(lab, h),
    policy: (await lab.sh(h, READ_POLICY)).split(/\s+/).filter(Boolean),
  });
  // One baseline on both hosts: the recipe's policy-rc.d; no auto-installed package, so
  // autoremove only sees what the test installs; none of the test's packages; python-apt.
  const baseline = async (h: string, had: HostSnapshot): Promise<void> => {
    await lab.sh(h, WRITE_POLICY, 'present', RECIPE_POLICY_RC_D.mode.toString(8), Buffer.from(RECIPE_POLICY_RC_D.content).toString('base64'));
    await markAllManual(lab, h, had.packages);
    await lab.sh(h, REMOVE, ...TEST_PACKAGES.filter((p) => had.packages.installed.includes(p)));
    await lab.sh(h, PURGE, ...TEST_PACKAGES);
    await lab.sh(h, INSTALL, APT_PYTHON);
  };
  // Packages back as they were (restorePackages) under the recipe's policy-rc.d, then the host's own.
  const restore = async (h: string, had: HostSnapshot): Promise<void> => {
    try {
      await restorePackages(lab, h, had.packages);
    } finally {
      await lab.sh(h, WRITE_POLICY, ...had.policy);
    }
  };

  before(async () => {
    lab = await TwinLab.open('packages');
    await Promise.all(HOSTS.map(async (h) => {
      const had = await snapshot(h);
      found.set(h, had);
      await baseline(h, had);
    }));
  });
  after(async () => {
    const failures = (await Promise.allSettled(HOSTS.flatMap((h) => {
      const had = found.get(h);
      return had ? [restore(h, had)] : [];
    }))).filter((r) => r.status === 'rejected');
    await lab.close();
    if (failures.length) throw new Error(`restoring the hosts' packages failed: ${failures.map((f) => String(f.reason)).join('\n')}`);
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
