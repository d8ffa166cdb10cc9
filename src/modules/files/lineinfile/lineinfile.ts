// `lineinfile` (SPEC 6, Ansible's lineinfile): make sure a line is in a file (or not).
// Probe with content → pure edit (lineinfile-edit.ts) → the content writer.
import { z } from 'zod';
import { absPath, argumentSpec, boolish, fileArgs, validateArg } from '../../args.js';
import { applyWrite, describeWrite, planWrite, type ContentChange } from '../content-writer.js';
import { editLines } from './lineinfile-edit.js';
import { parseMode } from '../mode.js';
import { probeFile } from '../remote-file.js';
import { defineModule } from '../../runner.js';

const shape = {
  // Required (given directly or by an alias): argumentSpec checks it.
  path: absPath.optional(),
  state: z.enum(['present', 'absent']).default('present'),
  line: z.string().optional(),
  regexp: z.string().optional(),
  search_string: z.string().optional(),
  insertafter: z.string().optional(),
  insertbefore: z.string().optional(),
  // No default here: Ansible counts an explicit `backrefs: false` in mutually_exclusive.
  backrefs: boolish.optional(),
  firstmatch: boolish.default(false),
  create: boolish.default(false),
  backup: boolish.default(false),
  // Edit the file a symlink at path points to. Ansible's lineinfile always does (think
  // of /etc/resolv.conf); kvmplay does too when nobody but root and the user it runs as
  // can write the link's directory, else only with follow: true — a link planted by
  // whoever can write the directory would otherwise make root edit any file.
  follow: boolish.optional(),
  validate: validateArg.optional(),
  ...fileArgs,
};

export const LineinfileArgs = argumentSpec(shape, {
  // Ansible's aliases of path and of some options.
  aliases: { path: ['dest', 'destfile', 'name'], line: ['value'], regexp: ['regex'] },
  required: ['path'],
  mutuallyExclusive: [['insertbefore', 'insertafter'], ['regexp', 'search_string'], ['backrefs', 'search_string']],
}).superRefine((a, ctx) => {
  // Checked by lineinfile.py itself, with these messages.
  const issue = (message: string): void => ctx.addIssue({ code: 'custom', message });
  if (a.state === 'present' && a.backrefs === true && a.regexp === undefined) issue('regexp is required with backrefs=true');
  if (a.state === 'present' && a.line === undefined) issue('line is required with state=present');
  if (a.state === 'absent' && a.line === undefined && a.regexp === undefined && a.search_string === undefined) {
    issue('one of line, search_string, or regexp is required with state=absent');
  }
});
export type LineinfileArgs = z.infer<typeof LineinfileArgs>;

// Python works on bytes: the file, the line and the regexps become binary strings.
const bin = (s: string | undefined): string | undefined => (s === undefined ? undefined : Buffer.from(s, 'utf8').toString('latin1'));

const ATTRS_CHANGED = 'ownership, perms or SE linux context changed';

export const lineinfileModule = defineModule({
  names: ['lineinfile'],
  args: LineinfileArgs,
  async gather(host, a, ctx) {
    const path = a.path;
    const cur = await probeFile(host, path, ctx, { follow: a.follow === true, content: true });
    const trusted = cur.kind === 'link' && a.follow === undefined && cur.dirWritableBy.length === 0;
    return trusted ? probeFile(host, path, ctx, { follow: true, content: true }) : cur;
  },
  plan(a, cur) {
    const path = a.path;
    if (cur.kind === 'directory') return { fail: `Path ${path} is a directory !`, rc: 256 };
    if (cur.kind === 'link') {
      const why = a.follow === false ? 'follow is false' : `its directory is writable by ${cur.dirWritableBy.join(', ')}`;
      return { fail: `${path} is a symlink (to ${cur.linkTarget ?? '?'}) and ${why}: set follow: true to edit the file it points to`, rc: 257 };
    }
    if (cur.kind === 'absent') {
      if (a.state === 'absent') return { changes: [], okMsg: 'file not present', data: { found: 0, backup: '' } };
      if (!a.create) return { fail: `Destination ${path} does not exist !`, rc: 257 };
    }
    // A bad regexp throws (SyntaxError): the task fails, the host's file is untouched.
    const edit = editLines((cur.content ?? Buffer.alloc(0)).toString('latin1'), {
      state: a.state,
      line: bin(a.line),
      regexp: bin(a.regexp),
      searchString: bin(a.search_string),
      insertafter: bin(a.insertafter),
      insertbefore: bin(a.insertbefore),
      backrefs: a.backrefs ?? false,
      firstmatch: a.firstmatch,
    });
    const plan = planWrite({
      dest: path,
      content: Buffer.from(edit.content, 'latin1'),
      backup: a.backup,
      makeParent: a.create,
      ...(a.mode !== undefined ? { mode: parseMode(a.mode) } : {}),
      ...(a.owner !== undefined ? { owner: a.owner } : {}),
      ...(a.group !== undefined ? { group: a.group } : {}),
      ...(a.validate !== undefined ? { validate: a.validate } : {}),
    }, cur);
    if ('fail' in plan) return plan;
    // Ansible's messages: what happened to the line, then the attributes; the same in check mode.
    const change = plan.changes[0];
    const msg = [edit.msg, change?.attrsChanged ? ATTRS_CHANGED : ''].filter((m) => m !== '').join(' and ');
    const data = { ...plan.data, backup: '', ...(a.state === 'absent' ? { found: edit.found ?? 0 } : {}) };
    return { ...plan, data, okMsg: msg, checkMsg: msg, changes: change ? [{ ...change, msg }] : [] };
  },
  describe: (c: ContentChange) => describeWrite(c),
  async apply(host, _a, c, ctx) {
    const step = await applyWrite(host, ctx, c);
    const backup = step.data?.backup_file;
    return backup === undefined ? step : { ...step, data: { ...step.data, backup } };
  },
});
