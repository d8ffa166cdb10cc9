// Undefined variables, where that is statically knowable (SPEC 4). A name read
// unguarded (not under `is defined`, `default`, `#if`) by a template or condition is
// an error only when no scope can define it for any host: not the inventory (any
// host's variables, group_vars/host_vars beside the playbook), not the play's vars
// or vars_files, not -e, not a magic variable, not registered by an earlier task,
// not the task's vars or loop variables. Only root names count (`vm.memory` → `vm`).
// When a scope cannot be known (a templated vars_files path), nothing is reported; nor
// after an include_vars whose variables cannot be known at load.
import type { BuiltPlay } from './play.js';
import type { Problems } from './problems.js';
import type { VarUse } from './strings.js';
import { isIncludeVars } from './include-vars-names.js';
import { closest } from './suggest.js';
import type { BuiltTask } from './task.js';

/** Set by kvmplay on every host, as Ansible sets them. */
export const MAGIC_VARIABLES: ReadonlySet<string> = new Set([
  'inventory_hostname', 'inventory_hostname_short', 'inventory_dir', 'inventory_file', 'group_names', 'groups',
  'hostvars', 'playbook_dir', 'check_mode', 'diff_mode', 'facts', 'play_hosts', 'omit', 'vars', 'role_names',
  'ansible_facts', 'ansible_check_mode', 'ansible_diff_mode', 'ansible_play_name', 'ansible_play_hosts',
  'ansible_play_hosts_all', 'ansible_play_batch', 'ansible_version', 'ansible_run_tags', 'ansible_skip_tags',
  'ansible_verbosity', 'ansible_forks', 'ansible_limit', 'ansible_inventory_sources', 'ansible_failed_task', 'ansible_failed_result',
]);

// Modules that gather the host's facts (`ansible_facts`, `ansible_<fact>`) for later tasks.
const GATHERS_FACTS = new Set(['facts', 'setup', 'gather_facts']);

// Modules whose arguments become variables for later tasks.
// add_host's are the new host's variables: "defined for some host" is what the check asks.
const SETS_ITS_ARGUMENTS = new Set(['set_fact', 'add_host']);

export interface PlayForCheck {
  built: BuiltPlay;
  /** Variables each task's template file reads. */
  fileUses: Map<BuiltTask, VarUse[]>;
  /** The names each include_vars task defines; undefined (or missing): not knowable at load. */
  includedVars?: ReadonlyMap<BuiltTask, ReadonlySet<string> | undefined>;
}

/**
 * Fact names (`ansible_facts`, `ansible_os_family`, `ansible_eth0`…) exist once facts
 * were gathered for the host: which interfaces a host has is not knowable here, so
 * then every `ansible_*` name passes; before, only the magic ones do.
 */
function isMagic(name: string, factsGathered: boolean): boolean {
  return MAGIC_VARIABLES.has(name) || (factsGathered && name.startsWith('ansible_'));
}

/** `known`: names defined for some host before any play (inventory, -e, group_vars beside playbooks). */
export function checkUndefinedVariables(plays: readonly PlayForCheck[], known: ReadonlySet<string>, problems: Problems): void {
  const registered = new Set<string>();
  let factsGathered = false;
  // After an include_vars whose variables are not known at load (a templated path),
  // any name may be defined: nothing more is reported, in this play or the later ones.
  let blind = false;
  for (const { built, fileUses, includedVars } of plays) {
    const { play } = built;
    factsGathered ||= play.gatherFacts;
    const playKnown = new Set([
      ...known, ...Object.keys(play.vars), ...play.varsPrompt.map((p) => p.name), ...play.varsFiles.flatMap((f) => Object.keys(f.vars ?? {})), ...built.roleVarNames,
    ]);
    const opaque = !built.varsKnown || play.varsFiles.some((f) => f.vars === undefined);
    // A task with problems is not built, but its register may well be what later tasks read.
    built.failedRegisters.forEach((r) => registered.add(r));
    const report = (uses: readonly VarUse[], ...scopes: ReadonlySet<string>[]): void => {
      if (opaque || blind) return;
      for (const use of uses) {
        if (isMagic(use.name, factsGathered) || playKnown.has(use.name) || scopes.some((s) => s.has(use.name))) continue;
        problems.add(use.pos, message(use.name, [playKnown, ...scopes]));
      }
    };
    report(built.hostsUses);
    report(built.importUses, registered);
    const runTask = (t: BuiltTask): void => {
      const { task } = t;
      // `registered` is read as it stands now: only earlier tasks' registers count.
      // A role's own defaults, vars and parameters (roles: are also in playKnown; import_role's only here).
      const taskVars = new Set([...Object.keys(task.vars), ...(task.includeVarNames ?? []), ...(task.role ? [...Object.keys(task.role.defaults), ...Object.keys(task.role.vars), ...Object.keys(task.role.params)] : [])]);
      const loopVars = new Set(task.loop === undefined ? [] : [task.loopVar, 'index', 'ansible_loop_var', ...(task.loopExtended ? ['ansible_loop'] : []), ...(task.indexVar ? [task.indexVar] : [])]);
      report(t.uses.loop, registered, taskVars);
      report([...t.uses.before, ...(fileUses.get(t) ?? [])], registered, taskVars, loopVars);
      report(t.uses.after, registered, taskVars, loopVars, new Set(task.register ? [task.register] : []));
    };
    for (const t of built.tasks) {
      runTask(t);
      blind = !define(t, registered, includedVars) || blind;
      factsGathered ||= GATHERS_FACTS.has(t.task.module.replace(/^ansible\.(builtin|legacy)\./, ''));
    }
    // Handlers run after the tasks, in any order notifications lead to: all their registers count.
    for (const h of built.handlers) blind = !define(h, registered, includedVars) || blind;
    built.handlers.forEach(runTask);
  }
}

// Facts modules other than setup return, and the variables they become (Ansible's fact injection).
const RETURNS_FACTS: Readonly<Record<string, readonly string[]>> = {
  service_facts: ['services'], package_facts: ['packages'],
  virt_net: ['ansible_libvirt_networks'], virt_pool: ['ansible_libvirt_pools'], // with `command: facts`
};

/** Add what the task defines for later tasks; false when that is not knowable (an opaque include_vars). */

function define(t: BuiltTask, registered: Set<string>, includedVars: PlayForCheck['includedVars']): boolean {
  if (t.task.register) registered.add(t.task.register);
  RETURNS_FACTS[t.task.module]?.forEach((n) => registered.add(n));
  if (SETS_ITS_ARGUMENTS.has(t.task.module)) Object.keys(t.task.args).forEach((k) => registered.add(k));
  if (!isIncludeVars(t)) return true;
  const names = includedVars?.get(t);
  names?.forEach((n) => registered.add(n));
  return names !== undefined;
}

function message(name: string, scopes: readonly ReadonlySet<string>[]): string {
  const hint = closest(name, scopes.flatMap((s) => [...s]));
  const mean = hint ? ` (did you mean "${hint}"?)` : '';
  const facts = name.startsWith('ansible_') ? ' (facts are gathered only by gather_facts or an earlier setup task)' : '';
  return `undefined variable "${name}"${mean}: no inventory host, play vars, vars file, -e or earlier register defines it${facts}`;
}
