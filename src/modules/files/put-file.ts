// Putting bytes at a path on a host, atomically (SPEC 6): stage a temp file in the
// same directory, validate it, give it its mode and owner, back up the old file,
// then rename it over the target. Readers see the old file or the new one, never
// half of one, and a file that fails `validate` never replaces anything.
//
// Without become the bytes go over SFTP (as the login user). With become they go
// through `sudo sh -c 'cat > tmp'` on stdin, since SFTP cannot write as root.
import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import { TaskError } from '../../errors.js';
import type { Host } from '../../transport/host.js';
import { shlexSplit, ShlexError } from '../../util/shlex.js';
import type { ModuleContext } from '../module.js';
import { mustRun, runOptions, script } from '../remote.js';

export interface PutRequest {
  path: string;
  content: Buffer;
  /** Final mode bits of the file. */
  mode: number;
  /** chown argument for the new file (`user:group`, `user`, `:group`); fails the write if refused. */
  chown: string | null;
  /** `uid:gid` of the file being replaced: carried over when allowed (best effort). */
  keepOwner: string | null;
  /** Back the old file up to this path first (`cp -p`). */
  backupTo: string | null;
  /** `validate` command with `%s` for the staged file. */
  validate?: string;
  /** Create the parent directory first (`mkdir -p`). */
  makeParent?: boolean;
}

const CLEANUP_TIMEOUT_MS = 10_000;

/** A validate command refused the content: nothing was replaced. */
export class ValidateFailed extends TaskError {}

// umask 077: the staged bytes are readable by no one else until they get their mode.
export const STAGE_SCRIPT = 'umask 077 && cat > "$1"';

// chmod/chown the staged file, back up the target, rename. The trap removes the temp
// file whatever fails (after a successful mv it no longer exists).
export const FINISH_SCRIPT = [
  'tmp=$1 dest=$2 mode=$3 own=$4 keep=$5 bak=$6',
  'trap \'rm -f -- "$tmp"\' EXIT',
  'set -e',
  'chmod -- "$mode" "$tmp"',
  'if [ -n "$keep" ]; then chown -- "$keep" "$tmp" 2>/dev/null || :; fi',
  'if [ -n "$own" ]; then chown -- "$own" "$tmp"; fi',
  'if [ -n "$bak" ]; then cp -p -- "$dest" "$bak"; fi',
  'mv -f -- "$tmp" "$dest"',
].join('\n');

/** `.NAME.kvmplay-RANDOM` beside the target: same filesystem, so the rename is atomic. */
export function stagingPath(path: string, random = randomBytes(6).toString('hex')): string {
  return posix.join(posix.dirname(path), `.${posix.basename(path)}.kvmplay-${random}`);
}

/** Ansible's backup name: `dest.PID.YYYY-MM-DD@HH:MM:SS~` (local time). */
export function backupPath(path: string, now = new Date(), pid = process.pid): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}@${p(now.getHours())}:${p(now.getMinutes())}:${p(now.getSeconds())}`;
  return `${path}.${pid}.${stamp}~`;
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

export async function putFile(host: Host, ctx: ModuleContext, req: PutRequest): Promise<void> {
  if (req.makeParent) await mustRun(host, ['mkdir', '-p', '--', posix.dirname(req.path)], ctx, `cannot create the directory of ${req.path}`);
  const tmp = stagingPath(req.path);
  let check: string[] | null = null;
  try {
    check = req.validate === undefined ? null : validateArgv(req.validate, tmp);
  } catch (err) {
    throw new TaskError(ctx.hostName, err instanceof Error ? err.message : String(err), {}, { cause: err });
  }
  try {
    if (ctx.become) {
      await mustRun(host, script(STAGE_SCRIPT, tmp), ctx, `cannot write ${req.path}`, { stdin: req.content });
    } else {
      await host.writeAtomic(tmp, req.content, { mode: 0o600 });
    }
    if (check) {
      const r = await host.run(check, runOptions(ctx));
      if (r.rc !== 0) {
        throw new ValidateFailed(ctx.hostName, `failed to validate: rc:${r.rc ?? 'none'} error:${r.stderr.trim() || r.stdout.trim()}`, { rc: r.rc, stderr: r.stderr });
      }
    }
    const mode = req.mode.toString(8).padStart(4, '0');
    await mustRun(host, script(FINISH_SCRIPT, tmp, req.path, mode, req.chown ?? '', req.keepOwner ?? '', req.backupTo ?? ''), ctx, `cannot replace ${req.path}`);
  } catch (err) {
    // The finish script cleans up after itself; staging or validation failures do not.
    // Not bound to the abort signal: after Ctrl-C the temp file must still go.
    await host.run(['rm', '-f', '--', tmp], runOptions(ctx, { signal: undefined, timeoutMs: CLEANUP_TIMEOUT_MS })).catch(() => undefined);
    throw err;
  }
}
