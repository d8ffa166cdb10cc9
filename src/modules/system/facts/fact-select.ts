// Which of a probe's Ansible facts a setup returns, and how they join the host's facts,
// as Ansible does (modules/setup.py, module_utils/facts/ansible_collector.py,
// VariableManager.set_host_facts): gather_subset picks the collectors (gather-subset.ts),
// then `filter` keeps the top-level facts whose name — with the `ansible_` prefix, as
// setup returns them — matches one of its fnmatch patterns; the host's facts are then
// updated key by key (facts setup did not return stay as they were). kvmplay's own
// names (`facts.os_id` …) are not Ansible's facts: they are always all there, as the
// modules that read them (factsFor) expect.
import type { AnsibleFacts } from './ansible-facts.js';
import { ansibleFactsOf, type HostFacts } from './facts-parse.js';
import { gatherCollectors } from './gather-subset.js';
import { fnmatchRegExp } from '../../../util/fnmatch.js';

/** What a setup asks for: gather_subset's names (gatherSubsetList) and filter's patterns. */
export interface FactSelection {
  gatherSubset: readonly string[];
  filter: readonly string[];
}

/** The facts setup returns without the `ansible_` prefix (CollectorMetaDataCollector's). */
const UNPREFIXED: ReadonlySet<string> = new Set(['gather_subset', 'module_setup']);

/**
 * Whether `name` (a fact's name as setup returns it: `ansible_distribution`) matches one
 * of `patterns`. No patterns, `*` or an empty pattern: everything. A pattern that does
 * not start with `ansible_`, `facter` or `ohai` is also tried with `ansible_` before it
 * (`distribution*` matches `ansible_distribution`), as ansible-core ≥ 2.11 does.
 */
export function matchesFilter(name: string, patterns: readonly string[]): boolean {
  if (patterns.length === 0) return true;
  return patterns.some((p) => {
    if (p === '' || fnmatchRegExp(p).test(name)) return true;
    return !/^(ansible_|facter|ohai)/.test(p) && fnmatchRegExp(`ansible_${p}`).test(name);
  });
}

/** The Ansible facts a setup with this selection returns, from a probe's facts (names without the prefix). */
export function selectAnsibleFacts(facts: HostFacts, sel: FactSelection): AnsibleFacts {
  const all = ansibleFactsOf(facts);
  const collectorOf = facts.ansibleCollectors ?? new Map<string, string>();
  const collectors = gatherCollectors(sel.gatherSubset);
  const out: AnsibleFacts = {};
  for (const [k, v] of Object.entries(all)) {
    const collector = collectorOf.get(k);
    const meta = collector === 'gather_subset';
    if (!meta && (collector === undefined || !collectors.has(collector))) continue;
    if (!matchesFilter(UNPREFIXED.has(k) ? k : `ansible_${k}`, sel.filter)) continue;
    // The metadata says what was asked, as Ansible's does.
    const value = k === 'gather_subset' ? [...sel.gatherSubset] : v;
    Object.defineProperty(out, k, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** `facts` (kvmplay's names, all of them) carrying `ansible` as its Ansible facts. */
function withAnsible(facts: HostFacts, ansible: AnsibleFacts, collectorOf: ReadonlyMap<string, string>): HostFacts {
  const out: HostFacts = { ...facts };
  Object.defineProperty(out, 'ansible', { value: ansible, enumerable: false });
  Object.defineProperty(out, 'ansibleCollectors', { value: collectorOf, enumerable: false });
  return out;
}

/** A probe's facts reduced to what a setup with this selection returns (its `facts` result). */
export function selectHostFacts(facts: HostFacts, sel: FactSelection): HostFacts {
  return withAnsible(facts, selectAnsibleFacts(facts, sel), facts.ansibleCollectors ?? new Map());
}

/**
 * The host's facts after a setup returned `next`: kvmplay's names from `next`; Ansible's
 * facts updated key by key (Ansible's fact cache `|=`), so a filtered or partial setup
 * adds or refreshes what it returned and keeps the rest.
 */
export function mergeHostFacts(previous: unknown, next: HostFacts): HostFacts {
  const before = ansibleFactsOf(previous);
  const prevCollectors = (previous as HostFacts | undefined)?.ansibleCollectors;
  if (Object.keys(before).length === 0) return next;
  const ansible: AnsibleFacts = {};
  for (const source of [before, ansibleFactsOf(next)]) {
    for (const [k, v] of Object.entries(source)) Object.defineProperty(ansible, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  const collectorOf = new Map([...(prevCollectors ?? []), ...(next.ansibleCollectors ?? [])]);
  return withAnsible(next, ansible, collectorOf);
}
