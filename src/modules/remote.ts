// How modules run their own commands on a host: always as argv (quoted word by word
// by the transport), with the task's become, timeout and abort signal.
import { TaskError } from '../errors.js';
import type { Host, RunOptions, RunResult } from '../transport/host.js';
import type { ModuleContext } from './module.js';

export function runOptions(ctx: ModuleContext, extra: RunOptions = {}): RunOptions {
  const opts: RunOptions = { become: ctx.become, signal: ctx.signal, ...extra };
  if (ctx.timeoutMs !== undefined && opts.timeoutMs === undefined) opts.timeoutMs = ctx.timeoutMs;
  return opts;
}

/** Run an argv; a non-zero exit or a timeout is a TaskError naming `what` failed. */
export async function mustRun(host: Host, argv: readonly string[], ctx: ModuleContext, what: string, extra: RunOptions = {}): Promise<RunResult> {
  const r = await host.run(argv, runOptions(ctx, extra));
  if (r.timedOut) throw new TaskError(ctx.hostName, `${what}: timed out`, { rc: r.rc, stderr: r.stderr });
  if (r.rc !== 0) {
    const why = r.stderr.trim() || r.stdout.trim() || `exit status ${r.rc}`;
    throw new TaskError(ctx.hostName, `${what}: ${why}`, { rc: r.rc, stderr: r.stderr });
  }
  return r;
}

/**
 * A `sh -c` script whose values arrive as positional parameters ($1, $2, …), never
 * inside the script text: the script is a constant, so nothing a value contains can
 * be executed. `$0` is the name shown in errors.
 */
export function script(text: string, ...params: string[]): string[] {
  return ['sh', '-c', text, 'kvmplay', ...params];
}
