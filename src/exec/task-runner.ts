// One task (or handler) on one host: `when`, `loop`, the module call with
// `retries`/`until`, `changed_when`/`failed_when`, `register`, `no_log`,
// `ignore_errors`, and the result event. A failure here is the host's own: it is
// returned as a status, never thrown; only an unreachable host (reported, then
// returned) and Ctrl-C (thrown) leave otherwise.
import { InterruptedError, UnreachableError, ValidationError } from '../errors.js';
import type { ItemResult, TaskResultEvent, TaskStatus } from '../output/events.js';
import type { IncludedTasks, Task } from '../playbook/index.js';
import { renderString } from '../jinja/strings.js';
import { applyResultConditions, judge, resultScope } from './conditions.js';
import type { HostRun } from './host-pool.js';
import { taskScope, topLayers } from './host-vars.js';
import { applyInventoryChange } from './inventory-changes.js';
import { withLookups } from './lookup-scope.js';
import { isPlainObject, setKey } from '../data/py-values.js';
import { isHostFacts } from '../modules/system/facts/facts-parse.js';
import { mergeHostFacts } from '../modules/system/facts/fact-select.js';
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
  /** Variables enclosing include_tasks set for their file's tasks (their loop item…), outermost first. */
  includeLayers?: readonly VarLayer[];
}

/** One file an include_tasks brought in for the host, with the variables of its loop item. */
export interface Inclusion {
  tasks: IncludedTasks;
  vars: Record<string, unknown>;
}

export interface TaskOutcome {
  status: TaskStatus;
  /** Failed, and ignore_errors let the host go on. */
  ignored: boolean;
  /** Handler names or topics to notify: the task changed something. */
  notify: string[];
  /** The registered result (for a rescue's ansible_failed_result). */
  result?: Registered;
  /** include_tasks: the files to run now, in order. */
  included?: Inclusion[];
}

interface Ran {
  result: Registered;
  items: ItemResult[] | undefined;
  itemDiffs: string[];
  secrets: string[];
  included: Inclusion[];
}

export async function runTask(given: TaskEnv): Promise<TaskOutcome> {
  const layers = taskLayers(given);
  const env = given.task.flagTemplates ? { ...given, task: withRenderedFlags(given, layers) } : given;
  const { ctx, playRun, hostRun, task, handler } = env;
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
  // delegate_facts: what a delegated facts, set_fact or include_vars task learns belongs to the delegate.
  const owner = task.delegateFacts ? delegateRun(env, scope) : hostRun;
  // Merged as Ansible's fact cache does: a filtered or gather_subset setup keeps the facts it did not return.
  if (FACT_MODULES.has(task.module) && !r.failed && isHostFacts(r['facts'])) owner.facts = mergeHostFacts(owner.facts, r['facts']);
  // Any other module's ansible_facts join the host's facts (service_facts, package_facts…).
  if (!ENGINE_FACT_SETTERS.has(task.module)) {
    for (const item of Array.isArray(r['results']) ? (r['results'] as unknown[]) : [r]) {
      if (isPlainObject(item) && item['failed'] !== true && isPlainObject(item['ansible_facts']) && Object.keys(item['ansible_facts']).length > 0) {
        owner.moduleFacts = { ...owner.moduleFacts, ...item['ansible_facts'] };
      }
    }
  }
  // set_fact's variables are the host's from now on, above task vars, as in Ansible.
  if (task.module === 'set_fact') {
    const items = Array.isArray(r['results']) ? (r['results'] as unknown[]) : [r];
    for (const item of items) {
      if (isPlainObject(item) && item['failed'] !== true && isPlainObject(item['ansible_facts'])) Object.assign(owner.setFacts, item['ansible_facts']);
    }
  }
  // include_vars' variables too, just under set_fact's (Ansible's vars cache), unless the task
  // failed. Read at run time: their secret-named values join the redactor before any output.
  if (task.module === 'include_vars') {
    const items = Array.isArray(r['results']) ? (r['results'] as unknown[]) : [r];
    for (const item of items) {
      if (!isPlainObject(item) || !isPlainObject(item['ansible_facts'])) continue;
      ctx.redactor.addSecretVars(item['ansible_facts']);
      if (!r.failed) for (const [k, v] of Object.entries(item['ansible_facts'])) setKey(owner.includedVars, k, v);
    }
  }
  const status = statusOf(r);
  const ignored = status === 'failed' && task.ignoreErrors;
  if (task.noLog) for (const s of ran.secrets) ctx.redactor.add(s);
  const rescued = status === 'failed' && !ignored && env.rescuable === true;
  ctx.bus.emit(resultEvent(task, r, ran, { ...base, status, duration_ms: Date.now() - started, ignored, rescued }));
  const notify = r.changed && !r.failed ? task.notify.map((n) => renderName(n, scope, ctx)) : [];
  return { status, ignored, notify, result: r, ...(ran.included.length ? { included: ran.included } : {}) };
}

const FACT_MODULES: ReadonlySet<string> = new Set(['facts']);
// Modules whose ansible_facts the engine places itself (facts, or variables at their own precedence).
const ENGINE_FACT_SETTERS: ReadonlySet<string> = new Set(['facts', 'set_fact', 'include_vars']);

/**
 * The task's variables, lowest first, as Ansible ranks them: the roles' defaults lowest
 * of all (the task's own role's above the others'); the roles' vars above the play's
 * vars_files, the task's role's above those; include_tasks' variables under task vars.
 */
function taskLayers(env: TaskEnv): VarLayer[] {
  const { ctx, playRun, hostRun, task } = env;
  const { role } = task;
  const { play } = playRun;
  return [
    { source: 'role defaults', vars: play.roleDefaults, templated: true },
    ...(role ? [{ source: `role ${role.name} defaults`, vars: role.defaults, templated: true }] : []),
    ...env.playLayers,
    { source: 'role vars', vars: play.roleVars, templated: true },
    ...(role ? [
      { source: `role ${role.name} vars`, vars: role.vars, templated: true },
      { source: `role ${role.name} parameters`, vars: role.params, templated: true },
    ] : []),
    ...(env.includeLayers ?? []),
    { source: 'task vars', vars: task.vars, templated: true },
    ...topLayers(ctx, playRun, hostRun),
  ];
}

/**
 * The task with its templated `become`, `ignore_errors` and `no_log` rendered for this
 * host (Ansible's boolean reading of the result). One that cannot be rendered counts as
 * set for no_log (nothing leaks) and unset for the others; the arguments then fail too.
 */
function withRenderedFlags(env: TaskEnv, layers: readonly VarLayer[]): Task {
  const { ctx, task } = env;
  const flags = task.flagTemplates ?? {};
  const scope = withLookups(taskScope(ctx, layers), ctx, env.playRun, env.hostRun.name, task.role?.dir);
  const flag = (text: string | undefined, fallback: boolean): boolean | undefined => {
    if (text === undefined) return undefined;
    try {
      return truthy(renderString(text, scope, { name: `${task.name ?? task.module} (keyword)`, cache: ctx.templateCache }));
    } catch {
      return fallback;
    }
  };
  const become = flag(flags.become, false);
  return {
    ...task,
    ...(become !== undefined ? { become } : {}),
    ignoreErrors: flag(flags.ignoreErrors, false) ?? task.ignoreErrors,
    noLog: flag(flags.noLog, true) ?? task.noLog,
  };
}

/** Ansible's boolean(): true, yes, on, 1 (any case) and non-empty truthy values. */
function truthy(v: unknown): boolean {
  if (typeof v === 'string') return ['true', 'yes', 'on', '1', 'y', 't'].includes(v.trim().toLowerCase());
  return Boolean(v);
}

/** The run of the task's delegate_to host when it is an inventory host, else the task's host. */
function delegateRun(env: TaskEnv, scope: Scope): HostRun {
  const { ctx, task, hostRun } = env;
  if (task.delegateTo === undefined) return hostRun;
  try {
    const name = String(renderString(task.delegateTo, scope, { name: 'delegate_to', cache: ctx.templateCache }));
    return ctx.inventory.hasHost(name) ? ctx.hosts.get(name) : hostRun;
  } catch {
    return hostRun; // the module call already failed on it
  }
}

async function runSingle(env: TaskEnv, layers: readonly VarLayer[]): Promise<Ran> {
  const out = await runItem(env, layers);
  const { result, included } = await inclusion(env.task, out.result, {});
  return { result, items: undefined, itemDiffs: [], secrets: env.task.noLog ? secretsOf(result, env.task.args, out.args) : [], included: included ? [included] : [] };
}

/**
 * include_tasks: the tasks of the file its result names, loaded now (built once per
 * file); a file that cannot be found or does not validate fails the include.
 */
async function inclusion(task: Task, r: Registered, vars: Record<string, unknown>): Promise<{ result: Registered; included?: Inclusion }> {
  if (task.include === undefined || r.failed || r.skipped || typeof r['include'] !== 'string') return { result: r };
  try {
    const tasks = await task.include.tasksOf(r['include']);
    return { result: { ...r, msg: '' }, included: { tasks, vars } };
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    return { result: { ...r, failed: true, msg: `include_tasks "${r['include']}": ${err.message}` } };
  }
}

async function runLoop(env: TaskEnv, layers: readonly VarLayer[], scope: Scope, base: { host: string; task: string; play: string }): Promise<Ran> {
  const { ctx, task } = env;
  const list = loopItems(task, scope, ctx.templateCache);
  if (!list.ok) return { result: failedResult(list.msg), items: undefined, itemDiffs: [], secrets: [], included: [] };
  const results: Registered[] = [];
  const items: ItemResult[] = [];
  const itemDiffs: string[] = [];
  const secrets: string[] = [];
  const included: Inclusion[] = [];
  for (let i = 0; i < list.items.length; i++) {
    if (ctx.signal.aborted) throw new InterruptedError('interrupted');
    // loop_control.pause: seconds between two items.
    if (i > 0 && task.loopPause > 0) await ctx.sleep(task.loopPause * 1000, ctx.signal);
    const item = list.items[i];
    const vars = loopVars(task, list.items, i);
    const out = await runItem(env, layers, vars);
    const inc = await inclusion(task, out.result, vars);
    if (inc.included) included.push(inc.included);
    const r: Registered = {
      ...inc.result,
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
      ...(task.module === 'debug' ? { show: true } : {}),
      ...(inc.included ? { included: task.module === 'include_role' ? '' : inc.included.tasks.file } : {}),
      ...(task.noLog ? {} : outputFields(r)),
    });
  }
  return { result: loopResult(results), items, itemDiffs, secrets, included };
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
    // add_host / group_by change the inventory now; their `changed` says whether it did.
    const r = applyResultConditions(task, await applyInventoryChange(ctx, env.hostRun.name, task.module, out.result), layers);
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
  // include_role prints no `included:` line and does not count in the recap (as Ansible).
  if (task.include) e.included = task.module === 'include_role' ? [] : ran.included.map((i) => i.tasks.file);
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
  // An unnamed include_role is `include_role : ROLE`, as Ansible names it.
  const unnamed = task.module === 'include_role' ? `include_role : ${String(task.args['name'])}` : task.writtenModule ?? task.module;
  const name = task.name === undefined ? unnamed : renderName(task.name, scope, ctx);
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
