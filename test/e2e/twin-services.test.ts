// systemd_service, service, service_facts and package_facts against ansible-playbook
// (test/support/twin.ts): ansible-playbook on one lab host, kvmplay on another, the same
// task statuses on both runs, the same unit states (`systemctl is-enabled/is-active`, the
// unit files and links) and the same registered values, written under root. Services are
// host-wide: every unit and init script a test adds is removed before and after, and each
// host's packages are put back as they were (test/support/package-snapshot.ts). Earlier tests
// leave the two hosts of a pair different: the playbooks compare the units and packages
// the test changes and fixed sets every lab host has, not everything a host has.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { repoRoot } from '../support/cli.js';
import { type PackageSnapshot, restorePackages, snapshotPackages } from '../support/package-snapshot.js';
import { TwinLab } from '../support/twin.js';

const fixture = (name: string): string => join(repoRoot, 'test', 'fixtures', 'twin-modules', 'services', name);

const UNITS = ['kvp-twin-svc-a', 'kvp-twin-svc-b', 'kvp-twin-svc-ghost', 'kvp-twin-svc-nope'];

// What systemd says of the test's units, their files and links.
const UNIT_STATE = `
for u in "$@"; do printf '%s %s %s\\n' "$u" "$(systemctl is-enabled "$u.service" 2>/dev/null)" "$(systemctl is-active "$u.service" 2>/dev/null)"; done
find /etc/systemd/system /usr/local/lib/systemd -name 'kvp-twin-*' -printf '%p -> %l\\n' 2>/dev/null | sort
for f in /etc/systemd/system/kvp-twin-svc-a.service /usr/local/lib/systemd/system/kvp-twin-svc-b.service; do [ -f "$f" ] && sha256sum "$f"; done
true`;

const UNIT_CLEANUP = `
for u in "$@"; do
  systemctl stop "$u.service" 2>/dev/null; systemctl unmask "$u.service" 2>/dev/null; systemctl disable "$u.service" 2>/dev/null
done
rm -f /etc/systemd/system/kvp-twin-svc-* /usr/local/lib/systemd/system/kvp-twin-svc-*
rmdir /usr/local/lib/systemd/system /usr/local/lib/systemd 2>/dev/null
systemctl daemon-reload; for u in "$@"; do systemctl reset-failed "$u.service" 2>/dev/null; done
true`;

// An LSB init script running `sleep` in the background with a pid file, for the sysv hosts.
const SYSV = ['kvp-twin-sysv'];
const SYSV_STATE = `
for u in "$@"; do
  printf '%s links:' "$u"; for l in /etc/rc?.d/[SK]??"$u"; do [ -e "$l" ] && printf ' %s' "$l"; done; echo
  if [ -f "/run/$u.pid" ] && kill -0 "$(cat "/run/$u.pid")" 2>/dev/null; then echo "$u running"; else echo "$u stopped"; fi
  [ -f "/run/$u.args" ] && echo "$u args: $(cat "/run/$u.args")"
done
true`;
const SYSV_CLEANUP = `
for u in "$@"; do
  [ -x "/etc/init.d/$u" ] && "/etc/init.d/$u" stop >/dev/null 2>&1
  update-rc.d -f "$u" remove >/dev/null 2>&1
  rm -f "/etc/init.d/$u" "/run/$u.pid" "/run/$u.args" /etc/rc?.d/[SK]??"$u"
done
true`;

// python3-apt and what it brings: Ansible's package_facts needs it on the host. xml-core
// (and sgml-base, its dependency) is installed then removed, its configuration kept: a
// package dpkg knows but that is not installed.
const APT_PACKAGES = ['python3-apt', 'python-apt-common', 'distro-info-data'];
const REMOVED_PACKAGE = 'xml-core';
const APT_ENV = 'export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8';
const APT_INSTALL = `${APT_ENV}; apt-get install -y -q --no-install-recommends "$@" >/dev/null`;
const APT_REMOVE = `${APT_ENV}; apt-get remove -y -q "$@" >/dev/null`;

describe('systemd_service, service, service_facts and package_facts against Ansible', function () {
  let lab: TwinLab;
  const systemdHosts = ['lab04', 'lab05'];
  const sysvHosts = ['lab02', 'lab03'];
  // The packages of each systemd host, put back afterwards (removing xml-core removes what
  // depends on it, polkitd for one).
  const hadPackages = new Map<string, PackageSnapshot>();
  const cleanAll = async (): Promise<void> => {
    await Promise.all([
      ...systemdHosts.map((h) => lab.sh(h, UNIT_CLEANUP, ...UNITS)),
      ...sysvHosts.map((h) => lab.sh(h, SYSV_CLEANUP, ...SYSV)),
    ]);
  };
  before(async () => {
    lab = await TwinLab.open('services');
    for (const h of systemdHosts) hadPackages.set(h, await snapshotPackages(lab, h));
    await cleanAll();
  });
  after(async () => {
    await cleanAll();
    await Promise.all(systemdHosts.map(async (h) => {
      const had = hadPackages.get(h);
      if (had) await restorePackages(lab, h, had);
    }));
    await lab.close();
  });

  it('starts, reloads, restarts, enables, stops and masks units as ansible-playbook does on a systemd host', async () => {
    const r = await lab.twin({
      playbook: fixture('systemd.yaml'),
      ansibleHost: 'lab04', kvmplayHost: 'lab05',
      state: async (h, root) => `${await lab.fileTree(h, root)}${await lab.read(h, `${root}/registered.txt`)}${await lab.sh(h, UNIT_STATE, ...UNITS)}`,
    });
    assert.deepEqual(r.problems, []);
    for (const line of ['Restart a: changed', 'Start a again by its full name: ok', 'Start masked b: failed', 'A unit that does not exist: failed', 'Daemon-reload alone: ok']) {
      assert.ok(r.outcomes.includes(line), `${line}\n${r.outcomes.join('\n')}`);
    }
    // The unit a ends started (service) and disabled; b masked and stopped.
    assert.match(await lab.sh('lab05', UNIT_STATE, ...UNITS), /^kvp-twin-svc-a disabled active\nkvp-twin-svc-b masked inactive\n/);
  });

  it('runs an init script with arguments, sleep and pattern, and enables it with update-rc.d, as ansible-playbook does on a sysv host', async () => {
    const r = await lab.twin({
      playbook: fixture('sysv.yaml'),
      ansibleHost: 'lab02', kvmplayHost: 'lab03',
      state: async (h, root) => `${await lab.fileTree(h, root)}${await lab.read(h, `${root}/registered.txt`)}${await lab.sh(h, SYSV_STATE, ...SYSV)}`,
    });
    assert.deepEqual(r.problems, []);
    for (const line of ['Restart with a sleep between stop and start: changed', 'Started, by pattern: ok', 'Reload: changed', 'Stopped, by pattern: ok', 'A service that does not exist: failed']) {
      assert.ok(r.outcomes.includes(line), `${line}\n${r.outcomes.join('\n')}`);
    }
    // Stopped, with K links only, started last with the restart's arguments.
    assert.equal(await lab.sh('lab03', SYSV_STATE, ...SYSV), 'kvp-twin-sysv links: /etc/rc0.d/K01kvp-twin-sysv /etc/rc1.d/K01kvp-twin-sysv /etc/rc2.d/K01kvp-twin-sysv /etc/rc3.d/K01kvp-twin-sysv /etc/rc4.d/K01kvp-twin-sysv /etc/rc5.d/K01kvp-twin-sysv /etc/rc6.d/K01kvp-twin-sysv\nkvp-twin-sysv stopped\nkvp-twin-sysv args: three\n');
  });

  it('reads the installed packages as ansible-playbook does with python-apt', async () => {
    await Promise.all(systemdHosts.map(async (h) => {
      await lab.sh(h, APT_INSTALL, ...APT_PACKAGES, REMOVED_PACKAGE);
      await lab.sh(h, APT_REMOVE, REMOVED_PACKAGE);
    }));
    const r = await lab.twin({
      playbook: fixture('package-facts.yaml'),
      ansibleHost: 'lab04', kvmplayHost: 'lab05',
      state: async (h, root) => `${await lab.fileTree(h, root)}${await lab.read(h, `${root}/registered.txt`)}`,
    });
    assert.deepEqual(r.problems, []);
    const registered = await lab.sh('lab05', 'cat "$1"/*-kvmplay/registered.txt', lab.base);
    assert.match(registered, /^python3-apt \S+ amd64 python \[kvmplay\] apt 6$/m);
    assert.match(registered, /^tzdata \S+ all localization \[\] apt 6$/m);
    // The facts name exactly dpkg's installed packages: not xml-core, removed with its configuration kept.
    assert.match(registered, /^dpkg's names: True True$/m);
    assert.match(registered, /^has sgml-base: True\nhas xml-core: False\nhas nosuchpkg-kvmplay: False$/m);
    assert.match(registered, /^rpm: True Could not detect a supported package manager from the following list: \['rpm'\]/m);
  });
});
