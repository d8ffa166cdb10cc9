// Putting bytes at a path on a host, atomically (SPEC 6), safely in a directory that
// someone else can write (issue 11): one script, as root with become or as the login
// user without, enters the destination's directory, makes a private directory there
// (`mktemp -d`: mode 0700, so nobody else can touch what is inside), writes the bytes
// from stdin into it, validates, chmods and chowns the staged file there, makes the
// backup there and links it out under an unpredictable name (`ln`: exclusive), then
// renames the file onto the final name (`mv -T`: a symlink planted at the name is
// replaced, never followed). Every name is relative to a directory the script is in,
// so a link swapped in for a path component on the way cannot redirect anything.
// Readers see the old file or the new one; a file that fails `validate` replaces nothing.
import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import { TaskError } from '../../errors.js';
import type { Host } from '../../transport/host.js';
import { shlexSplit, ShlexError } from '../../util/shlex.js';
import type { ModuleContext } from '../module.js';
import { runOptions, script } from '../remote.js';

export interface PutRequest {
  path: string;
  content: Buffer;
  /** Final mode bits of the file. */
  mode: number;
  /** chown argument for the new file (`user:group`, `user`, `:group`); fails the write if refused. */
  chown: string | null;
  /** `uid:gid` of the file being replaced: carried over when allowed (best effort). */
  keepOwner: string | null;
  /** Back the old file up to this path first (beside it: only the name is used). */
  backupTo: string | null;
  /** `validate` command with `%s` for the staged file. */
  validate?: string;
  /** Create the parent directory first (`mkdir -p`). */
  makeParent?: boolean;
}

/** A validate command refused the content: nothing was replaced. */
export class ValidateFailed extends TaskError {}

/** The staged file as the validate command sees it: inside the script's private directory. */
export const STAGED_FOR_VALIDATE = '/proc/self/cwd/new';

// The script's exit status when the validate command failed (its own status is on stderr's last line).
const VALIDATE_FAILED = 97;

// $1 dest, $2 mode, $3 chown, $4 uid:gid to keep, $5 backup name, $6 mkdir the parent
// (yes|no); the rest: the validate argv. The private directory is checked after `cd`
// (its parent is the directory entered, it is ours, 0700 and empty): someone renaming
// it and planting a link in its place between mktemp and cd is caught.
export const WRITE_SCRIPT = [
  'dest=$1 mode=$2 own=$3 keep=$4 bak=$5; shift 5',
  'dir=${dest%/*} name=${dest##*/}; [ -n "$dir" ] || dir=/',
  'if [ "$1" = yes ]; then mkdir -p -- "$dir" || exit 1; fi; shift',
  'set -e',
  'cd -P -- "$dir"',
  'top=$(stat -c %d:%i .) priv= inside=',
  'trap \'if [ -n "$inside" ]; then rm -f -- new bak; cd ..; fi; if [ -n "$priv" ]; then rmdir -- "$priv" 2>/dev/null || :; fi\' EXIT',
  'priv=$(mktemp -d .kvmplay-XXXXXXXXXX)',
  'cd -P -- "$priv"',
  'inside=1',
  'if [ "$(stat -c %d:%i ..)" != "$top" ] || [ "$(stat -c "%u %a" .)" != "$(id -u) 700" ] || [ -n "$(ls -A)" ]; then',
  '  echo "$dir/$priv was replaced while in use: not writing $dest" >&2; exit 1',
  'fi',
  'umask 077; set -C; cat > new; set +C',
  'if [ $# -gt 0 ]; then set +e; "$@"; rc=$?; set -e',
  `  if [ $rc -ne 0 ]; then echo "rc $rc" >&2; exit ${VALIDATE_FAILED}; fi`,
  'fi',
  'chmod -- "$mode" new',
  'if [ -n "$keep" ]; then chown -- "$keep" new 2>/dev/null || :; fi',
  'if [ -n "$own" ]; then chown -- "$own" new; fi',
  // A link found at the name is not backed up (cp -P copies the link, not its target).
  'if [ -n "$bak" ] && [ -f "../$name" ] && [ ! -L "../$name" ]; then cp -P --preserve=mode,ownership,timestamps -- "../$name" bak && ln -- bak "../$bak"; fi',
  'mv -T -- new "../$name"',
].join('\n');

/**
 * Ansible's backup name shape, `dest.X.YYYY-MM-DD@HH:MM:SS~` (local time), with X
 * random instead of the PID: nobody can plant a link at the name beforehand (and the
 * script creates it with `ln`, which refuses an existing name anyway).
 */
export function backupPath(path: string, now = new Date(), random = randomBytes(6).toString('hex')): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}@${p(now.getHours())}:${p(now.getMinutes())}:${p(now.getSeconds())}`;
  return `${path}.${random}.${stamp}~`;
}

/**
 * The validate argv: split like Ansible's run_command (shlex, no shell), then `%s` in
 * each word becomes the staged path, so a path with spaces stays one word.
 */
export function validateArgv(validate: string, stagedPath: string): string[] {
  let words: string[];
  try {
    words = shlexSplit(validate, { comments: false });
  } catch (err) {
    if (err instanceof ShlexError) throw new Error(`validate: ${err.message}`, { cause: err });
    throw err;
  }
  if (!validate.includes('%s')) throw new Error(`validate must contain %s: ${validate}`);
  return words.map((w) => w.split('%s').join(stagedPath));
}

export function writeArgv(req: PutRequest, check: readonly string[]): string[] {
  const mode = req.mode.toString(8).padStart(4, '0');
  const bak = req.backupTo === null ? '' : posix.basename(req.backupTo);
  return script(WRITE_SCRIPT, req.path, mode, req.chown ?? '', req.keepOwner ?? '', bak, req.makeParent ? 'yes' : 'no', ...check);
}

export async function putFile(host: Host, ctx: ModuleContext, req: PutRequest): Promise<void> {
  let check: string[] = [];
  try {
    check = req.validate === undefined ? [] : validateArgv(req.validate, STAGED_FOR_VALIDATE);
  } catch (err) {
    throw new TaskError(ctx.hostName, err instanceof Error ? err.message : String(err), {}, { cause: err });
  }
  const r = await host.run(writeArgv(req, check), runOptions(ctx, { stdin: req.content }));
  if (r.rc === VALIDATE_FAILED && check.length > 0) {
    const lines = r.stderr.trimEnd().split('\n');
    const rc = /^rc (\d+)$/.exec(lines.pop() ?? '')?.[1] ?? 'none';
    const stderr = lines.join('\n');
    throw new ValidateFailed(ctx.hostName, `failed to validate: rc:${rc} error:${stderr.trim() || r.stdout.trim()}`, { rc: Number(rc), stderr });
  }
  if (r.timedOut) throw new TaskError(ctx.hostName, `cannot write ${req.path}: timed out`, { rc: r.rc, stderr: r.stderr });
  if (r.rc !== 0) throw new TaskError(ctx.hostName, `cannot write ${req.path}: ${r.stderr.trim() || r.stdout.trim() || `exit status ${r.rc}`}`, { rc: r.rc, stderr: r.stderr });
}
