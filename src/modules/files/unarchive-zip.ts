// ZipArchive.is_unarchived of ansible-core's unarchive, over what the probe found:
// zipinfo's `-T -s` listing, each entry's stat and CRC-32 under dest, and the CRCs the
// archive records. An entry that is missing, of another type, older or newer (mtime),
// of another size, CRC, mode, owner or group is extracted again; `diff` is Ansible's
// itemized "prepared" text. Pure.
import { resolveMode, type ModeSpec } from './mode.js';

export interface EntryStat {
  /** stat's %F: `regular file`, `regular empty file`, `directory`, `symbolic link`, … */
  type: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** The mtime in the host's local time, `YYYYmmddHHMMSS.fffffffff` (compares as text). */
  local: string;
  owner: string | null;
  group: string | null;
  crc: number | null;
}

/** Who runs the extraction and whom the files should belong to (names and ids). */
export interface ZipIds {
  umask: number;
  runUid: number;
  runGid: number;
  runOwner: string;
  runGroup: string;
  groups: number[];
  futOwner: string;
  futUid: number;
  futGroup: string;
  futGid: number;
}

export interface ZipCheckInput {
  listing: string;
  rc: number;
  stats: ReadonlyMap<string, EntryStat>;
  crcs: ReadonlyMap<string, number>;
  ids: ZipIds;
  excludes: readonly string[];
  keepNewer: boolean;
  mode?: ModeSpec;
}

export interface ZipCheck {
  unarchived: boolean;
  diff: string;
  /** Entries newer in dest than in the archive (keep_newer): excluded from the extraction too. */
  newer: string[];
}

/** `stat -c '%F|%a|%u|%g|%s|%y|%U|%G'` and the gzip-trailer CRC → EntryStat. */
export function parseEntryStat(line: string, crc: number | null): EntryStat | null {
  const [type = '', mode = '', uid = '', gid = '', size = '', y = '', owner = '', group = ''] = line.split('|');
  const m = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d+))?/.exec(y);
  if (!m) return null;
  const local = `${m.slice(1, 7).join('')}.${(m[7] ?? '').padEnd(9, '0')}`;
  return { type, mode: parseInt(mode, 8), uid: Number(uid), gid: Number(gid), size: Number(size), local, owner: owner === 'UNKNOWN' ? null : owner, group: group === 'UNKNOWN' ? null : group, crc };
}

/** `unzip -v`'s table: the CRC-32 of each entry by name. */
export function parseCrcs(out: string): Map<string, number> {
  const crcs = new Map<string, number>();
  for (const line of out.split('\n').slice(3, -3)) {
    const f = splitWs(line, 7);
    if (f.length === 8 && /^[0-9a-f]{8}$/.test(f[6] ?? '')) crcs.set(f[7] ?? '', parseInt(f[6] ?? '', 16));
  }
  return crcs;
}

/** Python's str.split(None, max). */
export function splitWs(line: string, max: number): string[] {
  const out: string[] = [];
  let rest = line.replace(/^\s+/, '');
  while (rest !== '' && out.length < max) {
    const m = /^(\S+)\s*/.exec(rest);
    if (!m) break;
    out.push(m[1] ?? '');
    rest = rest.slice(m[0].length);
  }
  if (rest !== '') out.push(rest.replace(/\s+$/, ''));
  return out;
}

/** rw-r--r-- → 0644 (s and t count as x), less the umask. */
export function permstrToOctal(permstr: string, umask: number): number {
  const rev = [...permstr].reverse();
  let mode = 0;
  for (let i = 0; i < 9; i++) if ('rwxst'.includes(rev[i] ?? '-')) mode += 2 ** i;
  return mode & ~umask;
}

const kindOf = (t: string): 'd' | 'f' | 'L' | 'o' => (t === 'directory' ? 'd' : t.startsWith('regular') ? 'f' : t === 'symbolic link' ? 'L' : 'o');

export function checkZip(i: ZipCheckInput): ZipCheck {
  let unarchived = i.rc === 0;
  const includes: string[] = [];
  const newer: string[] = [];
  let diff = '';
  const excludes = [...i.excludes];
  const { ids } = i;
  for (const line of i.listing.split('\n')) {
    const pcs = splitWs(line, 7);
    if (pcs.length !== 8) continue;
    const [perms = '', , , sizeText = '', , , stamp = '', path = ''] = pcs;
    if ((perms.length !== 7 && perms.length !== 10) || stamp.length !== 15) continue;
    if (!'dl-?'.includes(perms[0] ?? 'x') || ![...perms.slice(1)].every((c) => 'rwxstah-'.includes(c))) continue;
    const ztype = perms[0] ?? '-';
    let permstr = perms.slice(1);
    if (excludes.includes(path)) continue;
    const ftype = path.endsWith('/') ? 'd' : ztype === 'l' ? 'L' : 'f';
    let fileUmask = 0;
    if (permstr.length === 6) {
      permstr = path.endsWith('/') ? 'rwxrwxrwx' : permstr === 'rwx---' ? 'rwxrwxrwx' : 'rw-rw-rw-';
      fileUmask = ids.umask;
    }
    if (permstr.length !== 9 || !/^([r-][w-][SsTtx-]){3}/.test(permstr)) throw new Error(`ZIP info perm format incorrect, ${permstr}`);
    const st = i.stats.get(path.endsWith('/') ? path.slice(0, -1) : path) ?? i.stats.get(path);
    if (!st) {
      includes.push(path);
      diff += `>${ftype}++++++.?? ${path}\n`;
      continue;
    }
    const kind = kindOf(st.type);
    if ((ftype === 'd' && kind !== 'd') || (ftype === 'f' && kind !== 'f') || (ftype === 'L' && kind !== 'L')) {
      includes.push(path);
      if (ftype === 'f') unarchived = false;
      diff += `c${ftype}++++++.?? ${path}\n`;
      continue;
    }
    const itemized = ['.', ftype, '.', '.', '.', '.', '.', '.', '.', '?', '?'];
    let change = false;
    const zipLocal = `${stamp.slice(0, 8)}${stamp.slice(9)}.000000000`;
    if (kind === 'f') {
      if (i.keepNewer) {
        if (zipLocal > st.local) {
          change = true;
          itemized[4] = 't';
        } else if (zipLocal < st.local) {
          excludes.push(path);
          newer.push(path);
          continue;
        }
      } else if (zipLocal !== st.local) {
        change = true;
        itemized[4] = 't';
      }
      if (Number(sizeText) !== st.size) {
        change = true;
        itemized[3] = 's';
      }
      if (st.crc !== i.crcs.get(path)) {
        change = true;
        itemized[2] = 'c';
      }
    }
    if (ftype !== 'L') {
      const mode = i.mode ? resolveMode(i.mode, st.mode, kind === 'd') : permstrToOctal(permstr, ztype === '?' ? 0 : fileUmask);
      if (mode !== st.mode) {
        change = true;
        itemized[5] = 'p';
      }
    }
    if (ids.runUid !== 0 && (ids.futOwner !== ids.runOwner || ids.futUid !== ids.runUid)) {
      throw new Error(`Cannot change ownership of ${path} to ${ids.futOwner}, as user ${ids.runOwner}`);
    }
    if (st.owner !== null ? st.owner !== ids.futOwner : st.uid !== ids.futUid) {
      change = true;
      itemized[6] = 'o';
    }
    if (ids.runUid !== 0 && (ids.futGroup !== ids.runGroup || ids.futGid !== ids.runGid) && !ids.groups.includes(ids.futGid)) {
      throw new Error(`Cannot change group ownership of ${path} to ${ids.futGroup}, as user ${ids.runOwner}`);
    }
    if (st.group !== null ? st.group !== ids.futGroup : st.gid !== ids.futGid) {
      change = true;
      itemized[6] = 'g';
    }
    if (change) {
      if (!includes.includes(path)) includes.push(path);
      diff += `${itemized.join('')} ${path}\n`;
    }
  }
  if (includes.length > 0) unarchived = false;
  return { unarchived, diff, newer };
}
