// `facts` (SPEC 6): the host's facts in one round trip, registered as
// `{ facts, ansible_facts }`: kvmplay's own names (HostFacts) and Ansible's (the dict
// Ansible's `setup` returns, ansible-facts.ts), so the runner (or `register:`) can merge them. Other
// modules (kvm_check, package, service) reuse `factsFor`: facts already in the host's
// vars when they carry what is needed, else one probe.
import { z } from 'zod';
import { TaskError } from '../../../errors.js';
import type { Host } from '../../../transport/host.js';
import { pythonInt } from '../../engine/pause.js';
import { ansibleFactVars } from './ansible-facts.js';
import { mergeHostFacts, selectHostFacts, type FactSelection } from './fact-select.js';
import { ansibleFactsOf, HOST_FACTS_SCRIPT, parseHostFacts, type HostFacts } from './facts-parse.js';
import { badSubsetMessage, gatherSubsetList, unknownSubset } from './gather-subset.js';
import type { ModuleContext } from '../../module.js';
import { defineModule } from '../../runner.js';

/** Ansible's `list` of `str`: a list, or a string split at commas. */
const StrList = z.union([z.string(), z.array(z.string())]);

/** gather_subset: Ansible's subset names; an unknown one is refused with Ansible's message, at the element that has it. */
const GatherSubsetArg = StrList.superRefine((v, ctx) => {
  gatherSubsetList(v).forEach((name, i) => {
    if (unknownSubset([name]) !== undefined) ctx.addIssue({ code: 'custom', message: badSubsetMessage(name), path: typeof v === 'string' ? [] : [i] });
  });
});

/** Ansible's setup default: where local facts (facts.d) are read from. */
export const DEFAULT_FACT_PATH = '/etc/ansible/facts.d';

// Ansible's setup arguments. kvmplay gathers everything in one probe: gather_subset and
// filter choose what is returned (fact-select.ts); gather_timeout bounds the probe.
const FactsArgs = z.object({
  gather_subset: GatherSubsetArg.optional(),
  // Ansible's `int`; 0 is its default (10 s there; kvmplay's probe default here).
  gather_timeout: pythonInt.refine((n) => n >= 0, { message: 'must not be negative' }).optional(),
  filter: StrList.optional(),
  fact_path: z.string().optional(),
}).strict();
export type FactsArgs = z.output<typeof FactsArgs>;

/** What a setup's arguments select (filter: a string is one pattern, as in ansible-core ≥ 2.11). */
export function factSelection(a: Pick<FactsArgs, 'gather_subset' | 'filter'>): FactSelection {
  return { gatherSubset: gatherSubsetList(a.gather_subset), filter: typeof a.filter === 'string' ? [a.filter] : (a.filter ?? []) };
}

const PROBE_TIMEOUT_MS = 60_000;

/** Run the probe, one round trip (read-only, no become needed); also the runner's gather_facts. */
export async function probeHostFacts(host: Host, opts: { signal: AbortSignal; timeoutMs: number }): Promise<HostFacts> {
  const r = await host.run(['sh', '-c', HOST_FACTS_SCRIPT], { signal: opts.signal, timeoutMs: opts.timeoutMs });
  if (r.timedOut) throw new TaskError(host.name, `gathering facts timed out after ${Math.round(opts.timeoutMs / 1000)} s`, { rc: r.rc, stderr: r.stderr });
  if (r.rc !== 0) throw new TaskError(host.name, `gathering facts failed (rc=${r.rc ?? r.signal ?? 'none'}): ${r.stderr.trim()}`, { rc: r.rc, stderr: r.stderr });
  return parseHostFacts(r.stdout);
}

/**
 * The runner's fact gathering (a play's gather_facts): one probe, reduced to the play's
 * gather_subset, merged into the facts the host already has (`previous`), as Ansible's
 * fact cache takes a setup's result.
 */
export async function gatherHostFacts(host: Host, opts: { signal: AbortSignal; timeoutMs: number; gatherSubset?: readonly string[] | undefined }, previous?: unknown): Promise<HostFacts> {
  const probed = await probeHostFacts(host, opts);
  return mergeHostFacts(previous, selectHostFacts(probed, { gatherSubset: opts.gatherSubset ?? ['all'], filter: [] }));
}

export function probeFacts(host: Host, ctx: ModuleContext): Promise<HostFacts> {
  return probeHostFacts(host, { signal: ctx.signal, timeoutMs: ctx.timeoutMs ?? PROBE_TIMEOUT_MS });
}

/**
 * Facts with at least `keys`: from `vars.facts` when it has them all (the runner's
 * gather_facts or a registered `facts` run), else probed now.
 */
export async function factsFor(host: Host, ctx: ModuleContext, keys: readonly string[]): Promise<Record<string, unknown>> {
  const known = ctx.vars['facts'];
  if (known && typeof known === 'object' && keys.every((k) => k in known)) return known as Record<string, unknown>;
  return probeFacts(host, ctx);
}

/**
 * The variables a host's gathered facts give a play, as Ansible's VariableManager does
 * with INJECT_FACTS_AS_VARS: `ansible_facts` (Ansible's names without the prefix) and
 * each fact again as `ansible_<name>` (`ansible_os_family`, `ansible_default_ipv4`,
 * `ansible_em1`), connection variables excepted. Without facts, `ansible_facts` is {}
 * (as in Ansible, where it is always defined).
 */
export function factVariables(facts: unknown): Record<string, unknown> {
  const ansible = ansibleFactsOf(facts);
  return { ansible_facts: ansible, ...ansibleFactVars(ansible) };
}

/** Read-only modules (facts, kvm_check) plan no change: there is nothing to apply. */
export type NoChange = never;

export const factsModule = defineModule({
  names: ['facts', 'setup'],
  args: FactsArgs,
  gather: (host, a, ctx) => probeHostFacts(host, { signal: ctx.signal, timeoutMs: a.gather_timeout ? a.gather_timeout * 1000 : ctx.timeoutMs ?? PROBE_TIMEOUT_MS }),
  plan: (a, probed: HostFacts) => {
    const facts = selectHostFacts(probed, factSelection(a));
    // kvmplay reads no local facts: a fact_path someone set on purpose deserves a word.
    const warnings = a.fact_path !== undefined && a.fact_path.replace(/\/+$/, '') !== DEFAULT_FACT_PATH
      ? [`fact_path ${a.fact_path}: kvmplay gathers no local facts (ansible_local); the path is not read`]
      : [];
    return {
      changes: [] as NoChange[],
      okMsg: `${probed.os_name || probed.os_id} (${probed.pkg_mgr}, ${probed.service_mgr})`,
      data: { facts, ansible_facts: ansibleFactsOf(facts), ...(warnings.length > 0 ? { warnings } : {}) },
    };
  },
  describe: (c: NoChange) => c,
  apply: async () => undefined,
});
