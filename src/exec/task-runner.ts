// One task (or handler) on one host: `when`, `loop`, the module call with
// `retries`/`until`, `changed_when`/`failed_when`, `register`, `no_log`,
// `ignore_errors`, and the result event. A failure here is the host's own: it is
// returned as a status, never thrown; only an unreachable host (reported, then
// returned) and Ctrl-C (thrown) leave otherwise.
import { InterruptedError, UnreachableError } from '../errors.js';
import type { ItemResult, TaskResultEvent, TaskStatus } from '../output/events.js';
import type { Task } from '../playbook/index.js';
import { renderString } from '../jinja/strings.js';
import { applyResultConditions, judge, resultScope } from './conditions.js';
import type { HostRun } from './host-pool.js';
import { taskScope, topLayers } from './host-vars.js';
import { withLookups } from './lookup-scope.js';
import { isPlainObject } from '../data/py-values.js';
import { isHostFacts } from '../modules/system/facts/facts-parse.js';
import { itemLabel, loopItems, loopVars } from './loop.js';
import { callModule, type CallOutcome } from './module-call.js';
import { failedResult, loopResult, NO_LOG_MSG, secretsOf, skippedResult, statusOf, stringLeaves, type Registered } from './result.js';
import type { PlayRun, RunContext } from './run-context.js';
import type { Scope, VarLayer } from './scope.js';

export interface TaskEnv {
  ctx: RunContext;
  playRun: PlayRun;
  hostRun: HostRun;
  task: Task;
  handler: boolean;
  /** The host's layers under task vars (inventory, play vars, vars_files). */
  playLayers: readonly VarLayer[];
  /** Inside a block with a rescue: a failure is the rescue's to handle (counted as rescued). */
  rescuable?: boolean;
}

export interface TaskOutcome {
  status: TaskStatus;
  /** Failed, and ignore_errors let the host go on. */
  ignored: boolean;
  /** Handler names or topics to notify: the task changed something. */
  notify: string[];
  /** The registered result (for a rescue's ansible_failed_result). */
  result?: Registered;
}

interface Ran {
  result: Registered;
  items: ItemResult[] | undefined;
  itemDiffs: string[];
  secrets: string[];
}

export async function runTask(env: TaskEnv): Promise<TaskOutcome> {
  const { ctx, playRun, hostRun, task, handler } = env;
  const { role } = task;
  const { play } = playRun;
  // Ansible's precedence: the roles' defaults lowest of all (the task's own role's above
  // the others'); the roles' vars above the play's vars_files, the task's role's above those.
  const layers: VarLayer[] = [
    { source: 'role defaults', vars: play.roleDefaults, templated: true },
    ...(role ? [{ source: `role ${role.name} defaults`, vars: role.defaults, templated: true }] : []),
    ...env.playLayers,
    { source: 'role vars', vars: play.roleVars, templated: true },
    ...(role ? [
      { source: `role ${role.name} vars`, vars: role.vars, templated: true },
      { source: `role ${role.name} parameters`, vars: role.params, templated: true },
    ] : []),
    { source: 'task vars', vars: task.vars, templated: true },
    ...topLayers(ctx, playRun, hostRun),
  ];
  const scope = withLookups(taskScope(ctx, layers), ctx, playRun, hostRun.name, task.role?.dir);
  const name = displayName(task, scope, ctx);
  const base = { host: hostRun.name, task: name, play: playRun.play.name, ...(handler ? { handler: true } : {}) };
  ctx.bus.emit({ event: 'task_start', ...base });
  const started = Date.now();

  let ran: Ran;
  try {
    ran = task.loop === undefined ? await runSingle(env, layers) : await runLoop(env, layers, scope, base);
  } catch (err) {
    if (!(err instanceof UnreachableError)) throw err;
    hostRun.state = 'unreachable';
    ctx.bus.emit({ event: 'task', ...base, status: 'unreachable', changed: false, duration_ms: Date.now() - started, msg: err.message });
    return { status: 'unreachable', ignored: false, notify: [] };
  }

  const r = ran.result;
  if (task.register) hostRun.registered[task.register] = r;
  // A facts (setup) task refreshes the host's facts for the tasks after it, as Ansible's setup does.
  if (FACT_MODULES.has(task.module) && !r.failed && isHostFacts(r['facts'])) hostRun.facts = r['facts'];
  // set_fact's variables are the host's from now on, above task vars, as in Ansible.
  if (task.module === 'set_fact') {
    const items = Array.isArray(r['results']) ? (r['results'] as unknown[]) : [r];
    for (const item of items) {
      if (isPlainObject(item) && item['failed'] !== true && isPlainObject(item['ansible_facts'])) Object.assign(hostRun.setFacts, item['ansible_facts']);
    }
  }
  const status = statusOf(r);
  const ignored = status === 'failed' && task.ignoreErrors;
  if (task.noLog) for (const s of ran.secrets) ctx.redactor.add(s);
  const rescued = status === 'failed' && !ignored && env.rescuable === true;
  ctx.bus.emit(resultEvent(task, r, ran, { ...base, status, duration_ms: Date.now() - started, ignored, rescued }));
  const notify = r.changed && !r.failed ? task.notify.map((n) => renderName(n, scope, ctx)) : [];
  return { status, ignored, notify, result: r };
}

const FACT_MODULES: ReadonlySet<string> = new Set(['facts']);

async function runSingle(env: TaskEnv, layers: readonly VarLayer[]): Promise<Ran> {
  const out = await runItem(env, layers);
  return { result: out.result, items: undefined, itemDiffs: [], secrets: env.task.noLog ? secretsOf(out.result, env.task.args, out.args) : [] };
}

async function runLoop(env: TaskEnv, layers: readonly VarLayer[], scope: Scope, base: { host: string; task: string; play: string }): Promise<Ran> {
  const { ctx, task } = env;
  const list = loopItems(task, scope, ctx.templateCache);
  if (!list.ok) return { result: failedResult(list.msg), items: undefined, itemDiffs: [], secrets: [] };
  const results: Registered[] = [];
  const items: ItemResult[] = [];
  const itemDiffs: string[] = [];
  const secrets: string[] = [];
  for (let i = 0; i < list.items.length; i++) {
    if (ctx.signal.aborted) throw new InterruptedError('interrupted');
    const item = list.items[i];
    const vars = loopVars(task, list.items, i);
    const out = await runItem(env, layers, vars);
    const r: Registered = {
      ...out.result,
      [task.loopVar]: item,
      ansible_loop_var: task.loopVar,
      ...(task.indexVar ? { [task.indexVar]: i, ansible_index_var: task.indexVar } : {}),
    };
    results.push(r);
    if (task.noLog) secrets.push(...secretsOf(r, task.args, out.args), ...stringLeaves(item));
    const label = task.noLog ? 'hidden by no_log' : itemLabel(task, item, withLookups(taskScope(ctx, layers, vars), ctx, env.playRun, env.hostRun.name, task.role?.dir), ctx.templateCache);
    const status = statusOf(r);
    const msg = task.noLog ? NO_LOG_MSG : r.msg;
    items.push({ item: label, status, changed: r.changed, msg });
    const diff = typeof r['diff'] === 'string' && r['diff'] !== '' && !task.noLog ? r['diff'] : undefined;
    if (diff) itemDiffs.push(diff);
    ctx.bus.emit({
      event: 'task_item', ...base, handler: env.handler, item: label, status, changed: r.changed, msg,
      ...(diff ? { diff } : {}),
      ...(task.noLog ? {} : outputFields(r)),
    });
  }
  return { result: loopResult(results), items, itemDiffs, secrets };
}

/** One run of the module for the task or one loop item: `when`, then attempts. */
async function runItem(env: TaskEnv, layers: readonly VarLayer[], loop?: Record<string, unknown>): Promise<CallOutcome> {
  const { ctx, task } = env;
  const itemLayers: VarLayer[] = loop ? [...layers, { source: 'loop', vars: loop, templated: false }] : [...layers];
  const scope = withLookups(taskScope(ctx, itemLayers), ctx, env.playRun, env.hostRun.name, task.role?.dir);
  const when = judge(task.when, scope, 'when', task.pos);
  if (!when.ok) return { result: failedResult(when.msg), args: undefined };
  if (!when.holds) return { result: skippedResult(when.falseCondition ?? ''), args: undefined };
  return attempts(env, itemLayers, scope);
}

/** `until`: run again after `delay` seconds while false, `retries` times at most. */
async function attempts(env: TaskEnv, layers: readonly VarLayer[], scope: Scope): Promise<CallOutcome> {
  const { ctx, task } = env;
  const call = { ctx, playRun: env.playRun, hostRun: env.hostRun, task };
  const total = task.until ? Math.max(1, task.retries + 1) : 1;
  for (let attempt = 1; ; attempt++) {
    const out = await callModule(call, scope);
    const r = applyResultConditions(task, out.result, layers);
    if (!task.until) return { result: r, args: out.args };
    const judged: Registered = { ...r, attempts: attempt };
    const until = judge([task.until], resultScope(layers, judged, task.register), 'until', task.pos);
    if (!until.ok) return { result: failedResult(until.msg, { attempts: attempt }), args: out.args };
    if (until.holds) return { result: judged, args: out.args };
    if (attempt >= total) {
      const msg = judged.msg || `"until" condition "${task.until.source}" still false after ${total} attempts`;
      return { result: { ...judged, failed: true, msg }, args: out.args };
    }
    ctx.bus.emit({
      event: 'task_retry', host: env.hostRun.name, task: displayName(task, scope, ctx), play: env.playRun.play.name,
      handler: env.handler, retriesLeft: total - attempt,
    });
    await ctx.sleep(task.delay * 1000, ctx.signal);
  }
}

function resultEvent(
  task: Task,
  r: Registered,
  ran: Ran,
  head: { host: string; task: string; play: string; handler?: boolean; status: TaskStatus; duration_ms: number; ignored: boolean; rescued: boolean },
): TaskResultEvent {
  const { ignored, rescued, ...rest } = head;
  const e: TaskResultEvent = { event: 'task', ...rest, changed: r.changed, msg: task.noLog ? NO_LOG_MSG : r.msg };
  if (ignored) e.ignored = true;
  if (rescued) e.rescued = true;
  if (task.module === 'debug') e.show = true; // Ansible always prints what debug says
  if (ran.items) e.items = ran.items;
  if (typeof r['attempts'] === 'number') e.attempts = r['attempts'];
  if (task.noLog) return e;
  Object.assign(e, outputFields(r));
  const diff = ran.items ? ran.itemDiffs.join('\n') : typeof r['diff'] === 'string' ? r['diff'] : '';
  if (diff) e.diff = diff;
  return e;
}

function outputFields(r: Registered): Pick<TaskResultEvent, 'rc' | 'stdout' | 'stderr'> {
  const out: Pick<TaskResultEvent, 'rc' | 'stdout' | 'stderr'> = {};
  if (typeof r['rc'] === 'number' || r['rc'] === null) out.rc = r['rc'] as number | null;
  if (typeof r['stdout'] === 'string') out.stdout = r['stdout'];
  if (typeof r['stderr'] === 'string') out.stderr = r['stderr'];
  return out;
}

/** The task's name for output: rendered when it can be (no loop variables yet), else as written. */
/** As Ansible's TASK banner: `role : name` for a role's task; the module when unnamed. */
export function displayName(task: Task, scope: Scope, ctx: RunContext): string {
  const name = task.name === undefined ? task.module : renderName(task.name, scope, ctx);
  return task.role ? `${task.role.name} : ${name}` : name;
}

function renderName(text: string, scope: Scope, ctx: RunContext): string {
  if (!text.includes('{{')) return text;
  try {
    const v = renderString(text, scope, { name: 'task name', cache: ctx.templateCache });
    return typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  } catch {
    return text;
  }
}
