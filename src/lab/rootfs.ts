// The Debian root filesystem every lab host shares as its lower layer, made once
// with debootstrap and then customised for life without systemd; and its
// systemd variant for `lab up --systemd` hosts.
import { mkdir, readdir, rm, writeFile, chmod } from 'node:fs/promises';
import path from 'node:path';
import { REPO_MOUNT } from './paths.js';
import { LAB_USER, ROOTFS_FILES, ROOTFS_PACKAGES, SUITE, SYSTEMD_PACKAGES, SYSTEMD_REMOVED_FILES } from './recipe.js';
import { aptInRootfs } from './repo.js';
import { runLogged } from './run.js';

/**
 * debootstrap mounts /proc and /sys inside the target while it works; in a
 * private mount namespace those mounts end with it even if it is interrupted.
 */
export async function debootstrap(target: string, mirror: string, logFile: string): Promise<void> {
  await runLogged('unshare', [
    '--mount', '--propagation', 'private', '--',
    'debootstrap', '--variant=minbase', `--include=${ROOTFS_PACKAGES.join(',')}`, SUITE, target, mirror,
  ], logFile);
}

async function removeMatching(dir: string, test: (name: string) => boolean): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(names.filter(test).map((n) => rm(path.join(dir, n), { recursive: true, force: true })));
}

export async function customizeRootfs(root: string, logFile: string): Promise<void> {
  // Every host gets its own sshd keys (kept in the lab dir); none are shared.
  await removeMatching(path.join(root, 'etc/ssh'), (n) => n.startsWith('ssh_host_'));
  // Only the local repository: hosts have no route to a mirror.
  await removeMatching(path.join(root, 'etc/apt/sources.list.d'), () => true);
  for (const f of ROOTFS_FILES) {
    const file = path.join(root, f.path);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, f.content);
    await chmod(file, f.mode);
  }
  await mkdir(path.join(root, REPO_MOUNT), { recursive: true });
  await runLogged('chroot', [root, 'useradd', '--create-home', '--shell', '/bin/bash', '--comment', 'kvmplay lab user', LAB_USER], logFile);
  await runLogged('chroot', [root, 'visudo', '--check', '--file', `/etc/sudoers.d/${LAB_USER}`], logFile);
  // debootstrap's downloaded packages (about 45 MB) and the mirror's indexes are not needed in hosts.
  await removeMatching(path.join(root, 'var/cache/apt/archives'), (n) => n.endsWith('.deb'));
  await removeMatching(path.join(root, 'var/lib/apt/lists'), (n) => n !== 'partial' && n !== 'lock');
  await removeMatching(path.join(root, 'var/cache/apt'), (n) => n.endsWith('.bin'));
}

/**
 * The root of systemd hosts: a copy of the finished rootfs with systemd as
 * init, installed from the local repository (already indexed, and its lists
 * already in the rootfs).
 */
export async function makeSystemdRootfs(rootfs: string, target: string, repo: string, logFile: string): Promise<void> {
  await runLogged('cp', ['-a', '--reflink=auto', rootfs, target], logFile);
  await aptInRootfs(target, repo, ['install', '-y', '-q', '--no-install-recommends', ...SYSTEMD_PACKAGES], logFile);
  for (const rel of SYSTEMD_REMOVED_FILES) await rm(path.join(target, rel), { force: true });
  await removeMatching(path.join(target, 'var/cache/apt/archives'), (n) => n.endsWith('.deb'));
}
