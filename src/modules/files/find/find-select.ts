// What Ansible's find selects, from listings of the host's directories. Pure. The
// listings are GNU find's, in the directory order the host's readdir gives — the order
// os.scandir sees too —, and this file replays find.py's loop over os.walk on them:
// per directory its files then its subdirectories, top-down; a symlink to a directory
// counts as a directory (scandir's is_dir follows links) but is walked into only with
// follow; `depth` prunes as find.py does (an entry one level too deep still counts as
// examined); hidden entries are skipped but hidden directories are walked.
import { compileUserRegex, type UserRegex } from '../../../jinja/regex.js';
import { fnmatchRegExp } from '../../../util/fnmatch.js';
import { sha1 } from '../../../util/text.js';
import { osErrorText, pyJoin, pyNormpath } from '../py-path.js';
import { statFields, type RawStat } from '../stat-info.js';

export type FindFileType = 'any' | 'directory' | 'file' | 'link';
export type AgeStamp = 'atime' | 'ctime' | 'mtime';

/** find.py's parameters after its own preprocessing (age and size in seconds and bytes). */
export interface FindParams {
  paths: string[];
  patterns: string[];
  excludes: string[];
  contains?: string;
  readWholeFile: boolean;
  fileType: FindFileType;
  age: number | null;
  ageStamp: AgeStamp;
  size: number | null;
  recurse: boolean;
  hidden: boolean;
  follow: boolean;
  getChecksum: boolean;
  useRegex: boolean;
  depth: number | null;
}

/** One entry of a listing: GNU find's %y (lstat) and %Y (followed) type letters, its lstat. */
export interface ListedEntry {
  /** The path below the listed directory (find's %P). */
  rel: string;
  type: string;
  followType: string;
  st: RawStat;
}

/** One directory listed on the host (a `paths` element, or a linked directory with follow). */
export interface Listing {
  /** False: not a directory (os.path.isdir, which follows links). */
  isDir: boolean;
  entries: ListedEntry[];
  /** Directories find could not read: full path → the error (strerror). */
  errors: Map<string, string>;
}

/** What the second probe read of selected files: sha1 and/or the bytes (null: unreadable). */
export interface FileDetails {
  sha1?: string | null;
  content?: Buffer | null;
}

export interface FindInput {
  /** The host's time when it listed (time.time()). */
  now: number;
  /** Per `paths` element (as given). */
  tops: Map<string, Listing>;
  /** With follow: linked directories listed, by their full path as os.walk joins it. */
  linked: Map<string, Listing>;
  /** Keyed by fsname. */
  details: Map<string, FileDetails>;
}

export interface FindOutcome {
  files: Array<Record<string, unknown>>;
  examined: number;
  skipped: Record<string, string>;
  warnings: string[];
  /** Linked directories to list (follow) before the outcome is complete: full path → -maxdepth. */
  listLinked: Map<string, number | null>;
  /** Files whose bytes are needed (contains), and files whose sha1 is (get_checksum). */
  needContent: string[];
  needChecksum: string[];
}

/** Compiled name filters (find.py's pfilter). Throws on a bad regex. */
export function nameFilter(p: FindParams): (name: string) => boolean {
  const compile = (pats: string[]): Array<(n: string) => boolean> => pats.map((x) => {
    if (!p.useRegex) {
      const re = fnmatchRegExp(x);
      return (n: string) => re.test(n);
    }
    let re: UserRegex;
    try {
      re = compileUserRegex(x);
    } catch (err) {
      throw new Error(`bad regular expression ${JSON.stringify(x)}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    return (n: string) => re.matchStart(n);
  });
  const pats = compile(p.patterns.length > 0 ? p.patterns : [p.useRegex ? '.*' : '*']);
  const excl = compile(p.excludes);
  return (name) => pats.some((m) => m(name)) && !excl.some((m) => m(name));
}

/**
 * find.py's contentfilter: the file read as UTF-8 text with universal newlines; line by
 * line re.match, or re.search over the whole text. RE2's `$` is the very end only, so a
 * line is also tried without its newline (Python's `$` matches before a final one).
 */
export function contentMatches(re: UserRegex, bytes: Buffer | null | undefined, whole: boolean): boolean {
  if (!bytes) return false;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return false;
  }
  text = text.replace(/\r\n?/g, '\n');
  const test = (s: string, f: (x: string) => boolean): boolean => f(s) || (s.endsWith('\n') && f(s.slice(0, -1)));
  if (whole) return test(text, (s) => re.search(s));
  const lines = text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  return lines.some((l) => test(l, (s) => re.matchStart(s)));
}

class Stop extends Error {}

/** find.py's main loop over the listings. Needs met (listLinked, needContent, needChecksum) are empty when complete. */
export function selectFiles(p: FindParams, input: FindInput): FindOutcome {
  const matchName = nameFilter(p);
  const contains = p.contains === undefined ? null : compileUserRegex(p.contains);
  const grouped = new Map<Listing, Map<string, ListedEntry[]>>();
  const out: FindOutcome = { files: [], examined: 0, skipped: {}, warnings: [], listLinked: new Map(), needContent: [], needChecksum: [] };
  const ageOk = (st: RawStat): boolean => {
    if (p.age === null) return true;
    const d = input.now - st[p.ageStamp];
    return p.age >= 0 ? d >= Math.abs(p.age) : d <= Math.abs(p.age);
  };
  const sizeOk = (st: RawStat): boolean => p.size === null || (p.size >= 0 ? st.size >= Math.abs(p.size) : st.size <= Math.abs(p.size));
  const checksum = (fsname: string, r: Record<string, unknown>): void => {
    const d = input.details.get(fsname);
    const sum = d?.sha1 ?? (d?.content ? sha1(d.content) : undefined);
    if (sum) r['checksum'] = sum;
    else if (d === undefined) out.needChecksum.push(fsname);
  };

  for (const npath of p.paths) {
    const top = input.tops.get(npath);
    try {
      if (!top?.isDir) throw new Stop(`'${npath}' is not a directory`);
      const wpath = `${npath.replace(/\/+$/, '')}/`;
      // os.walk(npath): a root's entries come from its own listing, or from the listing of
      // the linked directory it is (or is inside of) with follow.
      const walk = (root: string, listing: Listing, relBase: string): void => {
        const err = listing.errors.get(root);
        if (err !== undefined) throw new Stop(osErrorText(err, root));
        const children = childrenOf(listing, grouped).get(relBase) ?? [];
        const isDir = (e: ListedEntry): boolean => e.type === 'd' || (e.type === 'l' && e.followType === 'd');
        let dirs = children.filter(isDir);
        const files = children.filter((e) => !isDir(e));
        out.examined += files.length + dirs.length;
        for (const e of [...files, ...dirs]) {
          const name = baseOf(e.rel);
          const fsname = pyNormpath(pyJoin(root, name));
          if (p.depth) {
            const depth = count(fsname, '/') - count(wpath, '/') + 1;
            if (depth > p.depth) {
              dirs = [];
              continue;
            }
          }
          if (name.startsWith('.') && !p.hidden) continue;
          consider(e, fsname);
        }
        if (!p.recurse) return;
        for (const d of dirs) {
          const path = pyJoin(root, baseOf(d.rel));
          if (d.type === 'l') {
            if (!p.follow) continue;
            const linked = input.linked.get(path);
            if (linked === undefined) {
              out.listLinked.set(path, maxDepthBelow(p, count(pyNormpath(path), '/') - count(wpath, '/') + 1));
              continue;
            }
            walk(path, linked, '');
          } else {
            walk(path, listing, d.rel);
          }
        }
      };
      walk(npath, top, '');
    } catch (err) {
      if (!(err instanceof Stop)) throw err;
      out.skipped[npath] = err.message;
      out.warnings.push(`Skipped '${npath}' path due to this access issue: ${err.message}\n`);
    }
  }
  return out;

  function consider(e: ListedEntry, fsname: string): void {
    const r: Record<string, unknown> = { path: fsname };
    const info = (): void => {
      Object.assign(r, statFields(e.st), { gr_name: e.st.group ?? '', pw_name: e.st.user ?? '' });
    };
    const reg = e.type === 'f';
    if (p.fileType === 'any') {
      if (!(matchName(baseOf(e.rel)) && ageOk(e.st))) return;
      info();
      if (reg && p.getChecksum) checksum(fsname, r);
      if (!reg || sizeOk(e.st)) out.files.push(r);
    } else if (p.fileType === 'directory' && e.type === 'd') {
      if (!(matchName(baseOf(e.rel)) && ageOk(e.st))) return;
      info();
      out.files.push(r);
    } else if (p.fileType === 'file' && reg) {
      if (!(matchName(baseOf(e.rel)) && ageOk(e.st) && sizeOk(e.st))) return;
      if (contains) {
        const d = input.details.get(fsname);
        if (d === undefined) {
          out.needContent.push(fsname);
          return;
        }
        if (!contentMatches(contains, d.content, p.readWholeFile)) return;
      }
      info();
      if (p.getChecksum) checksum(fsname, r);
      out.files.push(r);
    } else if (p.fileType === 'link' && e.type === 'l') {
      if (!(matchName(baseOf(e.rel)) && ageOk(e.st))) return;
      info();
      out.files.push(r);
    }
  }
}

/** GNU find's -maxdepth for a listing: entries one level deeper than `depth` still count as examined. */
export function maxDepthBelow(p: FindParams, levelsAbove: number): number | null {
  if (!p.recurse) return 1;
  if (!p.depth) return null;
  return Math.max(p.depth + 1 - levelsAbove, 1);
}

/** A listing's entries by their parent's rel path, in listing order (computed once per selection). */
function childrenOf(listing: Listing, cache: Map<Listing, Map<string, ListedEntry[]>>): Map<string, ListedEntry[]> {
  let map = cache.get(listing);
  if (!map) {
    map = new Map();
    for (const e of listing.entries) {
      const key = parentOf(e.rel);
      const list = map.get(key);
      if (list) list.push(e);
      else map.set(key, [e]);
    }
    cache.set(listing, map);
  }
  return map;
}

function parentOf(rel: string): string {
  const i = rel.lastIndexOf('/');
  return i < 0 ? '' : rel.slice(0, i);
}

function baseOf(rel: string): string {
  return rel.slice(rel.lastIndexOf('/') + 1);
}

function count(s: string, c: string): number {
  return s.split(c).length - 1;
}
