// `fetch` (Ansible's fetch action): a host's file copied to the control machine, under
// DEST/<inventory_hostname>/<src path>, or at dest itself with `flat`. One probe on the
// host (kind, sha1, and the bytes only when the local copy differs); the local file is
// written atomically. Unlike Ansible (which skips fetch in check mode), check mode
// reports what would be fetched, with a diff of the local file under --diff.
import { createHash, randomBytes } from 'node:crypto';
import { lstat, mkdir, open, readFile, realpath, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { posix } from 'node:path';
import { z } from 'zod';
import { TaskError } from '../../errors.js';
import { absPath, argumentSpec, boolish } from '../args.js';
import type { ModuleContext } from '../module.js';
import { runOptions, script } from '../remote.js';
import { defineModule, type Plan, type PlanFailure, type ResultData, type StepResult } from '../runner.js';
import type { Host } from '../../transport/host.js';
import { isBinary, sha1, unifiedDiff } from '../../util/text.js';
import { pyNormpath } from './py-path.js';
import { DIFF_MAX_BYTES } from './remote-file.js';

export const FetchArgs = argumentSpec(
  {
    src: absPath.optional(),
    dest: z.string().min(1).optional(),
    flat: boolish.default(false),
    fail_on_missing: boolish.default(true),
    validate_checksum: boolish.default(true),
  },
  { required: ['src', 'dest'] },
);
export type FetchArgs = z.infer<typeof FetchArgs>;

export type RemoteSource =
  | { kind: 'error'; why: string }
  | { kind: 'missing' | 'directory' | 'unreadable' | 'other' }
  | { kind: 'file'; mode: number; sha1: string; content: Buffer };

// $1 src, $2 the local copy's sha1 ('' if none). Line 1: missing | directory | other |
// unreadable | error WHY | file MODE; then the sha1; then the base64 bytes unless the
// local copy has that sha1. stat -L: fetch always follows a symlink at src.
export const FETCH_SCRIPT = [
  'export LC_ALL=C',
  'p=$1',
  `if ! k=$(stat -L -c '%a %F' -- "$p" 2>&1); then`,
  `  case $k in *': No such file or directory') echo missing;; *) printf 'error %s\\n' "\${k##*: }";; esac; exit 0`,
  'fi',
  'case ${k#* } in directory) echo directory; exit 0;; "regular file"|"regular empty file") ;; *) echo other; exit 0;; esac',
  'env test -r "$p" || { echo unreadable; exit 0; }',
  's=$(sha1sum < "$p" | cut -c1-40) || exit 1',
  'printf "file %s\\n%s\\n" "${k%% *}" "$s"',
  '[ "$s" = "$2" ] || base64 -w0 < "$p"',
].join('\n');

/** FETCH_SCRIPT's output → what is at src. Pure. */
export function parseFetchProbe(out: string): RemoteSource {
  const [head = '', sum = '', b64 = ''] = out.split('\n');
  const [kind = '', ...rest] = head.split(' ');
  if (kind === 'error') return { kind: 'error', why: rest.join(' ') };
  if (kind === 'missing' || kind === 'directory' || kind === 'unreadable' || kind === 'other') return { kind };
  if (kind === 'file' && /^[0-9a-f]{40}$/.test(sum)) {
    // No bytes when the local copy has this sha1 (then they are not needed); an empty file has none either.
    return { kind: 'file', mode: parseInt(rest[0] ?? '644', 8), sha1: sum, content: Buffer.from(b64, 'base64') };
  }
  throw new Error(`unexpected output from the fetch probe: ${JSON.stringify(out.slice(0, 200))}`);
}

/** The local file at dest as it is now. */
export interface LocalDest {
  /** Where the bytes go: dest, or the file a symlink at dest points to (Ansible writes through it). */
  path: string;
  kind: 'absent' | 'file' | 'directory' | 'other';
  content: Buffer | null;
  /** The mode bits to keep when the file is rewritten. */
  mode: number | null;
}

export interface FetchState {
  remote: RemoteSource;
  /** dest as Ansible computes it, or why it cannot be used. */
  dest: { path: string; local: LocalDest } | { error: string };
  become: boolean;
}

/** Ansible's unfrackpath for the control machine: $VARS and ~ expanded, relative to `base`, normalised. */
export function localPath(given: string, base: string): string {
  const vars = given.replace(/\$(\w+)|\$\{(\w+)\}/g, (all, a: string | undefined, b: string | undefined) => process.env[a ?? b ?? ''] ?? all);
  const home = vars === '~' || vars.startsWith('~/') ? homedir() + vars.slice(1) : vars;
  return pyNormpath(home.startsWith('/') ? home : posix.join(base, home));
}

/** Where the file goes (fetch.py's dest), or the error it raises. Pure. */
export function fetchDest(a: FetchArgs, host: string, base: string, destIsDir: boolean): { path: string } | { error: string } {
  if (a.flat) {
    if (destIsDir && !a.dest.endsWith('/')) return { error: 'dest is an existing directory, use a trailing slash if you want to fetch src into that directory' };
    const dest = a.dest.endsWith('/') ? a.dest + posix.basename(a.src) : a.dest;
    return { path: localPath(dest, base) };
  }
  const top = localPath(a.dest, base);
  const path = pyNormpath(`${top}/${host}/${a.src}`);
  // A src with `..` must not climb out of dest/<host> (Ansible means to refuse it too).
  if (!path.startsWith(`${pyNormpath(`${top}/${host}`)}/`)) return { error: `Detected directory traversal, expected to be contained in '${top}/${host}' but got '${path}'` };
  return { path };
}

async function readLocal(path: string): Promise<LocalDest> {
  let target = path;
  let st = await lstat(path).catch(() => null);
  if (st?.isSymbolicLink()) {
    const real = await realpath(path).catch(() => null);
    if (real) {
      target = real;
      st = await lstat(real).catch(() => null);
    } else st = null;
  }
  if (!st) return { path: target, kind: 'absent', content: null, mode: null };
  if (st.isDirectory()) return { path: target, kind: 'directory', content: null, mode: null };
  if (!st.isFile()) return { path: target, kind: 'other', content: null, mode: null };
  return { path: target, kind: 'file', content: await readFile(target), mode: st.mode & 0o7777 };
}

async function gatherFetch(host: Host, a: FetchArgs, ctx: ModuleContext): Promise<FetchState> {
  const base = ctx.taskSearchPath?.playDir ?? process.cwd();
  const flatDir = a.flat && (await lstat(localPath(a.dest, base)).then((s) => s.isDirectory(), () => false));
  const where = fetchDest(a, ctx.hostName, base, flatDir);
  const dest = 'error' in where ? where : { path: where.path, local: await readLocal(where.path) };
  const have = 'local' in dest && dest.local.content ? sha1(dest.local.content) : '';
  const r = await host.run(script(FETCH_SCRIPT, a.src, have), runOptions(ctx));
  if (r.timedOut || r.rc !== 0) throw new TaskError(ctx.hostName, `cannot read ${a.src}: ${r.timedOut ? 'timed out' : r.stderr.trim() || `exit status ${r.rc}`}`, { rc: r.rc, stderr: r.stderr });
  return { remote: parseFetchProbe(r.stdout), dest, become: ctx.become };
}

function md5(data: Buffer): string {
  return createHash('md5').update(data).digest('hex');
}

export interface FetchChange {
  path: string;
  content: Buffer;
  /** Mode of the new file: an existing file keeps its own. */
  mode: number;
  existed: boolean;
  remoteChecksum: string;
  /** What the result reports as dest (the path before following a local symlink). */
  dest: string;
}

const ABSENT = 'the remote file does not exist, not transferring, ignored';
const IS_DIR = 'remote file is a directory, fetch cannot work on directories';

/** What the probe found vs the local copy → Ansible's result. Pure. */
export function planFetch(a: FetchArgs, s: FetchState): Plan<FetchChange> | PlanFailure {
  const ignored = (msg: string, data: ResultData = { file: a.src }): Plan<FetchChange> => ({ changes: [], okMsg: msg, data });
  const r = s.remote;
  switch (r.kind) {
    case 'error': {
      const msg = `Failed to get information on remote file (${a.src}): ${r.why}`;
      return a.fail_on_missing ? { fail: msg, data: { file: a.src } } : ignored(`${msg}, ignored`);
    }
    case 'missing': return a.fail_on_missing ? { fail: ABSENT } : ignored(ABSENT);
    // Ansible's own two wordings: with become it learns this from slurp, without from stat.
    case 'directory':
      if (a.fail_on_missing) return { fail: IS_DIR };
      return s.become ? ignored(IS_DIR) : ignored(`${IS_DIR}, not transferring, ignored`, {});
    case 'unreadable': return a.fail_on_missing ? { fail: `file is not readable: ${a.src}` } : ignored('');
    case 'other': return { fail: `${a.src} is not a regular file: kvmplay fetches regular files only` };
    case 'file': break;
  }
  if ('error' in s.dest) return { fail: s.dest.error };
  const { path, local } = s.dest;
  if (local.content && sha1(local.content) === r.sha1) {
    return { changes: [], okMsg: 'up to date', data: { md5sum: md5(local.content), file: a.src, dest: path, checksum: r.sha1 } };
  }
  if (local.kind === 'directory') return { fail: `Failed to fetch the file: ${path} is a directory` };
  const content = r.content;
  // sftp's `get` (Ansible's fetch without become) creates the file with the remote mode
  // plus u+w; with become Ansible writes slurp's bytes with open(): 0666. The umask applies.
  const mode = local.mode ?? (s.become ? 0o666 : (r.mode & 0o777) | 0o200);
  return {
    changes: [{ path: local.path, content, mode, existed: local.kind === 'file', remoteChecksum: r.sha1, dest: path }],
    data: { md5sum: md5(content), dest: path, remote_md5sum: null, checksum: sha1(content), remote_checksum: r.sha1 },
    diff: () => fetchDiff(path, local.content ?? Buffer.alloc(0), content),
  };
}

function fetchDiff(path: string, before: Buffer, after: Buffer): string {
  if (before.length > DIFF_MAX_BYTES || after.length > DIFF_MAX_BYTES) return `diff skipped: ${path} is larger than ${DIFF_MAX_BYTES} bytes\n`;
  if (isBinary(before) || isBinary(after)) return `Binary files before: ${path} and after: ${path} differ\n`;
  return unifiedDiff(path, before.toString('utf8'), after.toString('utf8'));
}

/** Write the local file: a private temp file beside it, its mode, then rename (readers never see half a file). */
export async function writeLocal(c: FetchChange): Promise<void> {
  await mkdir(posix.dirname(c.path), { recursive: true });
  const tmp = posix.join(posix.dirname(c.path), `.${posix.basename(c.path)}.kvmplay-${randomBytes(6).toString('hex')}`);
  // A new file: the mode less the umask (open applies it); a rewritten one keeps its mode exactly.
  const fh = await open(tmp, 'wx', c.existed ? 0o600 : c.mode);
  try {
    await fh.writeFile(c.content);
    if (c.existed) await fh.chmod(c.mode);
    await fh.close();
    await rename(tmp, c.path);
  } catch (err) {
    await fh.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw err;
  }
}

export const fetchModule = defineModule({
  names: ['fetch'],
  args: FetchArgs,
  gather: gatherFetch,
  plan: planFetch,
  describe: (c: FetchChange) => `fetch to ${c.dest}`,
  async apply(_host, a, c): Promise<StepResult> {
    try {
      await writeLocal(c);
    } catch (err) {
      throw new Error(`Failed to fetch the file: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    // As Ansible: the checksum of what is now on disk, against the host's.
    const written = await readFile(c.path);
    const data = { md5sum: md5(written), dest: c.dest, remote_md5sum: null, checksum: sha1(written), remote_checksum: c.remoteChecksum };
    if (a.validate_checksum && data.checksum !== c.remoteChecksum) {
      return { failed: true, msg: 'checksum mismatch', data: { ...data, file: a.src } };
    }
    return { msg: `fetched to ${c.dest}`, data };
  },
});
