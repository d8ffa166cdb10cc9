// The one path by which copy, template and lineinfile put content on a host
// (SPEC 6): compare sha256 on the host, change only what differs (content and/or
// owner/mode), write atomically through put-file.ts. Shaped for the module runner:
// the modules' gather calls probeContent, their plan planWrite (pure, with the diff
// as the plan's lazy `diff`), their apply applyWrite.
import { posix } from 'node:path';
import type { Host } from '../../transport/host.js';
import { attrText, planAttrs, type AttrWant } from './attrs.js';
import { formatMode } from './mode.js';
import type { ModuleContext } from '../module.js';
import { backupPath, putFile } from './put-file.js';
import type { Plan, PlanFailure, ResultData, StepResult } from '../runner.js';
import { DIFF_MAX_BYTES, newFileMode, probeFile, type RemoteFile } from './remote-file.js';
import { isBinary, sha1, sha256, unifiedDiff } from '../../util/text.js';

export interface ContentWant extends AttrWant {
  sha256: string;
  /** false: leave an existing file alone (Ansible's force: no). */
  force: boolean;
  /** Create a missing parent directory (lineinfile create) instead of failing. */
  makeParent: boolean;
}

export type ContentPlan =
  | { kind: 'fail'; msg: string }
  | { kind: 'keep'; msg: string }
  | {
      kind: 'change';
      write: boolean;
      /** The file's mode after the change. */
      mode: number;
      chown: string | null;
      keepOwner: string | null;
      makeParent: boolean;
      changes: string[];
    };

/** Wanted content + attributes vs the probed file → what to do. Pure. */
export function planContent(want: ContentWant, cur: RemoteFile): ContentPlan {
  if (cur.kind === 'directory') return { kind: 'fail', msg: `${cur.path} is a directory` };
  if (cur.kind === 'other') return { kind: 'fail', msg: `${cur.path} exists and is not a regular file` };
  const exists = cur.kind === 'file';
  if (!exists && cur.parent !== 'directory' && !(want.makeParent && cur.parent === 'absent')) {
    return { kind: 'fail', msg: `Destination directory ${posix.dirname(cur.path)} does not exist` };
  }
  if (exists && !want.force) return { kind: 'keep', msg: 'file already exists' };
  const write = !exists || cur.sha256 !== want.sha256;
  // A symlink not followed (follow: false, or dangling) is replaced by the file, like a
  // new file: nothing of what it points to (content, mode, owner) is read or kept.
  const fresh = newFileMode(cur.umask);
  const attrs = planAttrs(want, exists ? cur : null, false, fresh);
  if (!write && attrs.mode === null && attrs.chown === null) return { kind: 'keep', msg: 'up to date' };
  const changes = write ? [exists ? 'content changed' : 'created', ...attrs.changes] : attrs.changes;
  return {
    kind: 'change',
    write,
    // Always an explicit mode: the staged file is 0600 until it gets it.
    mode: attrs.mode ?? (exists ? cur.mode : null) ?? fresh,
    chown: attrs.chown,
    keepOwner: exists && cur.uid !== null && cur.gid !== null ? `${cur.uid}:${cur.gid}` : null,
    makeParent: write && cur.parent === 'absent',
    changes,
  };
}

/** What a module wants at `dest`: the bytes, their attributes, how to write them. */
export interface WriteRequest extends AttrWant {
  dest: string;
  content: Buffer;
  force?: boolean;
  backup?: boolean;
  validate?: string;
  makeParent?: boolean;
  /** The content came out of a vault: a diff says it changed, never what it is. */
  secret?: boolean;
  /** Extra result fields (`src`, …). */
  data?: ResultData;
}

/** The one change of a content writer: put the bytes (with their attributes), or only chmod/chown. */
export interface ContentChange {
  /** The path written: a followed symlink's target. */
  path: string;
  content: Buffer;
  /** The file existed before. */
  existed: boolean;
  /** The content changes; false: only owner/mode (the file is still replaced, never chmod'ed by name). */
  write: boolean;
  mode: number;
  chown: string | null;
  keepOwner: string | null;
  makeParent: boolean;
  backup: boolean;
  validate?: string;
  /** What changes, in the past tense (the result's msg): `created`, `mode 0644 → 0600`. */
  words: string[];
  /** Owner, group or mode change (lineinfile's message). */
  attrsChanged: boolean;
  /** The module's own message for what was done (lineinfile's "line added"). */
  msg?: string;
}

/**
 * The gather of a content writer: the file at `dest`, with its bytes when --diff may
 * show them. A symlink at `dest` is followed only when asked (`follow: true`).
 */
export function probeContent(host: Host, dest: string, ctx: ModuleContext, follow = false): Promise<RemoteFile> {
  return probeFile(host, dest, ctx, { follow, content: ctx.diff ? 'small' : false });
}

/** The warning for a directory others can write: they can replace the file whenever they like. */
export function untrustedDirWarning(cur: RemoteFile, dest: string): string[] {
  if (cur.dirWritableBy.length === 0) return [];
  return [`${posix.dirname(cur.path)} is writable by ${cur.dirWritableBy.join(', ')} (neither root nor the user kvmplay writes as): they can replace ${dest} at any time; kvmplay writes it without following their links`];
}

/** Wanted bytes vs the probed file → the runner's plan (at most one change). Pure. */
export function planWrite(req: WriteRequest, cur: RemoteFile): Plan<ContentChange> | PlanFailure {
  const want: ContentWant = { sha256: sha256(req.content), force: req.force ?? true, makeParent: req.makeParent ?? false };
  if (req.mode) want.mode = req.mode;
  if (req.owner !== undefined) want.owner = req.owner;
  if (req.group !== undefined) want.group = req.group;
  const plan = planContent(want, cur);
  const data: ResultData = {
    ...req.data,
    dest: req.dest,
    checksum: sha1(req.content),
    sha256: want.sha256,
    size: req.content.length,
    state: 'file',
  };
  if (plan.kind === 'fail') return { fail: plan.msg, data };
  if (plan.kind === 'keep') return { changes: [], okMsg: plan.msg, data: { ...data, mode: fmt(cur.mode), owner: cur.owner, group: cur.group } };
  const change: ContentChange = {
    path: cur.path,
    content: req.content,
    existed: cur.kind === 'file',
    write: plan.write,
    mode: plan.mode,
    chown: plan.chown,
    keepOwner: plan.keepOwner,
    makeParent: plan.makeParent,
    backup: req.backup ?? false,
    ...(req.validate !== undefined ? { validate: req.validate } : {}),
    words: plan.changes,
    attrsChanged: plan.chown !== null || (plan.mode !== cur.mode && cur.kind === 'file'),
  };
  const warnings = untrustedDirWarning(cur, req.dest);
  return {
    changes: [change],
    data: { ...data, mode: fmt(plan.mode), owner: req.owner ?? cur.owner, group: req.group ?? cur.group, ...(warnings.length > 0 ? { warnings } : {}) },
    diff: () => contentDiff(cur, req, plan),
  };
}

/** The change in the imperative: `create /srv/x`, `rewrite /srv/x, set mode 0644 → 0600`. */
export function describeWrite(c: ContentChange): string {
  const attrs = c.words.filter((w) => w !== 'created' && w !== 'content changed').map((w) => `set ${w}`);
  const put = c.write ? [`${c.existed ? 'rewrite' : 'create'} ${c.path}`] : [];
  return [...put, ...attrs].join(', ');
}

/**
 * Make the change: put the file (staged privately, validated, renamed). An owner or
 * mode change alone also puts the file (same bytes): a chmod or chown by name would
 * follow a symlink swapped in by whoever can write the directory.
 */
export async function applyWrite(host: Host, ctx: ModuleContext, c: ContentChange): Promise<StepResult> {
  const msg = c.msg ?? c.words.join(', ');
  const backupTo = c.backup && c.existed && c.write ? backupPath(c.path) : null;
  await putFile(host, ctx, {
    path: c.path,
    content: c.content,
    mode: c.mode,
    chown: c.chown,
    keepOwner: c.keepOwner,
    backupTo,
    makeParent: c.makeParent,
    ...(c.validate !== undefined ? { validate: c.validate } : {}),
  });
  return { msg, ...(backupTo ? { data: { backup_file: backupTo } } : {}) };
}

function fmt(mode: number | null): string | null {
  return mode === null ? null : formatMode(mode);
}

function contentDiff(cur: RemoteFile, req: WriteRequest, plan: Extract<ContentPlan, { kind: 'change' }>): string {
  const parts: string[] = [];
  if (plan.write) {
    const before = cur.kind === 'file' ? cur.content : Buffer.alloc(0);
    if (req.secret) parts.push(`diff withheld: the new content of ${cur.path} comes from a vault-encrypted file\n`);
    else if (before === null || before.length > DIFF_MAX_BYTES || req.content.length > DIFF_MAX_BYTES) parts.push(`diff skipped: ${cur.path} is larger than ${DIFF_MAX_BYTES} bytes\n`);
    else if (isBinary(before) || isBinary(req.content)) parts.push(`Binary files before: ${cur.path} and after: ${cur.path} differ\n`);
    else parts.push(unifiedDiff(cur.path, before.toString('utf8'), req.content.toString('utf8')));
  }
  if (cur.kind === 'file' && (plan.mode !== cur.mode || plan.chown !== null)) {
    const before = attrText({ mode: cur.mode, owner: cur.owner, group: cur.group });
    const after = attrText({ mode: plan.mode, owner: req.owner ?? cur.owner, group: req.group ?? cur.group });
    parts.push(unifiedDiff(`${cur.path} (file attributes)`, before, after));
  }
  return parts.filter((p) => p !== '').join('');
}
