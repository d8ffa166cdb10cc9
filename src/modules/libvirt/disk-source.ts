// disk_image's `source`: a base image (a cloud image) copied once to the disk's path,
// from the control machine or (remote_src) from the hypervisor itself. The copy lands
// in a private folder beside the disk, is checked against the task's checksum, then
// converted and grown there, and is linked to the disk's name only when complete
// (`ln` refuses an existing name: a disk is never overwritten). A failure anywhere
// removes the folder: nothing is left behind.
import { open } from 'node:fs/promises';
import { posix } from 'node:path';
import { TaskError } from '../../errors.js';
import type { Host } from '../../transport/host.js';
import type { ModuleContext } from '../module.js';
import { mustRun, script } from '../remote.js';

/** The digests coreutils has a `<algo>sum` tool for, and their length in hex digits. */
const DIGEST_HEX: Record<string, number> = { md5: 32, sha1: 40, sha224: 56, sha256: 64, sha384: 96, sha512: 128 };

export interface Checksum {
  algo: string;
  hex: string;
}

/** get_url's `algorithm:hexdigest` → the digest to check, or an error message. Pure. */
export function parseChecksum(text: string): Checksum | string {
  const i = text.indexOf(':');
  const algo = i < 0 ? '' : text.slice(0, i).toLowerCase();
  const hex = i < 0 ? '' : text.slice(i + 1).trim().toLowerCase();
  const len = DIGEST_HEX[algo];
  if (len === undefined) return `checksum must be ALGORITHM:HEX with ALGORITHM one of ${Object.keys(DIGEST_HEX).join(', ')}`;
  if (!/^[0-9a-f]+$/.test(hex) || hex.length !== len) return `a ${algo} checksum is ${len} hex digits`;
  return { algo, hex };
}

/** What a source image is, as far as the plan needs it. */
export interface SourceImage {
  format: string;
  virtualSize: number;
  /** The qcow2 names a backing file: the image is not standalone. */
  hasBacking: boolean;
}

const QCOW2_MAGIC = 0x514649fb; // "QFI\xfb"

/**
 * A local image's first bytes and size → its format and virtual size: qcow2 by its
 * header (big-endian size at byte 24, backing file offset at byte 8), anything else
 * taken as raw (qemu-img on the hypervisor tells the truth once it is copied). Pure.
 */
export function localImageInfo(header: Buffer, fileSize: number): SourceImage {
  if (header.length >= 32 && header.readUInt32BE(0) === QCOW2_MAGIC) {
    return { format: 'qcow2', virtualSize: Number(header.readBigUInt64BE(24)), hasBacking: header.readBigUInt64BE(8) !== 0n };
  }
  return { format: 'raw', virtualSize: fileSize, hasBacking: false };
}

/** Holes are found a block at a time: a raw filesystem image is mostly holes between its block groups. */
export const UPLOAD_BLOCK = 1024 * 1024;
/**
 * Consecutive data blocks go in one command up to this size: a command per block would
 * make round trips the cost (4 MiB pieces went at a third of the link's speed here).
 */
export const UPLOAD_RUN = 16 * 1024 * 1024;

/** True when `buf` holds only zero bytes (a hole to skip when uploading); `zeros` is at least as long. */
export function isAllZero(buf: Buffer, zeros: Buffer): boolean {
  return buf.equals(zeros.subarray(0, buf.length));
}

/**
 * Send a local file to `dest` on the host, never all of it in memory: `dest` is first
 * made sparse at the full size, then each run of blocks holding data is written at its
 * offset, so the holes of a raw image stay holes and cost no transfer.
 */
export async function uploadSparse(host: Host, ctx: ModuleContext, local: string, dest: string): Promise<{ bytes: number; sent: number }> {
  const fh = await open(local, 'r');
  try {
    const size = (await fh.stat()).size;
    await mustRun(host, ['truncate', '-s', String(size), '--', dest], ctx, `cannot make ${dest}`);
    let sent = 0;
    let run: { offset: number; blocks: Buffer[]; length: number } | null = null;
    const flush = async (): Promise<void> => {
      if (!run) return;
      const data = Buffer.concat(run.blocks, run.length);
      // seek_bytes: the offset in bytes; fullblock: a pipe's short reads are joined.
      await mustRun(host, ['dd', `of=${dest}`, `bs=${UPLOAD_BLOCK}`, 'iflag=fullblock', 'oflag=seek_bytes', `seek=${run.offset}`, 'conv=notrunc', 'status=none'],
        ctx, `cannot write ${dest}`, { stdin: data });
      sent += data.length;
      run = null;
    };
    const zeros = Buffer.alloc(UPLOAD_BLOCK);
    for (let offset = 0; offset < size; offset += UPLOAD_BLOCK) {
      const buf = Buffer.allocUnsafe(Math.min(UPLOAD_BLOCK, size - offset));
      const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
      if (bytesRead !== buf.length) throw new Error(`${local} changed while it was copied (short read at ${offset})`);
      if (isAllZero(buf, zeros)) {
        await flush();
        continue;
      }
      run ??= { offset, blocks: [], length: 0 };
      run.blocks.push(buf);
      run.length += buf.length;
      if (run.length >= UPLOAD_RUN) await flush();
    }
    await flush();
    return { bytes: size, sent };
  } finally {
    await fh.close();
  }
}

// $1 the disk's folder, $2 the disk's name: a private folder (0700) beside the disk,
// so the final link is on the same filesystem.
const MAKE_WORKDIR = 'cd -P -- "$1" && d=$(mktemp -d ".$2.kvmplay-XXXXXXXXXX") && printf "%s/%s" "$(pwd -P)" "$d"';

/** A private folder beside `path` for the copy; its caller removes it (removeWorkdir). */
export async function makeWorkdir(host: Host, ctx: ModuleContext, path: string): Promise<string> {
  const r = await mustRun(host, script(MAKE_WORKDIR, posix.dirname(path), posix.basename(path)), ctx, `cannot make a temporary folder beside ${path}`);
  const dir = r.stdout.trim();
  if (!dir.startsWith('/')) throw new TaskError(ctx.hostName, `mktemp beside ${path} gave "${dir}"`);
  return dir;
}

export async function removeWorkdir(host: Host, ctx: ModuleContext, dir: string): Promise<void> {
  // Best effort after a failure (the task already reports why); the connection may be gone.
  await host.run(['rm', '-rf', '--', dir], { become: ctx.become, timeoutMs: 120_000 }).catch(() => undefined);
}

/** The copied data's digest, checked before anything uses it. */
export async function verifyChecksum(host: Host, ctx: ModuleContext, file: string, want: Checksum, source: string): Promise<void> {
  const r = await mustRun(host, ['env', 'LC_ALL=C', `${want.algo}sum`, '--', file], ctx, `cannot compute the ${want.algo} of the copy of ${source}`);
  const got = r.stdout.trim().split(/\s+/)[0]?.replace(/^\\/, '') ?? '';
  if (got !== want.hex) {
    throw new TaskError(ctx.hostName, `checksum mismatch for ${source}: ${want.algo} ${got}, expected ${want.hex}; nothing was created`);
  }
}
