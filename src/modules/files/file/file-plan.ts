// `file`'s plan: wanted state + the probed path (+ the tree under it for recurse) →
// the changes, in order. Pure, table-tested; file.ts turns changes into argv commands.
import { posix } from 'node:path';
import { idMatches, planAttrs, type AttrWant } from '../attrs.js';
import { resolveMode, type ModeSpec } from '../mode.js';
import type { RemoteFile } from '../remote-file.js';
import { timesDiffer, type TimeSet } from './file-times.js';

export type FileState = 'file' | 'directory' | 'absent' | 'link' | 'touch' | 'hard';

export interface FileWant extends AttrWant {
  path: string;
  state?: FileState;
  src?: string;
  recurse: boolean;
  force: boolean;
  /** access_time / modification_time, resolved to what `touch` sets (null: preserve). */
  times?: { atime: TimeSet; mtime: TimeSet };
}

/** What the plan needs besides the probe: the current times (`%.9X %.9Y`) and, for state=hard, inode identities. */
export interface FileExtra {
  times?: { atime: string; mtime: string } | null;
  hard?: HardInfo;
}

/** `dev:ino` of the path itself (lstat) and of src (stat), and the path's link count. */
export interface HardInfo {
  pathId: string | null;
  pathLinks: number;
  srcId: string | null;
}

/** One entry under a directory, for recurse (symlinks are not chmod'ed, only chown'ed). */
export interface TreeEntry {
  mode: number;
  uid: number;
  gid: number;
  owner: string;
  group: string;
  kind: 'file' | 'directory' | 'link' | 'other';
  /** `%.9X` / `%.9Y` of the entry (for access_time / modification_time with recurse). */
  atime?: string;
  mtime?: string;
}

export type FileChange =
  | { kind: 'mkdir' }
  | { kind: 'touch' }
  | { kind: 'remove' }
  | { kind: 'symlink'; src: string; replace: 'none' | 'link-or-file' | 'empty-directory' }
  | { kind: 'chmod'; mode: number }
  | { kind: 'chown'; spec: string; noFollow: boolean }
  | { kind: 'chmod-recursive'; mode: string }
  | { kind: 'chown-recursive'; spec: string }
  | { kind: 'hardlink'; src: string; replace: boolean }
  | { kind: 'times'; atime: TimeSet; mtime: TimeSet }
  | { kind: 'times-recursive'; atime: TimeSet; mtime: TimeSet };

export type FilePlan =
  | { kind: 'fail'; msg: string }
  | { kind: 'plan'; state: FileState; changes: FileChange[]; words: string[] };

/** What mkdir/touch give a new path: 0777/0666 less the host's umask. */
export function defaultMode(isDirectory: boolean, umask: number): number {
  return (isDirectory ? 0o777 : 0o666) & ~umask;
}

/** Ansible: no state means what is there, or `file` (`directory` with recurse). */
export function effectiveState(want: FileWant, cur: RemoteFile): FileState {
  if (want.state) return want.state;
  if (cur.kind === 'absent') return want.recurse ? 'directory' : 'file';
  if (cur.kind === 'directory' || cur.kind === 'link') return cur.kind;
  return 'file';
}

export function planFile(want: FileWant, cur: RemoteFile, tree: readonly TreeEntry[] = [], extra: FileExtra = {}): FilePlan {
  const state = effectiveState(want, cur);
  const fail = (msg: string): FilePlan => ({ kind: 'fail', msg });
  // The times come last, as Ansible's update_timestamp_for_file after the attributes.
  const plan = (changes: FileChange[], words: string[], created = false): FilePlan => {
    const t = want.times;
    const justMade = created && t?.atime === 'now' && t.mtime === 'now';
    if (t && state !== 'absent' && !justMade && timesDiffer(t.atime, t.mtime, created ? null : extra.times ?? null)) {
      changes.push({ kind: 'times', atime: t.atime, mtime: t.mtime });
      if (!created) words.push(state === 'touch' ? 'touched' : 'times changed');
    }
    return { kind: 'plan', state, changes, words };
  };
  const attrs = (isDir: boolean, exists: boolean): { changes: FileChange[]; words: string[] } => {
    const p = planAttrs(want, exists ? cur : null, isDir, defaultMode(isDir, cur.umask));
    const changes: FileChange[] = [];
    if (p.mode !== null) changes.push({ kind: 'chmod', mode: p.mode });
    if (p.chown !== null) changes.push({ kind: 'chown', spec: p.chown, noFollow: false });
    return { changes, words: p.changes };
  };
  switch (state) {
    case 'absent':
      return cur.kind === 'absent' ? plan([], []) : plan([{ kind: 'remove' }], [`removed ${cur.kind}`]);
    case 'file': {
      if (cur.kind !== 'file') return fail(`file (${want.path}) is ${describe(cur)}, cannot continue`);
      const a = attrs(false, true);
      return plan(a.changes, a.words);
    }
    case 'touch': {
      if (cur.kind === 'directory' || cur.kind === 'file') {
        const a = attrs(cur.kind === 'directory', true);
        return plan(a.changes, a.words);
      }
      if (cur.kind !== 'absent') return fail(`file (${want.path}) is ${describe(cur)}, cannot touch it`);
      if (cur.parent !== 'directory') return fail(`Error, could not touch target: [Errno 2] No such file or directory: '${want.path}'`);
      return plan([{ kind: 'touch' }, ...attrs(false, false).changes], ['created'], true);
    }
    case 'directory': {
      if (cur.kind === 'absent') {
        const a = attrs(true, false);
        return plan([{ kind: 'mkdir' }, ...a.changes], ['created directory'], true);
      }
      if (cur.kind !== 'directory') return fail(`${want.path} already exists as a ${describe(cur)}`);
      const a = attrs(true, true);
      if (!want.recurse) return plan(a.changes, a.words);
      const r = planRecurse(want, a, tree);
      return plan(r.changes, r.words);
    }
    case 'link':
      return planLink(want, cur, fail, (changes, words) => plan(changes, words));
    case 'hard':
      return planHard(want, cur, extra.hard ?? { pathId: null, pathLinks: 0, srcId: null }, fail, plan);
  }
}

/** Ansible's ensure_hardlink: link src at path (replacing a file or link only with force). */
function planHard(
  want: FileWant,
  cur: RemoteFile,
  hard: HardInfo,
  fail: (msg: string) => FilePlan,
  plan: (changes: FileChange[], words: string[], created?: boolean) => FilePlan,
): FilePlan {
  const src = want.src;
  const prev = cur.kind === 'file' && hard.pathLinks > 1 ? 'hard' : cur.kind;
  if (prev !== 'hard' && src === undefined) return fail('src is required for creating new hardlinks');
  if (src !== undefined && hard.srcId === null) return fail('src does not exist');
  const link = (replace: boolean, word: string): FilePlan => {
    // The path is now src's inode: its attributes are src's, so mode/owner are applied as for a new path.
    const p = planAttrs(want, null, false, 0o644);
    const changes: FileChange[] = [{ kind: 'hardlink', src: src ?? '', replace }];
    if (p.mode !== null) changes.push({ kind: 'chmod', mode: p.mode });
    if (p.chown !== null) changes.push({ kind: 'chown', spec: p.chown, noFollow: false });
    return plan(changes, [word], true);
  };
  const keep = (): FilePlan => {
    const p = planAttrs(want, cur, false, 0o644);
    const changes: FileChange[] = [];
    if (p.mode !== null) changes.push({ kind: 'chmod', mode: p.mode });
    if (p.chown !== null) changes.push({ kind: 'chown', spec: p.chown, noFollow: false });
    return plan(changes, p.changes);
  };
  switch (prev) {
    case 'absent':
      if (cur.parent !== 'directory') return fail(`Error while linking: [Errno 2] No such file or directory: '${src ?? ''}' -> '${want.path}'`);
      return link(false, `hard link to ${src ?? ''} created`);
    case 'link':
      // As Ansible: a symlink whose target reads as src is left alone.
      return cur.linkTarget === src ? keep() : link(true, `link replaced by a hard link to ${src ?? ''}`);
    case 'hard':
      if (src === undefined || hard.pathId === hard.srcId) return keep();
      if (!want.force) return fail('Cannot link, different hard link exists at destination');
      return link(true, `hard link replaced by a hard link to ${src}`);
    case 'file':
      if (src !== undefined && hard.pathId === hard.srcId) return keep();
      if (!want.force) return fail('Cannot link, file exists at destination');
      return link(true, `file replaced by a hard link to ${src ?? ''}`);
    case 'directory':
      if (!want.force) return fail('Cannot link: different hard link exists at destination');
      return fail(`Error while replacing: [Errno 21] Is a directory: '${want.path}'`);
    default:
      return fail('unexpected position reached');
  }
}

function planRecurse(
  want: FileWant,
  top: { changes: FileChange[]; words: string[] },
  tree: readonly TreeEntry[],
): { changes: FileChange[]; words: string[] } {
  const changes = [...top.changes];
  const words = [...top.words];
  const mode = want.mode;
  if (mode && tree.some((e) => e.kind !== 'link' && resolveMode(mode, e.mode, e.kind === 'directory') !== e.mode)) {
    const i = changes.findIndex((c) => c.kind === 'chmod');
    if (i !== -1) changes.splice(i, 1);
    changes.push({ kind: 'chmod-recursive', mode: recursiveModeArg(mode) });
    words.push('mode changed under the directory');
  }
  const owner = want.owner;
  const group = want.group;
  const badOwner = owner !== undefined && tree.some((e) => !idMatches(owner, e.owner, e.uid));
  const badGroup = group !== undefined && tree.some((e) => !idMatches(group, e.group, e.gid));
  if (badOwner || badGroup) {
    const i = changes.findIndex((c) => c.kind === 'chown');
    if (i !== -1) changes.splice(i, 1);
    changes.push({ kind: 'chown-recursive', spec: `${owner ?? ''}${group !== undefined ? `:${group}` : ''}` });
    words.push('ownership changed under the directory');
  }
  // Every entry below gets the times too (a link's target, as os.utime follows it).
  const t = want.times;
  if (t && tree.some((e) => e.kind !== 'link' && timesDiffer(t.atime, t.mtime, e.atime !== undefined && e.mtime !== undefined ? { atime: e.atime, mtime: e.mtime } : null))) {
    changes.push({ kind: 'times-recursive', atime: t.atime, mtime: t.mtime });
    words.push('times changed under the directory');
  }
  return { changes, words };
}

/**
 * The mode for `chmod -R`: octal as is; symbolic clauses without who get an explicit
 * `a`, since chmod would otherwise mask them with the umask and Ansible does not.
 */
export function recursiveModeArg(mode: ModeSpec): string {
  if (mode.kind === 'bits') return `0${mode.bits.toString(8)}`;
  return mode.expr.split(',').map((c) => (/^[-+=]/.test(c) ? `a${c}` : c)).join(',');
}

function planLink(
  want: FileWant,
  cur: RemoteFile,
  fail: (msg: string) => FilePlan,
  plan: (changes: FileChange[], words: string[]) => FilePlan,
): FilePlan {
  const src = want.src;
  if (src === undefined) {
    if (cur.kind === 'link') return planLinkAttrs(want, cur, [], [], plan);
    return fail('src is required for creating links');
  }
  if (cur.kind === 'link' && cur.linkTarget === src) return planLinkAttrs(want, cur, [], [], plan);
  if (cur.otherExists === false && !want.force) {
    return fail(`src file does not exist, use "force=yes" if you really want to create the link: ${absoluteSrc(want.path, src)}`);
  }
  if (cur.kind === 'file' && !want.force) return fail(`refusing to convert from file to symlink for ${want.path}`);
  if (cur.kind === 'directory' && !want.force) return fail(`refusing to convert from directory to symlink for ${want.path}`);
  if (cur.kind === 'other') return fail(`${want.path} exists and is not a file, directory or link`);
  const replace = cur.kind === 'directory' ? 'empty-directory' : cur.kind === 'absent' ? 'none' : 'link-or-file';
  const word = cur.kind === 'absent' ? `link to ${src} created` : `${cur.kind} replaced by a link to ${src}`;
  return planLinkAttrs(want, null, [{ kind: 'symlink', src, replace }], [word], plan);
}

// A symlink's own mode means nothing on Linux: only owner/group (chown -h) apply.
function planLinkAttrs(
  want: FileWant,
  cur: RemoteFile | null,
  changes: FileChange[],
  words: string[],
  plan: (changes: FileChange[], words: string[]) => FilePlan,
): FilePlan {
  const p = planAttrs({ ...(want.owner !== undefined ? { owner: want.owner } : {}), ...(want.group !== undefined ? { group: want.group } : {}) }, cur, false, 0o777);
  if (p.chown !== null) changes.push({ kind: 'chown', spec: p.chown, noFollow: true });
  return plan(changes, [...words, ...p.changes]);
}

/** A relative link src is relative to the link's directory. */
export function absoluteSrc(path: string, src: string): string {
  return posix.isAbsolute(src) ? src : posix.join(posix.dirname(path), src);
}

function describe(cur: RemoteFile): string {
  return cur.kind === 'other' ? 'not a regular file' : cur.kind;
}
