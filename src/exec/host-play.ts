// One host through one play, on its own (per-host progression, like Ansible's `free`
// strategy): vars_files, facts, then each task in order as fast as this host goes,
// then its notified handlers. Hosts of a batch never wait for each other between
// tasks; `any_errors_fatal` is honoured at the next task boundary of every host.
// A failure stops this host only; nothing here throws but Ctrl-C.
import { resolve } from 'node:path';
import { InterruptedError, KvmplayError, UnreachableError, ValidationError } from '../errors.js';
import type { Vars } from '../inventory/index.js';
import { loadVarsFile } from '../data/vars-files.js';
import type { Step, Task } from '../playbook/index.js';
import { renderString } from '../jinja/strings.js';
import { where } from './conditions.js';
import { gatherHostFacts } from '../modules/system/facts/facts.js';
import { flushHandlers, HandlerQueue } from './handlers.js';
import type { HostRun } from './host-pool.js';
import { hostLayers, magicVars, playLayers } from './host-vars.js';
import type { PlayRun, RunContext } from './run-context.js';
import { layeredVars, type VarLayer } from './scope.js';
import { shouldRunTags } from './tags.js';
import { runTask, type TaskOutcome } from './task-runner.js';
import { Gate } from './throttle.js';

const FACTS_TIMEOUT_MS = 60_000;

// Modules Ansible runs once per task, not once per host (BYPASS_HOST_LOOP): the first
// host of the batch runs them, the others take the result (as run_once).
const BYPASS_HOST_LOOP: ReadonlySet<string> = new Set(['add_host', 'pause']);

export async function runHostPlay(ctx: RunContext, playRun: PlayRun, hostRun: HostRun): Promise<void> {
  try {
    await runHostTasks(ctx, playRun, hostRun);
  } catch (err) {
    if (err instanceof InterruptedError || ctx.signal.aborted) return;
    // A bug must cost this host, not the run: report it as the host's failure.
    hostRun.state = 'failed';
    const msg = err instanceof KvmplayError ? err.message : `internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
    ctx.bus.emit({ event: 'task', host: hostRun.name, task: 'kvmplay', play: playRun.play.name, status: 'failed', changed: false, duration_ms: 0, msg });
  }
}

async function runHostTasks(ctx: RunContext, playRun: PlayRun, hostRun: HostRun): Promise<void> {
  const { play } = playRun;
  if (hostRun.state !== 'active') return;
  const varsFiles = await loadPlayVarsFiles(ctx, playRun, hostRun);
  if (!varsFiles) return;
  const layers = playLayers(ctx, playRun, hostRun.name, varsFiles);

  // Facts are tagged `always`, as Ansible's implicit gather task is.
  // Facts are gathered once per run, again only after a play that gathered a subset.
  if (play.gatherFacts && (hostRun.facts === undefined || hostRun.partialFacts) && shouldRunTags(['always'], ctx.options.tags)) {
    if (!(await runGatherFacts(ctx, playRun, hostRun))) return;
  }

  const handlers = new HandlerQueue(play.handlers);
  // How the host goes on after a step: the next one; a failure (the host failed, or a
  // block's rescue takes it over); or stop (Ctrl-C, unreachable, end_host, end_play…).
  type Flow = 'next' | 'failed' | 'stop';
  // `included`: the variables of the include_tasks the task is in (outermost first).
  const run = async (task: Task, handler: boolean, rescuable = false, included: readonly VarLayer[] = []): Promise<Flow> => {
    if (ctx.signal.aborted) throw new InterruptedError('interrupted');
    if (playRun.fatal || playRun.ended || playRun.batchEnded) return 'stop';
    // run_once, or a module Ansible runs once per task (add_host).
    const once = (task.runOnce || BYPASS_HOST_LOOP.has(task.module)) && !handler;
    if (once) {
      // The first host of the batch runs it; the others take its result and go on.
      const first = playRun.once.get(task);
      if (first !== undefined) {
        const result = await first;
        if (task.register && result !== undefined) hostRun.registered[task.register] = result;
        return 'next';
      }
    }
    // --step: a task the operator says no to is left out on every host, silently as in Ansible.
    if (ctx.step && !(await ctx.step.confirm(task, task.name ?? task.writtenModule ?? task.module))) return 'next';
    const env = { ctx, playRun, hostRun, task, handler, playLayers: layers, rescuable, includeLayers: included };
    const running = task.throttle > 0 ? throttleGate(playRun, task).through(() => runTask(env)) : runTask(env);
    if (once) playRun.once.set(task, running.then((o) => o.result, () => undefined));
    const out = await running;
    // meta: the task ran (its when held): now the engine does what it says.
    if (task.module === 'meta' && out.status === 'ok') return (await metaAction(String(task.args['action']))) ? 'next' : 'stop';
    for (const topic of out.notify) {
      if (handlers.notify(topic) === 0) {
        ctx.bus.emit({ event: 'notice', level: 'warning', msg: `${hostRun.name}: notify "${topic}": no handler of play "${play.name}" has this name or listens to it` });
      }
    }
    if (rescuable && out.status === 'failed' && !out.ignored) {
      // As Ansible's rescue sees it: the failed task and its result.
      hostRun.setFacts['ansible_failed_task'] = { name: task.name ?? task.module, action: task.module };
      hostRun.setFacts['ansible_failed_result'] = out.result ?? {};
      return 'failed';
    }
    if (!afterTask(ctx, playRun, hostRun, out, task.name ?? task.module, task.anyErrorsFatal)) return hostRun.state === 'failed' ? 'failed' : 'stop';
    // include_tasks: the file's tasks now, each item's with its loop variables.
    for (const inc of out.included ?? []) {
      const layer: VarLayer = { source: 'include_tasks', vars: inc.vars, templated: false };
      const flow = await runSteps(inc.tasks.steps, rescuable, [...included, layer], handler);
      if (flow !== 'next') return flow;
    }
    return 'next';
  };
  const flush = async (): Promise<boolean> => flushHandlers(handlers, async (h) => (await run(h, true)) === 'next');
  const metaAction = async (action: string): Promise<boolean> => {
    switch (action) {
      case 'flush_handlers': return flush();
      case 'end_host': return false; // this host is done with the play, not failed
      case 'end_play':
        playRun.ended = true;
        return false;
      case 'end_batch':
        playRun.batchEnded = true;
        return false;
      case 'reset_connection':
        // The next task logs in again: new group memberships, a new become shell.
        await hostRun.host.close().catch(() => undefined);
        return true;
      default: return true; // noop; clear_host_errors: a failed host has left the play already
    }
  };
  // `rescuable`: some enclosing block has a rescue, which takes a failure over.
  // `handler`: the steps of a file a handler included run as the handler's.
  const runSteps = async (steps: readonly Step[], rescuable: boolean, included: readonly VarLayer[] = [], handler = false): Promise<Flow> => {
    for (const step of steps) {
      let flow: Flow;
      if (step.kind === 'flush') flow = (await flush()) ? 'next' : 'stop';
      else if (step.kind === 'task') {
        if (!shouldRunTags(step.task.tags, ctx.options.tags)) continue;
        flow = await run(step.task, handler, rescuable, included);
      } else flow = await runBlock(step, rescuable, included, handler);
      if (flow !== 'next') return flow;
    }
    return 'next';
  };
  // Ansible's block: on a failure the rescue runs (and decides); always runs whatever happened.
  const runBlock = async (b: Extract<Step, { kind: 'block' }>, rescuable: boolean, included: readonly VarLayer[], handler: boolean): Promise<Flow> => {
    let flow = await runSteps(b.block, rescuable || b.rescue.length > 0, included, handler);
    if (flow === 'failed' && b.rescue.length > 0 && hostRun.state === 'active') flow = await runSteps(b.rescue, rescuable, included, handler);
    if (flow === 'stop') return flow;
    const after = await runSteps(b.always, rescuable, included, handler);
    return after === 'next' ? flow : after;
  };
  if ((await runSteps(play.steps, false)) !== 'next') return;
  // Notified handlers run whatever --tags say (as in Ansible): the change that
  // notified them was selected.
  await flush();
}

function throttleGate(playRun: PlayRun, task: Task): Gate {
  playRun.throttles ??= new Map();
  let gate = playRun.throttles.get(task);
  if (gate === undefined) {
    gate = new Gate(task.throttle);
    playRun.throttles.set(task, gate);
  }
  return gate;
}

/** Whether the host goes on after a task. */
function afterTask(ctx: RunContext, playRun: PlayRun, hostRun: HostRun, out: TaskOutcome, taskName: string, anyErrorsFatal?: boolean): boolean {
  if (out.status === 'unreachable' || (out.status === 'failed' && !out.ignored)) {
    if (hostRun.state === 'active') hostRun.state = out.status === 'unreachable' ? 'unreachable' : 'failed';
    // The task's any_errors_fatal, else the play's.
    if ((anyErrorsFatal ?? playRun.play.anyErrorsFatal) && !playRun.fatal) playRun.fatal = { host: hostRun.name, task: taskName };
    return false;
  }
  return !ctx.signal.aborted;
}

async function runGatherFacts(ctx: RunContext, playRun: PlayRun, hostRun: HostRun): Promise<boolean> {
  const base = { host: hostRun.name, task: 'Gathering Facts', play: playRun.play.name };
  ctx.bus.emit({ event: 'task_start', ...base });
  const started = Date.now();
  const done = (status: 'ok' | 'failed' | 'unreachable', msg: string): void =>
    ctx.bus.emit({ event: 'task', ...base, status, changed: false, duration_ms: Date.now() - started, msg });
  try {
    // A play on `connection: local` gathers the control machine's facts, as Ansible's does.
    const from = playRun.play.connection === 'local' ? ctx.controlHost() : hostRun.host;
    // The play's gather_subset and gather_timeout (seconds; 0 or none: the step timeout, else 60 s).
    const { gatherSubset, gatherTimeout } = playRun.play;
    const timeoutMs = gatherTimeout ? gatherTimeout * 1000 : ctx.options.stepTimeoutMs ?? FACTS_TIMEOUT_MS;
    hostRun.facts = await gatherHostFacts(from, { signal: ctx.signal, timeoutMs, gatherSubset }, hostRun.facts);
    hostRun.partialFacts = gatherSubset !== undefined && !gatherSubset.includes('all');
    done('ok', '');
    return true;
  } catch (err) {
    if (err instanceof InterruptedError || ctx.signal.aborted) throw err;
    const unreachable = err instanceof UnreachableError;
    done(unreachable ? 'unreachable' : 'failed', err instanceof Error ? err.message : String(err));
    return afterTask(ctx, playRun, hostRun, { status: unreachable ? 'unreachable' : 'failed', ignored: false, notify: [] }, base.task);
  }
}

/**
 * The play's vars_files for this host: loaded ones as they are; a path with a
 * template in it (`vars/{{ os }}.yaml`) rendered with the host's variables and read
 * now. A file that cannot be read fails the host (undefined: stop).
 */
async function loadPlayVarsFiles(ctx: RunContext, playRun: PlayRun, hostRun: HostRun): Promise<Vars[] | undefined> {
  const out: Vars[] = [];
  for (const ref of playRun.play.varsFiles) {
    if (ref.vars) {
      out.push(ref.vars);
      continue;
    }
    try {
      const scope = layeredVars([
        ...hostLayers(ctx, playRun.playbook.dir, hostRun.name),
        { source: 'play vars', vars: playRun.play.vars, templated: true },
        ...out.map((vars) => ({ source: 'vars_files', vars, templated: true })),
        { source: '-e', vars: ctx.loaded.extraVars, templated: true },
        { source: 'magic variables', vars: magicVars(ctx, playRun, hostRun), templated: false },
      ], ctx.templateCache);
      const path = String(renderString(ref.source, scope, { name: `${where(ref.pos)} (vars_files)`, cache: ctx.templateCache }));
      const vars = (await loadVarsFile(resolve(playRun.play.dir, path))) ?? {};
      // A vars file named at run time: its secrets join the redactor before any output.
      ctx.redactor.addSecretVars(vars);
      out.push(vars);
    } catch (err) {
      const msg = err instanceof ValidationError || err instanceof KvmplayError ? err.message : `${where(ref.pos)}: cannot read vars file: ${err instanceof Error ? err.message : String(err)}`;
      hostRun.state = 'failed';
      ctx.bus.emit({ event: 'task', host: hostRun.name, task: 'vars_files', play: playRun.play.name, status: 'failed', changed: false, duration_ms: 0, msg });
      if (playRun.play.anyErrorsFatal && !playRun.fatal) playRun.fatal = { host: hostRun.name, task: 'vars_files' };
      return undefined;
    }
  }
  return out;
}
