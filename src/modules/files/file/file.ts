// `file` (SPEC 6, Ansible's file): a path's state (file, directory, absent, link,
// touch), owner, group and mode. One probe, a pure plan (file-plan.ts), argv commands.
import { z } from 'zod';
import { TaskError } from '../../../errors.js';
import type { Host } from '../../../transport/host.js';
import { absPath, boolish, modeArg, ownerArg } from '../../args.js';
import { attrText } from '../attrs.js';
import { absoluteSrc, effectiveState, planFile, type FileChange, type FileWant, type TreeEntry } from './file-plan.js';
import { formatMode, parseMode } from '../mode.js';
import type { LegacyModule, ModuleContext, ModuleResult } from '../../module.js';
import { mustRun, script } from '../../remote.js';
import { probeFile, type RemoteFile } from '../remote-file.js';
import { unifiedDiff } from '../../../util/text.js';

const FileArgs = z
  .object({
    path: absPath.optional(),
    dest: absPath.optional(),
    name: absPath.optional(),
    state: z.enum(['file', 'directory', 'absent', 'link', 'touch']).optional(),
    src: z.string().min(1).optional(),
    mode: modeArg.optional(),
    owner: ownerArg.optional(),
    group: ownerArg.optional(),
    recurse: boolish.default(false),
    force: boolish.default(false),
    follow: boolish.default(true),
  })
  .strict()
  .superRefine((a, ctx) => {
    if ([a.path, a.dest, a.name].filter((p) => p !== undefined).length !== 1) {
      ctx.addIssue({ code: 'custom', message: 'exactly one of path (or its aliases dest, name) is required' });
    }
    if (a.src !== undefined && a.state !== undefined && a.state !== 'link') {
      ctx.addIssue({ code: 'custom', message: 'src applies only to state=link' });
    }
    if (a.recurse && a.state !== undefined && a.state !== 'directory') {
      ctx.addIssue({ code: 'custom', message: 'recurse applies only to state=directory' });
    }
  });
export type FileArgs = z.infer<typeof FileArgs>;

// Every entry under a directory, for recurse: `MODE UID GID OWNER GROUP TYPE`.
export const TREE_SCRIPT = 'find "$1" -mindepth 1 -exec stat -c "%a %u %g %U %G %F" -- {} +';

export function parseTree(out: string): TreeEntry[] {
  return out.split('\n').filter((l) => l !== '').map((l) => {
    const [mode = '', uid = '', gid = '', owner = '', group = '', ...type] = l.split(' ');
    const t = type.join(' ');
    const kind = t === 'directory' ? 'directory' : t === 'symbolic link' ? 'link' : /regular/.test(t) ? 'file' : 'other';
    return { mode: parseInt(mode, 8), uid: Number(uid), gid: Number(gid), owner, group, kind };
  });
}

function wantOf(a: FileArgs): FileWant {
  const want: FileWant = { path: a.path ?? a.dest ?? a.name ?? '', recurse: a.recurse, force: a.force };
  if (a.state) want.state = a.state;
  if (a.src !== undefined) want.src = a.src;
  if (a.mode !== undefined) want.mode = parseMode(a.mode);
  if (a.owner !== undefined) want.owner = a.owner;
  if (a.group !== undefined) want.group = a.group;
  return want;
}

/** argv for one change. */
export function changeArgv(path: string, c: FileChange): string[][] {
  switch (c.kind) {
    case 'mkdir': return [['mkdir', '-p', '--', path]];
    case 'touch': return [['touch', '--', path]];
    case 'remove': return [['rm', '-rf', '--', path]];
    case 'chmod': return [['chmod', '--', formatMode(c.mode), path]];
    case 'chown': return [['chown', ...(c.noFollow ? ['-h'] : []), '--', c.spec, path]];
    case 'chmod-recursive': return [['chmod', '-R', '--', c.mode, path]];
    case 'chown-recursive': return [['chown', '-R', '-h', '--', c.spec, path]];
    case 'symlink':
      // rmdir (not rm -r): force converts an empty directory only, as Ansible does.
      if (c.replace === 'empty-directory') return [['rmdir', '--', path], ['ln', '-s', '--', c.src, path]];
      // -n: an existing link to a directory is replaced, not followed into.
      if (c.replace === 'link-or-file') return [['ln', '-s', '-f', '-n', '--', c.src, path]];
      return [['ln', '-s', '--', c.src, path]];
  }
}

function snapshot(cur: RemoteFile, state?: string): string {
  return attrText({ state: state ?? cur.kind, src: cur.linkTarget, mode: cur.kind === 'link' ? null : cur.mode, owner: cur.owner, group: cur.group });
}

export const fileModule: LegacyModule<FileArgs> = {
  name: 'file',
  args: FileArgs,
  async run(host: Host, a: FileArgs, ctx: ModuleContext): Promise<ModuleResult> {
    const want = wantOf(a);
    const path = want.path;
    // Ansible's follow: the attributes of a link's target, unless the link itself is the subject.
    const follow = a.follow && want.state !== 'link' && want.state !== 'absent';
    const probeOpts = want.state === 'link' && want.src !== undefined ? { exists: absoluteSrc(path, want.src) } : {};
    const cur = await probeFile(host, path, ctx, { follow, ...probeOpts });
    const state = effectiveState(want, cur);
    const tree = state === 'directory' && want.recurse && cur.kind === 'directory'
      ? parseTree((await mustRun(host, script(TREE_SCRIPT, cur.path), ctx, `cannot list ${path}`)).stdout)
      : [];
    const plan = planFile(want, cur, tree);
    if (plan.kind === 'fail') return { changed: false, failed: true, msg: plan.msg, data: { path, state: cur.kind } };
    const changed = plan.changes.length > 0;
    const after = expectedAfter(cur, plan.state, plan.changes, want);
    const result: ModuleResult = {
      changed,
      // In check mode nothing happened: say what would.
      msg: changed ? `${ctx.check ? 'check mode, would be: ' : ''}${plan.words.join(', ')}` : 'up to date',
      data: { path, state: plan.state === 'touch' ? 'file' : plan.state, ...after },
    };
    if (ctx.diff && changed) {
      result.diff = unifiedDiff(`${path} (file attributes)`, snapshot(cur), attrText({ state: result.data?.state as string, ...after }));
    }
    if (ctx.check || !changed) return result;
    try {
      for (const c of plan.changes) {
        for (const argv of changeArgv(cur.path, c)) await mustRun(host, argv, ctx, `cannot ${c.kind} ${path}`);
      }
    } catch (err) {
      if (err instanceof TaskError) return { ...result, changed: false, failed: true, msg: err.message, rc: err.rc, stderr: err.stderr };
      throw err;
    }
    return result;
  },
};

/** The attributes the path has after the plan (for the result and the diff). */
function expectedAfter(cur: RemoteFile, state: string, changes: readonly FileChange[], want: FileWant): { mode?: string | null; owner?: string | null; group?: string | null; src?: string | null } {
  if (state === 'absent') return {};
  if (state === 'link') {
    const sym = changes.find((c) => c.kind === 'symlink');
    return { src: sym && sym.kind === 'symlink' ? sym.src : cur.linkTarget, owner: want.owner ?? cur.owner, group: want.group ?? cur.group };
  }
  const chmod = changes.find((c) => c.kind === 'chmod');
  const mode = chmod && chmod.kind === 'chmod' ? chmod.mode : cur.mode ?? (state === 'directory' ? 0o755 : 0o644);
  return { mode: formatMode(mode), owner: want.owner ?? cur.owner, group: want.group ?? cur.group };
}
