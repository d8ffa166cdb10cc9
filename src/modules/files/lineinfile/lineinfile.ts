// `lineinfile` (SPEC 6, Ansible's lineinfile): make sure a line is in a file (or not).
// Probe with content → pure edit (lineinfile-edit.ts) → the content writer.
import { z } from 'zod';
import { absPath, argumentSpec, boolish, fileArgs, validateArg } from '../../args.js';
import { describeWrite, type ContentChange } from '../content-writer.js';
import { editLines } from './lineinfile-edit.js';
import { defineModule } from '../../runner.js';
import { ansibleStr, applyEdit, editLinkRefusal, gatherEditable, otherFileArgs, editFileArgs, planEdit, refuseOtherFileArgs } from '../text-edit.js';

const shape = {
  // Required (given directly or by an alias): argumentSpec checks it.
  path: absPath.optional(),
  state: z.enum(['present', 'absent']).default('present'),
  // Ansible's `str`: `line: 8080` is the text 8080.
  line: ansibleStr.optional(),
  regexp: ansibleStr.optional(),
  search_string: ansibleStr.optional(),
  insertafter: ansibleStr.optional(),
  insertbefore: ansibleStr.optional(),
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
  ...otherFileArgs,
};

export const LineinfileArgs = argumentSpec(shape, {
  // Ansible's aliases of path and of some options.
  aliases: { path: ['dest', 'destfile', 'name'], line: ['value'], regexp: ['regex'] },
  required: ['path'],
  mutuallyExclusive: [['insertbefore', 'insertafter'], ['regexp', 'search_string'], ['backrefs', 'search_string']],
}).superRefine((a, ctx) => {
  // Checked by lineinfile.py itself, with these messages.
  const issue = (message: string): void => ctx.addIssue({ code: 'custom', message });
  refuseOtherFileArgs(a, ctx);
  if (a.state === 'present' && a.backrefs === true && a.regexp === undefined) issue('regexp is required with backrefs=true');
  if (a.state === 'present' && a.line === undefined) issue('line is required with state=present');
  if (a.state === 'absent' && a.line === undefined && a.regexp === undefined && a.search_string === undefined) {
    issue('one of line, search_string, or regexp is required with state=absent');
  }
});
export type LineinfileArgs = z.infer<typeof LineinfileArgs>;

// Python works on bytes: the file, the line and the regexps become binary strings.
const bin = (s: string | undefined): string | undefined => (s === undefined ? undefined : Buffer.from(s, 'utf8').toString('latin1'));

/** Ansible's warning for an empty regexp or search_string (it matches every line). */
function emptyPatternWarnings(a: LineinfileArgs): string[] {
  const which = a.regexp === '' ? 'regular expression' : a.search_string === '' ? 'search string' : null;
  if (which === null) return [];
  const tail = a.regexp === '' ? " If this is desired, use '^' to match every line in the file and avoid this warning." : '';
  return [`The ${which} is an empty string, which will match every line in the file. This may have unintended consequences, such as replacing the last line in the file rather than appending.${tail}`];
}

export const lineinfileModule = defineModule({
  names: ['lineinfile'],
  args: LineinfileArgs,
  gather: (host, a, ctx) => gatherEditable(host, a.path, ctx, a.follow),
  plan(a, cur) {
    const path = a.path;
    const warned = emptyPatternWarnings(a);
    const warnings = warned.length > 0 ? { warnings: warned } : {};
    if (cur.kind === 'directory') return { fail: `Path ${path} is a directory !`, rc: 256 };
    if (cur.kind === 'link') return editLinkRefusal(path, cur, a.follow);
    if (cur.kind === 'absent') {
      // Ansible's result here has neither `found` nor `backup`.
      if (a.state === 'absent') return { changes: [], okMsg: 'file not present', data: warnings };
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
    const plan = planEdit({
      path,
      content: Buffer.from(edit.content, 'latin1'),
      msg: edit.msg,
      ...editFileArgs(a),
      create: a.create,
      // Ansible's keys: `backup` (the backup's path, '' without one), `found` for absent.
      data: { backup: '', ...(a.state === 'absent' ? { found: edit.found ?? 0 } : {}) },
    }, cur);
    if ('fail' in plan || warned.length === 0) return plan;
    const other = plan.data?.['warnings'];
    return { ...plan, data: { ...plan.data, warnings: [...warned, ...(Array.isArray(other) ? other : [])] } };
  },
  describe: (c: ContentChange) => describeWrite(c),
  // kvmplay also returns it as backup_file, as copy does.
  apply: (host, _a, c, ctx) => applyEdit(host, ctx, c, ['backup', 'backup_file']),
});
