// Python's glob.glob for a pattern in the last path component only, which is all the
// fileglob lookup globs (its directory part is found through the search path, never
// globbed): `*`, `?`, `[abc]`, `[!abc]`, and names starting with a dot match only a
// pattern starting with a dot. Matches come back sorted by name.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fnmatchRegExp } from '../../util/fnmatch.js';

const MAGIC = /[*?[]/;

/** The paths in `dir` whose names match `pattern`; a pattern without wildcards names one path (matched when it exists). */
export function globNames(dir: string, pattern: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return []; // glob finds nothing in a directory it cannot read
  }
  if (!MAGIC.test(pattern)) return names.includes(pattern) ? [path.join(dir, pattern)] : [];
  const re = fnmatchRegExp(pattern);
  const hiddenToo = pattern.startsWith('.');
  return names.filter((n) => (hiddenToo || !n.startsWith('.')) && re.test(n)).sort().map((n) => path.join(dir, n));
}
