// A path's lstat/stat as Ansible's `stat` and `find` report it (Python's os.stat_result
// turned into a dict), from GNU stat/find output. Pure: the modules' probes print the
// raw numbers, this file gives them Python's types and names.

// S_IFMT and the file types, as in Python's `stat` module.
const S_IFMT = 0o170000;
const TYPES = {
  isdir: 0o040000,
  ischr: 0o020000,
  isblk: 0o060000,
  isreg: 0o100000,
  isfifo: 0o010000,
  islnk: 0o120000,
  issock: 0o140000,
} as const;

export type FileTypeKey = keyof typeof TYPES;

/** The raw numbers of one stat call (st_* fields); times as Python's float seconds. */
export interface RawStat {
  /** st_mode with the file type bits. */
  mode: number;
  uid: number;
  gid: number;
  size: number;
  inode: number;
  dev: number;
  nlink: number;
  atime: number;
  mtime: number;
  ctime: number;
  /** The owner's and group's names; null when the id has no name. */
  user: string | null;
  group: string | null;
}

/** What `stat` prints besides: st_blocks, st_blksize, st_rdev. */
export interface RawStatExtra {
  blocks: number;
  blockSize: number;
  rdev: number;
}

/** GNU stat's -c format for RawStat + RawStatExtra: names last (they are the only words that may vary in shape). */
export const STAT_FORMAT = '%f %u %g %s %i %d %h %b %o %r %.9X %.9Y %.9Z %U %G';

/**
 * A time as Python computes st_mtime: `sec + nsec * 1e-9` in double precision (not the
 * decimal text rounded once), so the float is the very one Ansible returns.
 */
export function pyTime(text: string): number {
  const m = /^(-?\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!m) throw new Error(`not a timestamp: ${JSON.stringify(text)}`);
  const nsec = Number(((m[2] ?? '') + '000000000').slice(0, 9));
  return Number(m[1]) + nsec * 1e-9;
}

/** GNU stat and find print a name, or "UNKNOWN" / the bare number, where the id has none. */
function nameOrNull(name: string | undefined, id: number, unknown: 'UNKNOWN' | 'number'): string | null {
  if (name === undefined || name === '') return null;
  if (unknown === 'UNKNOWN' ? name === 'UNKNOWN' : name === String(id)) return null;
  return name;
}

/** One STAT_FORMAT line → the raw numbers; throws on anything else. */
export function parseStatLine(line: string): RawStat & RawStatExtra {
  const f = line.split(' ');
  if (f.length < 15 || !/^[0-9a-f]+$/.test(f[0] ?? '')) throw new Error(`unexpected stat output: ${JSON.stringify(line.slice(0, 200))}`);
  const n = (i: number): number => Number(f[i]);
  return {
    mode: parseInt(f[0] ?? '', 16),
    uid: n(1),
    gid: n(2),
    size: n(3),
    inode: n(4),
    dev: n(5),
    nlink: n(6),
    blocks: n(7),
    blockSize: n(8),
    rdev: n(9),
    atime: pyTime(f[10] ?? ''),
    mtime: pyTime(f[11] ?? ''),
    ctime: pyTime(f[12] ?? ''),
    user: nameOrNull(f[13], n(1), 'UNKNOWN'),
    group: nameOrNull(f.slice(14).join(' '), n(2), 'UNKNOWN'),
  };
}

// GNU find's %y letters → the file type bits of st_mode (its %m has the permission bits only).
const TYPE_LETTERS: Readonly<Record<string, number>> = { f: TYPES.isreg, d: TYPES.isdir, l: TYPES.islnk, b: TYPES.isblk, c: TYPES.ischr, p: TYPES.isfifo, s: TYPES.issock };

/** find -printf's fields (type letter %y, then %m %U %G %s %i %D %n %A@ %T@ %C@ %u %g) → the raw numbers. */
export function rawFromFind(type: string, fields: readonly string[]): RawStat {
  const [mode = '', uid = '', gid = '', size = '', inode = '', dev = '', nlink = '', atime = '', mtime = '', ctime = '', user, group] = fields;
  return {
    mode: (TYPE_LETTERS[type] ?? 0) | parseInt(mode, 8),
    uid: Number(uid),
    gid: Number(gid),
    size: Number(size),
    inode: Number(inode),
    dev: Number(dev),
    nlink: Number(nlink),
    atime: pyTime(atime),
    mtime: pyTime(mtime),
    ctime: pyTime(ctime),
    user: nameOrNull(user, Number(uid), 'number'),
    group: nameOrNull(group, Number(gid), 'number'),
  };
}

/** Which type a full st_mode is. */
export function fileType(mode: number): FileTypeKey | null {
  const t = mode & S_IFMT;
  for (const [k, v] of Object.entries(TYPES) as Array<[FileTypeKey, number]>) if (v === t) return k;
  return null;
}

/** `0644`: Python's "%04o" % S_IMODE(mode). */
export function pyMode(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}

/** The keys Ansible's stat and find both give (find.py's statinfo without the names). */
export function statFields(st: RawStat): Record<string, unknown> {
  const type = fileType(st.mode);
  const m = st.mode;
  return {
    mode: pyMode(m),
    isdir: type === 'isdir',
    ischr: type === 'ischr',
    isblk: type === 'isblk',
    isreg: type === 'isreg',
    isfifo: type === 'isfifo',
    islnk: type === 'islnk',
    issock: type === 'issock',
    uid: st.uid,
    gid: st.gid,
    size: st.size,
    inode: st.inode,
    dev: st.dev,
    nlink: st.nlink,
    atime: st.atime,
    mtime: st.mtime,
    ctime: st.ctime,
    wusr: (m & 0o200) !== 0,
    rusr: (m & 0o400) !== 0,
    xusr: (m & 0o100) !== 0,
    wgrp: (m & 0o020) !== 0,
    rgrp: (m & 0o040) !== 0,
    xgrp: (m & 0o010) !== 0,
    woth: (m & 0o002) !== 0,
    roth: (m & 0o004) !== 0,
    xoth: (m & 0o001) !== 0,
    isuid: (m & 0o4000) !== 0,
    isgid: (m & 0o2000) !== 0,
  };
}

// module_utils/common/file.py's FILE_ATTRIBUTES: lsattr's letters → Ansible's names.
const FILE_ATTRIBUTES: Readonly<Record<string, string>> = {
  A: 'noatime', a: 'append', c: 'compressed', C: 'nocow', d: 'nodump', D: 'dirsync', e: 'extents',
  E: 'encrypted', h: 'blocksize', i: 'immutable', I: 'indexed', j: 'journalled', N: 'inline',
  s: 'zero', S: 'synchronous', t: 'notail', T: 'blockroot', u: 'undelete', X: 'compressedraw',
  Z: 'compresseddirty',
};

/**
 * `lsattr -vd PATH` output → Ansible's version, attr_flags and attributes; what
 * get_file_attributes gives when lsattr failed (null): version None, no flags.
 */
export function parseLsattr(out: string | null): { version: string | null; attr_flags: string; attributes: string[] } {
  const words = out === null ? [] : out.trim().split(/\s+/);
  if (words.length < 2) return { version: null, attr_flags: '', attributes: [] };
  const flags = (words[1] ?? '').replace(/-/g, '').trim();
  return { version: (words[0] ?? '').trim(), attr_flags: flags, attributes: [...flags].flatMap((c) => (FILE_ATTRIBUTES[c] ? [FILE_ATTRIBUTES[c]] : [])) };
}
