// The cache entry (rootfs + repository) for the current recipe, built once.
// Built in a temporary directory and renamed into place when complete, with a
// stamp naming the recipe: an interrupted or outdated build never counts.
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { LabError } from '../errors.js';
import { acquireLock } from './lock.js';
import { removeTree } from './mounts.js';
import { cacheEntryName, findMirror, recipeHash, RECIPE_VERSION, REPO_GROUPS, SYSTEMD_REPO_GROUPS } from './recipe.js';
import { downloadRepo, indexRepo, preloadLists, prepareApt, repoLooksValid, repoSize } from './repo.js';
import { buildTinyGuest, TINY_GUEST_DIR, TINY_INITRD } from './guest-tiny.js';
import { customizeRootfs, debootstrap, makeSystemdRootfs } from './rootfs.js';

export interface CacheEntry {
  name: string;
  dir: string;
  rootfs: string;
  /** The rootfs of systemd hosts (systemd as init). */
  systemdRootfs: string;
  repo: string;
}

export interface Stamp {
  recipe: string;
  version: number;
  mirror: string;
  built: string;
}

const DEFAULT_MIRROR = 'http://deb.debian.org/debian';

export function cacheEntry(cacheDir: string, hash: string = recipeHash()): CacheEntry {
  const name = cacheEntryName(hash);
  const dir = path.join(cacheDir, name);
  return { name, dir, rootfs: path.join(dir, 'rootfs'), systemdRootfs: path.join(dir, 'rootfs-systemd'), repo: path.join(dir, 'repo') };
}

export async function isValidEntry(entry: CacheEntry, hash: string = recipeHash()): Promise<boolean> {
  try {
    const stamp = JSON.parse(await readFile(path.join(entry.dir, 'stamp.json'), 'utf8')) as Partial<Stamp>;
    if (stamp.recipe !== hash || stamp.version !== RECIPE_VERSION) return false;
    await readFile(path.join(entry.rootfs, 'usr/sbin/sshd'));
    await readFile(path.join(entry.systemdRootfs, 'usr/lib/systemd/systemd'));
    await readFile(path.join(entry.repo, TINY_GUEST_DIR, TINY_INITRD));
    return await repoLooksValid(entry.repo);
  } catch {
    return false;
  }
}

/** KVMPLAY_DEBIAN_MIRROR, else the control machine's apt sources, else deb.debian.org. */
export async function debianMirror(): Promise<string> {
  if (process.env.KVMPLAY_DEBIAN_MIRROR) return process.env.KVMPLAY_DEBIAN_MIRROR;
  const files: { name: string; text: string }[] = [];
  const dir = '/etc/apt/sources.list.d';
  for (const name of (await readdir(dir).catch(() => [] as string[])).sort()) {
    files.push({ name, text: await readFile(path.join(dir, name), 'utf8').catch(() => '') });
  }
  files.push({ name: 'sources.list', text: await readFile('/etc/apt/sources.list', 'utf8').catch(() => '') });
  return findMirror(files) ?? DEFAULT_MIRROR;
}

export async function ensureCache(cacheDir: string, say: (line: string) => void): Promise<CacheEntry> {
  const hash = recipeHash();
  const entry = cacheEntry(cacheDir, hash);
  if (await isValidEntry(entry, hash)) return entry;
  await mkdir(cacheDir, { recursive: true });
  // Another kvmplay may be building the same entry: wait for it rather than build twice.
  const lock = await acquireLock(path.join(cacheDir, '.lock'), {
    waitMs: 60 * 60_000,
    onWait: (pid) => say(`waiting for pid ${pid}, which is building the lab cache`),
  });
  try {
    if (await isValidEntry(entry, hash)) return entry;
    await build(entry, hash, cacheDir, say);
    return entry;
  } finally {
    await lock.release();
  }
}

async function build(entry: CacheEntry, hash: string, cacheDir: string, say: (line: string) => void): Promise<void> {
  const tmp = path.join(cacheDir, `.build-${entry.name}`);
  await removeTree(tmp); // a previous build that was interrupted
  await removeTree(entry.dir); // an entry without a valid stamp
  await mkdir(tmp, { recursive: true });
  const log = path.join(tmp, 'build.log');
  const rootfs = path.join(tmp, 'rootfs');
  const systemdRootfs = path.join(tmp, 'rootfs-systemd');
  const repo = path.join(tmp, 'repo');
  const apt = path.join(tmp, 'apt');
  const mirror = await debianMirror();
  const t0 = Date.now();
  const since = () => `${((Date.now() - t0) / 1000).toFixed(0)} s`;
  say(`building the lab root filesystem in ${entry.dir} (debootstrap ${mirror}, about 2 minutes; log ${log})`);
  await debootstrap(rootfs, mirror, log);
  await customizeRootfs(rootfs, log);
  say(`root filesystem ready after ${since()}; downloading the local package repository`);
  await prepareApt(apt, rootfs, repo, mirror, log);
  await downloadRepo(rootfs, repo, apt, REPO_GROUPS, log);
  await indexRepo(repo, log);
  await preloadLists(rootfs, repo, log);
  say(`repository ready after ${since()}; making the systemd root filesystem`);
  // systemd hosts resolve some packages differently (libvirt's systemd variant):
  // what they lack is downloaded too, then the repository is indexed again.
  await makeSystemdRootfs(rootfs, systemdRootfs, repo, log);
  await downloadRepo(systemdRootfs, repo, apt, SYSTEMD_REPO_GROUPS, log);
  const count = await indexRepo(repo, log);
  await preloadLists(rootfs, repo, log);
  await preloadLists(systemdRootfs, repo, log);
  say(`making the tiny lab guest (kernel and initramfs) after ${since()}`);
  await buildTinyGuest(apt, rootfs, path.join(repo, TINY_GUEST_DIR), log);
  await rm(apt, { recursive: true, force: true });
  const size = await repoSize(repo);
  if (count !== size.debs || count === 0) throw new LabError(`the lab repository indexed ${count} packages of ${size.debs} files (log: ${log})`);
  const stamp: Stamp = { recipe: hash, version: RECIPE_VERSION, mirror, built: new Date().toISOString() };
  await writeFile(path.join(tmp, 'stamp.json'), JSON.stringify(stamp, null, 2) + '\n');
  await rename(tmp, entry.dir);
  say(`lab cache ready after ${since()}: ${count} packages (${(size.bytes / 1e6).toFixed(0)} MB) in the local repository`);
  // Never deleted automatically: a running lab may still have one as its lower layer.
  const older = (await readdir(cacheDir)).filter((n) => /^[a-z]+-[0-9a-f]{12}$/.test(n) && n !== entry.name);
  if (older.length) say(`older lab cache entries in ${cacheDir}, to delete once no lab uses them: ${older.join(' ')}`);
}
