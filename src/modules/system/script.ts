// `script` (ansible.builtin.script): a local script (found as copy's `src` is: beside
// the playbook, in files/, in the role) sent to the host and run there with its
// arguments, then removed. As Ansible does, the arguments after the path are shell text
// (the free form `script: files/x.sh --name "a b"`), `executable` runs the script
// through that program, `creates`/`removes`/`chdir` are command's. Changed when it
// runs; skipped when creates/removes leave nothing to do, and in check mode unless they
// decide; non-zero rc fails. Unlike Ansible (which runs it on a terminal), stdout and
// stderr stay apart.
import { z } from 'zod';
import { shlexSplit, ShlexError } from '../../util/shlex.js';
import { describeCommand, gatherCommand, planCommand, runCommand, type CommandSpec, type CommandState } from './command-run.js';
import type { ModuleContext } from '../module.js';
import { defineModule, type Plan, type PlanFailure } from '../runner.js';
import { mustRun, script } from '../remote.js';
import type { Host } from '../../transport/host.js';

export const ScriptArgs = z.object({
  cmd: z.string().min(1, { error: 'script needs the path of a local script' }),
  creates: z.string().min(1).optional(),
  removes: z.string().min(1).optional(),
  chdir: z.string().min(1).optional(),
  executable: z.string().min(1).optional(),
  decrypt: z.boolean().optional(),
}).strict();
export type ScriptArgs = z.infer<typeof ScriptArgs>;

interface ScriptState extends CommandState {
  /** The script as found on the control machine; undefined when the free form did not parse. */
  local?: { path: string; content: Buffer };
  /** The arguments after the path, as written (shell text). */
  args: string;
  error?: string;
}

/** The free form split into the script's path and the rest (kept as written). */
export function splitScript(cmd: string): { path: string; args: string } {
  const words = shlexSplit(cmd, { comments: false });
  const path = words[0] ?? '';
  // The rest of the line after the first word, untouched: the shell reads it on the host.
  const m = /^\s*(?:'[^']*'|"(?:[^"\\]|\\.)*"|\S)+/.exec(cmd);
  return { path, args: m ? cmd.slice(m[0].length).trim() : '' };
}

async function gather(host: Host, a: ScriptArgs, ctx: ModuleContext): Promise<ScriptState> {
  let split: { path: string; args: string };
  try {
    split = splitScript(a.cmd);
  } catch (err) {
    if (err instanceof ShlexError) return { args: '', error: `cannot split the command: ${err.message}` };
    throw err;
  }
  const state: ScriptState = { ...(await gatherCommand(host, a, ctx)), args: split.args };
  try {
    state.local = await ctx.readLocalFile(split.path, { decrypt: a.decrypt ?? true });
  } catch (err) {
    state.error = `Could not find or access '${split.path}' on the Ansible Controller: ${err instanceof Error ? err.message : String(err)}`;
  }
  return state;
}

// Run on the host: the script's folder ($1) is removed whatever the script did.
const RUN = 'd=$1; shift; sh -c "$@"; rc=$?; rm -rf -- "$d"; exit $rc';

export const scriptModule = defineModule({
  names: ['script'],
  args: ScriptArgs,
  freeForm: 'cmd',
  gather,
  plan(a, state): Plan<CommandSpec & { local: Buffer }> | PlanFailure {
    if (state.error !== undefined || state.local === undefined) return { fail: state.error ?? 'no script' };
    const plan = planCommand({ argv: [], display: a.cmd, stdinAddNewline: false, stripEmptyEnds: true, ...pick(a) }, state);
    // Ansible's script says `skipped` when creates/removes leave it nothing to do.
    return {
      ...plan, skippedWhenNothing: true,
      changes: plan.changes.map((spec) => ({ ...spec, local: state.local!.content, display: a.cmd, argv: [state.args] })),
    };
  },
  describe: (spec) => describeCommand(spec),
  async apply(host, a, spec, ctx) {
    // The script goes to a fresh folder of the user it runs as (become), executable by it only.
    const made = await mustRun(host, script('d=$(mktemp -d) && cat > "$d/script" && chmod 0700 "$d/script" && printf %s "$d"'), ctx, 'script: cannot send the script', { stdin: spec.local });
    const dir = made.stdout.trim();
    const run = `${a.executable === undefined ? '' : `${a.executable} `}"$0/script"${spec.argv[0] ? ` ${spec.argv[0]}` : ''}`;
    return runCommand(host, ctx, { ...spec, argv: ['sh', '-c', RUN, 'kvmplay', dir, run, dir] });
  },
});

function pick(a: ScriptArgs): Pick<CommandSpec, 'creates' | 'removes' | 'chdir'> {
  return {
    ...(a.creates !== undefined ? { creates: a.creates } : {}),
    ...(a.removes !== undefined ? { removes: a.removes } : {}),
    ...(a.chdir !== undefined ? { chdir: a.chdir } : {}),
  };
}
