// `lineinfile` (SPEC 6, Ansible's lineinfile): make sure a line is in a file (or not).
// Probe with content → pure edit (lineinfile-edit.ts) → the content writer.
import { z } from 'zod';
import type { Host } from '../../../transport/host.js';
import { absPath, boolish, modeArg, ownerArg } from '../../args.js';
import { writeContentDetailed } from '../content-writer.js';
import { editLines, type LineEdit } from './lineinfile-edit.js';
import { parseMode } from '../mode.js';
import type { LegacyModule, ModuleContext, ModuleResult } from '../../module.js';
import { probeFile } from '../remote-file.js';

const LineinfileArgs = z
  .object({
    // Ansible's aliases of path and of some options.
    path: absPath.optional(),
    dest: absPath.optional(),
    destfile: absPath.optional(),
    name: absPath.optional(),
    state: z.enum(['present', 'absent']).default('present'),
    line: z.string().optional(),
    value: z.string().optional(),
    regexp: z.string().optional(),
    regex: z.string().optional(),
    search_string: z.string().optional(),
    insertafter: z.string().optional(),
    insertbefore: z.string().optional(),
    backrefs: boolish.default(false),
    firstmatch: boolish.default(false),
    create: boolish.default(false),
    backup: boolish.default(false),
    validate: z.string().refine((v) => v.includes('%s'), { message: 'must contain %s (the file to check)' }).optional(),
    mode: modeArg.optional(),
    owner: ownerArg.optional(),
    group: ownerArg.optional(),
  })
  .strict()
  .superRefine((a, ctx) => {
    const issue = (message: string): void => ctx.addIssue({ code: 'custom', message });
    const paths = [a.path, a.dest, a.destfile, a.name].filter((p) => p !== undefined);
    if (paths.length !== 1) issue('exactly one of path (or its aliases dest, destfile, name) is required');
    const regexp = a.regexp ?? a.regex;
    const line = a.line ?? a.value;
    if (a.insertafter !== undefined && a.insertbefore !== undefined) issue('insertafter and insertbefore are mutually exclusive');
    if (regexp !== undefined && a.search_string !== undefined) issue('regexp and search_string are mutually exclusive');
    if (a.backrefs && a.search_string !== undefined) issue('backrefs and search_string are mutually exclusive');
    if (a.state === 'present' && line === undefined) issue('line is required with state=present');
    if (a.state === 'present' && a.backrefs && regexp === undefined) issue('regexp is required with backrefs=true');
    if (a.state === 'absent' && line === undefined && regexp === undefined && a.search_string === undefined) {
      issue('one of line, search_string, or regexp is required with state=absent');
    }
  });
export type LineinfileArgs = z.infer<typeof LineinfileArgs>;

// Python works on bytes: the file, the line and the regexps become binary strings.
const bin = (s: string | undefined): string | undefined => (s === undefined ? undefined : Buffer.from(s, 'utf8').toString('latin1'));

export const lineinfileModule: LegacyModule<LineinfileArgs> = {
  name: 'lineinfile',
  args: LineinfileArgs,
  async run(host: Host, a: LineinfileArgs, ctx: ModuleContext): Promise<ModuleResult> {
    const path = a.path ?? a.dest ?? a.destfile ?? a.name ?? '';
    const cur = await probeFile(host, path, ctx, { follow: true, content: true });
    if (cur.kind === 'directory') return { changed: false, failed: true, rc: 256, msg: `Path ${path} is a directory !` };
    if (cur.kind === 'absent') {
      if (a.state === 'absent') return { changed: false, msg: 'file not present', data: { found: 0, backup: '' } };
      if (!a.create) return { changed: false, failed: true, rc: 257, msg: `Destination ${path} does not exist !` };
    }
    let edit: LineEdit;
    try {
      edit = editLines((cur.content ?? Buffer.alloc(0)).toString('latin1'), {
        state: a.state,
        line: bin(a.line ?? a.value),
        regexp: bin(a.regexp ?? a.regex),
        searchString: bin(a.search_string),
        insertafter: bin(a.insertafter),
        insertbefore: bin(a.insertbefore),
        backrefs: a.backrefs,
        firstmatch: a.firstmatch,
      });
    } catch (err) {
      // A bad regexp (SyntaxError): the task fails, the host's file is untouched.
      return { changed: false, failed: true, msg: err instanceof Error ? err.message : String(err) };
    }
    const { result: r, attrsChanged } = await writeContentDetailed(host, ctx, {
      dest: path,
      content: Buffer.from(edit.content, 'latin1'),
      current: cur,
      backup: a.backup,
      makeParent: a.create,
      ...(a.mode !== undefined ? { mode: parseMode(a.mode) } : {}),
      ...(a.owner !== undefined ? { owner: a.owner } : {}),
      ...(a.group !== undefined ? { group: a.group } : {}),
      ...(a.validate !== undefined ? { validate: a.validate } : {}),
    });
    if (r.failed) return r;
    // Ansible's messages: what happened to the line, then the attributes.
    const msg = [edit.msg, attrsChanged ? 'ownership, perms or SE linux context changed' : '']
      .filter((m) => m !== '')
      .join(' and ');
    const data: Record<string, unknown> = { ...r.data, backup: r.data?.backup_file ?? '' };
    if (a.state === 'absent') data.found = edit.found ?? 0;
    return { ...r, msg, data };
  },
};
