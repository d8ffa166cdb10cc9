// add_host and group_by change the run's inventory, as ansible-core's strategy applies
// their results (InventoryManager.add_dynamic_host / add_dynamic_group): here, in one
// place, for the rest of the run. A new host or group is matched by later plays'
// `hosts` patterns, shows in `groups` and `hostvars`, and a new host is connected to
// (lazily, by the host pool) with the connection settings of its variables, like any
// inventory host. Their group_vars/ and host_vars/ files (beside the inventory and the
// playbooks) are read as they appear; their secrets join the redactor.
// `changed` is Ansible's: the inventory changed. It is decided before changed_when.
import { KvmplayError, ValidationError } from '../errors.js';
import { isPlainObject } from '../data/py-values.js';
import { parseAddress } from '../inventory/host-ranges.js';
import { connectionFor, Inventory, type ConnectionSpec, type Vars } from '../inventory/index.js';
import { InventoryModel } from '../inventory/model.js';
import { failedResult, type Registered } from './result.js';
import type { RunContext } from './run-context.js';

/** After the module ran for `host` (one loop item): what add_host or group_by asked for, done. */
export async function applyInventoryChange(ctx: RunContext, host: string, module: string, r: Registered): Promise<Registered> {
  if (r.failed || r.skipped) return r;
  try {
    if (module === 'add_host' && isPlainObject(r['add_host'])) return await addHost(ctx, r, r['add_host']);
    if (module === 'group_by' && typeof r['add_group'] === 'string') return await groupBy(ctx, host, r, r['add_group'], r['parent_groups']);
  } catch (err) {
    if (!(err instanceof KvmplayError)) throw err;
    return failedResult(`${module}: ${err.message}`, withoutStatus(r));
  }
  return r;
}

async function addHost(ctx: RunContext, r: Registered, request: Vars): Promise<Registered> {
  const inv = ctx.inventory;
  const { name, vars } = splitPort(String(request['host_name']), isPlainObject(request['host_vars']) ? request['host_vars'] : {});
  const groups = Array.isArray(request['groups']) ? request['groups'].map(String) : [];
  // Settings kvmplay could not connect with fail the task now, the host left out: a
  // host the pool cannot open would be dropped from later plays without a word.
  connectionOf(trialInventory(inv, name, vars), name);
  const changed = inv.addDynamicHost(name, groups, vars);
  if (changed) refreshGroups(ctx);
  await inv.readAddedVars({ groups, hosts: [name] }, [...ctx.adjacentVars.values()], (v) => ctx.redactor.addSecretVars(v));
  // Its passwords are masked in all output, as the inventory's hosts' are (cli/connections.ts).
  ctx.redactor.addSecretVars(inv.hostVars(name));
  const spec = connectionOf(inv, name);
  ctx.redactor.add(spec.password);
  ctx.redactor.add(spec.becomePassword);
  return { ...r, add_host: { host_name: name, groups, host_vars: vars }, changed };
}

async function groupBy(ctx: RunContext, host: string, r: Registered, group: string, parents: unknown): Promise<Registered> {
  const inv = ctx.inventory;
  const above = Array.isArray(parents) ? parents.map(String) : ['all'];
  const changed = inv.addDynamicGroup(host, group, above);
  if (changed) refreshGroups(ctx);
  await inv.readAddedVars({ groups: [group, ...above] }, [...ctx.adjacentVars.values()], (v) => ctx.redactor.addSecretVars(v));
  return { ...r, changed };
}

/** parse_address(allow_ranges=False): `name:port` gives the host's ansible_ssh_port; anything else is the name as written. */
export function splitPort(given: string, vars: Vars): { name: string; vars: Vars } {
  const addr = parseAddress(given);
  if (!addr || addr.host.includes('[')) return { name: given, vars };
  return { name: addr.host, vars: addr.port ? { ...vars, ansible_ssh_port: addr.port } : vars };
}

/** The host's connection settings; unusable ones are the task's failure (the position would be a made-up one). */
function connectionOf(inv: Inventory, name: string): ConnectionSpec {
  try {
    return connectionFor(inv, name);
  } catch (err) {
    if (err instanceof ValidationError) throw new KvmplayError(err.detail, { cause: err });
    throw err;
  }
}

/** The host alone, with its variables so far and the new ones: enough to check its connection settings. */
function trialInventory(inv: Inventory, name: string, vars: Vars): Inventory {
  const model = new InventoryModel();
  model.addHost(name, { group: 'all' });
  for (const [k, v] of Object.entries({ ...(inv.hasHost(name) ? inv.hostVars(name) : {}), ...vars })) model.setHostVar(name, k, v);
  model.reconcile();
  return new Inventory(model, [], [], []);
}

/** The `groups` variable is computed once per run; it is kept in step in place (scopes hold it). */
function refreshGroups(ctx: RunContext): void {
  for (const g of ctx.inventory.groupNames()) ctx.groups[g] = ctx.inventory.hostsOf(g);
}

function withoutStatus(r: Registered): Record<string, unknown> {
  const { changed: _c, failed: _f, skipped: _s, msg: _m, ...rest } = r;
  return rest;
}
