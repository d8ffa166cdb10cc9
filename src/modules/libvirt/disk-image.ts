// `disk_image` (SPEC 6): a qemu-img disk image that is created when absent, grown on
// request, and never overwritten nor shrunk (a guest's data lives in it).
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

const DiskImageArgs = z
  .object({
    path: absPath,
    size: z.union([z.string(), z.number()]).refine((v) => { try { parseSize(v); return true; } catch { return false; } }, { message: 'must be bytes or a binary size like 20GiB' }),
    format: z.enum(['qcow2', 'raw']).default('qcow2'),
    resize: boolish.default(false),
  })
  .strict();
export type DiskImageArgs = z.infer<typeof DiskImageArgs>;

export interface ImageInfo {
  format: string;
  virtualSize: number;
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

/** `qemu-img info --output=json` → format and virtual size. */
export function parseImageInfo(json: string): ImageInfo {
  const v = JSON.parse(json) as { format?: unknown; 'virtual-size'?: unknown };
  if (typeof v.format !== 'string' || typeof v['virtual-size'] !== 'number') throw new Error(`unexpected qemu-img info output: ${json.slice(0, 200)}`);
  return { format: v.format, virtualSize: v['virtual-size'] };
}

function summary(info: ImageInfo | null): string {
  return info ? `format: ${info.format}\nvirtual-size: ${info.virtualSize}\n` : '';
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

type DiskChange = Extract<DiskPlan, { kind: 'create' | 'resize' }> & { bytes: number; qemu: string; format: string };

export const diskImageModule = defineModule({
  names: ['disk_image'],
  args: DiskImageArgs,
  gather: (host, a, ctx) => imageInfo(host, ctx, a.path),
  plan(a, cur) {
    const size = parseSize(a.size);
    const data = { path: a.path, format: a.format, size: size.bytes };
    const plan = planDiskImage({ format: a.format, bytes: size.bytes, resize: a.resize }, cur);
    if (plan.kind === 'fail') return { fail: plan.msg, data };
    if (plan.kind === 'keep') return { changes: [], okMsg: plan.msg, data: { ...data, virtual_size: cur?.virtualSize } };
    const change: DiskChange = { ...plan, bytes: size.bytes, qemu: size.qemu, format: a.format };
    return { changes: [change], data, diff: () => unifiedDiff(a.path, summary(cur), summary({ format: a.format, virtualSize: size.bytes })) };
  },
  describe: (c: DiskChange) => (c.kind === 'create' ? `create a ${c.format} image of ${c.qemu}` : `grow from ${c.from} to ${c.bytes} bytes`),
  async apply(host, a, c, ctx) {
    // Nothing in a path may be read as an option: qemu-img takes no `--`, so a
    // leading "-" is impossible anyway (absPath starts with "/").
    await qemuImg(host, ctx, [c.kind === 'create' ? 'create' : 'resize', '-q', '-f', a.format, a.path, c.qemu]);
    const now = await imageInfo(host, ctx, a.path);
    return {
      msg: c.kind === 'create' ? `created ${a.format} image of ${c.qemu}` : `grew from ${c.from} to ${c.bytes} bytes`,
      data: { virtual_size: now?.virtualSize },
    };
  },
});
