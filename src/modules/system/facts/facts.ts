// `facts` (SPEC 6): the host's facts in one round trip, registered as
// `{ facts, ansible_facts }`: kvmplay's own names (HostFacts) and Ansible's (the dict
// Ansible's `setup` returns, ansible-facts.ts), so the runner (or `register:`) can merge them. Other
// modules (kvm_check, package, service) reuse `factsFor`: facts already in the host's
// vars when they carry what is needed, else one probe.
import { z } from 'zod';
import { TaskError } from '../../../errors.js';
import type { Host } from '../../../transport/host.js';
import { ansibleFactVars } from './ansible-facts.js';
import { ansibleFactsOf, HOST_FACTS_SCRIPT, parseHostFacts, type HostFacts } from './facts-parse.js';
import type { ModuleContext } from '../../module.js';
import { defineModule } from '../../runner.js';

// Ansible's setup arguments kvmplay takes: it always gathers everything in one probe,
// so gather_subset is accepted and has no effect; gather_timeout bounds the probe.
const FactsArgs = z.object({
  gather_subset: z.union([z.string(), z.array(z.string())]).optional(),
  gather_timeout: z.number().int().positive().optional(),
}).strict();
export type FactsArgs = z.infer<typeof FactsArgs>;

const PROBE_TIMEOUT_MS = 60_000;

/** Run the probe, one round trip (read-only, no become needed); also the runner's gather_facts. */
export async function probeHostFacts(host: Host, opts: { signal: AbortSignal; timeoutMs: number }): Promise<HostFacts> {
  const r = await host.run(['sh', '-c', HOST_FACTS_SCRIPT], { signal: opts.signal, timeoutMs: opts.timeoutMs });
  if (r.timedOut) throw new TaskError(host.name, `gathering facts timed out after ${Math.round(opts.timeoutMs / 1000)} s`, { rc: r.rc, stderr: r.stderr });
  if (r.rc !== 0) throw new TaskError(host.name, `gathering facts failed (rc=${r.rc ?? r.signal ?? 'none'}): ${r.stderr.trim()}`, { rc: r.rc, stderr: r.stderr });
  return parseHostFacts(r.stdout);
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
  gather: (host, a, ctx) => probeHostFacts(host, { signal: ctx.signal, timeoutMs: a.gather_timeout !== undefined ? a.gather_timeout * 1000 : ctx.timeoutMs ?? PROBE_TIMEOUT_MS }),
  plan: (_a, facts: HostFacts) => ({
    changes: [] as NoChange[],
    okMsg: `${facts.os_name || facts.os_id} (${facts.pkg_mgr}, ${facts.service_mgr})`,
    data: { facts, ansible_facts: ansibleFactsOf(facts) },
  }),
  describe: (c: NoChange) => c,
  apply: async () => undefined,
});
