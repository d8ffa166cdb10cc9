// `file` (SPEC 6, Ansible's file): a path's state (file, directory, absent, link,
// touch), owner, group and mode. One probe, a pure plan (file-plan.ts), argv commands.
import { z } from 'zod';
import { absPath, argumentSpec, boolish, fileArgs } from '../../args.js';
import { attrText } from '../attrs.js';
import { absoluteSrc, defaultMode, effectiveState, planFile, type FileChange, type FileWant, type TreeEntry } from './file-plan.js';
import { formatMode, parseMode } from '../mode.js';
import { mustRun, script } from '../../remote.js';
import { probeFile, type RemoteFile, type RemoteKind } from '../remote-file.js';
import { defineModule } from '../../runner.js';
import { unifiedDiff } from '../../../util/text.js';

export const FileArgs = argumentSpec(
  {
    // Required (given directly or by an alias): argumentSpec checks it.
    path: absPath.optional(),
    state: z.enum(['file', 'directory', 'absent', 'link', 'touch']).optional(),
    src: z.string().min(1).optional(),
    ...fileArgs,
    recurse: boolish.default(false),
    force: boolish.default(false),
    follow: boolish.default(true),
  },
  { aliases: { path: ['dest', 'name'] }, required: ['path'] },
).superRefine((a, ctx) => {
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
  const want: FileWant = { path: a.path, recurse: a.recurse, force: a.force };
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

/** The change in the imperative (check mode's "would …"). */
export function describeChange(c: FileChange, cur: RemoteKind): string {
  switch (c.kind) {
    case 'mkdir': return 'create directory';
    case 'touch': return 'touch';
    case 'remove': return `remove ${cur}`;
    case 'chmod': return `chmod ${formatMode(c.mode)}`;
    case 'chown': return `chown ${c.noFollow ? '-h ' : ''}${c.spec}`;
    case 'chmod-recursive': return `chmod -R ${c.mode}`;
    case 'chown-recursive': return `chown -R ${c.spec}`;
    case 'symlink': return c.replace === 'none' ? `link to ${c.src}` : `replace the ${cur} by a link to ${c.src}`;
  }
}

export interface FileGathered {
  cur: RemoteFile;
  /** The entries under a directory, for recurse. */
  tree: TreeEntry[];
}

/**
 * The path made as wanted, as one change: creating a directory with its mode and
 * owner is one step for the user (its message is "created directory"), several argv.
 */
export interface FileStep {
  path: string;
  was: RemoteKind;
  changes: FileChange[];
  /** What was done, in Ansible's past tense (the result's msg). */
  words: string[];
}

export const fileModule = defineModule({
  names: ['file'],
  args: FileArgs,
  async gather(host, a, ctx): Promise<FileGathered> {
    const want = wantOf(a);
    // Ansible's follow: the attributes of a link's target, unless the link itself is the subject.
    const follow = a.follow && want.state !== 'link' && want.state !== 'absent';
    const probeOpts = want.state === 'link' && want.src !== undefined ? { exists: absoluteSrc(want.path, want.src) } : {};
    const cur = await probeFile(host, want.path, ctx, { follow, ...probeOpts });
    const tree = effectiveState(want, cur) === 'directory' && want.recurse && cur.kind === 'directory'
      ? parseTree((await mustRun(host, script(TREE_SCRIPT, cur.path), ctx, `cannot list ${want.path}`)).stdout)
      : [];
    return { cur, tree };
  },
  plan(a, { cur, tree }) {
    const want = wantOf(a);
    const path = want.path;
    const plan = planFile(want, cur, tree);
    if (plan.kind === 'fail') return { fail: plan.msg, data: { path, state: cur.kind } };
    const after = expectedAfter(cur, plan.state, plan.changes, want);
    const state = plan.state === 'touch' ? 'file' : plan.state;
    const step: FileStep = { path: cur.path, was: cur.kind, changes: plan.changes, words: plan.words };
    return {
      changes: plan.changes.length > 0 ? [step] : [],
      data: { path, state, ...after },
      diff: () => unifiedDiff(`${path} (file attributes)`, snapshot(cur), attrText({ state, ...after })),
    };
  },
  describe: (s: FileStep) => s.changes.map((c) => describeChange(c, s.was)).join(', '),
  async apply(host, a, s, ctx) {
    for (const c of s.changes) {
      for (const argv of changeArgv(s.path, c)) await mustRun(host, argv, ctx, `cannot ${c.kind} ${a.path}`);
    }
    return { msg: s.words.join(', ') };
  },
});

/** The attributes the path has after the plan (for the result and the diff). */
function expectedAfter(cur: RemoteFile, state: string, changes: readonly FileChange[], want: FileWant): { mode?: string | null; owner?: string | null; group?: string | null; src?: string | null } {
  if (state === 'absent') return {};
  if (state === 'link') {
    const sym = changes.find((c) => c.kind === 'symlink');
    return { src: sym && sym.kind === 'symlink' ? sym.src : cur.linkTarget, owner: want.owner ?? cur.owner, group: want.group ?? cur.group };
  }
  const chmod = changes.find((c) => c.kind === 'chmod');
  const mode = chmod && chmod.kind === 'chmod' ? chmod.mode : cur.mode ?? defaultMode(state === 'directory', cur.umask);
  return { mode: formatMode(mode), owner: want.owner ?? cur.owner, group: want.group ?? cur.group };
}
