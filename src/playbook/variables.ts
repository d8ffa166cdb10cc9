// Undefined variables, where that is statically knowable (SPEC 4). A name read
// unguarded (not under `is defined`, `default`, `#if`) by a template or condition is
// an error only when no scope can define it for any host: not the inventory (any
// host's variables, group_vars/host_vars beside the playbook), not the play's vars
// or vars_files, not -e, not a magic variable, not registered by an earlier task,
// not the task's vars or loop variables. Only root names count (`vm.memory` → `vm`).
// When a scope cannot be known (a templated vars_files path), nothing is reported.
import type { BuiltPlay } from './play.js';
import type { Problems } from './problems.js';
import type { VarUse } from './strings.js';
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
const SETS_ITS_ARGUMENTS = new Set(['set_fact']);

export interface PlayForCheck {
  built: BuiltPlay;
  /** Variables each task's template file reads. */
  fileUses: Map<BuiltTask, VarUse[]>;
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
  for (const { built, fileUses } of plays) {
    const { play } = built;
    factsGathered ||= play.gatherFacts;
    const playKnown = new Set([
      ...known, ...Object.keys(play.vars), ...play.varsFiles.flatMap((f) => Object.keys(f.vars ?? {})), ...built.roleVarNames,
    ]);
    const opaque = !built.varsKnown || play.varsFiles.some((f) => f.vars === undefined);
    // A task with problems is not built, but its register may well be what later tasks read.
    built.failedRegisters.forEach((r) => registered.add(r));
    const report = (uses: readonly VarUse[], ...scopes: ReadonlySet<string>[]): void => {
      if (opaque) return;
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
      const taskVars = new Set([...Object.keys(task.vars), ...(task.role ? [...Object.keys(task.role.defaults), ...Object.keys(task.role.vars), ...Object.keys(task.role.params)] : [])]);
      const loopVars = new Set(task.loop === undefined ? [] : [task.loopVar, 'index', ...(task.indexVar ? [task.indexVar] : [])]);
      report(t.uses.loop, registered, taskVars);
      report([...t.uses.before, ...(fileUses.get(t) ?? [])], registered, taskVars, loopVars);
      report(t.uses.after, registered, taskVars, loopVars, new Set(task.register ? [task.register] : []));
    };
    for (const t of built.tasks) {
      runTask(t);
      define(t, registered);
      factsGathered ||= GATHERS_FACTS.has(t.task.module.replace(/^ansible\.(builtin|legacy)\./, ''));
    }
    // Handlers run after the tasks, in any order notifications lead to: all their registers count.
    for (const h of built.handlers) define(h, registered);
    built.handlers.forEach(runTask);
  }
}

function define(t: BuiltTask, registered: Set<string>): void {
  if (t.task.register) registered.add(t.task.register);
  if (SETS_ITS_ARGUMENTS.has(t.task.module)) Object.keys(t.task.args).forEach((k) => registered.add(k));
}

function message(name: string, scopes: readonly ReadonlySet<string>[]): string {
  const hint = closest(name, scopes.flatMap((s) => [...s]));
  const mean = hint ? ` (did you mean "${hint}"?)` : '';
  const facts = name.startsWith('ansible_') ? ' (facts are gathered only by gather_facts or an earlier setup task)' : '';
  return `undefined variable "${name}"${mean}: no inventory host, play vars, vars file, -e or earlier register defines it${facts}`;
}
