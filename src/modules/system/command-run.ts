// What `command` and `shell` share (SPEC 6): creates/removes (gathered), the plan with
// Ansible's check-mode wording, running the argv and shaping Ansible's result (rc,
// stdout, stderr, *_lines, cmd, start/end/delta).
import { z } from 'zod';
import type { Host } from '../../transport/host.js';
import { boolish } from '../args.js';
import type { ModuleContext } from '../module.js';
import type { Plan, StepResult } from '../runner.js';
import { runOptions, script } from '../remote.js';
import { splitLines } from '../../util/text.js';

export interface CommandSpec {
  /** What actually runs (never through a shell unless the argv is one). */
  argv: string[];
  /** Ansible's `cmd` in the result: the argv for command, the string for shell. */
  display: string | string[];
  creates?: string;
  removes?: string;
  chdir?: string;
  stdin?: string;
  stdinAddNewline: boolean;
  stripEmptyEnds: boolean;
}

/** The arguments `command` and `shell` both take, with Ansible's names and defaults. */
export const sharedCommandArgs = {
  creates: z.string().min(1).optional(),
  removes: z.string().min(1).optional(),
  chdir: z.string().min(1).optional(),
  stdin: z.string().optional(),
  stdin_add_newline: boolish.default(true),
  strip_empty_ends: boolish.default(true),
};

type SharedCommandArgs = z.infer<z.ZodObject<typeof sharedCommandArgs>>;

/** The parts of a CommandSpec that come straight from the shared arguments. */
export function sharedCommandSpec(a: SharedCommandArgs): Omit<CommandSpec, 'argv' | 'display'> {
  return {
    stdinAddNewline: a.stdin_add_newline,
    stripEmptyEnds: a.strip_empty_ends,
    ...(a.creates !== undefined ? { creates: a.creates } : {}),
    ...(a.removes !== undefined ? { removes: a.removes } : {}),
    ...(a.chdir !== undefined ? { chdir: a.chdir } : {}),
    ...(a.stdin !== undefined ? { stdin: a.stdin } : {}),
  };
}

// Ansible's creates/removes are globs (glob.glob). Unquoted "$1" with IFS empty is
// pathname-expanded but neither split nor otherwise expanded, so a pattern can only
// match names, never run anything. A pattern matching nothing stays literal: -e fails.
export const GLOB_EXISTS_SCRIPT = 'IFS=; for f in $1; do if [ -e "$f" ] || [ -L "$f" ]; then exit 0; fi; done; exit 1';

export async function globExists(host: Host, pattern: string, ctx: ModuleContext, chdir?: string): Promise<boolean> {
  const r = await host.run(script(GLOB_EXISTS_SCRIPT, pattern), runOptions(ctx, chdir !== undefined ? { cwd: chdir } : {}));
  return r.rc === 0;
}

/** Python's str(datetime.now()): `2024-05-01 12:34:56.123456` (local time). */
export function pyTimestamp(d: Date): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}000`;
}

/** Python's str(timedelta): `0:00:01.234000`. */
export function pyDelta(ms: number): string {
  const total = Math.max(0, Math.round(ms));
  const h = Math.floor(total / 3_600_000);
  const m = Math.floor((total % 3_600_000) / 60_000);
  const s = Math.floor((total % 60_000) / 1000);
  return `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}.${String(total % 1000).padStart(3, '0')}000`;
}

/** What gather finds: whether the creates/removes globs match (undefined: not given). */
export interface CommandState {
  creates?: boolean;
  removes?: boolean;
}

export async function gatherCommand(host: Host, spec: Pick<CommandSpec, 'creates' | 'removes' | 'chdir'>, ctx: ModuleContext): Promise<CommandState> {
  const state: CommandState = {};
  if (spec.creates !== undefined) state.creates = await globExists(host, spec.creates, ctx, spec.chdir);
  // Ansible looks at removes only when creates did not skip the command.
  if (spec.removes !== undefined && state.creates !== true) state.removes = await globExists(host, spec.removes, ctx, spec.chdir);
  return state;
}

function skippedBy(spec: CommandSpec, which: 'creates' | 'removes'): Plan<CommandSpec> {
  const pattern = which === 'creates' ? spec.creates : spec.removes;
  const stdout = which === 'creates' ? `skipped, since ${pattern} exists` : `skipped, since ${pattern} does not exist`;
  const why = which === 'creates' ? `'${pattern}' exists` : `'${pattern}' does not exist`;
  return {
    changes: [],
    okMsg: `Did not run command since ${why}`,
    okMsgInCheck: `Would not run command since ${why}`,
    rc: 0,
    stdout,
    stderr: '',
    data: { cmd: spec.display, stdout_lines: [stdout], stderr_lines: [] },
  };
}

/** creates/removes → run the command or not. Pure. */
export function planCommand(spec: CommandSpec, state: CommandState): Plan<CommandSpec> {
  if (state.creates === true) return skippedBy(spec, 'creates');
  if (state.removes === false) return skippedBy(spec, 'removes');
  // Ansible, in check mode: with creates/removes the outcome is known (it would run:
  // changed); without, the task is skipped.
  return {
    changes: [spec],
    checkMsg: 'Command would have run if not in check mode',
    skippedInCheck: spec.creates === undefined && spec.removes === undefined,
    rc: 0,
    data: { cmd: spec.display },
  };
}

export function describeCommand(spec: CommandSpec): string {
  return `run ${typeof spec.display === 'string' ? spec.display : spec.display.join(' ')}`;
}

/** Run the command: Ansible's result (rc, stdout, stderr, *_lines, start/end/delta); a non-zero rc fails the task. */
export async function runCommand(host: Host, ctx: ModuleContext, spec: CommandSpec): Promise<StepResult> {
  const stdin = spec.stdin === undefined ? undefined : spec.stdinAddNewline ? `${spec.stdin}\n` : spec.stdin;
  const start = new Date();
  const r = await host.run(spec.argv, runOptions(ctx, { ...(stdin !== undefined ? { stdin } : {}), ...(spec.chdir !== undefined ? { cwd: spec.chdir } : {}) }));
  const end = new Date();
  const strip = (s: string): string => (spec.stripEmptyEnds ? s.replace(/[\r\n]+$/, '') : s);
  const stdout = strip(r.stdout);
  const stderr = strip(r.stderr);
  const result: StepResult = {
    msg: '',
    rc: r.rc,
    stdout,
    stderr,
    data: {
      cmd: spec.display,
      stdout_lines: splitLines(stdout),
      stderr_lines: splitLines(stderr),
      start: pyTimestamp(start),
      end: pyTimestamp(end),
      delta: pyDelta(end.getTime() - start.getTime()),
    },
  };
  if (r.timedOut) return { ...result, failed: true, msg: `command timed out after ${Math.round((ctx.timeoutMs ?? 0) / 1000)} seconds and was ended` };
  if (r.signal) return { ...result, failed: true, msg: `command was ended by signal ${r.signal}` };
  if (r.rc !== 0) return { ...result, failed: true, msg: 'non-zero return code' };
  return result;
}
