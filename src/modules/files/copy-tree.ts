// copy's folders (Ansible's copy action plugin and module): a local src folder is walked
// on the control machine (_walk_dirs: `dir/` copies what is inside, `dir` the folder
// itself; local_follow decides whether links are followed or made again as links), every
// path under dest is probed in one round trip, and the plan is a list of steps: folders
// (directory_mode, owner, group), files (the content writer, one each), links. A
// remote_src folder is copied on the host by one script that first runs dry (gather) and
// then for real (apply).
import { lstat, readFile, readdir, readlink, realpath, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { Host } from '../../transport/host.js';
import type { ModuleContext } from '../module.js';
import { mustRun, script } from '../remote.js';
import { DIFF_MAX_BYTES, type RemoteFile, type RemoteKind } from './remote-file.js';

/** What the local walk found, paths relative to what lands in dest. */
export interface LocalTree {
  /** `vaulted`: the content was decrypted (a secret). */
  files: Array<{ rel: string; content: Buffer; mode: number; vaulted?: boolean }>;
  dirs: string[];
  links: Array<{ rel: string; target: string }>;
}

/** Ansible's _walk_dirs over a local folder; `top` ends with / to copy only what is inside. */
export async function walkLocal(top: string, localFollow: boolean): Promise<LocalTree> {
  const tree: LocalTree = { files: [], dirs: [], links: [] };
  const inside = top.endsWith('/');
  const root = top.replace(/\/+$/, '');
  const prefix = inside ? '' : posix.basename(root);
  const seen = new Set<string>();
  const id = async (p: string): Promise<string> => {
    const st = await stat(p);
    return `${st.dev}:${st.ino}`;
  };
  const walk = async (dir: string, rel: string, parents: Set<string>): Promise<void> => {
    const names = (await readdir(dir)).sort();
    for (const name of names) {
      const full = join(dir, name);
      const to = rel === '' ? name : `${rel}/${name}`;
      const l = await lstat(full);
      if (l.isSymbolicLink()) {
        const target = await realpath(full).catch(() => null);
        const st = target === null ? null : await stat(target).catch(() => null);
        if (localFollow && st?.isFile()) {
          tree.files.push({ rel: to, content: await readFile(target ?? full), mode: st.mode & 0o7777 });
        } else if (localFollow && st?.isDirectory() && target !== null && !parents.has(await id(target))) {
          tree.dirs.push(to);
          await walk(target, to, new Set([...parents, await id(target)]));
        } else {
          // Not followed, broken, or a loop back into a parent: made again as a link.
          tree.links.push({ rel: to, target: await readlink(full) });
        }
      } else if (l.isDirectory()) {
        tree.dirs.push(to);
        await walk(full, to, new Set([...parents, `${l.dev}:${l.ino}`]));
      } else if (l.isFile()) {
        tree.files.push({ rel: to, content: await readFile(full), mode: l.mode & 0o7777 });
      }
      seen.add(to);
    }
  };
  const top0 = await lstat(root);
  if (top0.isSymbolicLink() && !localFollow) {
    tree.links.push({ rel: posix.basename(root), target: await readlink(root) });
    return tree;
  }
  await walk(root, prefix, new Set([await id(root)]));
  return tree;
}

// Paths on stdin, one a line; $1 `c` to add the content of small files. Per path one line:
// `KIND MODE UID GID SUM OWNER GROUP` (SUM: a file's sha256, a link's target in base64, or -)
// or `absent`; then, asked for, the content in base64 on the next line.
export const TREE_PROBE = [
  'while IFS= read -r p; do',
  '  if [ -L "$p" ]; then k=link; elif [ -d "$p" ]; then k=directory; elif [ -f "$p" ]; then k=file; elif [ -e "$p" ]; then k=other; else echo absent; [ "$1" != c ] || echo; continue; fi',
  '  case $k in file) s=$(sha256sum < "$p" | cut -c1-64);; link) s=$(readlink -- "$p" | tr -d "\\n" | base64 -w0);; *) s=-;; esac',
  '  st=$(stat -c "%a %u %g" -- "$p")',
  '  echo "$k $st $s $(stat -c "%U %G" -- "$p")"',
  `  if [ "$1" = c ]; then if [ "$k" = file ] && [ "$(stat -c %s -- "$p")" -le ${DIFF_MAX_BYTES} ]; then base64 -w0 < "$p"; fi; echo; fi`,
  'done',
  'echo "umask $(umask)"',
].join('\n');

/** Probe many paths in one round trip. */
export async function probeTree(host: Host, paths: readonly string[], ctx: ModuleContext): Promise<{ files: Map<string, RemoteFile>; umask: number }> {
  const withContent = ctx.diff;
  const r = await mustRun(host, script(TREE_PROBE, withContent ? 'c' : '-'), ctx, 'cannot inspect the destination', { stdin: paths.map((p) => `${p}\n`).join('') });
  const lines = r.stdout.split('\n');
  const files = new Map<string, RemoteFile>();
  let i = 0;
  for (const path of paths) {
    const line = lines[i++] ?? 'absent';
    const content = withContent ? lines[i++] ?? '' : '';
    const [kind = 'absent', mode = '', uid = '', gid = '', sum = '-', owner = '', ...group] = line.split(' ');
    const exists = kind !== 'absent';
    files.set(path, {
      path, kind: kind as RemoteKind, parent: 'directory',
      mode: exists ? parseInt(mode, 8) : null, uid: exists ? Number(uid) : null, gid: exists ? Number(gid) : null,
      owner: exists ? owner : null, group: exists ? group.join(' ') : null, size: null,
      sha256: kind === 'file' ? sum : null, linkTarget: kind === 'link' ? Buffer.from(sum, 'base64').toString('utf8') : null,
      otherExists: null, content: kind === 'file' && withContent ? Buffer.from(content, 'base64') : null, umask: 0o022, dirWritableBy: [],
    });
  }
  const umask = parseInt(/^umask (\d+)$/m.exec(r.stdout)?.[1] ?? '22', 8);
  for (const f of files.values()) f.umask = umask;
  return { files, umask };
}

/** Every folder from the root of `path` down to it: `/a/b/c` → `/a`, `/a/b`, `/a/b/c`. */
export function ancestors(path: string): string[] {
  const parts = path.split('/').filter((p) => p !== '');
  return parts.map((_, i) => `/${parts.slice(0, i + 1).join('/')}`);
}

// A remote_src folder copied on the host. $1 src (the folder), $2 target, $3 `1`: only
// count, $4 chown spec, $5 `1`: follow links (copy what they point to), $6 `1`: a new
// target gets src's mode (Python's copytree; makedirs does not). Files are compared by
// content, copied with their mode (and times); links made again as links; prints how
// many entries were (or would be) changed.
export const REMOTE_TREE_SCRIPT = [
  'src=$1 dst=$2 dry=$3 own=$4 follow=$5 top=$6 n=0',
  'if [ ! -d "$dst" ]; then n=1; [ -n "$dry" ] || { mkdir -p -- "$dst" && { [ "$top" != 1 ] || chmod --reference="$src" -- "$dst"; }; } || exit 1; fi',
  'cd -- "$src" || exit 1',
  'find . -mindepth 1 | {',
  '  while IFS= read -r rel; do',
  '    s=$src/${rel#./} d=$dst/${rel#./}',
  '    if [ -L "$s" ] && [ "$follow" != 1 ]; then',
  '      t=$(readlink -- "$s")',
  '      if [ ! -L "$d" ] || [ "$(readlink -- "$d")" != "$t" ]; then n=$((n+1)); [ -n "$dry" ] || { rm -f -- "$d"; ln -s -- "$t" "$d"; } || exit 1; fi',
  '    elif [ -d "$s" ]; then',
  '      if [ ! -d "$d" ]; then n=$((n+1)); [ -n "$dry" ] || { mkdir -p -- "$d" && chmod --reference="$s" -- "$d"; } || exit 1; fi',
  '    elif [ ! -f "$d" ] || [ -L "$d" ] || ! cmp -s -- "$s" "$d"; then',
  '      n=$((n+1)); [ -n "$dry" ] || { rm -f -- "$d"; cp -L --preserve=mode,timestamps -- "$s" "$d"; } || exit 1',
  '    fi',
  '    if [ -n "$own" ] && { [ -e "$d" ] || [ -L "$d" ]; } && [ -z "$dry" ]; then',
  '      b=$(stat -c "%u:%g" -- "$d"); chown -h -- "$own" "$d" || exit 1; [ "$(stat -c "%u:%g" -- "$d")" = "$b" ] || n=$((n+1))',
  '    fi',
  '  done',
  '  echo "$n"',
  '}',
].join('\n');

/** Ansible's target of a remote folder copy: `src/` lands in dest, `src` in dest/src's name. */
export function remoteTreeTarget(src: string, dest: string): string {
  const d = dest.replace(/\/+$/, '') || '/';
  return src.endsWith('/') ? d : posix.join(d, posix.basename(src));
}

/**
 * Whether Ansible makes a missing target with copytree (which copies src's mode): for
 * `src/`, and for `src` into an existing dest; `src` into a missing dest is makedirs.
 */
export function copiesTopMode(src: string, destIsDir: boolean): boolean {
  return src.endsWith('/') || destIsDir;
}
