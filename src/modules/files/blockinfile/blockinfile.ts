// `blockinfile` (Ansible's blockinfile): a block of lines between two marker lines,
// inserted, updated or removed. Probe with content → pure edit (blockinfile-edit.ts) →
// the content writer.
import { z } from 'zod';
import { absPath, argumentSpec, boolish, fileArgs, validateArg } from '../../args.js';
import { describeWrite, type ContentChange } from '../content-writer.js';
import { editBlock } from './blockinfile-edit.js';
import { defineModule } from '../../runner.js';
import { ansibleStr, applyEdit, editLinkRefusal, gatherEditable, otherFileArgs, editFileArgs, planEdit, refuseOtherFileArgs } from '../text-edit.js';

const shape = {
  // Required (given directly or by an alias): argumentSpec checks it.
  path: absPath.optional(),
  state: z.enum(['present', 'absent']).default('present'),
  marker: ansibleStr.default('# {mark} ANSIBLE MANAGED BLOCK'),
  // Aliased: no zod default (it would count as given under both names); '' is the default.
  block: ansibleStr.optional(),
  insertafter: ansibleStr.optional(),
  insertbefore: ansibleStr.optional(),
  create: boolish.default(false),
  backup: boolish.default(false),
  validate: validateArg.optional(),
  marker_begin: ansibleStr.default('BEGIN'),
  marker_end: ansibleStr.default('END'),
  // ansible-core 2.16: a blank line after/before the block unless one is there.
  append_newline: boolish.default(false),
  prepend_newline: boolish.default(false),
  // As lineinfile's: Ansible always edits the file a symlink points to; kvmplay does
  // when only root and its own user can write the link's directory, else with follow: true.
  follow: boolish.optional(),
  ...fileArgs,
  ...otherFileArgs,
};

export const BlockinfileArgs = argumentSpec(shape, {
  aliases: { path: ['dest', 'destfile', 'name'], block: ['content'] },
  required: ['path'],
  mutuallyExclusive: [['insertbefore', 'insertafter']],
}).superRefine((a, ctx) => refuseOtherFileArgs(a, ctx));
export type BlockinfileArgs = z.infer<typeof BlockinfileArgs>;

// Python works on bytes: the file, the block, the marker and the regexps become binary strings.
const bin = (s: string): string => Buffer.from(s, 'utf8').toString('latin1');
const binOpt = (s: string | undefined): string | undefined => (s === undefined ? undefined : bin(s));

export const blockinfileModule = defineModule({
  names: ['blockinfile'],
  args: BlockinfileArgs,
  gather: (host, a, ctx) => gatherEditable(host, a.path, ctx, a.follow),
  plan(a, cur) {
    const path = a.path;
    if (cur.kind === 'directory') return { fail: `Path ${path} is a directory !`, rc: 256 };
    if (cur.kind === 'link') return editLinkRefusal(path, cur, a.follow);
    const exists = cur.kind === 'file';
    // Ansible checks create before state: absent on a missing file fails without it.
    if (!exists && !a.create) return { fail: `Path ${path} does not exist !`, rc: 257 };
    if (!exists && a.state === 'absent') return { changes: [], okMsg: `File ${path} not present` };
    // A bad regexp throws (SyntaxError): the task fails, the host's file is untouched.
    const edit = editBlock(exists ? (cur.content ?? Buffer.alloc(0)).toString('latin1') : null, {
      state: a.state,
      block: bin(a.block ?? ''),
      marker: bin(a.marker),
      markerBegin: a.marker_begin,
      markerEnd: a.marker_end,
      insertafter: binOpt(a.insertafter),
      insertbefore: binOpt(a.insertbefore),
      appendNewline: a.append_newline,
      prependNewline: a.prepend_newline,
    });
    return planEdit({
      path,
      content: Buffer.from(edit.content, 'latin1'),
      msg: edit.msg,
      ...editFileArgs(a),
      create: a.create,
      data: {},
    }, cur);
  },
  describe: (c: ContentChange) => describeWrite(c),
  apply: (host, _a, c, ctx) => applyEdit(host, ctx, c, ['backup_file']),
});
