// For executor unit tests: a playbook and an inventory written to a temporary folder,
// loaded by the real loader with fake modules, run by the real executor against fake
// hosts (STYLE 5: fakes in unit tests only). Every module call and event is recorded.
import { z } from 'zod';
import { InterruptedError, UnreachableError } from '../../src/errors.js';
import { loadInventory } from '../../src/inventory/index.js';
import { writeTree } from './file-tree.js';
import type { ModuleResult } from '../../src/modules/module.js';
import type { AnyModule } from '../../src/modules/registry.js';
import { assertModule } from '../../src/modules/engine/assert.js';
import { metaModule } from '../../src/modules/engine/meta.js';
import { includeTasksModule } from '../../src/modules/engine/include-tasks.js';
import { includeRoleModule } from '../../src/modules/engine/include-role.js';
import { includeVarsModule } from '../../src/modules/engine/include-vars.js';
import { setFactModule } from '../../src/modules/engine/set-fact.js';
import { EventBus, type RunEvent, type TaskResultEvent } from '../../src/output/events.js';
import { Redactor } from '../../src/output/redact.js';
import { loadPlaybooks } from '../../src/playbook/index.js';
import type { FileStat, Host, RunOptions, RunResult } from '../../src/transport/host.js';
import { createRunContext, runPlaybooks } from '../../src/exec/runner.js';
import { ALL_TAGS, type TagFilter } from '../../src/exec/tags.js';

export interface Call {
  host: string;
  module: string;
  args: Record<string, unknown>;
  check: boolean;
  become: boolean;
  timeoutMs: number | undefined;
  vars: Record<string, unknown>;
}

export interface SiteRun {
  events: RunEvent[];
  results: TaskResultEvent[];
  calls: Call[];
  sleeps: number[];
  redactor: Redactor;
  /** `host task=status` lines in order, for compact assertions. */
  lines: string[];
}

export interface SiteOptions {
  inventory?: string;
  extraVars?: string[];
  tags?: TagFilter;
  check?: boolean;
  diff?: boolean;
  forks?: number;
  limit?: string;
  stepTimeoutMs?: number;
  /** Hosts whose connection fails. */
  unreachable?: string[];
  /** false: load without the undefined-variable check (as `validate` without -i). */
  checkVariables?: boolean;
  /** Standard output the fake host gives the facts script. */
  factsStdout?: string;
}

export const DEFAULT_INVENTORY = 'all:\n  hosts:\n    h1: {}\n    h2: {}\n    h3: {}\n';

function fakeHost(name: string, o: SiteOptions): Host {
  const down = (o.unreachable ?? []).includes(name);
  const refuse = async (): Promise<never> => {
    throw new UnreachableError(name, `${name}: connection refused`);
  };
  return {
    name,
    connect: async () => (down ? refuse() : undefined),
    run: async (_cmd: string | readonly string[], _opts?: RunOptions): Promise<RunResult> => {
      if (down) return refuse();
      return { rc: 0, stdout: o.factsStdout ?? `--kvmplay:kv--\nhostname=${name}\n`, stderr: '' };
    },
    readFile: async (): Promise<Buffer | null> => null,
    writeAtomic: async (): Promise<void> => undefined,
    stat: async (): Promise<FileStat | null> => null,
    reconnect: async () => undefined,
    close: async () => undefined,
  };
}

function modules(calls: Call[]): AnyModule[] {
  const counters = new Map<string, number>();
  const record = (module: string, host: Host, args: Record<string, unknown>, ctx: { check: boolean; become: boolean; timeoutMs?: number; vars: Record<string, unknown> }): void => {
    calls.push({ host: host.name, module, args, check: ctx.check, become: ctx.become, timeoutMs: ctx.timeoutMs, vars: ctx.vars });
  };
  const probe: AnyModule = {
    name: 'probe',
    names: ['probe'],
    args: z.object({
      changed: z.boolean().default(false), fail: z.boolean().default(false), msg: z.string().default(''),
      rc: z.number().optional(), stdout: z.string().optional(), value: z.unknown().optional(), diff: z.string().optional(),
      facts: z.record(z.string(), z.unknown()).optional(),
    }).strict(),
    async run(host, args: never, ctx) {
      await host.connect();
      const a = args as { changed: boolean; fail: boolean; msg: string; rc?: number; stdout?: string; value?: unknown; diff?: string; facts?: Record<string, unknown> };
      record('probe', host, a as Record<string, unknown>, ctx);
      const r: ModuleResult = { changed: a.changed, failed: a.fail, msg: a.msg, data: { value: a.value, ...(a.facts ? { ansible_facts: a.facts } : {}) } };
      if (a.rc !== undefined) r.rc = a.rc;
      if (a.stdout !== undefined) r.stdout = a.stdout;
      if (a.diff !== undefined && ctx.diff) r.diff = a.diff;
      return r;
    },
  };
  // Counts its calls per host and key: `until` tests wait for a count.
  const count: AnyModule = {
    name: 'count',
    names: ['count'],
    args: z.object({ key: z.string() }).strict(),
    async run(host, args: never, ctx) {
      const a = args as { key: string };
      record('count', host, a, ctx);
      const k = `${host.name}/${a.key}`;
      const n = (counters.get(k) ?? 0) + 1;
      counters.set(k, n);
      return { changed: true, msg: `call ${n}`, rc: 0, stdout: String(n) };
    },
  };
  const template: AnyModule = {
    name: 'template',
    names: ['template'],
    args: z.object({ src: z.string(), dest: z.string() }).strict(),
    async run(host, args: never, ctx) {
      const a = args as { src: string; dest: string };
      record('template', host, a, ctx);
      const r = await ctx.renderTemplateFile(a.src);
      return { changed: true, msg: 'rendered', stdout: r.content };
    },
  };
  // Never ends on its own: only the task's deadline (or Ctrl-C) stops it.
  const hang: AnyModule = {
    name: 'hang',
    names: ['hang'],
    args: z.object({}).strict(),
    async run(host, _args: never, ctx) {
      record('hang', host, {}, ctx);
      await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
      throw new InterruptedError('interrupted');
    },
  };
  // The engine's own modules need no host: the real ones.
  return [probe, count, template, hang, metaModule, setFactModule, assertModule, includeTasksModule, includeRoleModule, includeVarsModule];
}

/** Load `files` (`site.yaml` is the playbook) and run it against fake hosts. */
export async function runSite(files: Record<string, string>, o: SiteOptions = {}): Promise<SiteRun> {
  const tree = await writeTree({ 'package.json': '{}', 'inventory.yaml': o.inventory ?? DEFAULT_INVENTORY, ...files });
  try {
    const calls: Call[] = [];
    const mods = modules(calls);
    const byName = new Map(mods.map((m) => [m.name, m]));
    const inventory = await loadInventory([tree.path('inventory.yaml')]);
    const loaded = await loadPlaybooks([tree.path('site.yaml')], {
      ...(o.checkVariables === false ? {} : { inventory }),
      extraVars: o.extraVars ?? [],
      lookupModule: (k) => byName.get(k),
      moduleNames: () => [...byName.keys()],
    });
    const events: RunEvent[] = [];
    const bus = new EventBus();
    bus.subscribe((e) => events.push(e));
    const redactor = new Redactor();
    const sleeps: number[] = [];
    const ctx = await createRunContext({
      loaded,
      inventory,
      options: {
        limit: o.limit, tags: o.tags ?? ALL_TAGS, check: o.check ?? false, diff: o.diff ?? false,
        forks: o.forks ?? 5, stepTimeoutMs: o.stepTimeoutMs,
      },
      bus,
      redactor,
      signal: new AbortController().signal,
      openHost: (spec) => fakeHost(spec.name, o),
      controlHost: () => fakeHost('localhost', o),
      findModule: (name) => byName.get(name),
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    await runPlaybooks(ctx);
    const results = events.filter((e): e is TaskResultEvent => e.event === 'task');
    return { events, results, calls, sleeps, redactor, lines: results.map((e) => `${e.host} ${e.task}=${e.status}${e.ignored ? ' (ignored)' : ''}`) };
  } finally {
    await tree.remove();
  }
}

/** A playbook from lines, so tests read like the YAML they run. */
export function yaml(...lines: string[]): string {
  return `${lines.join('\n')}\n`;
}
