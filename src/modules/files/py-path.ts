// Python's path and error texts, where Ansible's results show them (normalised paths,
// `[Errno 13] Permission denied: '/x'`). Pure.
import { pyRepr } from '../../jinja/values.js';

/** Python's os.path.normpath for absolute POSIX paths (a leading `//` stays, as in Python). */
export function pyNormpath(p: string): string {
  if (p === '') return '.';
  const initial = p.startsWith('/') ? (p.startsWith('//') && !p.startsWith('///') ? 2 : 1) : 0;
  const out: string[] = [];
  for (const c of p.split('/')) {
    if (c === '' || c === '.') continue;
    if (c !== '..' || (initial === 0 && out.length === 0) || (out.length > 0 && out[out.length - 1] === '..')) out.push(c);
    else if (out.length > 0) out.pop();
  }
  const s = '/'.repeat(initial) + out.join('/');
  return s === '' ? '.' : s;
}

/** os.path.join(a, b) for a relative b. */
export function pyJoin(a: string, b: string): string {
  return a === '' || a.endsWith('/') ? a + b : `${a}/${b}`;
}

const ERRNO: Readonly<Record<string, number>> = {
  'Permission denied': 13, 'No such file or directory': 2, 'Not a directory': 20, 'Too many levels of symbolic links': 40,
};

/** Python's OSError text: `[Errno 13] Permission denied: '/x'`. */
export function osErrorText(why: string, path: string): string {
  const n = ERRNO[why];
  return n === undefined ? `${why}: ${pyRepr(path)}` : `[Errno ${n}] ${why}: ${pyRepr(path)}`;
}
