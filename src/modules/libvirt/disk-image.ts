// `disk_image` (SPEC 6): a qemu-img disk image that is created when absent, grown on
// request, and never overwritten nor shrunk (a guest's data lives in it). With
// `backing_file`, a qcow2 overlay on a base image (a cloud image): the guest writes
// into the overlay, the base is only read, and it is never rebased afterwards.
import { z } from 'zod';
import { TaskError } from '../../errors.js';
import type { Host } from '../../transport/host.js';
import { absPath, boolish } from '../args.js';
import type { ModuleContext } from '../module.js';
import { defineModule } from '../runner.js';
import { runOptions } from '../remote.js';
import { unifiedDiff } from '../../util/text.js';

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
    /** Without backing_file, required; with it, the overlay's size (default: the base's). */
    size: z.union([z.string(), z.number()]).refine((v) => { try { parseSize(v); return true; } catch { return false; } }, { message: 'must be bytes or a binary size like 20GiB' }).optional(),
    format: ImageFormat.default('qcow2'),
    resize: boolish.default(false),
    backing_file: absPath.optional(),
    /** The base image's format (default: what qemu-img info says of it). */
    backing_format: ImageFormat.optional(),
  })
  .strict()
  .refine((a) => a.size !== undefined || a.backing_file !== undefined, { message: 'size is required (without backing_file)', path: ['size'] })
  .refine((a) => a.backing_file === undefined || a.format === 'qcow2', { message: 'an image with a backing_file is a qcow2 overlay: format must be qcow2', path: ['format'] });
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

type DiskChange = Extract<DiskPlan, { kind: 'create' | 'resize' }> & {
  bytes: number;
  /** qemu-img's size argument; undefined: an overlay as large as its base. */
  qemu: string | undefined;
  format: string;
  backing?: BackingChange;
};

/** `qcow2 image of 20G`, `qcow2 image of 2147483648 bytes on /var/lib/images/base.qcow2`. */
function created(c: DiskChange): string {
  return `${c.format} image of ${c.qemu ?? `${c.bytes} bytes`}${c.backing ? ` on ${c.backing.file}` : ''}`;
}

interface DiskState {
  image: ImageInfo | null;
  /** Read only to make an overlay: the task names a base and the image is absent. */
  backing?: Backing;
}

export const diskImageModule = defineModule({
  names: ['disk_image'],
  args: DiskImageArgs,
  async gather(host, a, ctx): Promise<DiskState> {
    const image = await imageInfo(host, ctx, a.path);
    if (a.backing_file === undefined) return { image };
    return { image, backing: { file: a.backing_file, base: image === null ? await imageInfo(host, ctx, a.backing_file) : null } };
  },
  plan(a, { image: cur, backing }) {
    const size = a.size === undefined ? undefined : parseSize(a.size);
    const data = { path: a.path, format: a.format, ...(size ? { size: size.bytes } : {}), ...(a.backing_file ? { backing_file: a.backing_file } : {}) };
    const want = { format: a.format, ...(size ? { bytes: size.bytes } : {}), resize: a.resize };
    const plan = backing ? planOverlay(want, cur, backing) : planDiskImage({ ...want, bytes: size?.bytes ?? 0 }, cur);
    if (plan.kind === 'fail') return { fail: plan.msg, data };
    if (plan.kind === 'keep') return { changes: [], okMsg: plan.msg, data: { ...data, virtual_size: cur?.virtualSize } };
    const base = backing?.base;
    const bytes = size?.bytes ?? base?.virtualSize ?? 0;
    const change: DiskChange = {
      ...plan, bytes, qemu: size?.qemu, format: a.format,
      ...(plan.kind === 'create' && backing && base ? { backing: { file: backing.file, format: a.backing_format ?? base.format } } : {}),
    };
    const after: ImageInfo = { format: a.format, virtualSize: bytes, ...(change.backing ? { backingFile: change.backing.file } : {}) };
    return { changes: [change], data, diff: () => unifiedDiff(a.path, summary(cur), summary(after)) };
  },
  describe: (c: DiskChange) => (c.kind === 'create' ? `create a ${created(c)}` : `grow from ${c.from} to ${c.bytes} bytes`),
  async apply(host, a, c, ctx) {
    // Nothing in a path may be read as an option: qemu-img takes no `--`, so a
    // leading "-" is impossible anyway (absPath starts with "/").
    if (c.kind === 'create') {
      const backing = c.backing ? ['-F', c.backing.format, '-b', c.backing.file] : [];
      // No size: an overlay as large as its base (a plain image always has one).
      await qemuImg(host, ctx, ['create', '-q', '-f', a.format, ...backing, a.path, ...(c.qemu !== undefined ? [c.qemu] : [])]);
    } else {
      await qemuImg(host, ctx, ['resize', '-q', '-f', a.format, a.path, c.qemu ?? String(c.bytes)]);
    }
    const now = await imageInfo(host, ctx, a.path);
    return {
      msg: c.kind === 'create' ? `created ${created(c)}` : `grew from ${c.from} to ${c.bytes} bytes`,
      data: { virtual_size: now?.virtualSize },
    };
  },
});
