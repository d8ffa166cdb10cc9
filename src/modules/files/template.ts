// `template` (SPEC 6): render a local template file with the host's variables, then
// exactly the copy path (content-writer.ts). Ansible's template arguments: trim_blocks and
// lstrip_blocks (a `#jinja2:` first line still wins), newline_sequence, output_encoding,
// mode: preserve, a directory dest; other Jinja delimiters are refused by name.
import { stat } from 'node:fs/promises';
import { posix } from 'node:path';
import { z } from 'zod';
import { absPath, argumentSpec, boolish, fileArgs, modeArg, validateArg } from '../args.js';
import { applyWrite, describeWrite, planWrite, probeContent, type ContentChange } from './content-writer.js';
import { parseMode } from './mode.js';
import type { TemplateOverrides } from '../module.js';
import { codecNamed, pyEncode } from './py-codecs.js';
import type { RemoteFile } from './remote-file.js';
import { defineModule } from '../runner.js';
import { otherFileArgs, refuseOtherFileArgs } from './text-edit.js';
import { unforcedMsg } from './copy.js';

// Ansible accepts the escaped spellings too ("\\n" written in YAML single quotes).
const NEWLINES: Readonly<Record<string, string>> = { '\n': '\n', '\r': '\r', '\r\n': '\r\n', '\\n': '\n', '\\r': '\r', '\\r\\n': '\r\n' };

// Jinja's own delimiters: the only ones kvmplay's Jinja reads.
const DELIMITERS = {
  block_start_string: '{%', block_end_string: '%}', variable_start_string: '{{', variable_end_string: '}}',
  comment_start_string: '{#', comment_end_string: '#}',
} as const;

export const TemplateArgs = argumentSpec(
  {
    src: z.string().min(1),
    dest: absPath,
    ...fileArgs,
    // Ansible's `preserve`: the mode of the template file.
    mode: z.union([z.literal('preserve'), modeArg]).optional(),
    backup: boolish.default(false),
    force: boolish.default(true),
    // Ansible's follow: write through a symlink at dest; false replaces the link itself.
    follow: boolish.default(false),
    validate: validateArg.optional(),
    trim_blocks: boolish.default(true),
    lstrip_blocks: boolish.default(false),
    newline_sequence: z.string().default('\n'),
    output_encoding: z.string().default('utf-8'),
    block_start_string: z.string().optional(),
    block_end_string: z.string().optional(),
    variable_start_string: z.string().optional(),
    variable_end_string: z.string().optional(),
    comment_start_string: z.string().optional(),
    comment_end_string: z.string().optional(),
    ...otherFileArgs,
  },
  { required: ['src', 'dest'] },
).superRefine((a, ctx) => {
  refuseOtherFileArgs(a, ctx);
  if (NEWLINES[a.newline_sequence] === undefined) ctx.addIssue({ code: 'custom', path: ['newline_sequence'], message: 'newline_sequence needs to be one of: \\n, \\r or \\r\\n' });
  if (codecNamed(a.output_encoding || 'utf-8') === undefined) {
    ctx.addIssue({ code: 'custom', path: ['output_encoding'], message: `output_encoding "${a.output_encoding}" is not supported by kvmplay (utf-8, latin-1 and ascii are)` });
  }
  for (const [name, standard] of Object.entries(DELIMITERS)) {
    const v = a[name as keyof typeof DELIMITERS];
    if (v !== undefined && v !== standard) {
      ctx.addIssue({ code: 'custom', path: [name], message: `"${name}" other than "${standard}" is not supported by kvmplay (its Jinja reads {% %}, {{ }} and {# #} only)` });
    }
  }
});
export type TemplateArgs = z.infer<typeof TemplateArgs>;

/** The rendered text as the bytes Ansible writes: newlines as asked, in the output encoding. */
export function templateBytes(text: string, a: Pick<TemplateArgs, 'newline_sequence' | 'output_encoding'>): Buffer {
  const nl = NEWLINES[a.newline_sequence] ?? '\n';
  // Ansible's Jinja turns the template's own line breaks into newline_sequence; kvmplay turns all of them.
  const lines = nl === '\n' ? text : text.replace(/\r\n|\r|\n/g, nl);
  return pyEncode(lines, codecNamed(a.output_encoding || 'utf-8') ?? 'utf-8');
}

export interface TemplateState {
  content: Buffer;
  /** The template file's mode (for `mode: preserve`). */
  srcMode: number;
  /** The path written: dest, or the template's name inside a directory dest. */
  dest: string;
  cur: RemoteFile;
  /** The template file was vault-encrypted: what it renders is a secret. */
  vaulted: boolean;
}

export const templateModule = defineModule({
  names: ['template'],
  args: TemplateArgs,
  // Rendered first: a template that does not render sends nothing to the host.
  async gather(host, a, ctx): Promise<TemplateState> {
    const jinja: TemplateOverrides = {};
    if (!a.trim_blocks) jinja.trimBlocks = false;
    if (a.lstrip_blocks) jinja.lstripBlocks = true;
    const rendered = await ctx.renderTemplateFile(a.src, { dest: a.dest, ...(Object.keys(jinja).length > 0 ? { jinja } : {}) });
    const content = templateBytes(rendered.content, a);
    const vaulted = rendered.vaulted === true;
    const srcMode = a.mode === 'preserve' ? (await stat(rendered.path)).mode & 0o7777 : 0;
    // As copy does with the rendered file: into a directory dest under the template's name.
    const into = posix.join(a.dest, posix.basename(a.src));
    let dest = a.dest.endsWith('/') ? into : a.dest;
    let cur = await probeContent(host, dest, ctx, a.follow);
    if (cur.kind === 'directory') {
      dest = into;
      cur = await probeContent(host, dest, ctx, a.follow);
    }
    return { content, srcMode, dest, cur, vaulted };
  },
  plan: (a, s) => {
    const mode = a.mode === 'preserve' ? { kind: 'bits' as const, bits: s.srcMode } : a.mode !== undefined ? parseMode(a.mode) : undefined;
    const planned = planWrite({
      dest: s.dest,
      content: s.content,
      force: a.force,
      backup: a.backup,
      secret: s.vaulted,
      data: { src: a.src },
      ...(mode ? { mode } : {}),
      ...(a.owner !== undefined ? { owner: a.owner } : {}),
      ...(a.group !== undefined ? { group: a.group } : {}),
      ...(a.validate !== undefined ? { validate: a.validate } : {}),
    }, s.cur);
    return 'fail' in planned ? planned : { ...planned, ...unforcedMsg(planned.okMsg) };
  },
  describe: (c: ContentChange) => describeWrite(c),
  apply: (host, _a, c, ctx) => applyWrite(host, ctx, c),
});
