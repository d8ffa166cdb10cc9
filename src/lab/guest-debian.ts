// The lab's Debian cloud-init guest image (guest-debian-recipe.ts says what is in it),
// built on first use into a cache entry of its own, beside the lab's rootfs entry and
// like it: in a temporary folder renamed into place when complete, with a stamp naming
// the recipe, under a lock. Never mounted into lab hosts: a rollout copies it to a
// hypervisor (disk_image `source`), as a user copies a cloud image.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, copyFile, mkdir, readdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { LabError } from '../errors.js';
import { debianMirror } from './cache.js';
import {
  bootRelease, DEBIAN_GUEST_CMDLINE, DEBIAN_GUEST_FILES, DEBIAN_GUEST_IMAGE, DEBIAN_GUEST_INITRD, DEBIAN_GUEST_INITRD_MODULES,
  DEBIAN_GUEST_KERNEL, DEBIAN_GUEST_MASKED, DEBIAN_GUEST_PACKAGES, DEBIAN_GUEST_REMOVED, DEBIAN_GUEST_SIZE, DEBIAN_GUEST_SUMS,
  DEBIAN_GUEST_VERSION, debianGuestEntryName, debianGuestHash, parseSums, sumsText,
} from './guest-debian-recipe.js';
import { acquireLock } from './lock.js';
import { removeTree } from './mounts.js';
import { SUITE } from './recipe.js';
import { run, runLogged, toolEnv } from './run.js';

export interface DebianGuestImage {
  /** The cache entry's folder. */
  dir: string;
  /** Raw ext4 filesystem image of the whole disk (root=/dev/vda). */
  image: string;
  kernel: string;
  initrd: string;
  cmdline: string;
  /** sha256 of each file by name (image, kernel, initrd), from the entry's SHA256SUMS. */
  sha256: Record<string, string>;
}

interface GuestStamp {
  recipe: string;
  version: number;
  mirror: string;
  built: string;
  /** Seconds the build took. */
  seconds: number;
}

function entryFiles(dir: string): Omit<DebianGuestImage, 'sha256'> {
  return {
    dir,
    image: path.join(dir, DEBIAN_GUEST_IMAGE),
    kernel: path.join(dir, DEBIAN_GUEST_KERNEL),
    initrd: path.join(dir, DEBIAN_GUEST_INITRD),
    cmdline: DEBIAN_GUEST_CMDLINE,
  };
}

/** The entry if it is complete and of the current recipe, else null. */
async function validEntry(dir: string, hash: string): Promise<DebianGuestImage | null> {
  try {
    const stamp = JSON.parse(await readFile(path.join(dir, 'stamp.json'), 'utf8')) as Partial<GuestStamp>;
    if (stamp.recipe !== hash || stamp.version !== DEBIAN_GUEST_VERSION) return null;
    const sums = parseSums(await readFile(path.join(dir, DEBIAN_GUEST_SUMS), 'utf8'));
    const names = [DEBIAN_GUEST_IMAGE, DEBIAN_GUEST_KERNEL, DEBIAN_GUEST_INITRD];
    if (!names.every((n) => sums.has(n))) return null;
    return { ...entryFiles(dir), sha256: Object.fromEntries(names.map((n) => [n, sums.get(n)!])) };
  } catch {
    return null;
  }
}

/**
 * The Debian guest image of the current recipe in `cacheDir`, built first if the cache
 * lacks it (a few minutes: debootstrap from the lab's mirror). Needs root.
 */
export async function ensureDebianGuestImage(cacheDir: string, say: (line: string) => void): Promise<DebianGuestImage> {
  const hash = debianGuestHash();
  const dir = path.join(cacheDir, debianGuestEntryName(hash));
  const ready = await validEntry(dir, hash);
  if (ready) return ready;
  if (process.getuid?.() !== 0) throw new LabError('building the Debian guest image needs root (debootstrap, chroot)');
  await mkdir(cacheDir, { recursive: true });
  // Its own lock: building it never waits for, nor holds up, the lab's rootfs entry.
  const lock = await acquireLock(path.join(cacheDir, '.guest-debian.lock'), {
    waitMs: 60 * 60_000,
    onWait: (pid) => say(`waiting for pid ${pid}, which is building the Debian guest image`),
  });
  try {
    const again = await validEntry(dir, hash);
    if (again) return again;
    await build(cacheDir, dir, hash, say);
    const built = await validEntry(dir, hash);
    if (!built) throw new LabError(`the Debian guest image in ${dir} is incomplete after its build`);
    return built;
  } finally {
    await lock.release();
  }
}

async function build(cacheDir: string, dir: string, hash: string, say: (line: string) => void): Promise<void> {
  const name = path.basename(dir);
  const tmp = path.join(cacheDir, `.build-${name}`);
  await removeTree(tmp); // a build that was interrupted
  await removeTree(dir); // an entry without a valid stamp
  await mkdir(tmp, { recursive: true });
  const log = path.join(tmp, 'build.log');
  const tree = path.join(tmp, 'tree');
  const mirror = await debianMirror();
  const t0 = Date.now();
  const since = () => `${((Date.now() - t0) / 1000).toFixed(0)} s`;
  say(`building the Debian guest image in ${dir} (debootstrap ${mirror}, about 2 minutes; log ${log})`);
  // A private mount namespace: debootstrap's /proc and /sys mounts end with it.
  await runLogged('unshare', [
    '--mount', '--propagation', 'private', '--',
    'debootstrap', '--variant=minbase', `--include=${DEBIAN_GUEST_PACKAGES.join(',')}`, SUITE, tree, mirror,
  ], log, { env: toolEnv({ DEBIAN_FRONTEND: 'noninteractive' }) });
  say(`guest tree installed after ${since()}; configuring it`);
  await customize(tree, log);

  const boot = path.join(tree, 'boot');
  const release = bootRelease(await readdir(boot));
  if (!release) throw new LabError(`no single kernel with its initrd in the guest's /boot (log: ${log})`);
  await copyFile(path.join(boot, `vmlinuz-${release}`), path.join(tmp, DEBIAN_GUEST_KERNEL));
  await copyFile(path.join(boot, `initrd.img-${release}`), path.join(tmp, DEBIAN_GUEST_INITRD));

  // A filesystem over the whole disk, filled from the tree (owners, modes, links and
  // extended attributes kept): no partition table, no loop device, no mount.
  const image = path.join(tmp, DEBIAN_GUEST_IMAGE);
  await runLogged('mke2fs', ['-q', '-F', '-t', 'ext4', '-L', 'root', '-E', 'root_owner=0:0', '-d', tree, image, DEBIAN_GUEST_SIZE], log);
  await removeTree(tree);
  for (const f of [DEBIAN_GUEST_IMAGE, DEBIAN_GUEST_KERNEL, DEBIAN_GUEST_INITRD]) await chmod(path.join(tmp, f), 0o644);

  const sums = [];
  for (const f of [DEBIAN_GUEST_IMAGE, DEBIAN_GUEST_KERNEL, DEBIAN_GUEST_INITRD]) sums.push({ name: f, sha256: await sha256File(path.join(tmp, f)) });
  await writeFile(path.join(tmp, DEBIAN_GUEST_SUMS), sumsText(sums));
  const stamp: GuestStamp = { recipe: hash, version: DEBIAN_GUEST_VERSION, mirror, built: new Date().toISOString(), seconds: Math.round((Date.now() - t0) / 1000) };
  await writeFile(path.join(tmp, 'stamp.json'), JSON.stringify(stamp, null, 2) + '\n');
  await rename(tmp, dir);
  say(`Debian guest image ready after ${since()}: ${dir}`);
  // Never deleted automatically: a rollout may be copying one.
  const older = (await readdir(cacheDir)).filter((n) => /^guest-debian-[0-9a-f]{12}$/.test(n) && n !== name);
  if (older.length) say(`older Debian guest images in ${cacheDir}, to delete when unused: ${older.join(' ')}`);
}

/** The tree made a guest image: recipe files, masked units, no per-machine identity, an initrd that finds the disk. */
async function customize(tree: string, log: string): Promise<void> {
  // No host keys in the image: each guest makes its own at first boot (cloud-init).
  const ssh = path.join(tree, 'etc/ssh');
  for (const n of await readdir(ssh)) if (n.startsWith('ssh_host_')) await rm(path.join(ssh, n), { force: true });
  for (const rel of DEBIAN_GUEST_REMOVED) await rm(path.join(tree, rel), { force: true });
  for (const f of DEBIAN_GUEST_FILES) {
    const file = path.join(tree, f.path);
    await mkdir(path.dirname(file), { recursive: true });
    await rm(file, { force: true }); // resolv.conf may be a link
    await writeFile(file, f.content);
    await chmod(file, f.mode);
  }
  for (const unit of DEBIAN_GUEST_MASKED) {
    const link = path.join(tree, 'etc/systemd/system', unit);
    await rm(link, { force: true });
    await symlink('/dev/null', link);
  }
  // The initrd again, with the modules file above; then check it can find the root disk.
  await runLogged('unshare', ['--mount', '--propagation', 'private', '--', 'sh', '-c',
    'mount -t proc proc "$1/proc" && exec chroot "$1" update-initramfs -u -k all', 'sh', tree], log);
  const release = bootRelease(await readdir(path.join(tree, 'boot')));
  const listing = (await run('chroot', [tree, 'lsinitramfs', `/boot/initrd.img-${release ?? ''}`])).stdout;
  for (const m of DEBIAN_GUEST_INITRD_MODULES) {
    if (!listing.split('\n').some((l) => l.endsWith(`/${m}`))) throw new LabError(`the guest's initrd lacks ${m}: it could not find its root disk (log: ${log})`);
  }
  // debootstrap's packages and the mirror's indexes: about 140 MB the guest never reads.
  await rm(path.join(tree, 'var/cache/apt/archives'), { recursive: true, force: true });
  await mkdir(path.join(tree, 'var/cache/apt/archives/partial'), { recursive: true });
  for (const n of await readdir(path.join(tree, 'var/lib/apt/lists'))) {
    if (n !== 'partial' && n !== 'lock') await rm(path.join(tree, 'var/lib/apt/lists', n), { recursive: true, force: true });
  }
  for (const n of await readdir(path.join(tree, 'var/cache/apt'))) if (n.endsWith('.bin')) await rm(path.join(tree, 'var/cache/apt', n), { force: true });
  // Logs of the build (dpkg, apt, alternatives) are the image's, not each guest's history.
  await run('find', [path.join(tree, 'var/log'), '-type', 'f', '-delete']);
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
