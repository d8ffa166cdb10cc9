// Debian package specifiers and versions, as Ansible's apt module reads them: `foo`,
// `foo=1.0`, `foo=1.0*` (an fnmatch pattern on the version), `foo>=1.0`; versions
// compared with dpkg's algorithm. Pure and table-tested.

export type VersionCmp = '=' | '>=';

export interface PackageSpec {
  /** The name as given (`foo`, `foo:i386`). */
  name: string;
  cmp: VersionCmp | null;
  version: string | null;
}

/** Split `name=ver` / `name>=ver` at the first operator (Ansible's package_split). */
export function splitSpec(spec: string): PackageSpec {
  const m = /^(.*?)(>?=)(.*)$/s.exec(spec);
  if (!m) return { name: spec, cmp: null, version: null };
  return { name: m[1]!, cmp: m[2] as VersionCmp, version: m[3]! };
}

/** Characters that make a name an fnmatch pattern (none is allowed in a Debian package name). */
export const NAME_WILDCARDS = /[*?[\]!]/;

/** Python's fnmatch.fnmatchcase: `*`, `?`, `[seq]`, `[!seq]`, everything else literal. */
export function fnmatch(text: string, pattern: string): boolean {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', pattern[i + 1] === '!' ? i + 3 : i + 2);
      if (end < 0) re += '\\[';
      else {
        const raw = pattern.slice(i + 1, end);
        const negated = raw.startsWith('!');
        const body = (negated ? raw.slice(1) : raw).replace(/[\\\]^]/g, '\\$&');
        re += `[${negated ? '^' : ''}${body}]`;
        i = end;
      }
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's').test(text);
}

// dpkg's order of a version's non-digit characters: `~` before everything (even the
// end), letters before other characters.
function order(c: string | undefined): number {
  if (c === undefined) return 0;
  if (c === '~') return -1;
  if (/[0-9]/.test(c)) return 0;
  if (/[A-Za-z]/.test(c)) return c.charCodeAt(0);
  return c.charCodeAt(0) + 256;
}

function compareFragment(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let firstDiff = 0;
    while ((i < a.length && !/[0-9]/.test(a[i]!)) || (j < b.length && !/[0-9]/.test(b[j]!))) {
      const ac = order(a[i]);
      const bc = order(b[j]);
      if (ac !== bc) return ac - bc;
      i++;
      j++;
    }
    while (a[i] === '0') i++;
    while (b[j] === '0') j++;
    while (i < a.length && /[0-9]/.test(a[i]!) && j < b.length && /[0-9]/.test(b[j]!)) {
      if (!firstDiff) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (i < a.length && /[0-9]/.test(a[i]!)) return 1;
    if (j < b.length && /[0-9]/.test(b[j]!)) return -1;
    if (firstDiff) return firstDiff;
  }
  return 0;
}

function parseVersion(v: string): { epoch: number; upstream: string; revision: string } {
  const colon = v.indexOf(':');
  const epoch = colon > 0 ? parseInt(v.slice(0, colon), 10) || 0 : 0;
  const rest = colon > 0 ? v.slice(colon + 1) : v;
  const dash = rest.lastIndexOf('-');
  return dash >= 0 ? { epoch, upstream: rest.slice(0, dash), revision: rest.slice(dash + 1) } : { epoch, upstream: rest, revision: '' };
}

/** dpkg --compare-versions as a number: < 0, 0, > 0. */
export function compareDebVersions(a: string, b: string): number {
  const x = parseVersion(a);
  const y = parseVersion(b);
  if (x.epoch !== y.epoch) return x.epoch - y.epoch;
  const up = compareFragment(x.upstream, y.upstream);
  return up !== 0 ? up : compareFragment(x.revision, y.revision);
}

/** Names that a Depends/Pre-Depends field mentions (`a (>= 1) | b, c:any`). */
export function dependencyNames(field: string): string[] {
  return field
    .split(/[,|]/)
    .map((d) => d.trim().split(/[\s(]/)[0]!.replace(/:any$/, ''))
    .filter(Boolean);
}
