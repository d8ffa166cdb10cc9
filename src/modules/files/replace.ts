// `replace` (Ansible's replace): every match of a Python regexp in a file replaced,
// optionally only between `after` and `before`. Probe with content → decode as
// `encoding` → pure edit (replace-edit.ts) → the content writer.
import { z } from 'zod';
import { absPath, argumentSpec, boolish, fileArgs, validateArg } from '../args.js';
import { describeWrite, type ContentChange } from './content-writer.js';
import { editReplace } from './replace-edit.js';
import { codecNamed, pyDecode, pyEncode } from './py-codecs.js';
import { defineModule } from '../runner.js';
import { ansibleStr, applyEdit, editLinkRefusal, gatherEditable, otherFileArgs, editFileArgs, planEdit, refuseOtherFileArgs } from './text-edit.js';

const shape = {
  // Required (given directly or by an alias): argumentSpec checks it.
  path: absPath.optional(),
  regexp: ansibleStr,
  replace: ansibleStr.default(''),
  after: ansibleStr.optional(),
  before: ansibleStr.optional(),
  backup: boolish.default(false),
  validate: validateArg.optional(),
  encoding: ansibleStr.default('utf-8'),
  // As lineinfile's: Ansible always edits the file a symlink points to; kvmplay does
  // when only root and its own user can write the link's directory, else with follow: true.
  follow: boolish.optional(),
  ...fileArgs,
  ...otherFileArgs,
};

export const ReplaceArgs = argumentSpec(shape, {
  aliases: { path: ['dest', 'destfile', 'name'] },
  required: ['path'],
}).superRefine((a, ctx) => {
  refuseOtherFileArgs(a, ctx);
  if (codecNamed(a.encoding) === undefined) {
    ctx.addIssue({ code: 'custom', path: ['encoding'], message: `encoding "${a.encoding}" is not supported by kvmplay (utf-8, latin-1 and ascii are)` });
  }
});
export type ReplaceArgs = z.infer<typeof ReplaceArgs>;

export const replaceModule = defineModule({
  names: ['replace'],
  args: ReplaceArgs,
  gather: (host, a, ctx) => gatherEditable(host, a.path, ctx, a.follow),
  plan(a, cur) {
    const path = a.path;
    if (cur.kind === 'directory') return { fail: `Path ${path} is a directory !`, rc: 256 };
    if (cur.kind === 'link') return editLinkRefusal(path, cur, a.follow);
    if (cur.kind !== 'file') return { fail: `Path ${path} does not exist !`, rc: 257 };
    const codec = codecNamed(a.encoding) ?? 'utf-8';
    const original = cur.content ?? Buffer.alloc(0);
    // A pattern Python refuses (or RE2 cannot run) throws: the task fails, the file stays.
    const edit = editReplace(pyDecode(original, codec), { regexp: a.regexp, replace: a.replace, after: a.after, before: a.before });
    // Ansible's result always has rc 0.
    if (edit.kind === 'no-section') return { changes: [], okMsg: edit.msg, rc: 0 };
    const plan = planEdit({
      path,
      content: edit.changed ? pyEncode(edit.text, codec) : original,
      msg: edit.msg,
      ...editFileArgs(a),
      create: false,
      data: {},
      codec,
    }, cur);
    return 'fail' in plan ? plan : { ...plan, rc: 0 };
  },
  describe: (c: ContentChange) => describeWrite(c),
  apply: (host, _a, c, ctx) => applyEdit(host, ctx, c, ['backup_file']),
});
