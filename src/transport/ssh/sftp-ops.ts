// File operations over one SFTP session (SPEC 7): read, lstat, atomic write.
// Plain SFTP as the login user. Writing root-owned files as another user (become)
// arrives with the playbook engine, which will stage through a temp file and move it
// with sudo; these functions are its building blocks.

import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type { SFTPWrapper, Stats } from 'ssh2';
import type { FileStat } from '../host.js';

// SFTP status codes (draft-ietf-secsh-filexfer-02), as ssh2 puts them on err.code.
const NO_SUCH_FILE = 2;

export function isNoSuchFile(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === NO_SUCH_FILE;
}

function call<T>(fn: (cb: (err: Error | null | undefined, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    fn((err, value) => (err ? reject(err) : resolve(value)));
  });
}

export async function sftpReadFile(sftp: SFTPWrapper, path: string): Promise<Buffer | null> {
  try {
    return await call<Buffer>((cb) => sftp.readFile(path, cb));
  } catch (err) {
    if (isNoSuchFile(err)) return null;
    throw err;
  }
}

/** lstat: a symlink is reported as itself (isSymlink), not as its target. */
export async function sftpStat(sftp: SFTPWrapper, path: string): Promise<FileStat | null> {
  let st: Stats;
  try {
    st = await call<Stats>((cb) => sftp.lstat(path, cb));
  } catch (err) {
    if (isNoSuchFile(err)) return null;
    throw err;
  }
  return {
    size: st.size,
    mode: st.mode & 0o7777,
    uid: st.uid,
    gid: st.gid,
    isDirectory: st.isDirectory(),
    isFile: st.isFile(),
    isSymlink: st.isSymbolicLink(),
  };
}

/** `.NAME.kvmplay-RANDOM` beside the target: same filesystem, so rename is atomic. */
export function tempPathFor(path: string, random = randomBytes(6).toString('hex')): string {
  return posix.join(posix.dirname(path), `.${posix.basename(path)}.kvmplay-${random}`);
}

/**
 * Write to a temp file in the same directory, fchmod it (open's mode is cut by the
 * server's umask), then rename over the target, so readers see the old or the new
 * file, never half of one. Without `mode`, an existing file keeps its mode; a new one
 * gets 0644. The temp file is removed if anything fails.
 */
export async function sftpWriteAtomic(sftp: SFTPWrapper, path: string, data: Buffer, mode?: number): Promise<void> {
  const finalMode = mode ?? (await existingMode(sftp, path)) ?? 0o644;
  const tmp = tempPathFor(path);
  // 'wx': O_EXCL, never follow or reuse something already at the temp name.
  const handle = await call<Buffer>((cb) => sftp.open(tmp, 'wx', { mode: 0o600 }, cb));
  let open = true;
  try {
    for (let off = 0; off < data.length;) {
      const len = Math.min(data.length - off, 256 * 1024);
      await call<void>((cb) => sftp.write(handle, data, off, len, off, (err) => cb(err, undefined)));
      off += len;
    }
    await call<void>((cb) => sftp.fchmod(handle, finalMode, (err) => cb(err, undefined)));
    open = false;
    await call<void>((cb) => sftp.close(handle, (err) => cb(err, undefined)));
    await renameOver(sftp, tmp, path);
  } catch (err) {
    if (open) await call<void>((cb) => sftp.close(handle, (e) => cb(e, undefined))).catch(() => undefined);
    await call<void>((cb) => sftp.unlink(tmp, (e) => cb(e, undefined))).catch(() => undefined);
    throw err;
  }
}

async function existingMode(sftp: SFTPWrapper, path: string): Promise<number | null> {
  try {
    const st = await call<Stats>((cb) => sftp.stat(path, cb));
    return st.mode & 0o7777;
  } catch (err) {
    if (isNoSuchFile(err)) return null;
    throw err;
  }
}

// SFTP v3's RENAME fails when the target exists (OpenSSH implements it as link +
// unlink); posix-rename@openssh.com is rename(2), which replaces atomically.
async function renameOver(sftp: SFTPWrapper, from: string, to: string): Promise<void> {
  let posixRename = true;
  try {
    await call<void>((cb) => sftp.ext_openssh_rename(from, to, (err) => cb(err, undefined)));
  } catch (err) {
    if (!(err instanceof Error) || !/does not support/.test(err.message)) throw err;
    posixRename = false;
  }
  if (!posixRename) await call<void>((cb) => sftp.rename(from, to, (err) => cb(err, undefined)));
}
