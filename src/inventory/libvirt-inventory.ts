// The libvirt inventory's part of loading: the hypervisors of every libvirt source
// are asked for their domains (by the caller's `queryLibvirt`, which connects over
// SSH: the inventory itself stays pure), and the guests join the inventory with their
// groups. A guest may not take the name of a host the inventory already has.
import { ValidationError } from '../errors.js';
import { usesConstructed, type ExpressionEvaluator } from './constructed.js';
import type { Inventory } from './inventory.js';
import { guestInventory, type GuestInventory, type HypervisorDomains } from './libvirt-guests.js';
import type { LibvirtSource } from './libvirt-source.js';
import type { InventoryModel } from './model.js';

export interface LibvirtAnswer {
  /** The domains of each hypervisor that answered. */
  found: HypervisorDomains[];
  /** Hypervisors that did not answer (their guests are left out), ignored URI parameters. */
  warnings: string[];
}

/** What loading needs from the layers above the inventory to read libvirt sources. */
export interface InventoryPlugins {
  /**
   * Asks the hypervisors of a source for their domains; `known` holds the hosts of the
   * other sources (a hypervisor may be one of them). Without it, a libvirt source adds
   * no host (a command that connects to no host: validate).
   */
  queryLibvirt?: (source: LibvirtSource, known: Inventory) => Promise<LibvirtAnswer>;
  /** Jinja, for the `compose`, `groups` and `keyed_groups` options (loaded only for a source that has them). */
  expressions?: () => Promise<ExpressionEvaluator>;
}

/** The evaluator the sources need: none unless one of them has constructed options. */
export async function expressionsFor(sources: readonly LibvirtSource[], plugins: InventoryPlugins): Promise<ExpressionEvaluator | undefined> {
  return sources.some((s) => usesConstructed(s.constructed)) && plugins.expressions ? plugins.expressions() : undefined;
}

/** Every source's guests into `model`; returns the warnings. `known` is the inventory before them. */
export async function addLibvirtGuests(model: InventoryModel, sources: readonly LibvirtSource[], known: Inventory, plugins: InventoryPlugins): Promise<string[]> {
  const query = plugins.queryLibvirt;
  if (!query) {
    return sources.map((s) => `libvirt inventory ${s.file}: its hypervisors were not asked for their guests (this command connects to no host)`);
  }
  const answers = await Promise.all(sources.map((s) => query(s, known)));
  const ev = await expressionsFor(sources, plugins);
  const warnings: string[] = [];
  for (const [i, source] of sources.entries()) {
    const answer = answers[i]!;
    const guests = guestInventory(source, answer.found, ev);
    warnings.push(...answer.warnings, ...guests.warnings);
    addGuests(model, guests, source);
  }
  return warnings;
}

export function addGuests(model: InventoryModel, guests: GuestInventory, source: LibvirtSource): void {
  for (const g of guests.groups) {
    model.addGroup(g.name, source.pos);
    for (const p of g.parents) model.addChild(p, g.name, source.pos);
    for (const [k, v] of Object.entries(g.vars)) model.setGroupVar(g.name, k, v, source.pos);
  }
  for (const h of guests.hosts) {
    const other = model.hosts.get(h.name);
    if (other) {
      const where = other.source === source.file ? 'another hypervisor of this source' : other.source ?? 'the inventory';
      throw new ValidationError(source.pos, `libvirt inventory: guest "${h.name}" of ${String(h.vars['libvirt_hypervisor'])} has the name of a host `
        + `already in the inventory (from ${where}): rename the domain, or set inventory_hostname: uuid`);
    }
    for (const [i, g] of h.groups.entries()) model.addHost(h.name, { group: g, ...(i === 0 ? { source: source.file, pos: source.pos } : {}) });
    for (const [k, v] of Object.entries(h.vars)) model.setHostVar(h.name, k, v);
  }
}
