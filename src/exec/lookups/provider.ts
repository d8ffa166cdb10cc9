// The LookupProvider a playbook run hands to its templates (under LOOKUP_PROVIDER):
// Ansible's ansible.builtin lookup plugins, run on the control machine. Synchronous,
// as the Jinja evaluator is. Each plugin checks its own terms; this file checks the
// keyword options against the ones the plugin takes, so a misspelled option is an
// error that names it rather than an ignored setting.
import type { Kwargs } from '../../jinja/builtin.js';
import { lookupPluginName, type LookupProvider } from '../../jinja/lookups.js';
import { FILE_LOOKUP, FILEGLOB_LOOKUP } from './files.js';
import { FIRST_FOUND_LOOKUP } from './first-found.js';
import { DICT_LOOKUP, INDEXED_ITEMS_LOOKUP, ITEMS_LOOKUP, LIST_LOOKUP, NESTED_LOOKUP, TOGETHER_LOOKUP } from './lists.js';
import { checkOptions, type LookupContext, type LookupPlugin } from './plugin.js';
import { SEQUENCE_LOOKUP } from './sequence.js';
import { SUBELEMENTS_LOOKUP } from './subelements.js';
import { TEMPLATE_LOOKUP } from './template.js';
import { ENV_LOOKUP, VARS_LOOKUP } from './variables.js';

export type { LookupContext } from './plugin.js';

/** The plugins by short name: the same names as LOOKUP_PLUGINS (src/jinja/lookups.ts). */
export const LOOKUPS: ReadonlyMap<string, LookupPlugin> = new Map([
  ['file', FILE_LOOKUP],
  ['template', TEMPLATE_LOOKUP],
  ['env', ENV_LOOKUP],
  ['vars', VARS_LOOKUP],
  ['fileglob', FILEGLOB_LOOKUP],
  ['first_found', FIRST_FOUND_LOOKUP],
  ['items', ITEMS_LOOKUP],
  ['indexed_items', INDEXED_ITEMS_LOOKUP],
  ['list', LIST_LOOKUP],
  ['dict', DICT_LOOKUP],
  ['sequence', SEQUENCE_LOOKUP],
  ['together', TOGETHER_LOOKUP],
  ['nested', NESTED_LOOKUP],
  ['subelements', SUBELEMENTS_LOOKUP],
]);

export function lookupProvider(ctx: LookupContext): LookupProvider {
  return {
    run(name: string, terms: readonly unknown[], options: Kwargs, fail: (message: string) => never): unknown[] {
      const plugin = lookupPluginName(name);
      const lookup = LOOKUPS.get(plugin) ?? fail(`unknown lookup plugin '${name}'`);
      checkOptions(plugin, lookup.options, options, fail);
      return lookup.run(terms, options, { ctx, fail, nested: (vars) => lookupProvider({ ...ctx, vars }) });
    },
    warn: (message: string): void => ctx.warn(message),
  };
}
