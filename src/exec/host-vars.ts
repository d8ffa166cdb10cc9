// Which variables a host sees, in SPEC 3's order (lowest first):
//   group_vars/ beside the playbook < inventory (all, groups, host, its group_vars/
//   and host_vars/) < host_vars/ beside the playbook < facts < play vars < vars_files <
//   task vars < include_vars < registered results and set_fact < -e < magic variables <
//   loop variables.
// Magic variables come last, as in Ansible's VariableManager: `inventory_hostname`
// is never someone's variable. Gathered facts (`ansible_facts`, `ansible_*`) sit where
// Ansible puts its fact cache: above the inventory, below play vars (so `-e` or a play
// var overrides a fact). Playbook-side group_vars sit below the whole
// inventory (Ansible interleaves them with the inventory's group layers; a
// playbook's group_vars/all giving defaults that an inventory overrides is the case
// that matters).
import { dirname } from 'node:path';
import type { Vars } from '../inventory/index.js';
import { factVariables } from '../modules/system/facts/facts.js';
import type { HostRun } from './host-pool.js';
import type { PlayRun, RunContext } from './run-context.js';
import { combinedLayer, Lazy, layeredVars, type Scope, type VarLayer } from './scope.js';

/** Ansible's `omit`: an argument whose value is exactly this is left out. */
export const OMIT = '__omit_place_holder__kvmplay__';

/**
 * The layers under the play (inventory and playbook-side vars files). They are read
 * again whenever the inventory changed during the run (add_host, group_by: a group
 * joined brings its variables at once) or the host's facts did.
 */
export function hostLayers(ctx: RunContext, playbookDir: string, host: string): VarLayer[] {
  const adjacent = ctx.adjacentVars.get(playbookDir);
  const inventory = ctx.inventory;
  return [
    liveLayer('group_vars beside the playbook', true, () => [inventory.generation], () => {
      const groupVars: Vars = {};
      if (adjacent) for (const g of ['all', ...inventory.groupsOf(host)]) Object.assign(groupVars, adjacent.groups.get(g) ?? {});
      return groupVars;
    }),
    liveLayer('inventory', true, () => [inventory.generation], () => inventory.sharedHostVars(host)),
    { source: 'host_vars beside the playbook', vars: adjacent?.hosts.get(host) ?? {}, templated: true },
    // Layer lists are made when a play starts, before gather_facts runs.
    liveLayer('facts', false, () => [ctx.hosts.peek(host)?.facts, ctx.hosts.peek(host)?.moduleFacts], () => {
      const run = ctx.hosts.peek(host);
      return withModuleFacts(factVariables(run?.facts), run?.moduleFacts);
    }),
  ];
}

/**
 * Facts other modules returned (service_facts' `services`, package_facts' `packages`):
 * in `ansible_facts` (an `ansible_` prefix dropped) and as variables named as returned,
 * as Ansible's fact cache gives them.
 */
function withModuleFacts(vars: Vars, moduleFacts: Vars | undefined): Vars {
  if (moduleFacts === undefined) return vars;
  const namespaced = Object.fromEntries(Object.entries(moduleFacts).map(([k, v]) => [k.replace(/^ansible_/, ''), v]));
  return { ...vars, ...moduleFacts, ansible_facts: { ...(vars['ansible_facts'] as Vars | undefined), ...namespaced } };
}

/** A layer whose variables are computed again when one of `versions()` changes (compared by identity). */
function liveLayer(source: string, templated: boolean, versions: () => unknown[], compute: () => Vars): VarLayer {
  let memo: { versions: unknown[]; vars: Vars } | undefined;
  const current = (): Vars => {
    const v = versions();
    if (memo === undefined || memo.versions.length !== v.length || v.some((x, i) => x !== memo!.versions[i])) memo = { versions: v, vars: compute() };
    return memo.vars;
  };
  // A getter, not a copy: each scope reads the current object, the same one until a
  // version changes (scope.ts prepares a layer's entries once per object).
  return {
    source,
    templated,
    get vars() {
      return current();
    },
  };
}

export function playLayers(ctx: RunContext, playRun: PlayRun, host: string, varsFiles: readonly Vars[]): VarLayer[] {
  // One combined layer: its variables are worked out once per host and play, not per task.
  return [combinedLayer([
    ...hostLayers(ctx, playRun.playbook.dir, host),
    { source: 'play vars', vars: playRun.play.vars, templated: true },
    // vars_prompt answers (its defaults: an -e value is above them anyway), as Ansible places them.
    ...(playRun.play.varsPrompt.length ? [{ source: 'vars_prompt', vars: promptDefaults(playRun), templated: true }] : []),
    ...varsFiles.map((vars) => ({ source: 'vars_files', vars, templated: true })),
  ])];
}

function promptDefaults(playRun: PlayRun): Vars {
  return Object.fromEntries(playRun.play.varsPrompt.filter((p) => p.default !== undefined).map((p) => [p.name, p.default]));
}

/** The layers above task vars: include_vars, registered results and set_fact, -e, magic variables. */
export function topLayers(ctx: RunContext, playRun: PlayRun, hostRun: HostRun): VarLayer[] {
  return [
    // Ansible's VariableManager: its vars cache (include_vars) just under set_fact and register;
    // raw file values, templated when read.
    { source: 'include_vars', vars: { ...hostRun.includedVars }, templated: true },
    { source: 'registered results', vars: { ...hostRun.registered }, templated: false },
    { source: 'set_fact', vars: { ...hostRun.setFacts }, templated: false },
    { source: '-e', vars: ctx.loaded.extraVars, templated: true },
    { source: 'magic variables', vars: magicVars(ctx, playRun, hostRun), templated: false },
  ];
}

const ANSIBLE_VERSION = { full: '2.14.18', major: 2, minor: 14, revision: 18, string: '2.14.18' };

export function magicVars(ctx: RunContext, playRun: PlayRun, hostRun: HostRun): Vars {
  const name = hostRun.name;
  const inv = ctx.inventory;
  const source = inv.sourceOf(name);
  // Each a pass over the play's hosts: computed only when read (per task, never per fleet).
  const active = new Lazy(() => playRun.hosts.filter((h) => ctx.hosts.stateOf(h) === 'active'));
  const batch = (): Lazy => new Lazy(() => playRun.batch.filter((h) => ctx.hosts.stateOf(h) === 'active'));
  return {
    inventory_hostname: name,
    inventory_hostname_short: name.split('.')[0] ?? name,
    group_names: inv.groupsOf(name),
    groups: ctx.groups,
    hostvars: new Lazy(() => hostvarsView(ctx, playRun)),
    playbook_dir: playRun.playbook.dir,
    ...(source ? { inventory_file: source, inventory_dir: dirname(source) } : {}),
    check_mode: ctx.options.check,
    ansible_check_mode: ctx.options.check,
    diff_mode: ctx.options.diff,
    ansible_diff_mode: ctx.options.diff,
    ansible_verbosity: ctx.options.verbosity ?? 0,
    // The ansible-core whose playbook language kvmplay follows (its Jinja corpus is 2.14's).
    ansible_version: ANSIBLE_VERSION,
    ansible_run_tags: [...ctx.options.tags.only],
    ansible_skip_tags: [...ctx.options.tags.skip],
    ansible_forks: ctx.options.forks,
    ansible_limit: ctx.options.limit ?? '',
    ansible_inventory_sources: [...inv.sources],
    ansible_play_name: playRun.play.name,
    ansible_play_hosts: active,
    ansible_play_hosts_all: new Lazy(() => [...playRun.hosts]),
    ansible_play_batch: batch(),
    play_hosts: batch(),
    role_names: [],
    omit: OMIT,
    ...(hostRun.facts ? { facts: hostRun.facts } : {}),
  };
}

/**
 * `hostvars[name]`: that host's inventory variables (templated against its own),
 * its facts and registered results so far. A view over the inventory's host names:
 * making it costs nothing whatever the fleet, and a host's variables are built the
 * first time a template of this scope looks at them.
 */
function hostvarsView(ctx: RunContext, playRun: PlayRun): Vars {
  const built = new Map<string, Scope>();
  const known = (k: string | symbol): k is string => typeof k === 'string' && ctx.inventory.hasHost(k);
  const hostvars = (name: string): Scope => {
    let vars = built.get(name);
    if (!vars) built.set(name, (vars = hostvarsOf(ctx, playRun, name)));
    return vars;
  };
  return new Proxy({} as Vars, {
    get: (_t, k) => (known(k) ? hostvars(k) : undefined),
    has: (_t, k) => known(k),
    ownKeys: () => ctx.inventory.hostNames(),
    getOwnPropertyDescriptor: (_t, k) => (known(k) ? { value: hostvars(k), enumerable: true, configurable: true, writable: false } : undefined),
  });
}

function hostvarsOf(ctx: RunContext, playRun: PlayRun, name: string): Scope {
  const run = ctx.hosts.peek(name);
  return layeredVars([
    ...hostLayers(ctx, playRun.playbook.dir, name),
    { source: 'registered results', vars: { ...(run?.registered ?? {}) }, templated: false },
    { source: '-e', vars: ctx.loaded.extraVars, templated: true },
    {
      source: 'magic variables',
      vars: {
        inventory_hostname: name,
        inventory_hostname_short: name.split('.')[0] ?? name,
        group_names: ctx.inventory.groupsOf(name),
        ...(run?.facts ? { facts: run.facts } : {}),
      },
      templated: false,
    },
  ], ctx.templateCache);
}

/** The full scope of a task (loop variables on top when given). */
export function taskScope(ctx: RunContext, base: readonly VarLayer[], loop?: Vars): Scope {
  const scope = layeredVars(loop ? [...base, { source: 'loop', vars: loop, templated: false }] : base, ctx.templateCache);
  // Ansible's `vars`: every variable in scope (`vars['name_' ~ x]`, `'x' in vars`); not one of its own keys.
  Object.defineProperty(scope, 'vars', { value: scope, enumerable: false, configurable: true });
  return scope;
}
