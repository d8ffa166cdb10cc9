// Ansible's `async` / `poll` task keywords, for one module call (module-call.ts).
// Polled (`poll` > 0, Ansible's default 10): kvmplay's modules drive the host from here,
// so nothing needs to be polled — the module runs as any other with `async` seconds as
// its deadline (the sooner of it and `timeout`), its result gets the keys Ansible's
// polling adds, and running past `async` fails with Ansible's message. `poll: 0` (fire
// and forget, command and shell only): the command starts detached on the host and the
// task returns its job id at once; async_status reads the job file later (async-job.ts).
import type { ModuleResult, RunModuleContext } from '../modules/module.js';
import type { AnyModule } from '../modules/registry.js';
import { runModule } from '../modules/registry.js';
import { runOptions } from '../modules/remote.js';
import { failure, type Plan } from '../modules/runner.js';
import { finishedJob, launchArgv, newJobId, printedJobFile, recordArgv, startedJob } from '../modules/system/async-job.js';
import { gatherCommand, planCommand, sharedCommandSpec, type CommandSpec } from '../modules/system/command-run.js';
import type { CommandArgs } from '../modules/system/command.js';
import type { ShellArgs } from '../modules/system/shell.js';
import type { Task } from '../playbook/index.js';
import type { Host } from '../transport/host.js';
import { ShlexError, shlexSplit } from '../util/shlex.js';
import { failedResult, type Registered } from './result.js';

type AsyncKeywords = Pick<Task, 'async' | 'poll'>;

/** `async: N` (N > 0) with `poll: 0`: the module starts in the background. */
export function runsInBackground(task: AsyncKeywords): boolean {
  return task.async !== undefined && task.async > 0 && task.poll === 0;
}

/** Seconds a polled async task may run; undefined when the task is not one. */
function pollLimit(task: AsyncKeywords): number | undefined {
  return task.async !== undefined && task.async > 0 && task.poll > 0 ? task.async : undefined;
}

export interface TaskDeadline {
  /** undefined: no deadline. */
  seconds: number | undefined;
  /** `async` set it (it was sooner than `timeout`): running past it fails with Ansible's async message. */
  byAsync: boolean;
}

/** The task's deadline: `timeout` (or --step-timeout) and a polled `async`, whichever ends sooner. */
export function taskDeadline(task: AsyncKeywords, timeoutS: number | undefined): TaskDeadline {
  const asyncS = pollLimit(task);
  if (asyncS !== undefined && (timeoutS === undefined || asyncS <= timeoutS)) return { seconds: asyncS, byAsync: true };
  return { seconds: timeoutS, byAsync: false };
}

/** Ansible's result when a polled task did not finish within its `async` seconds. */
export function asyncTimedOut(task: AsyncKeywords): Registered {
  return failedResult(`async task did not complete within the requested time - ${task.async ?? 0}s`, {
    async_result: { ansible_job_id: newJobId(), started: 1, finished: 0 },
  });
}

/** A polled task's result as Ansible's polling returns it: the module's, with the job's keys. */
export function withJobKeys(task: AsyncKeywords, r: Registered): Registered {
  if (pollLimit(task) === undefined) return r;
  return { ...r, ansible_job_id: newJobId(), started: 1, finished: 1 };
}

/** Run the task's module on `host`: started in the background for `poll: 0`, else as usual. */
export function runTaskModule(task: AsyncKeywords, mod: AnyModule, host: Host, args: unknown, ctx: RunModuleContext): Promise<ModuleResult> {
  if (!runsInBackground(task)) return runModule(mod, host, args, ctx);
  return startInBackground(mod, host, args, ctx, task.async ?? 0);
}

/** What command or shell would run, from its parsed arguments (as their plans build it). */
export function backgroundSpec(module: string, args: unknown): CommandSpec | { fail: string } {
  if (module === 'shell') {
    const a = args as ShellArgs;
    return { argv: [a.executable ?? '/bin/sh', '-c', a.cmd], display: a.cmd, ...sharedCommandSpec(a) };
  }
  if (module !== 'command') return { fail: `poll: 0 runs command and shell only in kvmplay, not ${module}` };
  const a = args as CommandArgs;
  let argv: string[];
  try {
    argv = a.argv ?? shlexSplit(a.cmd ?? '', { comments: false });
  } catch (err) {
    if (err instanceof ShlexError) return { fail: `cannot split the command: ${err.message}` };
    throw err;
  }
  if (argv.length === 0) return { fail: 'no command given' };
  return { argv, display: argv, ...sharedCommandSpec(a) };
}

/**
 * `poll: 0`: start the command detached and return its job. What is decided without
 * running it — check mode (the module's check-mode result) or creates/removes saying
 * it need not run — is written as a finished job, as Ansible's wrapper records the
 * module's result then; the task reports the job started and changed either way.
 */
async function startInBackground(mod: AnyModule, host: Host, args: unknown, ctx: RunModuleContext, limitS: number): Promise<ModuleResult> {
  const spec = backgroundSpec(mod.name, args);
  if ('fail' in spec) return { changed: false, failed: true, msg: spec.fail };
  const jid = newJobId();
  const { check, ...mctx } = ctx;
  try {
    if (check) return await recordJob(host, mctx, jid, await runModule(mod, host, args, ctx));
    const plan = planCommand(spec, await gatherCommand(host, spec, mctx));
    if (plan.changes.length === 0) return await recordJob(host, mctx, jid, notRun(plan));
    const stdin = spec.stdin === undefined ? undefined : spec.stdinAddNewline ? `${spec.stdin}\n` : spec.stdin;
    const launch = launchArgv({
      jid, limitS, argv: spec.argv, display: spec.display, stripEmptyEnds: spec.stripEmptyEnds,
      ...(spec.chdir !== undefined ? { chdir: spec.chdir } : {}),
      ...(stdin !== undefined ? { stdin } : {}),
    });
    const r = await host.run(launch, runOptions(mctx, stdin !== undefined ? { stdin } : {}));
    return started(jid, r, 'start the job');
  } catch (err) {
    return failure(err, { changed: false, data: {} });
  }
}

/** The result of a command that creates/removes kept from running (its plan has no change). */
function notRun(plan: Plan<CommandSpec>): ModuleResult {
  return {
    changed: false,
    msg: plan.okMsg ?? '',
    ...(plan.rc !== undefined ? { rc: plan.rc } : {}),
    ...(plan.stdout !== undefined ? { stdout: plan.stdout } : {}),
    ...(plan.stderr !== undefined ? { stderr: plan.stderr } : {}),
    ...(plan.data ? { data: plan.data } : {}),
  };
}

async function recordJob(host: Host, ctx: Omit<RunModuleContext, 'check'>, jid: string, result: ModuleResult): Promise<ModuleResult> {
  const r = await host.run(recordArgv(jid, finishedJob(jid, result)), runOptions(ctx));
  return started(jid, r, 'record the job');
}

function started(jid: string, r: { rc: number | null; stdout: string; stderr: string; timedOut?: boolean }, what: string): ModuleResult {
  const path = printedJobFile(r.stdout);
  if (r.rc === 0 && path !== undefined) return startedJob(jid, path);
  // The scripts say why in a sentence of their own (a chdir that failed, setsid missing).
  const msg = r.timedOut ? `async: could not ${what}: timed out` : r.stderr.trim() || `async: could not ${what}: exit status ${r.rc ?? 'none'}`;
  return { changed: false, failed: true, msg, rc: r.rc, stderr: r.stderr };
}
