// `copy` (SPEC 6, Ansible's copy): content or a local file to a path on the host.
import { stat } from 'node:fs/promises';
import { posix } from 'node:path';
import { z } from 'zod';
import type { Host } from '../../transport/host.js';
import { absPath, argumentSpec, boolish, fileArgs, modeArg, validateArg } from '../args.js';
import { pyStr } from '../../jinja/values.js';
import { pythonJsonDumps } from '../../jinja/filters-formats.js';
import { applyWrite, describeWrite, planWrite, probeContent, type ContentChange } from './content-writer.js';
import { parseMode, type ModeSpec } from './mode.js';
import type { ModuleContext } from '../module.js';
import type { RemoteFile } from './remote-file.js';
import { defineModule } from '../runner.js';

export const CopyArgs = argumentSpec(
  {
    dest: absPath,
    // A lone `{{ expr }}` keeps its type (SPEC 4): lists and maps are written as JSON, like Ansible.
    content: z.union([z.string(), z.number(), z.boolean(), z.array(z.unknown()), z.record(z.string(), z.unknown())]).optional(),
    src: z.string().min(1).optional(),
    ...fileArgs,
    // Ansible's `preserve`: the mode of the local src file.
    mode: z.union([z.literal('preserve'), modeArg]).optional(),
    backup: boolish.default(false),
    force: boolish.default(true),
    // Ansible's follow: write through a symlink at dest; false replaces the link itself.
    follow: boolish.default(false),
    validate: validateArg.optional(),
  },
  { mutuallyExclusive: [['content', 'src']], requiredOneOf: [['content', 'src']] },
);
export type CopyArgs = z.infer<typeof CopyArgs>;

/** As Ansible's copy action: a list or dict is written as Python's json.dumps writes it, a scalar as its str(). */
export function contentBytes(content: NonNullable<CopyArgs['content']>): Buffer {
  return Buffer.from(typeof content === 'object' ? pythonJsonDumps(content) : pyStr(content), 'utf8');
}

/** Where the file goes: into a directory dest (or one ending with /) under src's name. */
export function destInto(dest: string, src: string | undefined): string | null {
  return src === undefined ? null : posix.join(dest, posix.basename(src));
}

export interface CopyState {
  content: Buffer;
  /** The local src file's mode bits (for `mode: preserve`). */
  srcMode?: number;
  /** The path written: dest, or src's name inside a directory dest. */
  dest: string;
  cur: RemoteFile;
}

async function source(a: CopyArgs, ctx: ModuleContext): Promise<{ content: Buffer; srcMode?: number }> {
  if (a.content !== undefined) return { content: contentBytes(a.content) };
  try {
    const file = await ctx.readLocalFile(a.src ?? '');
    return { content: file.content, ...(a.mode === 'preserve' ? { srcMode: (await stat(file.path)).mode & 0o7777 } : {}) };
  } catch (err) {
    throw new Error(`cannot read src ${a.src}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

const DIR_WITH_CONTENT = 'can not use content with a dir as dest';

async function gatherCopy(host: Host, a: CopyArgs, ctx: ModuleContext): Promise<CopyState> {
  const src = await source(a, ctx);
  let dest = a.dest;
  if (dest.endsWith('/')) {
    const into = destInto(dest, a.src);
    if (!into) throw new Error(DIR_WITH_CONTENT);
    dest = into;
  }
  let cur = await probeContent(host, dest, ctx, a.follow);
  if (cur.kind === 'directory') {
    const into = destInto(dest, a.src);
    if (!into) throw new Error(DIR_WITH_CONTENT);
    dest = into;
    cur = await probeContent(host, dest, ctx, a.follow);
  }
  return { ...src, dest, cur };
}

function modeOf(a: CopyArgs, s: CopyState): ModeSpec | undefined {
  if (a.mode === 'preserve') return s.srcMode === undefined ? undefined : { kind: 'bits', bits: s.srcMode };
  return a.mode === undefined ? undefined : parseMode(a.mode);
}

export const copyModule = defineModule({
  names: ['copy'],
  args: CopyArgs,
  gather: gatherCopy,
  plan(a, s) {
    if (a.mode === 'preserve' && s.srcMode === undefined) return { fail: 'mode: preserve needs src' };
    const mode = modeOf(a, s);
    return planWrite({
      dest: s.dest,
      content: s.content,
      force: a.force,
      backup: a.backup,
      data: a.src !== undefined ? { src: a.src } : {},
      ...(mode ? { mode } : {}),
      ...(a.owner !== undefined ? { owner: a.owner } : {}),
      ...(a.group !== undefined ? { group: a.group } : {}),
      ...(a.validate !== undefined ? { validate: a.validate } : {}),
    }, s.cur);
  },
  describe: (c: ContentChange) => describeWrite(c),
  apply: (host, _a, c, ctx) => applyWrite(host, ctx, c),
});
