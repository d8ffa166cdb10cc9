// `kvmplay inventory --libvirt`: the guests of some hypervisors as an inventory of
// their own (only the guests and their groups), to print in `--list`'s shape and load
// again with `-i guests.json`. The hypervisors are the hosts of the other sources that
// `--limit` matches (each asked at qemu+ssh://NAME/system), or those of a libvirt
// source file.
import { OptionsError } from '../errors.js';
import { Inventory } from './inventory.js';
import { guestInventory } from './libvirt-guests.js';
import { addGuests, expressionsFor, type InventoryPlugins } from './libvirt-inventory.js';
import { findHypervisor } from './libvirt-hypervisor.js';
import type { LibvirtSource } from './libvirt-source.js';
import { readLibvirtSource, sourceVarsOf } from './load.js';
import { InventoryModel } from './model.js';
import { NO_CONSTRUCTED } from './constructed.js';

export interface LibvirtRequest {
  /** A libvirt source file; else every host of `known` that `limit` matches is a hypervisor. */
  file?: string;
  /** Host pattern over `known`: the hypervisors whose guests are shown. */
  limit?: string;
}

export async function loadLibvirtGuests(known: Inventory, request: LibvirtRequest, plugins: InventoryPlugins): Promise<Inventory> {
  if (!plugins.queryLibvirt) throw new Error('loadLibvirtGuests needs queryLibvirt');
  const source = request.file !== undefined ? await sourceFile(request.file) : hypervisorsSource(known, request.limit);
  if (request.file !== undefined && request.limit !== undefined) {
    const wanted = new Set(known.matchHosts(request.limit));
    source.uris = source.uris.filter((u) => u.uri.host !== undefined && wanted.has(findHypervisor(known, u.uri.host) ?? ''));
    if (source.uris.length === 0) throw new OptionsError(`--limit ${JSON.stringify(request.limit)} matches no hypervisor of ${source.file}`);
  }
  const answer = await plugins.queryLibvirt(source, known);
  const guests = guestInventory(source, answer.found, await expressionsFor([source], plugins));
  const model = new InventoryModel();
  addGuests(model, guests, source);
  model.reconcile();
  const sources = [source.file];
  return new Inventory(model, sources, await sourceVarsOf(sources, model), [...answer.warnings, ...guests.warnings]);
}

async function sourceFile(path: string): Promise<LibvirtSource> {
  const source = await readLibvirtSource(path);
  if (!source) throw new OptionsError(`${path} is not a libvirt inventory source (plugin: community.libvirt.libvirt, uri: qemu+ssh://HOST/system)`);
  return source;
}

/** The hosts `limit` matches, each asked at qemu+ssh://NAME/system with its own connection settings. */
function hypervisorsSource(known: Inventory, limit: string | undefined): LibvirtSource {
  const names = known.matchHosts(limit ?? 'all');
  if (names.length === 0) throw new OptionsError(limit === undefined ? 'the inventory has no host to ask for libvirt guests' : `--limit ${JSON.stringify(limit)} matches no host of the inventory`);
  // group_vars/ beside the first source apply to the guests (group_vars/libvirt.yml).
  const file = known.sources[0] ?? '<inventory>';
  const pos = { file, line: 1, col: 1 };
  return {
    file,
    pos,
    uris: names.map((name) => ({ uri: { text: `qemu+ssh://${name}/system`, host: name, localUri: 'qemu:///system', ignored: [] }, pos })),
    inventoryHostname: 'name',
    constructed: { ...NO_CONSTRUCTED },
    vars: {},
  };
}
