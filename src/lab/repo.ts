// The local package repository: the .debs lab hosts lack for the KVM stack,
// computed by apt on the control machine against the rootfs's dpkg status, then
// indexed as a flat repository that hosts read from a read-only bind mount.
import { createHash } from 'node:crypto';
import { access, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { LabError } from '../errors.js';
import { REPO_MOUNT } from './paths.js';
import { SUITE } from './recipe.js';
import { run, runLogged, toolEnv } from './run.js';

const KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg';

/**
 * apt with its own sources, lists and caches (only the mirror debootstrap used,
 * so the repository matches the rootfs), the rootfs's dpkg status as "what is
 * installed", and the repository as the archive directory. The control
 * machine's own apt state is neither read nor changed.
 */
export function aptOptions(work: string, rootfs: string, repo: string): string[] {
  const o = (k: string, v: string) => ['-o', `${k}=${v}`];
  return [
    ...o('DPkg::Lock::Timeout', '600'),
    ...o('Dir::Etc::sourcelist', path.join(work, 'sources.list')),
    ...o('Dir::Etc::sourceparts', path.join(work, 'sources.list.d')),
    ...o('Dir::State::Lists', path.join(work, 'lists')),
    ...o('Dir::State::status', path.join(rootfs, 'var/lib/dpkg/status')),
    ...o('Dir::Cache', path.join(work, 'cache')),
    ...o('Dir::Cache::archives', repo),
    ...o('Dir::Cache::pkgcache', ''),
    ...o('Dir::Cache::srcpkgcache', ''),
  ];
}

/** apt's own sources and lists for the mirror, in `work` (once per build). */
export async function prepareApt(work: string, rootfs: string, repo: string, mirror: string, logFile: string): Promise<void> {
  for (const d of ['lists/partial', 'sources.list.d', 'cache']) await mkdir(path.join(work, d), { recursive: true });
  await mkdir(path.join(repo, 'partial'), { recursive: true });
  const signedBy = await access(KEYRING).then(() => `[signed-by=${KEYRING}] `, () => '');
  await writeFile(path.join(work, 'sources.list'), `deb ${signedBy}${mirror} ${SUITE} main\n`);
  const env = toolEnv({ DEBIAN_FRONTEND: 'noninteractive' });
  await runLogged('apt-get', [...aptOptions(work, rootfs, repo), 'update'], logFile, { env });
}

/** Download into `repo` what `rootfs` lacks to install each group (after prepareApt). */
export async function downloadRepo(
  rootfs: string, repo: string, work: string, groups: readonly (readonly string[])[], logFile: string,
): Promise<void> {
  await mkdir(path.join(repo, 'partial'), { recursive: true });
  const apt = aptOptions(work, rootfs, repo);
  const env = toolEnv({ DEBIAN_FRONTEND: 'noninteractive' });
  const install = (pkgs: readonly string[]) =>
    runLogged('apt-get', [...apt, 'install', '--download-only', '--no-install-recommends', '-y', ...pkgs], logFile, { allowFail: true, env });
  for (const group of groups) {
    if ((await install(group)) === 0) continue;
    // Packages of one group can conflict with each other in one resolution: each on its own.
    for (const pkg of group) {
      if ((await install([pkg])) !== 0) throw new LabError(`cannot download ${pkg} for the lab repository (log: ${logFile})`);
    }
  }
  await rm(path.join(repo, 'partial'), { recursive: true, force: true });
  await rm(path.join(repo, 'lock'), { force: true });
}

export interface IndexFile {
  name: string;
  size: number;
  sha256: string;
}

/**
 * A flat repository's Release: without one apt tries every compression of
 * Packages and logs an error for each missing one. Unsigned: hosts use [trusted=yes].
 */
export function releaseText(files: readonly IndexFile[], date: Date): string {
  return [
    'Origin: kvmplay',
    'Label: kvmplay lab',
    `Date: ${date.toUTCString().replace('GMT', '+0000')}`,
    'SHA256:',
    ...files.map((f) => ` ${f.sha256} ${f.size} ${f.name}`),
    '',
  ].join('\n');
}

export async function indexRepo(repo: string, logFile: string): Promise<number> {
  const scan = await run('dpkg-scanpackages', ['--multiversion', '.', '/dev/null'], { cwd: repo });
  await writeFile(logFile, scan.stderr, { flag: 'a' });
  const packages = Buffer.from(scan.stdout);
  const gz = gzipSync(packages, { level: 9 });
  await writeFile(path.join(repo, 'Packages'), packages);
  await writeFile(path.join(repo, 'Packages.gz'), gz);
  const files = [['Packages', packages], ['Packages.gz', gz]] as const;
  const index = files.map(([name, data]) => ({ name, size: data.length, sha256: createHash('sha256').update(data).digest('hex') }));
  await writeFile(path.join(repo, 'Release'), releaseText(index, new Date()));
  return (scan.stdout.match(/^Package: /gm) ?? []).length;
}

/**
 * `apt-get ARGS` inside a root filesystem, with the repository mounted where
 * hosts see it (and /proc, for package scripts), in a private mount namespace so
 * the mounts can never outlive this step.
 */
export async function aptInRootfs(rootfs: string, repo: string, args: readonly string[], logFile: string): Promise<void> {
  const script = [
    'set -e',
    'root=$1 repo=$2 mnt=$3',
    'shift 3',
    'mount --bind "$repo" "$root$mnt"',
    'mount -t proc proc "$root/proc"',
    'exec chroot "$root" apt-get "$@"',
  ].join('\n');
  await runLogged('unshare', ['--mount', '--propagation', 'private', '--', 'sh', '-c', script, 'sh', rootfs, repo, REPO_MOUNT, ...args],
    logFile, { env: toolEnv({ DEBIAN_FRONTEND: 'noninteractive' }) });
}

/** Hosts' apt already knows the repository: `apt-get update` in the rootfs, once. */
export async function preloadLists(rootfs: string, repo: string, logFile: string): Promise<void> {
  await aptInRootfs(rootfs, repo, ['-o', 'Acquire::Languages=none', 'update'], logFile);
}

export async function repoSize(repo: string): Promise<{ debs: number; bytes: number }> {
  let debs = 0;
  let bytes = 0;
  for (const n of await readdir(repo)) {
    if (!n.endsWith('.deb')) continue;
    debs++;
    bytes += (await stat(path.join(repo, n))).size;
  }
  return { debs, bytes };
}

export async function repoLooksValid(repo: string): Promise<boolean> {
  return readFile(path.join(repo, 'Release'), 'utf8').then((t) => t.includes('Packages'), () => false);
}
