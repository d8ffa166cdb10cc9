// `file` (SPEC 6, Ansible's file): a path's state (file, directory, absent, link, hard,
// touch), owner, group, mode and access/modification times. One probe (two with times
// or hard links), a pure plan (file-plan.ts), argv commands.
import { posix } from 'node:path';
import { z } from 'zod';
import type { Host } from '../../../transport/host.js';
import { absPath, argumentSpec, boolish, fileArgs } from '../../args.js';
import { attrText } from '../attrs.js';
import { absoluteSrc, defaultMode, effectiveState, planFile, type FileChange, type FileExtra, type FileWant, type HardInfo, type TreeEntry } from './file-plan.js';
import { timeWant, touchArgvs, type TimeSet, type TimeWant } from './file-times.js';
import { formatMode, parseMode } from '../mode.js';
import type { ModuleContext } from '../../module.js';
import { mustRun, script } from '../../remote.js';
import { probeFile, type RemoteFile, type RemoteKind } from '../remote-file.js';
import { defineModule } from '../../runner.js';
import { otherFileArgs, refuseOtherFileArgs } from '../text-edit.js';
import { unifiedDiff } from '../../../util/text.js';

export const FileArgs = argumentSpec(
  {
    // Required (given directly or by an alias): argumentSpec checks it.
    path: absPath.optional(),
    state: z.enum(['file', 'directory', 'absent', 'link', 'touch', 'hard']).optional(),
    src: z.string().min(1).optional(),
    ...fileArgs,
    recurse: boolish.default(false),
    force: boolish.default(false),
    follow: boolish.default(true),
    access_time: z.string().optional(),
    access_time_format: z.string().default('%Y%m%d%H%M.%S'),
    modification_time: z.string().optional(),
    modification_time_format: z.string().default('%Y%m%d%H%M.%S'),
    ...otherFileArgs,
  },
  { aliases: { path: ['dest', 'name'] }, required: ['path'] },
).superRefine((a, ctx) => {
  refuseOtherFileArgs(a, ctx);
  if (a.src !== undefined && a.state !== undefined && a.state !== 'link' && a.state !== 'hard') {
    ctx.addIssue({ code: 'custom', message: "src option requires state to be 'link' or 'hard'" });
  }
  if (a.recurse && a.state !== undefined && a.state !== 'directory') {
    ctx.addIssue({ code: 'custom', message: "recurse option requires state to be 'directory'" });
  }
  // Ansible resolves a hard link's src against its module's working directory, which is nothing a playbook controls.
  if (a.state === 'hard' && a.src !== undefined && !a.src.startsWith('/')) {
    ctx.addIssue({ code: 'custom', path: ['src'], message: 'src must be an absolute path for state=hard' });
  }
});
export type FileArgs = z.infer<typeof FileArgs>;

// Every entry under a directory, for recurse: `MODE UID GID ATIME MTIME OWNER GROUP TYPE`.
export const TREE_SCRIPT = 'find "$1" -mindepth 1 -exec stat -c "%a %u %g %.9X %.9Y %U %G %F" -- {} +';

export function parseTree(out: string): TreeEntry[] {
  return out.split('\n').filter((l) => l !== '').map((l) => {
    const [mode = '', uid = '', gid = '', atime = '', mtime = '', owner = '', group = '', ...type] = l.split(' ');
    const t = type.join(' ');
    const kind = t === 'directory' ? 'directory' : t === 'symbolic link' ? 'link' : /regular/.test(t) ? 'file' : 'other';
    return { mode: parseInt(mode, 8), uid: Number(uid), gid: Number(gid), owner, group, kind, atime, mtime };
  });
}

// $1 the path; then each wall-clock time to convert. Prints the path's `%.9X %.9Y` (its
// target's: os.stat follows links) or `-`, then seconds since the epoch for each time.
export const TIMES_SCRIPT = 'p=$1; shift; stat -L -c "%.9X %.9Y" -- "$p" 2>/dev/null || echo -; for t; do date -d "$t" +%s || exit 1; done';

// $1 the path, $2 src: `dev:ino links` of the path itself, `dev:ino` of src (followed), or `-`.
export const HARD_SCRIPT = 'stat -c "%d:%i %h" -- "$1" 2>/dev/null || echo -; stat -L -c "%d:%i" -- "$2" 2>/dev/null || echo -';

// Ansible's hard link over an existing path: link beside it, then rename over it.
const REPLACE_HARD = 't=$(dirname -- "$2")/.kvmplay-hard-$$; ln -- "$1" "$t" && mv -f -T -- "$t" "$2" || { rm -f -- "$t"; exit 1; }';

function wantOf(a: FileArgs, path = a.path): FileWant {
  const want: FileWant = { path, recurse: a.recurse, force: a.force };
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
    case 'hardlink': return c.replace ? [script(REPLACE_HARD, c.src, path)] : [['ln', '--', c.src, path]];
    case 'times': return touchArgvs(path, c.atime, c.mtime);
    case 'times-recursive': return touchArgvs(path, c.atime, c.mtime, true);
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
    case 'hardlink': return c.replace ? `replace the ${cur} by a hard link to ${c.src}` : `hard link to ${c.src}`;
    case 'times': return `set the times (${timeWords(c.atime, c.mtime)})`;
    case 'times-recursive': return `set the times under the directory (${timeWords(c.atime, c.mtime)})`;
    case 'symlink': return c.replace === 'none' ? `link to ${c.src}` : `replace the ${cur} by a link to ${c.src}`;
  }
}

function timeWords(atime: TimeSet, mtime: TimeSet): string {
  const one = (t: TimeSet): string => (t === 'now' ? 'now' : t === null ? 'kept' : `@${t}`);
  return `atime ${one(atime)}, mtime ${one(mtime)}`;
}

export interface FileGathered {
  /** The path worked on (a hard link's name inside a directory path). */
  path: string;
  cur: RemoteFile;
  /** The entries under a directory, for recurse. */
  tree: TreeEntry[];
  extra: FileExtra;
  /** access_time / modification_time as `touch` sets them, or why they cannot be read. */
  times: { atime: TimeSet; mtime: TimeSet } | { error: string } | null;
}

/** The two time arguments → what to set: a given time becomes seconds since the epoch on the host. */
async function gatherTimes(host: Host, a: FileArgs, state: string, path: string, ctx: ModuleContext): Promise<{ times: FileGathered['times']; current: FileExtra['times'] }> {
  if (state === 'absent') return { times: null, current: null };
  const at = timeWant(a.access_time, a.access_time_format, state);
  const mt = timeWant(a.modification_time, a.modification_time_format, state);
  if ('error' in at) return { times: at, current: null };
  if ('error' in mt) return { times: mt, current: null };
  const wants: TimeWant[] = [at, mt];
  if (wants.every((w) => w.kind === 'preserve')) return { times: null, current: null };
  const locals = wants.flatMap((w) => (w.kind === 'at' ? [w.local] : []));
  let current: FileExtra['times'] = null;
  const epochs: number[] = [];
  if (locals.length > 0) {
    const out = (await mustRun(host, script(TIMES_SCRIPT, path, ...locals), ctx, `cannot read the times of ${path}`)).stdout.trim().split('\n');
    const [cur = '-', ...secs] = out;
    const [atime = '', mtime = ''] = cur.split(' ');
    if (cur !== '-') current = { atime, mtime };
    epochs.push(...secs.map(Number));
  }
  const set = (w: TimeWant): TimeSet => (w.kind === 'preserve' ? null : w.kind === 'now' ? 'now' : epochs.shift() ?? null);
  return { times: { atime: set(at), mtime: set(mt) }, current };
}

async function gatherHard(host: Host, path: string, src: string | undefined, ctx: ModuleContext): Promise<HardInfo> {
  const [p = '-', s = '-'] = (await mustRun(host, script(HARD_SCRIPT, path, src ?? ''), ctx, `cannot inspect ${path}`)).stdout.trim().split('\n');
  const [pathId = '', links = '0'] = p.split(' ');
  return { pathId: p === '-' ? null : pathId, pathLinks: Number(links), srcId: s === '-' || src === undefined ? null : s };
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
    let want = wantOf(a);
    // Ansible's follow: the attributes of a link's target, unless the link (or the hard link's name) itself is the subject.
    const follow = a.follow && want.state !== 'link' && want.state !== 'absent' && want.state !== 'hard';
    const probeOpts = want.state === 'link' && want.src !== undefined ? { exists: absoluteSrc(want.path, want.src) } : {};
    let cur = await probeFile(host, want.path, ctx, { follow, ...probeOpts });
    // Ansible: a hard link asked for at a directory goes inside it, under src's name.
    if (want.state === 'hard' && cur.kind === 'directory' && want.src !== undefined) {
      want = wantOf(a, posix.join(want.path, posix.basename(want.src)));
      cur = await probeFile(host, want.path, ctx, { follow });
    }
    const state = effectiveState(want, cur);
    const tree = state === 'directory' && want.recurse && cur.kind === 'directory'
      ? parseTree((await mustRun(host, script(TREE_SCRIPT, cur.path), ctx, `cannot list ${want.path}`)).stdout)
      : [];
    const { times, current } = await gatherTimes(host, a, state, cur.path, ctx);
    const extra: FileExtra = { times: current };
    if (state === 'hard') extra.hard = await gatherHard(host, want.path, want.src, ctx);
    return { path: want.path, cur, tree, extra, times };
  },
  plan(a, { path: wanted, cur, tree, extra, times }) {
    const want = wantOf(a, wanted);
    const path = want.path;
    if (times && 'error' in times) return { fail: times.error, data: { path } };
    if (times) want.times = times;
    const plan = planFile(want, cur, tree, extra);
    const key = plan.kind === 'plan' && ['touch', 'link', 'hard'].includes(plan.state) ? 'dest' : 'path';
    if (plan.kind === 'fail') return { fail: plan.msg, data: { path, state: cur.kind } };
    const after = expectedAfter(cur, plan.state, plan.changes, want);
    const state = plan.state === 'touch' ? 'file' : plan.state;
    const step: FileStep = { path: cur.path, was: cur.kind, changes: plan.changes, words: plan.words };
    return {
      changes: plan.changes.length > 0 ? [step] : [],
      data: { [key]: path, state, ...after },
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
  if (state === 'hard') {
    const chmod = changes.find((c) => c.kind === 'chmod');
    return { src: want.src ?? null, ...(chmod && chmod.kind === 'chmod' ? { mode: formatMode(chmod.mode) } : cur.mode !== null ? { mode: formatMode(cur.mode) } : {}), owner: want.owner ?? cur.owner, group: want.group ?? cur.group };
  }
  const chmod = changes.find((c) => c.kind === 'chmod');
  const mode = chmod && chmod.kind === 'chmod' ? chmod.mode : cur.mode ?? defaultMode(state === 'directory', cur.umask);
  return { mode: formatMode(mode), owner: want.owner ?? cur.owner, group: want.group ?? cur.group };
}
