// Path filters with Python's posixpath semantics: basename, dirname, splitext, and the two
// that read the control machine as Ansible's do: expanduser ($HOME) and realpath
// (symlinks resolved as far as the path exists, the rest appended, as os.path.realpath).
import { realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { posix } from 'node:path';
import type { Builtin } from './builtin.js';
import { pyStr, tuple } from './values.js';

/** posixpath.basename: everything after the last slash ('' for 'a/'). */
export const pyBasename = (p: string): string => p.slice(p.lastIndexOf('/') + 1);

/** posixpath.dirname: up to the last slash, trailing slashes dropped unless it is all slashes. */
export function pyDirname(p: string): string {
  const head = p.slice(0, p.lastIndexOf('/') + 1);
  return head && head !== '/'.repeat(head.length) ? head.replace(/\/+$/, '') : head;
}

/** posixpath.splitext: [root, ext]; leading dots of the name are not an extension. */
export function pySplitext(p: string): [string, string] {
  const slash = p.lastIndexOf('/');
  const dot = p.lastIndexOf('.');
  if (dot > slash) {
    let i = slash + 1;
    while (i < dot && p[i] === '.') i++;
    if (i < dot) return [p.slice(0, dot), p.slice(dot)];
  }
  return [p, ''];
}

/** posixpath.expanduser for `~` and `~/…` (the user running kvmplay). */
export function pyExpanduser(p: string): string {
  if (!p.startsWith('~')) return p;
  const end = p.indexOf('/') === -1 ? p.length : p.indexOf('/');
  if (end !== 1) return p; // ~otheruser: left as is
  const home = process.env.HOME ?? homedir();
  return (home.replace(/\/+$/, '') || '/') + p.slice(1);
}

/** os.path.realpath (non-strict): resolve the longest existing prefix, keep the rest. */
export function pyRealpath(p: string): string {
  const abs = posix.resolve(p);
  const parts = abs.split('/').filter((x) => x !== '');
  for (let n = parts.length; n >= 0; n--) {
    const prefix = `/${parts.slice(0, n).join('/')}`;
    try {
      const real = realpathSync(prefix);
      return posix.join(real, ...parts.slice(n));
    } catch {
      // this prefix does not exist: try a shorter one
    }
  }
  return abs;
}

/** ntpath.splitdrive: `C:` or a `\\\\server\\share` UNC prefix. */
export function ntSplitdrive(p: string): [string, string] {
  const norm = p.replaceAll('/', '\\');
  if (norm.startsWith('\\\\') && norm[2] !== '\\') {
    const i = norm.indexOf('\\', 2);
    const j = i === -1 ? -1 : norm.indexOf('\\', i + 1);
    if (i !== -1 && j !== i + 1) {
      const end = j === -1 ? p.length : j;
      return [p.slice(0, end), p.slice(end)];
    }
    return ['', p];
  }
  return p[1] === ':' ? [p.slice(0, 2), p.slice(2)] : ['', p];
}

/** ntpath.split: [head, tail] at the last slash or backslash, the drive kept. */
function ntSplit(p: string): [string, string] {
  const [drive, rest] = ntSplitdrive(p);
  const i = Math.max(rest.lastIndexOf('/'), rest.lastIndexOf('\\')) + 1;
  const head = rest.slice(0, i);
  const trimmed = head.replace(/[\\/]+$/, '');
  return [drive + (trimmed === '' ? head : trimmed), rest.slice(i)];
}

/** os.path.join: an absolute part restarts the path. */
export function pyPathJoin(parts: readonly string[]): string {
  let out = '';
  for (const part of parts) {
    if (part.startsWith('/')) out = part;
    else if (out === '' || out.endsWith('/')) out += part;
    else out += `/${part}`;
  }
  return out;
}

const path1 = (f: (p: string) => unknown): Builtin => ({ minArgs: 0, maxArgs: 0, apply: (v) => f(pyStr(v)) });

export const PATH_FILTERS: ReadonlyArray<[string, Builtin]> = [
  ['basename', path1(pyBasename)],
  ['dirname', path1(pyDirname)],
  ['splitext', path1((p) => tuple(pySplitext(p)))],
  ['expanduser', path1(pyExpanduser)],
  ['realpath', path1(pyRealpath)],
  ['win_basename', path1((p) => ntSplit(p)[1])],
  ['win_dirname', path1((p) => ntSplit(p)[0])],
  ['win_splitdrive', path1(ntSplitdrive)],
  ['path_join', {
    minArgs: 0, maxArgs: 0,
    apply: (v) => (typeof v === 'string' ? v : Array.isArray(v) ? pyPathJoin(v.map(pyStr)) : pyStr(v)),
  }],
];
