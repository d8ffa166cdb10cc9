// One module run for one host (and loop item): render the task's arguments with the
// host's variables, drop `omit`ted ones, check them again with the module's own
// schema (a template may have rendered to the wrong type), and run the module.
// Template and argument errors fail the task with the task's position; an
// unreachable host or Ctrl-C is thrown to the host's loop.
import { VaultText } from '../data/py-values.js';
import { InterruptedError, UnreachableError } from '../errors.js';
import { ExprError } from '../jinja/index.js';
import type { ModuleResult, RunModuleContext } from '../modules/module.js';
import { asyncTimedOut, runTaskModule, taskDeadline, withJobKeys } from './async-task.js';
import { validateModuleArgs, type Task } from '../playbook/index.js';
import { where } from './conditions.js';
import type { HostRun } from './host-pool.js';
import { OMIT } from './host-vars.js';
import { localAccess } from './local-source.js';
import { taskBecome } from './task-become.js';
import { failedResult, fromModule, type Registered } from './result.js';
import type { PlayRun, RunContext } from './run-context.js';
import { renderDeep, type Scope } from './scope.js';
import { renderString } from '../jinja/strings.js';
import { CONTROL_NAMES } from '../inventory/index.js';
import { pyStr } from '../jinja/values.js';
import type { Host } from '../transport/host.js';
import { withRunDefaults } from '../transport/task-host.js';
import { isPlainObject } from '../data/py-values.js';

const DEADLINE_GRACE_MS = 5_000;
/** -vvv, as Ansible prints the commands it sends. */
const TRACE_VERBOSITY = 3;

export interface ModuleCall {
  ctx: RunContext;
  playRun: PlayRun;
  hostRun: HostRun;
  task: Task;
}

export interface CallOutcome {
  result: Registered;
  /** The rendered arguments (undefined when rendering failed): no_log redacts from them. */
  args: unknown;
}

export async function callModule(call: ModuleCall, scope: Scope): Promise<CallOutcome> {
  const { ctx, playRun, hostRun, task } = call;
  let args: Record<string, unknown>;
  try {
    args = dropOmitted(renderDeep(task.args, scope, `${where(task.pos)} (task arguments)`, ctx.templateCache)) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof ExprError) return { result: failedResult(err.message), args: undefined };
    throw err;
  }
  const sealed = vaultedArgument(args);
  if (sealed !== undefined) {
    return { result: failedResult(`${where(task.argPos(sealed))}: argument "${sealed}" holds a vault-encrypted value that no vault password opened: give --vault-password-file, --vault-id or --ask-vault-pass`), args };
  }
  const target = executionHost(call, scope);
  if ('fail' in target) return { result: failedResult(target.fail), args };
  const mod = ctx.findModule(task.module);
  if (!mod) return { result: failedResult(`${where(task.pos)}: unknown module "${task.module}"`), args };
  const parsed = validateModuleArgs(mod, args);
  if (!parsed.ok) {
    const first = parsed.issues[0]?.path[0];
    const pos = typeof first === 'string' ? task.argPos(first) : task.pos;
    return { result: failedResult(`${where(pos)}: ${parsed.message} (after templating)`), args };
  }

  const escalation = taskBecome(task, playRun.play, scope, hostRun.spec);
  if ('fail' in escalation) return { result: failedResult(`${where(task.pos)}: ${escalation.fail}`), args };
  const { become, user: becomeUser, method: becomeMethod } = escalation;
  const env = taskEnvironment(call, scope);
  if ('fail' in env) return { result: failedResult(env.fail), args };
  // The task's become_user, become_method and environment reach every command the module runs.
  // -vvv: each command and transfer is said before it runs, as Ansible's <host> EXEC lines (not for no_log tasks).
  const trace = (ctx.options.verbosity ?? 0) >= TRACE_VERBOSITY && !task.noLog
    ? (line: string): void => ctx.bus.emit({ event: 'notice', level: 'info', msg: `<${hostRun.name}> ${line}` })
    : undefined;
  const host = becomeUser === undefined && becomeMethod === undefined && env.env === undefined && trace === undefined
    ? target.host
    : withRunDefaults(target.host, {
      ...(becomeUser !== undefined ? { becomeUser } : {}), ...(becomeMethod ? { becomeMethod } : {}), ...(env.env ? { env: env.env } : {}), ...(trace ? { trace } : {}),
    });
  // A polled `async: N` is a deadline too: the sooner of it and `timeout` ends the module (async-task.ts).
  const limit = taskDeadline(task, task.timeout ?? (ctx.options.stepTimeoutMs === undefined ? undefined : ctx.options.stepTimeoutMs / 1000));
  const timeoutS = limit.seconds;
  const timeoutMs = timeoutS === undefined ? undefined : Math.round(timeoutS * 1000);
  // Modules end their own commands at timeoutMs and say so; this deadline, a little
  // later, also ends a module stuck elsewhere (a file transfer, a wait loop).
  const deadline = timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs + Math.min(DEADLINE_GRACE_MS, timeoutMs));
  const mctx: RunModuleContext = {
    hostName: hostRun.name,
    check: task.checkMode ?? ctx.options.check,
    verbosity: ctx.options.verbosity ?? 0,
    diff: task.diff ?? ctx.options.diff,
    become,
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    signal: deadline ? AbortSignal.any([ctx.signal, deadline]) : ctx.signal,
    vars: scope,
    ...localAccess(ctx, playRun.play.dir, scope, task.role?.dir, task.pos.file),
  };
  // The module runner turns every failure of the module into a result (rc, stdout,
  // stderr and data kept); only an unreachable host or Ctrl-C come up as errors.
  // Ctrl-C or the task's deadline ended the module: whatever it made of that, say so.
  const timedOut = (): CallOutcome => ({
    result: limit.byAsync ? asyncTimedOut(task) : failedResult(`${where(task.pos)}: the task ran past its timeout of ${timeoutS} s and was ended`),
    args,
  });
  const startedAt = Date.now();
  let result: ModuleResult;
  try {
    result = await runTaskModule(task, mod, host, parsed.args, mctx);
  } catch (err) {
    if (!ctx.signal.aborted && deadline?.aborted && !(err instanceof UnreachableError)) return timedOut();
    throw err;
  }
  if (ctx.signal.aborted) throw new InterruptedError('interrupted');
  if (deadline?.aborted && result.failed) return timedOut();
  // A module that ended its own command at the async deadline failed for that reason too.
  if (limit.byAsync && result.failed && Date.now() - startedAt >= (timeoutMs ?? 0)) return timedOut();
  // Ansible prints a module's `warnings` as [WARNING] lines; they stay in the result too.
  const warnings = result.data?.['warnings'];
  if (Array.isArray(warnings)) {
    for (const w of warnings) ctx.bus.emit({ event: 'notice', level: 'warning', msg: `${hostRun.name}: ${String(w)}` });
  }
  return { result: withJobKeys(task, fromModule(result)), args };
}


/**
 * Where the module runs: the host itself, or its `delegate_to` — another inventory host
 * (over that host's connection) or the control machine. The variables stay the task's host's.
 */
function executionHost(call: ModuleCall, scope: Scope): { host: Host } | { fail: string } {
  const { ctx, hostRun, task } = call;
  // `connection: local` (the task's, else the play's): the control machine, as Ansible's local connection.
  if (task.delegateTo === undefined && (task.connection ?? call.playRun.play.connection) === 'local') return { host: ctx.controlHost() };
  if (task.delegateTo === undefined) return { host: hostRun.host };
  let name: string;
  try {
    name = String(renderString(task.delegateTo, scope, { name: `${where(task.pos)} (delegate_to)`, cache: ctx.templateCache }));
  } catch (err) {
    if (err instanceof ExprError) return { fail: err.message };
    throw err;
  }
  if (ctx.inventory.hasHost(name)) return { host: ctx.hosts.get(name).host };
  if (CONTROL_NAMES.has(name)) return { host: ctx.controlHost() };
  return { fail: `${where(task.pos)}: delegate_to "${name}": no such host in the inventory (localhost is the control machine)` };
}

/**
 * The task's `environment`: the play's, then each enclosing block's, then the task's own,
 * rendered and merged (later names win); values become strings as Ansible's do.
 */
function taskEnvironment(call: ModuleCall, scope: Scope): { env: Record<string, string> | undefined } | { fail: string } {
  const { ctx, playRun, task } = call;
  const written = [playRun.play.environment, ...task.environment].filter((e) => e !== undefined && e !== null);
  if (written.length === 0) return { env: undefined };
  const env: Record<string, string> = {};
  try {
    for (const raw of written) {
      const value = renderDeep(raw, scope, `${where(task.pos)} (environment)`, ctx.templateCache);
      for (const map of Array.isArray(value) ? value : [value]) {
        if (!isPlainObject(map)) return { fail: `${where(task.pos)}: environment must be a map of variables, got ${JSON.stringify(map)?.slice(0, 100) ?? String(map)}` };
        for (const [k, v] of Object.entries(map)) if (v !== OMIT) env[k] = pyStr(v);
      }
    }
  } catch (err) {
    if (err instanceof ExprError) return { fail: err.message };
    throw err;
  }
  return { env };
}

/** Ansible's `omit`: map entries whose value is the omit placeholder are left out. */
export function dropOmitted(v: unknown): unknown {
  if (Array.isArray(v)) return v.filter((x) => x !== OMIT).map(dropOmitted);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (x === OMIT) continue;
      Object.defineProperty(out, k, { value: dropOmitted(x), enumerable: true, configurable: true, writable: true });
    }
    return out;
  }
  return v;
}

/** The first argument that holds a `!vault` value still encrypted (run without its password), if any. */
function vaultedArgument(args: Record<string, unknown>): string | undefined {
  const sealed = (v: unknown): boolean =>
    v instanceof VaultText || (Array.isArray(v) ? v.some(sealed) : isPlainObject(v) ? Object.values(v).some(sealed) : false);
  return Object.keys(args).find((k) => sealed(args[k]));
}
