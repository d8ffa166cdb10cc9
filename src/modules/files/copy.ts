// `copy` (SPEC 6, Ansible's copy): content or a local file to a path on the host.
import { stat } from 'node:fs/promises';
import { posix } from 'node:path';
import { z } from 'zod';
import type { Host } from '../../transport/host.js';
import { absPath, boolish, modeArg, ownerArg } from '../args.js';
import { writeContent } from './content-writer.js';
import { parseMode, type ModeSpec } from './mode.js';
import type { LegacyModule, ModuleContext, ModuleResult } from '../module.js';
import { probeFile } from './remote-file.js';

const CopyArgs = z
  .object({
    dest: absPath,
    // A lone `{{ expr }}` keeps its type (SPEC 4): lists and maps are written as JSON, like Ansible.
    content: z.union([z.string(), z.number(), z.boolean(), z.array(z.unknown()), z.record(z.string(), z.unknown())]).optional(),
    src: z.string().min(1).optional(),
    mode: z.union([z.literal('preserve'), modeArg]).optional(),
    owner: ownerArg.optional(),
    group: ownerArg.optional(),
    backup: boolish.default(false),
    force: boolish.default(true),
    validate: z.string().refine((v) => v.includes('%s'), { message: 'must contain %s (the file to check)' }).optional(),
  })
  .strict()
  .refine((a) => (a.content === undefined) !== (a.src === undefined), { message: 'exactly one of content or src is required' });
export type CopyArgs = z.infer<typeof CopyArgs>;

export function contentBytes(content: NonNullable<CopyArgs['content']>): Buffer {
  return Buffer.from(typeof content === 'string' ? content : typeof content === 'object' ? JSON.stringify(content) : String(content), 'utf8');
}

/** Where the file goes: into a directory dest (or one ending with /) under src's name. */
export function destInto(dest: string, src: string | undefined): string | null {
  return src === undefined ? null : posix.join(dest, posix.basename(src));
}

async function source(a: CopyArgs, ctx: ModuleContext): Promise<{ content: Buffer; localPath?: string }> {
  if (a.content !== undefined) return { content: contentBytes(a.content) };
  const file = await ctx.readLocalFile(a.src ?? '');
  return { content: file.content, localPath: file.path };
}

export const copyModule: LegacyModule<CopyArgs> = {
  name: 'copy',
  args: CopyArgs,
  async run(host: Host, a: CopyArgs, ctx: ModuleContext): Promise<ModuleResult> {
    let src: { content: Buffer; localPath?: string };
    let mode: ModeSpec | undefined;
    try {
      src = await source(a, ctx);
      if (a.mode === 'preserve') {
        if (!src.localPath) return { changed: false, failed: true, msg: 'mode: preserve needs src' };
        mode = { kind: 'bits', bits: (await stat(src.localPath)).mode & 0o7777 };
      } else if (a.mode !== undefined) {
        mode = parseMode(a.mode);
      }
    } catch (err) {
      return { changed: false, failed: true, msg: `cannot read src ${a.src}: ${err instanceof Error ? err.message : String(err)}` };
    }
    let dest = a.dest;
    if (dest.endsWith('/')) {
      const into = destInto(dest, a.src);
      if (!into) return { changed: false, failed: true, msg: 'can not use content with a dir as dest' };
      dest = into;
    }
    let current = await probeFile(host, dest, ctx, { follow: true, content: ctx.diff ? 'small' : false });
    if (current.kind === 'directory') {
      const into = destInto(dest, a.src);
      if (!into) return { changed: false, failed: true, msg: 'can not use content with a dir as dest' };
      dest = into;
      current = await probeFile(host, dest, ctx, { follow: true, content: ctx.diff ? 'small' : false });
    }
    const data: Record<string, unknown> = {};
    if (a.src !== undefined) data.src = a.src;
    return writeContent(host, ctx, {
      dest,
      content: src.content,
      current,
      force: a.force,
      backup: a.backup,
      data,
      ...(mode ? { mode } : {}),
      ...(a.owner !== undefined ? { owner: a.owner } : {}),
      ...(a.group !== undefined ? { group: a.group } : {}),
      ...(a.validate !== undefined ? { validate: a.validate } : {}),
    });
  },
};
