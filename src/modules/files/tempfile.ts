// `tempfile` (Ansible's tempfile): a new, private temporary file (0600) or directory
// (0700) named as Python's mkstemp/mkdtemp name them: prefix, 8 random characters of
// [a-z0-9_], suffix. Always `changed`. Ansible's module has no check mode: the task is
// skipped there, as in Ansible (nothing could say which name it would have).
import { randomInt } from 'node:crypto';
import { z } from 'zod';
import { absPath, argumentSpec } from '../args.js';
import { TaskError } from '../../errors.js';
import { runOptions, script } from '../remote.js';
import { osErrorText } from './py-path.js';
import { defineModule } from '../runner.js';

export const TempfileArgs = argumentSpec({
  state: z.enum(['file', 'directory']).default('file'),
  path: absPath.optional(),
  prefix: z.string().default('ansible.'),
  suffix: z.string().default(''),
});
export type TempfileArgs = z.infer<typeof TempfileArgs>;

// Python's tempfile._RandomNameSequence.characters.
const NAME_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789_';

export function randomName(pick: (n: number) => number = randomInt): string {
  return Array.from({ length: 8 }, () => NAME_CHARS[pick(NAME_CHARS.length)]).join('');
}

// $1 state, $2 directory ('' → $TMPDIR or /tmp, as Python's gettempdir), then names to
// try in turn (mkstemp retries a name taken meanwhile). The file is made with O_EXCL
// (`set -C`): a name planted beforehand (even a dangling symlink) is never followed;
// mkdir never follows either. Exit 2: no such directory (the path that failed on stderr).
export const TEMPFILE_SCRIPT = [
  'export LC_ALL=C',
  'st=$1 d=$2; shift 2; [ -n "$d" ] || d=${TMPDIR:-/tmp}',
  'mk() { if [ "$st" = directory ]; then mkdir -- "$1"; else (set -C; : > "$1"); fi; }',
  'umask 077',
  'for n; do',
  '  case $d in */) p=$d$n;; *) p=$d/$n;; esac',
  '  [ -d "$d" ] || { printf %s "$p" >&2; exit 2; }',
  '  if e=$(mk "$p" 2>&1); then break; fi',
  // Not a name taken meanwhile (then the next one is tried): a real error.
  '  if [ ! -e "$p" ] && [ ! -L "$p" ]; then printf "%s\\n" "$e" >&2; exit 1; fi',
  '  p=',
  'done',
  '[ -n "$p" ] || { echo "No usable temporary file name found" >&2; exit 1; }',
  'printf "%s\\n" "$p"',
  'stat -c "%u %g %a %h %s %F %U %G" -- "$p"',
].join('\n');

/**
 * The script's output → the result: `path` and what AnsibleModule.exit_json adds for a
 * result with a path (add_path_info: uid, gid, owner, group, mode, state, size). Pure.
 */
export function tempfileResult(out: string): Record<string, unknown> {
  const [path = '', st = ''] = out.split('\n');
  const [uid = '', gid = '', mode = '', nlink = '', size = '', ...rest] = st.split(' ');
  const isDir = rest[0] === 'directory';
  // %F is one or two words ("regular empty file"): the names are the last two.
  const [owner = uid, group = gid] = rest.slice(-2);
  return {
    path,
    uid: Number(uid),
    gid: Number(gid),
    owner: owner === 'UNKNOWN' ? uid : owner,
    group: group === 'UNKNOWN' ? gid : group,
    mode: `0${mode.padStart(3, '0')}`,
    state: isDir ? 'directory' : Number(nlink) > 1 ? 'hard' : 'file',
    size: Number(size),
  };
}

export interface TempfileChange {
  state: 'file' | 'directory';
}

export const tempfileModule = defineModule({
  names: ['tempfile'],
  args: TempfileArgs,
  gather: async () => null,
  plan(a) {
    return {
      changes: [{ state: a.state }],
      skippedInCheck: true,
      checkMsg: 'remote module (tempfile) does not support check mode',
    };
  },
  describe: (c: TempfileChange) => `create a temporary ${c.state}`,
  async apply(host, a, c, ctx) {
    const names = Array.from({ length: 3 }, () => `${a.prefix}${randomName()}${a.suffix}`);
    const r = await host.run(script(TEMPFILE_SCRIPT, c.state, a.path ?? '', ...names), runOptions(ctx));
    if (r.rc === 2) throw new TaskError(ctx.hostName, osErrorText('No such file or directory', r.stderr));
    if (r.rc !== 0 || r.timedOut) {
      throw new TaskError(ctx.hostName, `cannot create a temporary ${c.state}: ${r.timedOut ? 'timed out' : r.stderr.trim() || `exit status ${r.rc}`}`, { rc: r.rc, stderr: r.stderr });
    }
    return { msg: '', data: tempfileResult(r.stdout) };
  },
});
