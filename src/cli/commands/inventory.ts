// `kvmplay inventory -i INV [--graph [GROUP] | --host NAME | --list]`: what
// `ansible-inventory` prints for the same files (SPEC 2, 3). `--libvirt [FILE]`: the
// same views of the guests of some hypervisors only (libvirt-standalone.ts).
import { KvmplayError, OptionsError } from '../../errors.js';
import { loadInventory, sortKeysDeep, type Inventory } from '../../inventory/index.js';
import { loadLibvirtGuests } from '../../inventory/libvirt-standalone.js';
import { inventoryPlugins } from '../libvirt-query.js';
import { resolveRunSettings, type RunSettings } from '../settings.js';
import { Redactor } from '../../output/redact.js';
import { watchVaultPlaintexts } from '../../vault/index.js';

export interface InventoryOptions {
  inventory: string[];
  graph?: boolean;
  host?: string;
  list?: boolean;
  /** A group to start --graph or --list at (default `all`). */
  pattern?: string;
  /** --limit: only the hosts this pattern matches are shown (the groups all stay); with --libvirt, the hypervisors. */
  limit?: string;
  /** --libvirt: only the guests of the hypervisors (--limit's hosts), or of this libvirt source file. */
  libvirt?: string | true;
  /** How hypervisors are reached where the inventory says nothing (ansible.cfg, environment); asked only if needed. */
  settings?: () => RunSettings;
}

export async function inventoryCommand(
  o: InventoryOptions, out: NodeJS.WritableStream, err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  const chosen = [o.graph, o.host !== undefined, o.list].filter(Boolean).length;
  if (chosen > 1) throw new OptionsError('use only one of --graph, --host and --list');
  const plugins = inventoryPlugins(o.settings ?? (() => resolveRunSettings({})));
  const loaded = await loadInventory(o.inventory, plugins);
  for (const w of loaded.warnings) err.write(`[WARNING]: ${w}\n`);
  const inv = o.libvirt === undefined ? loaded : await loadLibvirtGuests(loaded, {
    ...(typeof o.libvirt === 'string' ? { file: o.libvirt } : {}),
    ...(o.limit !== undefined ? { limit: o.limit } : {}),
  }, plugins);
  if (inv !== loaded) for (const w of inv.warnings) err.write(`[WARNING]: ${w}\n`);
  // With --libvirt, --limit chose the hypervisors: every guest of theirs is shown.
  const limit = o.libvirt === undefined ? o.limit : undefined;
  // Values decrypted from a vault are secrets: masked, as in every other output.
  const vault = new Redactor();
  watchVaultPlaintexts((v) => vault.addValue(v));
  const print = (text: string): void => void out.write(vault.redact(text));

  if (o.host !== undefined) {
    const name = resolveHost(inv, o.host);
    if (limit !== undefined && !inv.matchHosts(limit).includes(name)) throw new KvmplayError(`host "${name}" is not in --limit ${JSON.stringify(limit)}`);
    print(`${json(inv.hostVars(name))}\n`);
    return 0;
  }
  const top = o.pattern ?? 'all';
  if (!inv.hasGroup(top)) throw new OptionsError(`"${top}" is not a group of the inventory`);
  const shown = limit === undefined ? undefined : new Set(inv.matchHosts(limit));
  print(`${o.graph ? limitGraph(inv.graph(top), shown) : json(limitList(inv.toList(top), shown))}\n`);
  return 0;
}

/** --graph lines of hosts --limit leaves out are dropped (group lines are `@name:`). */
function limitGraph(graph: string, shown: ReadonlySet<string> | undefined): string {
  if (shown === undefined) return graph;
  return graph.split('\n').filter((line) => {
    const m = /\|--(.*)$/.exec(line);
    return m === null || m[1]!.startsWith('@') || shown.has(m[1]!);
  }).join('\n');
}

/** --list without the hosts --limit leaves out: in no group's `hosts`, not in `_meta.hostvars`. */
function limitList(list: Record<string, unknown>, shown: ReadonlySet<string> | undefined): Record<string, unknown> {
  if (shown === undefined) return list;
  const out: Record<string, unknown> = {};
  for (const [group, value] of Object.entries(list)) {
    const v = { ...(value as Record<string, unknown>) };
    if (group === '_meta') {
      const hostvars = (v['hostvars'] ?? {}) as Record<string, unknown>;
      v['hostvars'] = Object.fromEntries(Object.entries(hostvars).filter(([h]) => shown.has(h)));
    } else if (Array.isArray(v['hosts'])) {
      const hosts = (v['hosts'] as string[]).filter((h) => shown.has(h));
      if (hosts.length > 0) v['hosts'] = hosts;
      else delete v['hosts'];
    }
    out[group] = v;
  }
  return out;
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
