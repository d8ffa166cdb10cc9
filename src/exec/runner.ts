// The executor (SPEC 4, 7): plays in order, over one connection per host kept for
// the whole run and closed at the end (also on Ctrl-C). How hosts progress within a
// play: see host-play.ts; batches and rollout stops: play-runner.ts.
import { loadSourceVars } from '../data/vars-files.js';
import { createJinjaCache } from '../jinja/strings.js';
import { InterruptedError } from '../errors.js';
import { HostPool } from './host-pool.js';
import type { Host } from '../transport/host.js';
import { LocalHost } from '../transport/local/local-host.js';
import { playHosts, runPlay } from './play-runner.js';
import type { RunContext } from './run-context.js';

/** What the caller provides; the rest of the RunContext is derived from it. */
export type RunSetup = Omit<RunContext, 'sleep' | 'hosts' | 'templateCache' | 'localTemplates' | 'localSources' | 'adjacentVars' | 'groups' | 'controlHost'> & {
  /** Default: a timer that Ctrl-C cuts short. */
  sleep?: RunContext['sleep'];
  /** Default: the real control machine (LocalHost); unit tests give a fake. */
  controlHost?: () => Host;
};

export async function createRunContext(setup: RunSetup): Promise<RunContext> {
  const { inventory } = setup;
  const groups: Record<string, string[]> = {};
  for (const g of inventory.groupNames()) groups[g] = inventory.hostsOf(g);
  let control: Host | undefined;
  const adjacentVars = new Map<string, Awaited<ReturnType<typeof loadSourceVars>>>();
  for (const pb of setup.loaded.playbooks) {
    if (!adjacentVars.has(pb.dir)) adjacentVars.set(pb.dir, await loadSourceVars(pb.dir, inventory.groupNames(), inventory.hostNames()));
  }
  return {
    loaded: setup.loaded,
    inventory,
    options: setup.options,
    bus: setup.bus,
    redactor: setup.redactor,
    signal: setup.signal,
    openHost: setup.openHost,
    findModule: setup.findModule,
    ...(setup.step ? { step: setup.step } : {}),
    sleep: setup.sleep ?? abortableSleep,
    // `ansible_connection: local` (the implicit localhost too): the control machine, no SSH.
    hosts: new HostPool(inventory, (spec) => (spec.local
      ? setup.controlHost?.() ?? new LocalHost({ name: spec.name, becomeUser: spec.becomeUser })
      : setup.openHost(spec))),
    controlHost: () => (control ??= setup.controlHost?.() ?? new LocalHost()),
    templateCache: createJinjaCache(),
    localTemplates: new Map(setup.loaded.templates),
    localSources: new Map(),
    adjacentVars,
    groups,
  };
}

/** Every host some play may run on, in first-seen order (live views lay out their rows). */
export function runHosts(ctx: RunContext): string[] {
  const all = new Set<string>();
  for (const pb of ctx.loaded.playbooks) for (const play of pb.plays) for (const h of playHosts(ctx, play, true)) all.add(h);
  return [...all];
}

export async function runPlaybooks(ctx: RunContext): Promise<void> {
  ctx.bus.emit({ event: 'run_start', hosts: runHosts(ctx) });
  try {
    for (const pb of ctx.loaded.playbooks) {
      for (const play of pb.plays) {
        if (ctx.signal.aborted) return;
        // A stopped rollout ends the run: the next plays build on this one.
        if ((await runPlay(ctx, pb, play)) === 'stop') return;
      }
    }
  } finally {
    await ctx.hosts.closeAll();
  }
}

export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new InterruptedError('interrupted'));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new InterruptedError('interrupted'));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
