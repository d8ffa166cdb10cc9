// What goes into the cached root filesystem and package repository. Its hash
// names the cache entry: change anything here and the next `lab up` rebuilds.
import { createHash } from 'node:crypto';
import { TINY_GUEST_FILES } from './guest-tiny-init.js';
import { REPO_MOUNT } from './paths.js';

/** Bump when the build steps in rootfs.ts / repo.ts change in a way the data below does not show. */
export const RECIPE_VERSION = 3;
export const SUITE = 'bookworm';

/**
 * debootstrap --include: the list, plus procps (ps/pgrep for init
 * scripts and tests), iputils-ping (hosts ping each other) and netbase
 * (/etc/protocols, /etc/services for iptables and friends).
 */
export const ROOTFS_PACKAGES = [
  'openssh-server', 'iproute2', 'ifupdown', 'bridge-utils', 'sudo', 'python3',
  'procps', 'iputils-ping', 'netbase',
] as const;

/** What turns a copy of the rootfs into the root of a systemd lab host (`lab up --systemd`). */
export const SYSTEMD_PACKAGES: readonly string[] = ['systemd-sysv', 'dbus', 'libpam-systemd'];

/**
 * Packages the local repository must be able to install, each group resolved
 * in its own apt call into the same archive directory: packages from different
 * groups may conflict (a group that fails as a whole is retried one package at
 * a time). The KVM stack is one group because it is installed together.
 * libvirt-daemon-system-sysv: no systemd in lab hosts, and apt would pick the
 * systemd variant, which ships no init scripts (LAB-NOTES).
 */
export const REPO_GROUPS: readonly (readonly string[])[] = [
  ['qemu-system-x86', 'qemu-utils', 'libvirt-daemon-system', 'libvirt-daemon-system-sysv', 'libvirt-clients',
    'virtinst', 'bridge-utils', 'dnsmasq-base', 'iptables', 'genisoimage'],
  ['network-manager'], // for NetworkManager-owned interfaces (a later issue)
  ['python3-apt'], // Ansible's apt module, when the lab is driven by Ansible for comparison
  ['python3-libvirt', 'python3-lxml'], // community.libvirt's virt, virt_net, virt_pool, for the same comparison
  SYSTEMD_PACKAGES,
];

/**
 * Groups resolved against the systemd root filesystem, so the repository also
 * holds what apt picks there: libvirt-daemon-system-systemd (and
 * systemd-container, which it needs) rather than the sysv variant.
 */
export const SYSTEMD_REPO_GROUPS: readonly (readonly string[])[] = [
  ['qemu-system-x86', 'qemu-utils', 'libvirt-daemon-system', 'libvirt-clients',
    'virtinst', 'bridge-utils', 'dnsmasq-base', 'iptables', 'genisoimage'],
  ['network-manager'],
];

export interface RecipeFile {
  /** Relative to the root filesystem. */
  path: string;
  mode: number;
  content: string;
}

/** Files written into the root filesystem after debootstrap. */
export const ROOTFS_FILES: readonly RecipeFile[] = [
  {
    // Package scripts must not start services while installing: there is no init
    // to own them, and tests start services explicitly with `service`.
    path: 'usr/sbin/policy-rc.d', mode: 0o755,
    content: '#!/bin/sh\n# kvmplay lab: package scripts never start services here; use `service NAME start`.\nexit 101\n',
  },
  {
    // Hosts have no route out: the local repository is their only source.
    path: 'etc/apt/sources.list', mode: 0o644,
    content: `# kvmplay lab: the local package repository, bind-mounted read-only.\ndeb [trusted=yes] file:${REPO_MOUNT} ./\n`,
  },
  {
    // The repository holds the KVM stack without recommends; installing
    // recommends would depend on what else happens to be in it.
    path: 'etc/apt/apt.conf.d/90kvmplay-lab', mode: 0o644,
    content: 'APT::Install-Recommends "false";\nAcquire::Languages "none";\n',
  },
  { path: 'etc/resolv.conf', mode: 0o644, content: '# kvmplay lab hosts have no DNS.\n' },
  { path: 'etc/hostname', mode: 0o644, content: 'kvmplay-lab\n' },
  {
    // A password is required (no NOPASSWD) so become-with-password is exercised.
    // No lecture: light hosts cannot record that it was shown, and it would
    // precede every prompt.
    path: 'etc/sudoers.d/kvp', mode: 0o440,
    content: 'Defaults:kvp lecture=never\nkvp ALL=(ALL:ALL) ALL\n',
  },
  {
    // Included before the stock settings, so these win. UsePAM no: about a third
    // less server CPU per connection (LAB-NOTES); sudo still uses PAM itself.
    path: 'etc/ssh/sshd_config.d/kvmplay-lab.conf', mode: 0o644,
    content: [
      '# kvmplay lab host: sshd is PID 1 of the host (no systemd; services start with `service`).',
      'HostKey /etc/ssh/ssh_host_ed25519_key',
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'UseDNS no',
      'PrintLastLog no',
      '',
    ].join('\n'),
  },
];

/**
 * Removed from the systemd root filesystem: package scripts start services
 * there, as on a real Debian hypervisor.
 */
export const SYSTEMD_REMOVED_FILES: readonly string[] = ['usr/sbin/policy-rc.d'];

/** The non-root lab user (sudo with a password). */
export const LAB_USER = 'kvp';

export function recipeHash(): string {
  const recipe = {
    version: RECIPE_VERSION, suite: SUITE, variant: 'minbase',
    packages: ROOTFS_PACKAGES, repo: REPO_GROUPS, files: ROOTFS_FILES, user: LAB_USER,
    systemd: { packages: SYSTEMD_PACKAGES, repo: SYSTEMD_REPO_GROUPS, removed: SYSTEMD_REMOVED_FILES },
    tinyGuest: TINY_GUEST_FILES,
  };
  return createHash('sha256').update(JSON.stringify(recipe)).digest('hex');
}

/** Cache entry name: the suite and the first 12 hex digits of the recipe hash. */
export function cacheEntryName(hash: string = recipeHash()): string {
  return `${SUITE}-${hash.slice(0, 12)}`;
}

/**
 * The Debian mirror from the control machine's apt sources (deb822 `.sources`
 * or one-line `.list` files): the first URI serving `SUITE` itself, not
 * -updates or -security. Pure, so it is tested with the texts.
 */
export function findMirror(files: readonly { name: string; text: string }[], suite: string = SUITE): string | null {
  for (const f of files) {
    if (f.name.endsWith('.sources')) {
      for (const stanza of f.text.split(/\n\s*\n/)) {
        const field = (k: string) => new RegExp(`^${k}:\\s*(.+)$`, 'mi').exec(stanza)?.[1]?.trim().split(/\s+/) ?? [];
        if (/^Enabled:\s*no/mi.test(stanza)) continue;
        if (!field('Types').includes('deb') || !field('Suites').includes(suite)) continue;
        const uri = field('URIs').find((u) => /^https?:\/\//.test(u));
        if (uri) return uri.replace(/\/+$/, '');
      }
    } else if (f.name.endsWith('.list')) {
      for (const line of f.text.split('\n')) {
        const m = /^\s*deb\s+(?:\[[^\]]*\]\s+)?(https?:\/\/\S+)\s+(\S+)/.exec(line);
        if (m?.[1] && m[2] === suite) return m[1].replace(/\/+$/, '');
      }
    }
  }
  return null;
}
