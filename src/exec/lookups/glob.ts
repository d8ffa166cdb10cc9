// Python's glob.glob for a pattern in the last path component only, which is all the
// fileglob lookup globs (its directory part is found through the search path, never
// globbed): `*`, `?`, `[abc]`, `[!abc]`, and names starting with a dot match only a
// pattern starting with a dot. Matches come back sorted by name.
import { readdirSync } from 'node:fs';
import path from 'node:path';

const MAGIC = /[*?[]/;

/** fnmatch.translate: the regular expression of a name pattern. */
export function namePattern(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const close = classEnd(pattern, i);
      if (close < 0) {
        re += '\\[';
        continue;
      }
      let body = pattern.slice(i + 1, close).replaceAll('\\', '\\\\').replaceAll(']', '\\]');
      if (body.startsWith('!')) body = `^${body.slice(1)}`;
      else if (body.startsWith('^')) body = `\\${body}`;
      re += `[${body}]`;
      i = close;
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  try {
    return new RegExp(`^${re}$`, 's');
  } catch {
    return /(?!)/; // a reversed range ([z-a]) that RegExp refuses: the pattern matches nothing
  }
}

// The `]` closing the class opened at `open`: a `]` right after `[` or `[!` is a member.
function classEnd(pattern: string, open: number): number {
  let j = open + 1;
  if (pattern[j] === '!') j++;
  if (pattern[j] === ']') j++;
  return pattern.indexOf(']', j);
}

/** The paths in `dir` whose names match `pattern`; a pattern without wildcards names one path (matched when it exists). */
export function globNames(dir: string, pattern: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return []; // glob finds nothing in a directory it cannot read
  }
  if (!MAGIC.test(pattern)) return names.includes(pattern) ? [path.join(dir, pattern)] : [];
  const re = namePattern(pattern);
  const hiddenToo = pattern.startsWith('.');
  return names.filter((n) => (hiddenToo || !n.startsWith('.')) && re.test(n)).sort().map((n) => path.join(dir, n));
}
