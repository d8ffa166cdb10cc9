// `disk_image` (SPEC 6): a qemu-img disk image that is created when absent, grown on
// request, and never overwritten nor shrunk (a guest's data lives in it). With
// `backing_file`, a qcow2 overlay on a base image (a cloud image): the guest writes
// into the overlay, the base is only read, and it is never rebased afterwards. With
// `source`, a copy of a base image (from the control machine, or from the host with
// remote_src), checked against `checksum`, converted to `format` and grown to `size`
// (disk-source.ts): made once, when the disk is absent.
import { open, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { z } from 'zod';
import { TaskError } from '../../errors.js';
import type { Host } from '../../transport/host.js';
import { absPath, boolish } from '../args.js';
import type { ModuleContext } from '../module.js';
import { defineModule } from '../runner.js';
import { mustRun, runOptions } from '../remote.js';
import { unifiedDiff } from '../../util/text.js';
import {
  localImageInfo, makeWorkdir, parseChecksum, removeWorkdir, uploadSparse, verifyChecksum, type Checksum, type SourceImage,
} from './disk-source.js';

const UNITS: Record<string, number> = { '': 0, K: 1, M: 2, G: 3, T: 4, P: 5 };

/**
 * `20GiB`, `20G`, `512MiB`, `1048576` (bytes) → bytes and qemu-img's spelling (`20G`:
 * qemu-img's suffixes are binary). `GB`/`MB` are refused: decimal or binary is a guess.
 */
export function parseSize(text: string | number): { bytes: number; qemu: string } {
  const s = String(text).trim();
  const m = /^(\d+)\s*(?:([KkMGTP])(?:iB)?|B)?$/.exec(s);
  if (!m) {
    throw new Error(`bad size "${s}": use bytes or a binary unit (512MiB, 20GiB, 1TiB)`);
  }
  const unit = (m[2] ?? '').toUpperCase();
  const n = Number(m[1]);
  const bytes = n * 1024 ** (UNITS[unit] ?? 0);
  if (!Number.isSafeInteger(bytes) || bytes <= 0) throw new Error(`bad size "${s}"`);
  return { bytes, qemu: `${n}${unit}` };
}

const ImageFormat = z.enum(['qcow2', 'raw']);

const DiskImageArgs = z
  .object({
    path: absPath,
    /** Without backing_file or source, required; with them, the size to grow to (default: the base's). */
    size: z.union([z.string(), z.number()]).refine((v) => { try { parseSize(v); return true; } catch { return false; } }, { message: 'must be bytes or a binary size like 20GiB' }).optional(),
    format: ImageFormat.default('qcow2'),
    resize: boolish.default(false),
    backing_file: absPath.optional(),
    /** The base image's format (default: what qemu-img info says of it). */
    backing_format: ImageFormat.optional(),
    /** A base image copied to path when path is absent: a file on the control machine, or on the host with remote_src. */
    source: z.string().min(1).optional(),
    remote_src: boolish.default(false),
    /** `sha256:HEX` (get_url's form): what the copied source must hash to. */
    checksum: z.string().optional(),
  })
  .strict()
  .refine((a) => a.size !== undefined || a.backing_file !== undefined || a.source !== undefined, { message: 'size is required (without backing_file or source)', path: ['size'] })
  .refine((a) => a.backing_file === undefined || a.format === 'qcow2', { message: 'an image with a backing_file is a qcow2 overlay: format must be qcow2', path: ['format'] })
  .refine((a) => a.source === undefined || a.backing_file === undefined, { message: 'source and backing_file are mutually exclusive (copy the base with one task, make overlays on it with another)', path: ['source'] })
  .refine((a) => !a.remote_src || a.source?.startsWith('/'), { message: 'with remote_src, source must be an absolute path on the host', path: ['source'] })
  .superRefine((a, ctx) => {
    if (a.checksum === undefined) return;
    if (a.source === undefined) ctx.addIssue({ code: 'custom', path: ['checksum'], message: 'checksum is checked on a copied source: it needs source' });
    const ck = parseChecksum(a.checksum);
    if (typeof ck === 'string') ctx.addIssue({ code: 'custom', path: ['checksum'], message: ck });
  });
export type DiskImageArgs = z.infer<typeof DiskImageArgs>;

export interface ImageInfo {
  format: string;
  virtualSize: number;
  /** The base of an overlay, as an absolute path (qemu-img's full-backing-filename). */
  backingFile?: string;
}

export type DiskPlan =
  | { kind: 'create' }
  | { kind: 'resize'; from: number }
  | { kind: 'keep'; msg: string }
  | { kind: 'fail'; msg: string };

/** Wanted image vs `qemu-img info` (null: no file) → what to do. Pure. */
export function planDiskImage(want: { format: string; bytes: number; resize: boolean }, cur: ImageInfo | null): DiskPlan {
  if (cur === null) return { kind: 'create' };
  if (cur.format !== want.format) return { kind: 'fail', msg: `image exists with format ${cur.format}, not ${want.format}; it is never converted or overwritten` };
  if (cur.virtualSize === want.bytes) return { kind: 'keep', msg: 'up to date' };
  if (!want.resize) return { kind: 'keep', msg: `image exists (virtual size ${cur.virtualSize} bytes, wanted ${want.bytes}; resize not asked)` };
  if (want.bytes < cur.virtualSize) return { kind: 'fail', msg: `refusing to shrink the image from ${cur.virtualSize} to ${want.bytes} bytes: only growing is supported` };
  return { kind: 'resize', from: cur.virtualSize };
}

/** What the task wants of an overlay's base, and what its base is (null: no such file). */
export interface Backing {
  file: string;
  base: ImageInfo | null;
}

/**
 * An overlay's plan: made from its base when absent (no smaller than the base: the
 * guest would lose the end of its disk), else kept as planDiskImage says, on the base
 * it was made on only: another base would be another disk. Pure.
 */
export function planOverlay(want: { format: string; bytes?: number; resize: boolean }, cur: ImageInfo | null, backing: Backing): DiskPlan {
  if (cur === null) {
    if (backing.base === null) return { kind: 'fail', msg: `the backing file ${backing.file} does not exist` };
    if (want.bytes !== undefined && want.bytes < backing.base.virtualSize) {
      return { kind: 'fail', msg: `size ${want.bytes} bytes is smaller than the backing file's ${backing.base.virtualSize}` };
    }
    return { kind: 'create' };
  }
  if (cur.backingFile !== backing.file) {
    return { kind: 'fail', msg: `image exists ${cur.backingFile ? `on the backing file ${cur.backingFile}` : 'without a backing file'}, not on ${backing.file}; it is never rebased or overwritten` };
  }
  // No size asked: the size it has is the one wanted.
  return planDiskImage({ ...want, bytes: want.bytes ?? cur.virtualSize }, cur);
}

/** What the task copies, and what it is (null: no such file). */
export interface Source {
  path: string;
  remote: boolean;
  image: SourceImage | null;
}

/**
 * A disk from a source image: made from it when absent (never smaller than the source,
 * whose end would be lost), else kept as planDiskImage says, whatever the source is now:
 * the source only ever makes a new disk. Pure.
 */
export function planFromSource(want: { format: string; bytes?: number; resize: boolean }, cur: ImageInfo | null, source: Source): DiskPlan {
  if (cur !== null) return planDiskImage({ ...want, bytes: want.bytes ?? cur.virtualSize }, cur);
  const where = source.remote ? 'on the host' : 'on the control machine';
  if (source.image === null) return { kind: 'fail', msg: `the source image ${source.path} does not exist ${where}` };
  if (source.image.hasBacking) return { kind: 'fail', msg: `the source image ${source.path} has a backing file: copy a standalone image` };
  if (want.bytes !== undefined && want.bytes < source.image.virtualSize) {
    return { kind: 'fail', msg: `size ${want.bytes} bytes is smaller than the source image's ${source.image.virtualSize}` };
  }
  return { kind: 'create' };
}

/** `qemu-img info --output=json` → format, virtual size and backing file. */
export function parseImageInfo(json: string): ImageInfo {
  const v = JSON.parse(json) as { format?: unknown; 'virtual-size'?: unknown; 'full-backing-filename'?: unknown; 'backing-filename'?: unknown };
  if (typeof v.format !== 'string' || typeof v['virtual-size'] !== 'number') throw new Error(`unexpected qemu-img info output: ${json.slice(0, 200)}`);
  const backing = v['full-backing-filename'] ?? v['backing-filename'];
  return { format: v.format, virtualSize: v['virtual-size'], ...(typeof backing === 'string' ? { backingFile: backing } : {}) };
}

function summary(info: ImageInfo | null): string {
  return info ? `format: ${info.format}\nvirtual-size: ${info.virtualSize}\n${info.backingFile ? `backing-file: ${info.backingFile}\n` : ''}` : '';
}

async function imageInfo(host: Host, ctx: ModuleContext, path: string): Promise<ImageInfo | null> {
  // test -e first: qemu-img's "No such file" text is not worth parsing, and -U reads
  // an image a running guest holds locked without touching it.
  const exists = await host.run(['test', '-e', path], runOptions(ctx));
  if (exists.rc !== 0) return null;
  const r = await host.run(['env', 'LC_ALL=C', 'qemu-img', 'info', '-U', '--output=json', '--', path], runOptions(ctx));
  if (r.rc !== 0) throw new TaskError(ctx.hostName, `qemu-img info ${path}: ${r.stderr.trim() || `exit status ${r.rc}`}`, { rc: r.rc, stderr: r.stderr });
  return parseImageInfo(r.stdout);
}

async function qemuImg(host: Host, ctx: ModuleContext, argv: string[]): Promise<void> {
  const r = await host.run(['env', 'LC_ALL=C', 'qemu-img', ...argv], runOptions(ctx));
  if (r.rc !== 0) throw new TaskError(ctx.hostName, `qemu-img ${argv[0] ?? ''}: ${r.stderr.trim() || r.stdout.trim() || `exit status ${r.rc}`}`, { rc: r.rc, stderr: r.stderr });
}

/** The overlay's base, when the task names one: `-F` and `-b` of qemu-img create. */
interface BackingChange {
  file: string;
  format: string;
}

/** The base image a new disk is copied from. */
interface SourceChange {
  path: string;
  remote: boolean;
  /** Its format as the plan saw it (the copy's, read by qemu-img, decides the conversion). */
  format: string;
  virtualSize: number;
  checksum?: Checksum;
}

type DiskChange = Extract<DiskPlan, { kind: 'create' | 'resize' }> & {
  bytes: number;
  /** qemu-img's size argument; undefined: as large as the base (an overlay's, a source's). */
  qemu: string | undefined;
  format: string;
  backing?: BackingChange;
  source?: SourceChange;
};

/**
 * `qcow2 image of 20G`, `qcow2 image of 2147483648 bytes on /var/lib/images/base.qcow2`,
 * `qcow2 image of 2147483648 bytes from /srv/debian12.raw (raw)`.
 */
function created(c: DiskChange): string {
  const from = c.source ? ` from ${c.source.path} (${c.source.format}${c.source.remote ? ', on the host' : ''})` : '';
  return `${c.format} image of ${c.qemu ?? `${c.bytes} bytes`}${c.backing ? ` on ${c.backing.file}` : ''}${from}`;
}

interface DiskState {
  image: ImageInfo | null;
  /** Read only to make an overlay: the task names a base and the image is absent. */
  backing?: Backing;
  /** Read only to make a disk from a source: the task names one and the image is absent. */
  source?: Source;
}

/** A local source: where the task's lookup finds it (beside the playbook…), else the path as given. */
async function localSourcePath(src: string, ctx: ModuleContext): Promise<string | null> {
  if (ctx.localPath) return ctx.localPath(src).catch(() => null);
  return resolve(src);
}

/** What a local source image is, from its header and size (null: no such file). */
async function localSource(file: string | null): Promise<SourceImage | null> {
  if (file === null) return null;
  const st = await stat(file).catch(() => null);
  if (!st?.isFile()) return null;
  const fh = await open(file, 'r');
  try {
    const header = Buffer.alloc(32);
    const { bytesRead } = await fh.read(header, 0, header.length, 0);
    return localImageInfo(header.subarray(0, bytesRead), st.size);
  } finally {
    await fh.close();
  }
}

async function gatherSource(host: Host, a: DiskImageArgs, ctx: ModuleContext, src: string): Promise<Source> {
  if (a.remote_src) {
    const info = await imageInfo(host, ctx, src);
    return { path: src, remote: true, image: info ? { format: info.format, virtualSize: info.virtualSize, hasBacking: info.backingFile !== undefined } : null };
  }
  const file = await localSourcePath(src, ctx);
  return { path: file ?? src, remote: false, image: await localSource(file) };
}

/**
 * Make the disk from its source (the plan saw `path` absent): copy into a private
 * folder beside it, check, convert, grow, then link it to its name, which fails if
 * something appeared there meanwhile. The folder goes in every case.
 */
async function createFromSource(host: Host, a: DiskImageArgs, c: DiskChange & { source: SourceChange }, ctx: ModuleContext): Promise<string> {
  const work = await makeWorkdir(host, ctx, a.path);
  try {
    const copy = `${work}/source`;
    let sent = '';
    if (c.source.remote) {
      await mustRun(host, ['cp', '--sparse=always', '--', c.source.path, copy], ctx, `cannot copy ${c.source.path}`);
    } else {
      const up = await uploadSparse(host, ctx, c.source.path, copy);
      sent = `, ${up.sent} of its ${up.bytes} bytes sent (the rest are holes)`;
    }
    if (c.source.checksum) await verifyChecksum(host, ctx, copy, c.source.checksum, c.source.path);
    const info = await imageInfo(host, ctx, copy);
    if (!info) throw new TaskError(ctx.hostName, `the copy of ${c.source.path} vanished from ${work}`);
    if (info.backingFile !== undefined) throw new TaskError(ctx.hostName, `the source image ${c.source.path} has a backing file: copy a standalone image`);
    if (c.qemu !== undefined && c.bytes < info.virtualSize) {
      throw new TaskError(ctx.hostName, `size ${c.bytes} bytes is smaller than the source image's ${info.virtualSize}`);
    }
    let image = copy;
    if (info.format !== a.format) {
      image = `${work}/image`;
      await qemuImg(host, ctx, ['convert', '-q', '-f', info.format, '-O', a.format, copy, image]);
    }
    if (c.qemu !== undefined && c.bytes > info.virtualSize) await qemuImg(host, ctx, ['resize', '-q', '-f', a.format, image, c.qemu]);
    // ln, not mv: it refuses an existing name, so a disk made meanwhile is never replaced.
    await mustRun(host, ['ln', '--', image, a.path], ctx, `cannot create ${a.path}`);
    return `${info.format === a.format ? 'copied' : `converted from ${info.format}`}${sent}`;
  } finally {
    await removeWorkdir(host, ctx, work);
  }
}

export const diskImageModule = defineModule({
  names: ['disk_image'],
  args: DiskImageArgs,
  async gather(host, a, ctx): Promise<DiskState> {
    const image = await imageInfo(host, ctx, a.path);
    // A base is only looked at when the disk is absent: an existing disk is never remade from it.
    if (a.source !== undefined) return image === null ? { image, source: await gatherSource(host, a, ctx, a.source) } : { image };
    if (a.backing_file === undefined) return { image };
    return { image, backing: { file: a.backing_file, base: image === null ? await imageInfo(host, ctx, a.backing_file) : null } };
  },
  plan(a, { image: cur, backing, source }) {
    const size = a.size === undefined ? undefined : parseSize(a.size);
    const data = {
      path: a.path, format: a.format, ...(size ? { size: size.bytes } : {}), ...(a.backing_file ? { backing_file: a.backing_file } : {}),
      ...(a.source !== undefined ? { source: source?.path ?? a.source } : {}),
    };
    const want = { format: a.format, ...(size ? { bytes: size.bytes } : {}), resize: a.resize };
    const plan = backing ? planOverlay(want, cur, backing)
      : a.source !== undefined ? planFromSource(want, cur, source ?? { path: a.source, remote: a.remote_src, image: null })
        : planDiskImage({ ...want, bytes: size?.bytes ?? 0 }, cur);
    if (plan.kind === 'fail') return { fail: plan.msg, data };
    if (plan.kind === 'keep') return { changes: [], okMsg: plan.msg, data: { ...data, virtual_size: cur?.virtualSize } };
    const base = backing?.base ?? source?.image;
    const bytes = size?.bytes ?? base?.virtualSize ?? 0;
    const checksum = a.checksum === undefined ? undefined : parseChecksum(a.checksum);
    const change: DiskChange = {
      ...plan, bytes, qemu: size?.qemu, format: a.format,
      ...(plan.kind === 'create' && backing?.base ? { backing: { file: backing.file, format: a.backing_format ?? backing.base.format } } : {}),
      ...(plan.kind === 'create' && source?.image ? {
        source: { path: source.path, remote: source.remote, format: source.image.format, virtualSize: source.image.virtualSize, ...(typeof checksum === 'object' ? { checksum } : {}) },
      } : {}),
    };
    const after: ImageInfo = { format: a.format, virtualSize: bytes, ...(change.backing ? { backingFile: change.backing.file } : {}) };
    return { changes: [change], data, diff: () => unifiedDiff(a.path, summary(cur), summary(after)) };
  },
  describe: (c: DiskChange) => (c.kind === 'create' ? `create a ${created(c)}` : `grow from ${c.from} to ${c.bytes} bytes`),
  async apply(host, a, c, ctx) {
    // Nothing in a path may be read as an option: qemu-img takes no `--`, so a
    // leading "-" is impossible anyway (absPath starts with "/").
    let how = '';
    if (c.kind === 'create' && c.source) {
      how = `; ${await createFromSource(host, a, { ...c, source: c.source }, ctx)}`;
    } else if (c.kind === 'create') {
      const backing = c.backing ? ['-F', c.backing.format, '-b', c.backing.file] : [];
      // No size: an overlay as large as its base (a plain image always has one).
      await qemuImg(host, ctx, ['create', '-q', '-f', a.format, ...backing, a.path, ...(c.qemu !== undefined ? [c.qemu] : [])]);
    } else {
      await qemuImg(host, ctx, ['resize', '-q', '-f', a.format, a.path, c.qemu ?? String(c.bytes)]);
    }
    const now = await imageInfo(host, ctx, a.path);
    return {
      msg: c.kind === 'create' ? `created ${created(c)}${how}` : `grew from ${c.from} to ${c.bytes} bytes`,
      data: { virtual_size: now?.virtualSize },
    };
  },
});
