// What a path is on the host, in one round trip (STYLE 6: a fact = command + typed
// parse): kind, parent directory, mode/owner, sha256, link target and, on request, the
// content. It runs through `run` (not SFTP) so that with become it sees what root sees.
import type { Host } from '../../transport/host.js';
import type { ModuleContext } from '../module.js';
import { mustRun, script } from '../remote.js';

export type RemoteKind = 'absent' | 'file' | 'directory' | 'link' | 'other';

export interface RemoteFile {
  /** The path looked at: the link's target when asked to follow a symlink. */
  path: string;
  kind: RemoteKind;
  /** The parent directory of `path`. */
  parent: 'directory' | 'absent' | 'other';
  mode: number | null;
  uid: number | null;
  gid: number | null;
  owner: string | null;
  group: string | null;
  size: number | null;
  /** Hex sha256 of a regular file's content; null otherwise. */
  sha256: string | null;
  /** A symlink's target as stored (not resolved). */
  linkTarget: string | null;
  /** Whether the extra path asked about exists (e.g. a link's src); null when not asked. */
  otherExists: boolean | null;
  /** A regular file's bytes when asked for; null otherwise. */
  content: Buffer | null;
  /** The umask commands run with (with become: sudo's): a new file gets 0666 & ~umask. */
  umask: number;
  /**
   * Who besides root and the user the probe ran as can write the parent directory
   * (`alice`, `group staff`, `everyone`): they can swap names in it at any time.
   */
  dirWritableBy: string[];
}

export interface ProbeOptions {
  /** Follow a symlink at the path and describe its target instead (Ansible's follow). */
  follow?: boolean;
  /** Also return the bytes of a regular file; 'small': only up to DIFF_MAX_BYTES (for diffs). */
  content?: boolean | 'small';
  /** Also tell whether this other absolute path exists. */
  exists?: string;
}

// Output, one item a line; values that may hold any byte are base64 (one line each):
//   KIND PARENTKIND / ID MODE UID GID SIZE OWNER GROUP | - / ID at the path | gone | - /
//   SHA256 (sha256sum's line) | - | ? / b64(resolved path) / b64(link target) /
//   yes|no|- / UMASK / `id`'s line / ID DIRMODE DIRUID DIRGID DIRSIZE DIROWNER DIRGROUP | - /
//   b64(content)
// A regular file is read through one open descriptor whose inode (ID, dev:ino) must be
// the one lstat sees at the path (the parser compares them): a symlink swapped in
// between (by whoever owns the directory) is never read through, so no other file's
// bytes reach a diff. Every probe of every file task runs this, on hosts whose CPU the
// fleet's other sessions share: it forks as little as it can (no $(…) but the rare
// ones, one stat a line, the parent by parameter expansion).
// `sha256sum < file` (not `sha256sum file`): it would escape odd names in its output.
/** Ansible's max_diff_size: bigger files get a note instead of a diff (and are not fetched for one). */
export const DIFF_MAX_BYTES = 104_448;

const STAT_FORMAT = '%d:%i %a %u %g %s %U %G';

export const PROBE_SCRIPT = [
  'p=$1; real=; opened=',
  'case $2 in *F*) if [ -L "$p" ]; then real=$(readlink -f -- "$p") && [ -n "$real" ] && p=$real; fi;; esac',
  'if [ -L "$p" ]; then k=link; elif [ -d "$p" ]; then k=directory; elif [ -f "$p" ]; then k=file; elif [ -e "$p" ]; then k=other; else k=absent; fi',
  'if [ "$k" = file ] && [ -r "$p" ] && command exec 3< "$p"; then opened=1; f=/dev/fd/3; fi',
  // dirname without a process: only a trailing slash needs the real one.
  'case $p in */) d=$(dirname -- "$p");; /*/*) d=${p%/*};; /*) d=/;; */*) d=${p%/*};; *) d=.;; esac',
  'if [ -d "$d" ]; then pk=directory; elif [ -e "$d" ] || [ -L "$d" ]; then pk=other; else pk=absent; fi',
  'echo "$k $pk"',
  `if [ "$k" = absent ]; then echo -; elif [ -n "$opened" ]; then stat -L -c "${STAT_FORMAT}" /dev/fd/3 || echo -; else stat -c "${STAT_FORMAT}" -- "$p" || echo -; fi`,
  'if [ -n "$opened" ]; then stat -c %d:%i -- "$p" || echo gone; else echo -; fi',
  'if [ -n "$opened" ]; then sha256sum < "$f" 2>/dev/null || echo "?"; elif [ "$k" = file ]; then echo "?"; else echo -; fi',
  'if [ -n "$real" ]; then printf %s "$real" | base64 | tr -d "\\n"; fi; echo',
  'if [ "$k" = link ]; then t=$(readlink -- "$p"); printf %s "$t" | base64 | tr -d "\\n"; fi; echo',
  'if [ -z "$3" ]; then echo -; elif [ -e "$3" ] || [ -L "$3" ]; then echo yes; else echo no; fi',
  'umask; id',
  `if [ "$pk" = directory ]; then stat -L -c "${STAT_FORMAT}" -- "$d" || echo -; else echo -; fi`,
  'case $2 in *C*) if [ -n "$opened" ]; then base64 < "$f" | tr -d "\\n"; fi;;',
  `  *c*) if [ -n "$opened" ] && [ "$(stat -L -c %s /dev/fd/3)" -le ${DIFF_MAX_BYTES} ]; then base64 < "$f" | tr -d "\\n"; fi;; esac; echo`,
].join('\n');

export function probeArgv(path: string, opts: ProbeOptions = {}): string[] {
  const flags = `${opts.follow ? 'F' : ''}${opts.content === 'small' ? 'c' : opts.content ? 'C' : ''}`;
  return script(PROBE_SCRIPT, path, flags || '-', opts.exists ?? '');
}

const KINDS: readonly RemoteKind[] = ['absent', 'file', 'directory', 'link', 'other'];

/** Parse PROBE_SCRIPT's output; throws on anything else (a host without coreutils). */
export function parseProbe(path: string, out: string): RemoteFile {
  const lines = out.split('\n');
  const [head = '', statLine = '', pathId = '', sumLine = '', real = '', target = '', other = '', umask = '', idLine = '', dirLine = '', content = ''] = lines;
  const [kind, parent] = head.split(' ') as [RemoteKind, RemoteFile['parent']];
  const myUid = /(?:^|\s)uid=(\d+)/.exec(idLine)?.[1];
  const myGid = /(?:^|\s)gid=(\d+)/.exec(idLine)?.[1];
  if (!KINDS.includes(kind) || !['directory', 'absent', 'other'].includes(parent) || lines.length < 11 || !/^[0-7]{1,4}$/.test(umask)
    || myUid === undefined || myGid === undefined) {
    throw new Error(`unexpected output from the file probe: ${JSON.stringify(out.slice(0, 200))}`);
  }
  const sum = sumLine.slice(0, 64);
  if (sum === '?') throw new Error(`cannot read ${path} (permission denied? try become)`);
  const st = statLine === '-' ? null : statLine.split(' ');
  if (kind !== 'absent' && (!st || st.length < 7)) throw new Error(`cannot stat ${path}: ${statLine}`);
  // The file read (through its descriptor) must be the one at the path: else a symlink was swapped in.
  if (pathId !== '-' && st && st[0] !== pathId) throw new Error(`${path} changed while being read`);
  const num = (i: number, radix = 10): number | null => (st ? parseInt(st[i + 1] ?? '', radix) : null);
  const text = (b64: string): string => Buffer.from(b64, 'base64').toString('utf8');
  return {
    path: real ? text(real) : path,
    kind,
    parent,
    mode: num(0, 8),
    uid: num(1),
    gid: num(2),
    size: num(3),
    owner: st ? (st[5] ?? null) : null,
    group: st ? st.slice(6).join(' ') : null,
    sha256: kind === 'file' && /^[0-9a-f]{64}$/.test(sum) ? sum : null,
    linkTarget: kind === 'link' ? text(target) : null,
    otherExists: other === '-' ? null : other === 'yes',
    content: kind === 'file' && content !== '' ? Buffer.from(content, 'base64') : null,
    umask: parseInt(umask, 8),
    dirWritableBy: dirWriters(dirLine === '-' ? dirLine : dirLine.split(' ').filter((_, i) => i !== 0 && i !== 4).join(' '), myUid, myGid),
  };
}

/** Who can write a directory (`MODE UID GID OWNER GROUP`) besides root and the probing user. */
export function dirWriters(dirLine: string, myUid: string, myGid: string): string[] {
  const [mode = '', uid = '', gid = '', owner = '', ...group] = dirLine.split(' ');
  if (dirLine === '-' || dirLine === '') return [];
  const bits = parseInt(mode, 8);
  const who: string[] = [];
  if (bits & 0o200 && uid !== '0' && uid !== myUid) who.push(owner);
  if (bits & 0o020 && gid !== '0' && gid !== myGid) who.push(`group ${group.join(' ')}`);
  if (bits & 0o002) who.push('everyone');
  return who;
}

/** A new file's mode where no mode is asked for: 0666 less the umask, as Ansible's atomic_move. */
export function newFileMode(umask: number): number {
  return 0o666 & ~umask;
}

export async function probeFile(host: Host, path: string, ctx: ModuleContext, opts: ProbeOptions = {}): Promise<RemoteFile> {
  const r = await mustRun(host, probeArgv(path, opts), ctx, `cannot inspect ${path}`);
  const file = parseProbe(path, r.stdout);
  // An empty file has no base64: its content is empty, not unknown (unless too big to fetch).
  const fetched = opts.content === true || (opts.content === 'small' && (file.size ?? Infinity) <= DIFF_MAX_BYTES);
  if (fetched && file.kind === 'file' && file.content === null) file.content = Buffer.alloc(0);
  return file;
}
