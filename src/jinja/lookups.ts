// Ansible's `lookup(name, terms…)` and `query`/`q(name, terms…)`. The plugins read the
// control machine (files, templates, environment), so they are not here: the caller of
// render() supplies a LookupProvider under the LOOKUP_PROVIDER key of the variables (a
// symbol, which no template can name). This file holds the calling convention and the
// plugin names validation knows.
import type { Kwargs } from './builtin.js';
import { pyStr } from './values.js';

/** Runs one lookup plugin on the control machine. Always returns a list (Ansible's contract). */
export interface LookupProvider {
  run(plugin: string, terms: readonly unknown[], options: Kwargs, fail: (message: string) => never): unknown[];
  /** Non-fatal messages (`errors='warn'`). */
  warn?(message: string): void;
}

/** Where render()'s variables carry the provider. */
export const LOOKUP_PROVIDER: unique symbol = Symbol('kvmplay.lookupProvider');

/** The lookup plugins kvmplay has, by short name; `ansible.builtin.X` is accepted too. */
export const LOOKUP_PLUGINS: ReadonlySet<string> = new Set([
  'file', 'template', 'env', 'vars', 'fileglob', 'first_found', 'items', 'indexed_items', 'list', 'dict', 'sequence',
  'together', 'nested', 'subelements',
]);

export function lookupPluginName(name: string): string {
  for (const prefix of ['ansible.builtin.', 'ansible.legacy.']) if (name.startsWith(prefix)) return name.slice(prefix.length);
  return name;
}

/**
 * lookup()/query() as Ansible's Templar._lookup: `errors` is strict (raise), warn or
 * ignore; query() and `wantlist=True` give the list; lookup() otherwise joins a list
 * of strings with commas, or gives the single item, or the list.
 */
export function callLookup(
  provider: LookupProvider | undefined, args: readonly unknown[], kwargs: Kwargs, wantList: boolean, fail: (message: string) => never,
): unknown {
  const [name, ...terms] = args;
  if (typeof name !== 'string') return fail(`the first argument of lookup() is the plugin's name, not ${pyStr(name)}`);
  const plugin = lookupPluginName(name);
  if (!LOOKUP_PLUGINS.has(plugin)) return fail(`unknown lookup plugin '${name}'`);
  if (provider === undefined) return fail(`lookup('${name}') cannot run here: lookups run only in a playbook`);
  const { wantlist, errors = 'strict', ...options } = kwargs;
  if (errors !== 'strict' && errors !== 'warn' && errors !== 'ignore') return fail(`errors= must be strict, warn or ignore, not ${pyStr(errors)}`);
  let ran: unknown[];
  try {
    ran = provider.run(plugin, terms, options, fail);
  } catch (err) {
    if (errors === 'strict') throw err;
    if (errors === 'warn') provider.warn?.(`lookup('${name}') failed: ${err instanceof Error ? err.message : String(err)}`);
    return wantList || wantlist === true ? [] : null;
  }
  if (wantList || wantlist === true) return ran;
  if (ran.length === 0) return ran;
  if (ran.every((r) => typeof r === 'string')) return ran.join(',');
  return ran.length === 1 ? ran[0] : ran;
}
