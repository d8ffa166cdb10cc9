// A host's own files, placed in the layer above the shared rootfs: the overlay
// upper directory of a regular host, or the read-only extra layer of a light
// host. Directories take the mode and owner of their rootfs counterparts,
// because overlayfs shows a merged directory with its upper attributes.
import { randomBytes } from 'node:crypto';
import { chmod, chown, lstat, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { LabError } from '../errors.js';
import { hostsText, interfacesText, passwdEntry } from './host-text.js';
import type { HostKeyFiles, LabSecrets } from './keys.js';
import { setShadowPassword } from './keys.js';
import { LAB_USER } from './recipe.js';

interface Owner {
  mode: number;
  uid: number;
  gid: number;
}

const ROOT_DIR: Owner = { mode: 0o755, uid: 0, gid: 0 };

/** Create target/rel and its parents, copying attributes from rootfs/rel where it exists. */
async function mkdirLike(target: string, rootfs: string, rel: string, fallback: Owner = ROOT_DIR): Promise<void> {
  const parts = rel.split('/').filter(Boolean);
  for (let i = 1; i <= parts.length; i++) {
    const sub = parts.slice(0, i).join('/');
    const dir = path.join(target, sub);
    if (await lstat(dir).then(() => true, () => false)) continue;
    const like = await lstat(path.join(rootfs, sub)).catch(() => null);
    const o: Owner = like?.isDirectory() ? { mode: like.mode & 0o7777, uid: like.uid, gid: like.gid } : fallback;
    await mkdir(dir);
    await chown(dir, o.uid, o.gid);
    await chmod(dir, o.mode);
  }
}

async function place(target: string, rootfs: string, rel: string, content: string | Buffer, o: Owner, dirOwner?: Owner): Promise<void> {
  await mkdirLike(target, rootfs, path.dirname(rel), dirOwner);
  const file = path.join(target, rel);
  await writeFile(file, content);
  await chown(file, o.uid, o.gid);
  await chmod(file, o.mode);
}

export interface HostFilesInput {
  rootfs: string;
  /** Upper directory (regular) or extra layer (light). */
  target: string;
  name: string;
  address: string;
  /** em1's prefix length (24 or 22, see paths.ts). */
  prefixLen: number;
  identity: LabSecrets;
  hostKey: HostKeyFiles;
}

export async function writeHostFiles(h: HostFilesInput): Promise<void> {
  const { rootfs, target } = h;
  await mkdir(target, { recursive: true });
  const root = (mode: number): Owner => ({ mode, uid: 0, gid: 0 });
  await place(target, rootfs, 'etc/hostname', `${h.name}\n`, root(0o644));
  await place(target, rootfs, 'etc/hosts', hostsText(h.name, h.address), root(0o644));
  await place(target, rootfs, 'etc/machine-id', `${randomBytes(16).toString('hex')}\n`, root(0o444));
  await place(target, rootfs, 'etc/network/interfaces', interfacesText(h.address, h.prefixLen), root(0o644));
  await place(target, rootfs, 'etc/ssh/ssh_host_ed25519_key', await readFile(h.hostKey.privateKey), root(0o600));
  await place(target, rootfs, 'etc/ssh/ssh_host_ed25519_key.pub', await readFile(h.hostKey.publicKey), root(0o644));

  const shadowStat = await lstat(path.join(rootfs, 'etc/shadow'));
  const shadow = setShadowPassword(await readFile(path.join(rootfs, 'etc/shadow'), 'utf8'), LAB_USER, h.identity.becomePasswordHash);
  await place(target, rootfs, 'etc/shadow', shadow, { mode: shadowStat.mode & 0o7777, uid: shadowStat.uid, gid: shadowStat.gid });

  const authorized = `${h.identity.publicKeyLine}\n`;
  await place(target, rootfs, 'root/.ssh/authorized_keys', authorized, root(0o600), root(0o700));
  const user = passwdEntry(await readFile(path.join(rootfs, 'etc/passwd'), 'utf8'), LAB_USER);
  if (!user) throw new LabError(`user ${LAB_USER} is missing from the lab root filesystem`);
  const home = user.home.replace(/^\/+/, '');
  const owned = (mode: number): Owner => ({ mode, uid: user.uid, gid: user.gid });
  await mkdirLike(target, rootfs, home);
  await place(target, rootfs, `${home}/.ssh/authorized_keys`, authorized, owned(0o600), owned(0o700));
}
