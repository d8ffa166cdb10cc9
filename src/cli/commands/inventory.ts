// `kvmplay inventory -i INV [--graph [GROUP] | --host NAME | --list]`: what
// `ansible-inventory` prints for the same files (SPEC 2, 3).
import { KvmplayError, OptionsError } from '../../errors.js';
import { loadInventory, sortKeysDeep, type Inventory } from '../../inventory/index.js';

export interface InventoryOptions {
  inventory: string[];
  graph?: boolean;
  host?: string;
  list?: boolean;
  /** A group to start --graph or --list at (default `all`). */
  pattern?: string;
}

export async function inventoryCommand(
  o: InventoryOptions, out: NodeJS.WritableStream, err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  const chosen = [o.graph, o.host !== undefined, o.list].filter(Boolean).length;
  if (chosen > 1) throw new OptionsError('use only one of --graph, --host and --list');
  const inv = await loadInventory(o.inventory);
  for (const w of inv.warnings) err.write(`[WARNING]: ${w}\n`);

  if (o.host !== undefined) {
    const name = resolveHost(inv, o.host);
    out.write(`${json(inv.hostVars(name))}\n`);
    return 0;
  }
  const top = o.pattern ?? 'all';
  if (!inv.hasGroup(top)) throw new OptionsError(`"${top}" is not a group of the inventory`);
  out.write(`${o.graph ? inv.graph(top) : json(inv.toList(top))}\n`);
  return 0;
}

/** ansible-inventory --host takes a pattern that must match exactly one host. */
function resolveHost(inv: Inventory, pattern: string): string {
  if (inv.hasHost(pattern)) return pattern;
  const hosts = inv.matchHosts(pattern);
  if (hosts.length === 1) return hosts[0]!;
  if (hosts.length === 0) throw new KvmplayError(`unknown host "${pattern}": it is not in the inventory`);
  throw new KvmplayError(`--host needs a single host, but "${pattern}" matches ${hosts.length}: ${hosts.slice(0, 5).join(', ')}${hosts.length > 5 ? ', …' : ''}`);
}

/** json.dumps(sort_keys=True, indent=4), as ansible-inventory prints. */
function json(v: unknown): string {
  return JSON.stringify(sortKeysDeep(v), null, 4);
}
