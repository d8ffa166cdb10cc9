// `file`'s plan: wanted state + the probed path (+ the tree under it for recurse) →
// the changes, in order. Pure, table-tested; file.ts turns changes into argv commands.
import { posix } from 'node:path';
import { idMatches, planAttrs, type AttrWant } from '../attrs.js';
import { resolveMode, type ModeSpec } from '../mode.js';
import type { RemoteFile } from '../remote-file.js';

export type FileState = 'file' | 'directory' | 'absent' | 'link' | 'touch';

export interface FileWant extends AttrWant {
  path: string;
  state?: FileState;
  src?: string;
  recurse: boolean;
  force: boolean;
}

/** One entry under a directory, for recurse (symlinks are not chmod'ed, only chown'ed). */
export interface TreeEntry {
  mode: number;
  uid: number;
  gid: number;
  owner: string;
  group: string;
  kind: 'file' | 'directory' | 'link' | 'other';
}

export type FileChange =
  | { kind: 'mkdir' }
  | { kind: 'touch' }
  | { kind: 'remove' }
  | { kind: 'symlink'; src: string; replace: 'none' | 'link-or-file' | 'empty-directory' }
  | { kind: 'chmod'; mode: number }
  | { kind: 'chown'; spec: string; noFollow: boolean }
  | { kind: 'chmod-recursive'; mode: string }
  | { kind: 'chown-recursive'; spec: string };

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

export function planFile(want: FileWant, cur: RemoteFile, tree: readonly TreeEntry[] = []): FilePlan {
  const state = effectiveState(want, cur);
  const fail = (msg: string): FilePlan => ({ kind: 'fail', msg });
  const plan = (changes: FileChange[], words: string[]): FilePlan => ({ kind: 'plan', state, changes, words });
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
        return plan([{ kind: 'touch' }, ...a.changes], ['touched', ...a.words]);
      }
      if (cur.kind !== 'absent') return fail(`file (${want.path}) is ${describe(cur)}, cannot touch it`);
      if (cur.parent !== 'directory') return fail(`Error, could not touch target: ${posix.dirname(cur.path)} does not exist`);
      return plan([{ kind: 'touch' }, ...attrs(false, false).changes], ['created']);
    }
    case 'directory': {
      if (cur.kind === 'absent') {
        const a = attrs(true, false);
        return plan([{ kind: 'mkdir' }, ...a.changes], ['created directory']);
      }
      if (cur.kind !== 'directory') return fail(`${want.path} already exists as a ${describe(cur)}`);
      const a = attrs(true, true);
      if (!want.recurse) return plan(a.changes, a.words);
      return planRecurse(want, a, tree, plan);
    }
    case 'link':
      return planLink(want, cur, fail, plan);
  }
}

function planRecurse(
  want: FileWant,
  top: { changes: FileChange[]; words: string[] },
  tree: readonly TreeEntry[],
  plan: (changes: FileChange[], words: string[]) => FilePlan,
): FilePlan {
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
  return plan(changes, words);
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
