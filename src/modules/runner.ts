// The module runner (STYLE 2): every module is declared once — names, zod arguments,
// gather → plan → apply — and this file alone runs that lifecycle. It decides check
// mode (apply is never called: the plan is reported with "would …"), `changed`, the
// diff, and the failure shape: any error becomes one Ansible-shaped result that keeps
// rc, stdout, stderr, msg and the module's data for `register:`. pyinfra's operations
// and ansible-core's AnsibleModule share this split; modules never see check mode.
import type { z } from 'zod';
import { InterruptedError, TaskError, UnreachableError } from '../errors.js';
import type { Host } from '../transport/host.js';
import type { ModuleContext, ModuleResult, RunModuleContext } from './module.js';

/** Result fields a module registers (`dest`, `checksum`, parsed output, …). */
export type ResultData = Record<string, unknown>;

/** Command output a plan or a step carries into the result (`command`, `virsh`). */
export interface CommandOutput {
  rc?: number | null;
  stdout?: string;
  stderr?: string;
}

/** What plan() says when the wanted state cannot be reached: the task fails, nothing runs. */
export interface PlanFailure extends CommandOutput {
  fail: string;
  data?: ResultData;
}

/** What plan() says should change. An empty `changes` list: the host is as wanted. */
export interface Plan<C> extends CommandOutput {
  changes: C[];
  data?: ResultData;
  /** The message when nothing changes (default "up to date"). */
  okMsg?: string;
  /** Ansible's wording for a no-op in check mode, where it has its own ("Would not run …"). */
  okMsgInCheck?: string;
  /** The message in check mode, where Ansible has its own wording (default: "would …" per change). */
  checkMsg?: string;
  /** Check mode cannot tell what would happen: the task is `skipped` (Ansible's command). */
  skippedInCheck?: boolean;
  /** Nothing to do, and the task says `skipped` rather than ok (Ansible's script when `creates` exists). */
  skippedWhenNothing?: boolean;
  /** Unified diff of what the changes do (for --diff); only called when asked for. */
  diff?: () => string;
}

/** What one applied change reports; nothing (void) means: done, as described. */
export interface StepResult extends CommandOutput {
  /** Checked afterwards: nothing changed after all (libvirt normalised a define to the same XML). */
  noop?: boolean;
  /** The step ran and its outcome is a failure (a command's non-zero rc, a rolled-back bridge). */
  failed?: boolean;
  /** What was done (default: the change's description). */
  msg?: string;
  /** The diff of what was really done (replaces the plan's estimate). */
  diff?: string;
  data?: ResultData;
}

export interface ModuleDefinition<A, S, C> {
  /** The task key and the other names it answers to (`ansible.builtin.*` is added by the registry). */
  names: readonly [string, ...string[]];
  args: z.ZodType<A>;
  /**
   * Ansible's free-form string (`shell: "echo ok > f"`): the argument a string value
   * goes to, merged with the task's `args:`. Absent: the module takes a map only.
   */
  freeForm?: string;
  /** Read what the plan needs from the host (one round trip where possible) and local inputs. */
  gather(host: Host, args: A, ctx: ModuleContext): Promise<S>;
  /** Pure: wanted (args) vs current (state) → changes. */
  plan(args: A, state: S): Plan<C> | PlanFailure;
  /** The change in the imperative ("install libvirt-daemon"): "would …" in check mode. */
  describe(change: C): string;
  /**
   * false: check mode does not report this change, because it cannot tell that it
   * will change anything (a package cache refresh; a libvirt define whose estimate sees
   * no difference). A real run still applies it, and its apply says whether it did (noop).
   */
  counts?(change: C): boolean;
  /** Make one change. Never called in check mode. */
  apply(host: Host, args: A, change: C, ctx: ModuleContext, state: S): Promise<StepResult | void>;
}

/** A module with its types erased so that all modules share one registry. */
export interface Module {
  readonly name: string;
  readonly names: readonly string[];
  readonly args: z.ZodType<unknown>;
  readonly freeForm?: string;
  /** Run with arguments that went through `args` (the caller guarantees it). */
  run(host: Host, parsedArgs: unknown, ctx: RunModuleContext): Promise<ModuleResult>;
}

export function defineModule<A, S, C>(def: ModuleDefinition<A, S, C>): Module {
  return {
    name: def.names[0],
    names: def.names,
    args: def.args as z.ZodType<unknown>,
    ...(def.freeForm !== undefined ? { freeForm: def.freeForm } : {}),
    // `args.parse(raw)` gave exactly an A: the registry pairs the two.
    run: (host, parsedArgs, ctx) => runLifecycle(def, host, parsedArgs as A, ctx),
  };
}

async function runLifecycle<A, S, C>(def: ModuleDefinition<A, S, C>, host: Host, args: A, ctx: RunModuleContext): Promise<ModuleResult> {
  const { check, ...mctx } = ctx;
  let data: ResultData = {};
  let state: S;
  let planned: Plan<C> | PlanFailure;
  try {
    state = await def.gather(host, args, mctx);
    planned = def.plan(args, state);
  } catch (err) {
    return failure(err, { changed: false, data });
  }
  if ('fail' in planned) return { changed: false, failed: true, msg: planned.fail, ...output(planned), ...withData(planned.data) };
  const plan = planned;
  data = { ...plan.data };
  const base = { ...output(plan), ...withData(data) };
  const reported = def.counts ? plan.changes.filter((c) => def.counts?.(c) !== false) : plan.changes;
  if (plan.changes.length === 0 || (check && reported.length === 0)) {
    return {
      changed: false, msg: (check ? plan.okMsgInCheck : undefined) ?? plan.okMsg ?? 'up to date',
      ...(plan.skippedWhenNothing && plan.changes.length === 0 ? { skipped: true } : {}),
      ...base,
    };
  }
  // The plan's diff is an estimate where a step reports the real one: made only when shown.
  const planDiff = (): string | undefined => (ctx.diff && plan.diff ? plan.diff() : undefined);
  if (check) {
    const diff = planDiff();
    return {
      changed: !plan.skippedInCheck,
      ...(plan.skippedInCheck ? { skipped: true } : {}),
      msg: plan.checkMsg ?? reported.map((c) => wouldPhrase(def.describe(c))).join(', '),
      ...(diff ? { diff } : {}),
      ...base,
    };
  }

  const done: string[] = [];
  const diffs: string[] = [];
  let realDiff = false;
  let out: CommandOutput = output(plan);
  let failedMsg: string | undefined;
  for (const change of plan.changes) {
    let step: StepResult | void;
    try {
      step = await def.apply(host, args, change, mctx, state);
    } catch (err) {
      // What was done before the error still counts as changed.
      return failure(err, { changed: done.length > 0, data, diff: ctx.diff ? joinDiffs(diffs, realDiff, planDiff) : undefined });
    }
    if (step?.data) data = { ...data, ...step.data };
    if (step) out = { ...out, ...output(step) };
    if (step?.diff !== undefined) {
      realDiff = true;
      if (step.diff !== '') diffs.push(step.diff);
    }
    if (!step?.noop) done.push(step?.msg ?? def.describe(change));
    if (step?.failed) {
      failedMsg = step.msg ?? `${def.describe(change)}: failed`;
      break;
    }
  }
  const diff = ctx.diff && done.length > 0 ? joinDiffs(diffs, realDiff, planDiff) : undefined;
  return {
    changed: done.length > 0,
    ...(failedMsg !== undefined ? { failed: true } : {}),
    msg: failedMsg ?? (done.length > 0 ? done.join(', ') : plan.okMsg ?? 'up to date'),
    ...(diff ? { diff } : {}),
    ...output(out),
    ...withData(data),
  };
}

/** Check mode's wording of a change. */
export function wouldPhrase(description: string): string {
  return `would ${description}`;
}

function joinDiffs(diffs: string[], real: boolean, planDiff: () => string | undefined): string | undefined {
  if (real) return diffs.length > 0 ? diffs.join('\n') : undefined;
  return planDiff();
}

function output(o: CommandOutput): CommandOutput {
  return {
    ...(o.rc !== undefined ? { rc: o.rc } : {}),
    ...(o.stdout !== undefined ? { stdout: o.stdout } : {}),
    ...(o.stderr !== undefined ? { stderr: o.stderr } : {}),
  };
}

function withData(data: ResultData | undefined): { data?: ResultData } {
  return data && Object.keys(data).length > 0 ? { data } : {};
}

/**
 * Any error from gather, plan or apply → a failed result. Unreachable hosts and
 * Ctrl-C are not a task's failure: the engine handles them, so they go up.
 */
export function failure(err: unknown, at: { changed: boolean; data: ResultData; diff?: string | undefined }): ModuleResult {
  if (err instanceof UnreachableError || err instanceof InterruptedError) throw err;
  const r: ModuleResult = { changed: at.changed, failed: true, msg: err instanceof Error ? err.message : String(err), ...withData(at.data) };
  if (at.diff) r.diff = at.diff;
  if (err instanceof TaskError) {
    if (err.rc !== null) r.rc = err.rc;
    if (err.stdout !== '') r.stdout = err.stdout;
    if (err.stderr !== '') r.stderr = err.stderr;
    if (err.data) r.data = { ...r.data, ...err.data };
  }
  return r;
}
