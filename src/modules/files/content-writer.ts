// The one path by which copy, template and lineinfile put content on a host
// (SPEC 6): compare sha256 on the host, change only what differs (content and/or
// owner/mode), honour check and diff, write atomically through put-file.ts.
import { posix } from 'node:path';
import { TaskError } from '../../errors.js';
import type { Host } from '../../transport/host.js';
import { attrText, planAttrs, type AttrWant } from './attrs.js';
import { formatMode } from './mode.js';
import type { ModuleContext, ModuleResult } from '../module.js';
import { backupPath, putFile } from './put-file.js';
import { mustRun } from '../remote.js';
import { DIFF_MAX_BYTES, probeFile, type RemoteFile } from './remote-file.js';
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
      /** The file's mode after the change (chmod'ed when only attributes change). */
      mode: number | null;
      chown: string | null;
      keepOwner: string | null;
      makeParent: boolean;
      changes: string[];
    };

// A new file's mode when none is asked for: what a 022 umask gives, as Ansible does.
const NEW_FILE_MODE = 0o644;

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
  // A symlink we did not follow (dangling) is replaced by the file, like a new file.
  const attrs = planAttrs(want, exists ? cur : null, false, NEW_FILE_MODE);
  if (!write && attrs.mode === null && attrs.chown === null) return { kind: 'keep', msg: 'up to date' };
  const changes = write ? [exists ? 'content changed' : 'created', ...attrs.changes] : attrs.changes;
  return {
    kind: 'change',
    write,
    // A replacement always gets an explicit mode: the staged temp file is 0600.
    mode: write ? (attrs.mode ?? (exists ? cur.mode : null) ?? NEW_FILE_MODE) : attrs.mode,
    chown: attrs.chown,
    keepOwner: write && exists && cur.uid !== null && cur.gid !== null ? `${cur.uid}:${cur.gid}` : null,
    makeParent: write && cur.parent === 'absent',
    changes,
  };
}

export interface WriteRequest extends AttrWant {
  dest: string;
  content: Buffer;
  force?: boolean;
  backup?: boolean;
  validate?: string;
  makeParent?: boolean;
  /** Already probed (with content when diffing): saves a round trip. */
  current?: RemoteFile;
  /** Extra result fields (`src`, …). */
  data?: Record<string, unknown>;
}


export async function writeContent(host: Host, ctx: ModuleContext, req: WriteRequest): Promise<ModuleResult> {
  return (await writeContentDetailed(host, ctx, req)).result;
}

export interface WriteOutcome {
  result: ModuleResult;
  /** The content was (or, in check mode, would be) replaced. */
  contentChanged: boolean;
  /** Owner, group or mode were (or would be) changed. */
  attrsChanged: boolean;
}

/** writeContent, also telling content changes from attribute changes (lineinfile's msg). */
export async function writeContentDetailed(host: Host, ctx: ModuleContext, req: WriteRequest): Promise<WriteOutcome> {
  const want: ContentWant = { sha256: sha256(req.content), force: req.force ?? true, makeParent: req.makeParent ?? false };
  if (req.mode) want.mode = req.mode;
  if (req.owner !== undefined) want.owner = req.owner;
  if (req.group !== undefined) want.group = req.group;
  const cur = req.current ?? (await probeFile(host, req.dest, ctx, { follow: true, content: ctx.diff ? 'small' : false }));
  const plan = planContent(want, cur);
  const data: Record<string, unknown> = {
    ...req.data,
    dest: req.dest,
    checksum: sha1(req.content),
    sha256: want.sha256,
    size: req.content.length,
    state: 'file',
  };
  const unchanged = (result: ModuleResult): WriteOutcome => ({ result, contentChanged: false, attrsChanged: false });
  if (plan.kind === 'fail') return unchanged({ changed: false, failed: true, msg: plan.msg, data });
  if (plan.kind === 'keep') {
    return unchanged({ changed: false, msg: plan.msg, data: { ...data, mode: fmt(cur.mode), owner: cur.owner, group: cur.group } });
  }
  const outcome = (result: ModuleResult): WriteOutcome => ({
    result,
    contentChanged: plan.write,
    attrsChanged: plan.chown !== null || (plan.mode !== null && plan.mode !== cur.mode && cur.kind === 'file'),
  });
  const result: ModuleResult = { changed: true, msg: plan.changes.join(', '), data: { ...data, mode: fmt(plan.mode ?? cur.mode), owner: req.owner ?? cur.owner, group: req.group ?? cur.group } };
  if (ctx.diff) result.diff = contentDiff(cur, req, plan);
  if (ctx.check) return outcome(result);
  try {
    if (plan.write) {
      const backupTo = req.backup && cur.kind === 'file' ? backupPath(cur.path) : null;
      await putFile(host, ctx, {
        path: cur.path,
        content: req.content,
        mode: plan.mode ?? NEW_FILE_MODE,
        chown: plan.chown,
        keepOwner: plan.keepOwner,
        backupTo,
        makeParent: plan.makeParent,
        ...(req.validate !== undefined ? { validate: req.validate } : {}),
      });
      if (backupTo) result.data = { ...result.data, backup_file: backupTo };
    } else {
      if (plan.mode !== null) await mustRun(host, ['chmod', '--', formatMode(plan.mode), cur.path], ctx, `cannot chmod ${cur.path}`);
      if (plan.chown !== null) await mustRun(host, ['chown', '--', plan.chown, cur.path], ctx, `cannot chown ${cur.path}`);
    }
  } catch (err) {
    if (err instanceof TaskError) return unchanged({ ...result, changed: false, failed: true, msg: err.message, rc: err.rc, stderr: err.stderr });
    throw err;
  }
  return outcome(result);
}

function fmt(mode: number | null): string | null {
  return mode === null ? null : formatMode(mode);
}

function contentDiff(cur: RemoteFile, req: WriteRequest, plan: Extract<ContentPlan, { kind: 'change' }>): string {
  const parts: string[] = [];
  if (plan.write) {
    const before = cur.kind === 'file' ? cur.content : Buffer.alloc(0);
    if (before === null || before.length > DIFF_MAX_BYTES || req.content.length > DIFF_MAX_BYTES) parts.push(`diff skipped: ${cur.path} is larger than ${DIFF_MAX_BYTES} bytes\n`);
    else if (isBinary(before) || isBinary(req.content)) parts.push(`Binary files before: ${cur.path} and after: ${cur.path} differ\n`);
    else parts.push(unifiedDiff(cur.path, before.toString('utf8'), req.content.toString('utf8')));
  }
  if (cur.kind === 'file' && (plan.mode !== null && plan.mode !== cur.mode || plan.chown !== null)) {
    const before = attrText({ mode: cur.mode, owner: cur.owner, group: cur.group });
    const after = attrText({ mode: plan.mode ?? cur.mode, owner: req.owner ?? cur.owner, group: req.group ?? cur.group });
    parts.push(unifiedDiff(`${cur.path} (file attributes)`, before, after));
  }
  return parts.filter((p) => p !== '').join('');
}
