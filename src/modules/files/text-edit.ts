// What the modules that edit a file's text in place share (lineinfile, blockinfile,
// replace — Ansible's three): the file they read (a symlink followed as Ansible's
// realpath does, when that is safe), the common file arguments kvmplay refuses by
// name, and the plan of writing the edited bytes with Ansible's messages, where the
// attribute check follows the module's own order (after the write; skipped in check
// mode for a file that does not exist yet).
import { z } from 'zod';
import { TaskError } from '../../errors.js';
import type { Host } from '../../transport/host.js';
import { boolish } from '../args.js';
import { applyWrite, planWrite, type ContentChange } from './content-writer.js';
import type { ModuleContext } from '../module.js';
import { parseMode } from './mode.js';
import { attrText } from './attrs.js';
import { ValidateFailed } from './put-file.js';
import { pyDecode, type PyCodec } from './py-codecs.js';
import { DIFF_MAX_BYTES, newFileMode, probeFile, type RemoteFile } from './remote-file.js';
import { unifiedDiff } from '../../util/text.js';
import type { Plan, PlanFailure, ResultData, StepResult } from '../runner.js';

/** Ansible's message part for an owner/group/mode change (SELinux is never set by kvmplay). */
export const ATTRS_CHANGED = 'ownership, perms or SE linux context changed';

/** Ansible's `str` type: a number or boolean given (YAML `marker_begin: 1`) becomes its Python str(). */
export const ansibleStr = z
  .union([z.string(), z.number(), z.boolean()])
  .transform((v) => (typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v)));

// Ansible's common file arguments (add_file_common_args) besides mode/owner/group.
// unsafe_writes only lets Ansible fall back to a non-atomic write when the atomic one
// fails; kvmplay's write is always atomic, so the argument is accepted and changes nothing.
export const otherFileArgs = {
  unsafe_writes: boolish.optional(),
  seuser: z.unknown().optional(),
  serole: z.unknown().optional(),
  setype: z.unknown().optional(),
  selevel: z.unknown().optional(),
  attributes: z.unknown().optional(),
  attr: z.unknown().optional(),
};

const REFUSED: ReadonlyArray<readonly [keyof typeof otherFileArgs, string]> = [
  ['seuser', 'SELinux contexts'],
  ['serole', 'SELinux contexts'],
  ['setype', 'SELinux contexts'],
  ['selevel', 'SELinux contexts'],
  ['attributes', 'chattr file attributes'],
  ['attr', 'chattr file attributes'],
];

/** A superRefine step: the common file arguments kvmplay does not implement, refused by name. */
export function refuseOtherFileArgs(a: Record<string, unknown>, ctx: z.RefinementCtx): void {
  for (const [name, what] of REFUSED) {
    if (a[name] !== undefined) ctx.addIssue({ code: 'custom', path: [name], message: `"${name}" is not supported by kvmplay (${what})` });
  }
}

/**
 * The file to edit, with its bytes. A symlink is followed (as Ansible's realpath) when
 * `follow` is true, or when it is not given and nobody but root and the user kvmplay
 * writes as can write the link's directory; otherwise it is returned as a link and
 * editLinkRefusal says why it is not edited.
 */
export async function gatherEditable(host: Host, path: string, ctx: ModuleContext, follow: boolean | undefined): Promise<RemoteFile> {
  const cur = await probeFile(host, path, ctx, { follow: follow === true, content: true });
  const trusted = cur.kind === 'link' && follow === undefined && cur.dirWritableBy.length === 0;
  return trusted ? probeFile(host, path, ctx, { follow: true, content: true }) : cur;
}

/** The failure for a symlink gatherEditable did not follow. */
export function editLinkRefusal(path: string, cur: RemoteFile, follow: boolean | undefined): PlanFailure {
  const why = follow === false ? 'follow is false' : `its directory is writable by ${cur.dirWritableBy.join(', ')}`;
  return { fail: `${path} is a symlink (to ${cur.linkTarget ?? '?'}) and ${why}: set follow: true to edit the file it points to`, rc: 257 };
}

export interface EditRequest {
  path: string;
  /** The edited bytes (the whole file). */
  content: Buffer;
  /** The module's message for the content change; '' when the content stays. */
  msg: string;
  backup: boolean;
  /** A missing file (and its directory) may be created. */
  create: boolean;
  mode?: string | number | undefined;
  owner?: string | undefined;
  group?: string | undefined;
  validate?: string | undefined;
  /** The module's registered keys (Ansible's), besides msg and changed. */
  data: ResultData;
  /** How the bytes read as text for --diff (replace's `encoding`); default UTF-8. */
  codec?: PyCodec;
}

/**
 * Write the edited bytes when they differ (and the attributes), with Ansible's
 * messages: `<edit msg> and ownership, perms or SE linux context changed`. A file that
 * does not exist yet is written with 0666 & ~umask and then chmod'ed, so a wanted mode
 * other than that counts as an attribute change — but not in check mode, where
 * Ansible's modules stop before the attribute check for a missing file.
 */
/** The file arguments lineinfile, blockinfile and replace share, as an EditRequest takes them. */
export type EditFileArgs = Pick<EditRequest, 'backup' | 'mode' | 'owner' | 'group' | 'validate'>;

export function editFileArgs(a: EditFileArgs): EditFileArgs {
  return { backup: a.backup, mode: a.mode, owner: a.owner, group: a.group, validate: a.validate };
}

export function planEdit(req: EditRequest, cur: RemoteFile): Plan<ContentChange> | PlanFailure {
  const plan = planWrite({
    dest: req.path,
    content: req.content,
    backup: req.backup,
    makeParent: req.create,
    ...(req.mode !== undefined ? { mode: parseMode(req.mode) } : {}),
    ...(req.owner !== undefined ? { owner: req.owner } : {}),
    ...(req.group !== undefined ? { group: req.group } : {}),
    ...(req.validate !== undefined ? { validate: req.validate } : {}),
  }, cur);
  if ('fail' in plan) return plan;
  const warnings = plan.data?.['warnings'];
  const data = { ...req.data, ...(warnings !== undefined ? { warnings } : {}) };
  const change = plan.changes[0];
  if (!change) return { ...plan, changes: [], data, okMsg: req.msg };
  const exists = cur.kind === 'file';
  const attrs = exists ? change.attrsChanged : (req.mode !== undefined && change.mode !== newFileMode(cur.umask)) || change.chown !== null;
  const join = (...parts: string[]): string => parts.filter((p) => p !== '').join(' and ');
  const msg = join(req.msg, attrs ? ATTRS_CHANGED : '');
  const writerDiff = plan.diff;
  return {
    ...plan,
    data,
    okMsg: msg,
    checkMsg: exists ? msg : req.msg,
    changes: [{ ...change, msg }],
    diff: () => editDiff(req, cur, change) ?? writerDiff?.() ?? '',
  };
}

/**
 * The diff of the edit as Ansible's modules show it: the file as text (bytes that do
 * not decode shown as Python shows them), where the content writer would only say
 * "binary"; then the attributes. Undefined (the writer's diff) past the size limit.
 */
function editDiff(req: EditRequest, cur: RemoteFile, change: ContentChange): string | undefined {
  const before = cur.kind === 'file' ? cur.content ?? Buffer.alloc(0) : Buffer.alloc(0);
  if (before.length > DIFF_MAX_BYTES || req.content.length > DIFF_MAX_BYTES) return undefined;
  const codec = req.codec ?? 'utf-8';
  const parts = [change.write ? unifiedDiff(cur.path, pyDecode(before, codec), pyDecode(req.content, codec)) : ''];
  if (cur.kind === 'file' && (change.mode !== cur.mode || change.chown !== null)) {
    const was = attrText({ mode: cur.mode, owner: cur.owner, group: cur.group });
    const now = attrText({ mode: change.mode, owner: req.owner ?? cur.owner, group: req.group ?? cur.group });
    parts.push(unifiedDiff(`${cur.path} (file attributes)`, was, now));
  }
  return parts.join('');
}

/**
 * Apply planEdit's change; the backup's path goes to the result under `keys` (Ansible's
 * names for it). A refused validate fails the task as these modules do: with the
 * message alone (rc and stderr are in it), without the result's other keys (replace's rc).
 */
export async function applyEdit(host: Host, ctx: ModuleContext, c: ContentChange, keys: readonly string[]): Promise<StepResult> {
  let step: StepResult;
  try {
    step = await applyWrite(host, ctx, c);
  } catch (err) {
    if (err instanceof ValidateFailed) throw new TaskError(ctx.hostName, err.message, {}, { cause: err });
    throw err;
  }
  const backup = step.data?.['backup_file'];
  const msg = step.msg ?? c.msg ?? '';
  return backup === undefined ? { msg } : { msg, data: Object.fromEntries(keys.map((k) => [k, backup])) };
}
