// What goes into the lab's Debian cloud-init guest image (issue 17): a debootstrap
// minbase tree with systemd, OpenSSH, cloud-init and Debian's cloud kernel, made into
// a raw ext4 filesystem image (no partition table: root=/dev/vda) with the kernel and
// initrd beside it for direct kernel boot. Pure: its hash names the cache entry, so a
// change here builds a new image on next use.
import { createHash } from 'node:crypto';
import type { RecipeFile } from './recipe.js';
import { SUITE } from './recipe.js';

/** Bump when the build steps in guest-debian.ts change in a way the data below does not show. */
export const DEBIAN_GUEST_VERSION = 1;

/**
 * debootstrap --include. python3-cffi-backend is named because debootstrap's resolver
 * misses it among cloud-init's dependencies (the install then fails); ifupdown and
 * isc-dhcp-client because cloud-init renders Debian's network for ifupdown (its
 * `eni` renderer comes first when ifup exists); the cloud kernel for its virtio
 * drivers and small size; sudo for the users cloud-init makes; dbus because
 * systemd-logind, which powers the guest off on the ACPI power button (`virsh
 * shutdown`), does not run without it (minbase leaves out systemd's recommends).
 */
export const DEBIAN_GUEST_PACKAGES = [
  'systemd-sysv', 'dbus', 'openssh-server', 'cloud-init', 'python3-cffi-backend', 'linux-image-cloud-amd64',
  'ifupdown', 'isc-dhcp-client', 'sudo',
] as const;

/** The ext4 image's size: sparse, so its unused part costs nothing on disk. */
export const DEBIAN_GUEST_SIZE = '2G';
export const DEBIAN_GUEST_IMAGE = 'debian12.raw';
export const DEBIAN_GUEST_KERNEL = 'vmlinuz';
export const DEBIAN_GUEST_INITRD = 'initrd.img';
/** sha256sum lines of the three files, for `disk_image`'s checksum and for users. */
export const DEBIAN_GUEST_SUMS = 'SHA256SUMS';
/** The kernel command line of direct kernel boot: the filesystem is the whole disk. */
export const DEBIAN_GUEST_CMDLINE = 'root=/dev/vda rw console=ttyS0';

/**
 * cloud-init for a guest seeded by a NoCloud `cidata` CD-ROM: no network datasources to
 * probe, ed25519 host keys only (RSA takes seconds of emulated CPU), root's key from the
 * seed usable as given, and module lists without what fails or only costs time here
 * (`locale` fails on minbase, which has no locales package; growpart needs a partition).
 */
export const CLOUD_CFG = [
  '# kvmplay lab guest (src/lab/guest-debian-recipe.ts).',
  'datasource_list: [NoCloud, None]',
  'ssh_genkeytypes: [ed25519]',
  'ssh_deletekeys: true',
  'disable_root: false',
  'cloud_init_modules: [seed_random, bootcmd, write-files, resizefs, set_hostname, update_hostname, update_etc_hosts, users-groups, ssh]',
  'cloud_config_modules: [set-passwords, timezone, runcmd]',
  'cloud_final_modules: [package-update-upgrade-install, write-files-deferred, scripts-per-once, scripts-per-boot, scripts-per-instance, scripts-user, keys-to-console, final-message, power-state-change]',
  '',
].join('\n');

/** Cloud-init modules the image must never run: the unit test holds CLOUD_CFG to it. */
export const CLOUD_MODULES_LEFT_OUT = ['locale', 'growpart', 'apt-configure', 'ntp', 'snap', 'ca-certs', 'rsyslog', 'mounts'] as const;

/** Files written into the tree after debootstrap (paths relative to it). */
export const DEBIAN_GUEST_FILES: readonly RecipeFile[] = [
  { path: 'etc/cloud/cloud.cfg.d/90-kvmplay.cfg', mode: 0o644, content: CLOUD_CFG },
  {
    // sshd reads only the key cloud-init makes; Debian's default also names RSA and ECDSA.
    path: 'etc/ssh/sshd_config.d/kvmplay-guest.conf', mode: 0o644,
    content: '# kvmplay lab guest: the ed25519 host key cloud-init makes at first boot.\nHostKey /etc/ssh/ssh_host_ed25519_key\nUseDNS no\n',
  },
  { path: 'etc/fstab', mode: 0o644, content: '# The whole disk is the root filesystem (mke2fs -L root).\nLABEL=root / ext4 errors=remount-ro 0 1\n' },
  { path: 'etc/hostname', mode: 0o644, content: 'debian\n' },
  { path: 'etc/hosts', mode: 0o644, content: '127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n' },
  // debootstrap copies the control machine's; the guest's DHCP client writes its own.
  { path: 'etc/resolv.conf', mode: 0o644, content: '' },
  // Empty, not absent: systemd makes a new one at first boot, so each guest has its own
  // (and with it its own DHCP client identity, hence its own address).
  { path: 'etc/machine-id', mode: 0o444, content: '' },
  // MODULES=most already takes these; named so they load early and stay in later initrds.
  { path: 'etc/initramfs-tools/modules', mode: 0o644, content: '# kvmplay lab guest: the root disk.\nvirtio_pci\nvirtio_blk\next4\n' },
  // minbase has no zstd: say gzip rather than have every update-initramfs warn.
  { path: 'etc/initramfs-tools/conf.d/kvmplay.conf', mode: 0o644, content: 'COMPRESS=gzip\n' },
];

/**
 * Units masked in the guest: each spends emulated CPU at boot or on a timer and does
 * nothing useful in a short-lived lab guest (e2scrub_reap: ~28 s of guest CPU).
 */
export const DEBIAN_GUEST_MASKED = [
  'e2scrub_reap.service', 'e2scrub_all.timer', 'apt-daily.timer', 'apt-daily-upgrade.timer', 'dpkg-db-backup.timer',
] as const;

/** Removed from the tree: per-machine identity and what the image does not need. */
export const DEBIAN_GUEST_REMOVED = ['var/lib/dbus/machine-id'] as const;

/** Modules the initrd must hold, or the guest cannot find its root disk. */
export const DEBIAN_GUEST_INITRD_MODULES = ['virtio_pci.ko', 'virtio_blk.ko'] as const;

export function debianGuestHash(): string {
  const recipe = {
    version: DEBIAN_GUEST_VERSION, suite: SUITE, variant: 'minbase', packages: DEBIAN_GUEST_PACKAGES,
    files: DEBIAN_GUEST_FILES, masked: DEBIAN_GUEST_MASKED, removed: DEBIAN_GUEST_REMOVED,
    size: DEBIAN_GUEST_SIZE, cmdline: DEBIAN_GUEST_CMDLINE,
  };
  return createHash('sha256').update(JSON.stringify(recipe)).digest('hex');
}

/** `guest-debian-<first 12 hex digits of the recipe hash>`: beside the lab's own entry. */
export function debianGuestEntryName(hash: string = debianGuestHash()): string {
  return `guest-debian-${hash.slice(0, 12)}`;
}

/**
 * The kernel release of a tree's /boot listing: the one `vmlinuz-R` that has its
 * `initrd.img-R`. Pure; null when there is none or more than one.
 */
export function bootRelease(names: readonly string[]): string | null {
  const releases = names
    .filter((n) => n.startsWith('vmlinuz-'))
    .map((n) => n.slice('vmlinuz-'.length))
    .filter((r) => names.includes(`initrd.img-${r}`));
  return releases.length === 1 ? releases[0]! : null;
}

/** `sha256sum` lines (two spaces, the name) for the entry's SHA256SUMS. */
export function sumsText(sums: readonly { name: string; sha256: string }[]): string {
  return sums.map((s) => `${s.sha256}  ${s.name}\n`).join('');
}

/** SHA256SUMS text → name → hex digest. */
export function parseSums(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (m) out.set(m[2]!, m[1]!);
  }
  return out;
}
