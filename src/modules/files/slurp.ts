// `slurp` (Ansible's slurp): a file's bytes, base64-encoded, in the registered result.
// One command; nothing changes.
import { absPath, argumentSpec } from '../args.js';
import { runOptions, script } from '../remote.js';
import { defineModule } from '../runner.js';
import { TaskError } from '../../errors.js';
import { osErrorText } from './py-path.js';
import type { z } from 'zod';

export const SlurpArgs = argumentSpec({ src: absPath.optional() }, { aliases: { src: ['path'] }, required: ['src'] });
export type SlurpArgs = z.infer<typeof SlurpArgs>;

// Exit 2/3/4: missing, unreadable, a directory (slurp.py's three named errors, in the
// order open() meets them); 5: another error (its strerror on stderr); otherwise the
// content as one base64 line. The open follows a symlink as Python's does.
export const SLURP_SCRIPT = [
  'export LC_ALL=C',
  'p=$1',
  // coreutils' message keeps the strerror (dash's says "No such file" for ENOTDIR too).
  'if ! e=$(head -c0 -- "$p" 2>&1); then',
  `  case $e in *'No such file or directory'*) exit 2;; *'Permission denied'*) exit 4;; esac`,
  '  printf "%s\\n" "${e##*: }" >&2; exit 5',
  'fi',
  '[ -d "$p" ] && exit 3',
  'base64 -w0 < "$p"',
].join('\n');

export type SlurpOutcome = { content: string } | { error: string };

/** The script's exit status → slurp.py's message. Pure. */
export function slurpOutcome(src: string, rc: number | null, stdout: string, stderr: string): SlurpOutcome {
  switch (rc) {
    case 0: return { content: stdout.trim() };
    case 2: return { error: `file not found: ${src}` };
    case 3: return { error: `source is a directory and must be a file: ${src}` };
    case 4: return { error: `file is not readable: ${src}` };
    default: return { error: `unable to slurp file: ${rc === 5 ? osErrorText(stderr.trim(), src) : stderr.trim() || `exit status ${rc}`}` };
  }
}

export const slurpModule = defineModule({
  names: ['slurp'],
  args: SlurpArgs,
  async gather(host, a, ctx): Promise<SlurpOutcome> {
    const r = await host.run(script(SLURP_SCRIPT, a.src), runOptions(ctx));
    if (r.timedOut) throw new TaskError(ctx.hostName, `cannot read ${a.src}: timed out`, { rc: r.rc, stderr: r.stderr });
    return slurpOutcome(a.src, r.rc, r.stdout, r.stderr);
  },
  plan(a, s) {
    if ('error' in s) return { fail: s.error };
    return { changes: [], okMsg: '', data: { content: s.content, source: a.src, encoding: 'base64' } };
  },
  describe: () => '',
  apply: async () => undefined,
});
