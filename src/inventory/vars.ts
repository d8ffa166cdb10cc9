// A host's variables as `ansible-inventory --host NAME` prints them: VariableManager.get_vars
// (lib/ansible/vars/manager.py) with the default VARIABLE_PRECEDENCE
// [all_inventory, groups_inventory, all_plugins_inventory, all_plugins_play,
//  groups_plugins_inventory, groups_plugins_play], then the host's own variables and
// host_vars/ files, each layer combined with combine_vars (hash_behaviour=replace).
import type { GroupNode, InventoryModel } from './model.js';
import { combineVars, comparePy, type Vars } from '../data/py-values.js';
import type { SourceVars } from '../data/vars-files.js';

/** ansible/cli/inventory.py INTERNAL_VARS: removed from --host output. */
export const INTERNAL_VARS: ReadonlySet<string> = new Set([
  'ansible_diff_mode', 'ansible_config_file', 'ansible_facts', 'ansible_forks',
  'ansible_inventory_sources', 'ansible_limit', 'ansible_playbook_python', 'ansible_run_tags',
  'ansible_skip_tags', 'ansible_verbosity', 'ansible_version', 'inventory_dir', 'inventory_file',
  'inventory_hostname', 'inventory_hostname_short', 'groups', 'group_names', 'omit', 'playbook_dir',
]);

/** ansible.inventory.helpers.sort_groups: by depth, then priority, then name. */
export function sortGroups(groups: GroupNode[]): GroupNode[] {
  return [...groups].sort((a, b) => a.depth - b.depth || a.priority - b.priority || comparePy(a.name, b.name));
}

export function resolveHostVars(model: InventoryModel, sources: SourceVars[], host: string): Vars {
  const h = model.hosts.get(host);
  if (!h) throw new Error(`no host ${host}`);
  const groups = sortGroups([...model.groupsOfHost(host)].filter((g) => g !== 'all').map((g) => model.group(g)));
  let v: Vars = {};
  // all_inventory, groups_inventory: variables written in the inventory files.
  v = combineVars(v, model.group('all').vars);
  for (const g of groups) v = combineVars(v, g.vars);
  // all_plugins_inventory, groups_plugins_inventory: group_vars/ beside each source, so a
  // group_vars file beats the same group's (and every group's) inline variables.
  // all_plugins_play/groups_plugins_play add nothing: ansible-inventory has no playbook dir.
  for (const s of sources) v = combineVars(v, s.groups.get('all') ?? {});
  for (const s of sources) for (const g of groups) v = combineVars(v, s.groups.get(g.name) ?? {});
  // Host variables from the inventory, then host_vars/ files.
  v = combineVars(v, h.vars);
  for (const s of sources) v = combineVars(v, s.hosts.get(host) ?? {});
  for (const k of INTERNAL_VARS) delete v[k];
  return v;
}
