// Which host a libvirt URI's hypervisor is: a host of the other inventory sources when
// the URI's host is its inventory name or its address (`ansible_host`), so that its
// key, user, port, known_hosts and jump hosts are used; otherwise a host of its own, as
// `-i 'HOST,'` would make it (ssh config and ansible.cfg defaults then apply). What the
// URI itself says (user, port, libvirt's keyfile and known_hosts parameters) wins, as
// it would for virsh. The result is a one-host inventory for connectionFor().
import { dirname, join } from 'node:path';
import type { Vars } from '../data/py-values.js';
import { Inventory } from './inventory.js';
import type { LibvirtUri } from './libvirt-uri.js';
import { InventoryModel } from './model.js';

export interface HypervisorHost {
  /** Its inventory name (or the URI's host). */
  name: string;
  /** A one-host inventory holding its resolved variables with the URI's settings over them. */
  inventory: Inventory;
  /** Found among the hosts of the other sources. */
  inInventory: boolean;
}

const ADDRESS_KEYS = ['host', 'ansible_ssh_host', 'ansible_host'];

/** The inventory host whose name, else whose address, is `host` (the first one, in inventory order). */
export function findHypervisor(known: Inventory | undefined, host: string): string | undefined {
  if (!known) return undefined;
  if (known.hasHost(host)) return host;
  const wanted = host.toLowerCase();
  return known.hostNames().find((name) => {
    const vars = known.sharedHostVars(name);
    const address = ADDRESS_KEYS.map((k) => vars[k]).find((v) => v !== undefined && v !== null);
    return typeof address === 'string' && address.toLowerCase() === wanted;
  });
}

/** `uri` must name a host (qemu+ssh://…); `sourceFile` is the libvirt source (relative keyfile paths). */
export function hypervisorHost(known: Inventory | undefined, uri: LibvirtUri, sourceFile: string): HypervisorHost {
  const host = uri.host!;
  const found = findHypervisor(known, host);
  const name = found ?? host;
  const vars: Vars = found ? known!.hostVars(found) : {};
  // The file relative paths of the host's variables are relative to.
  const file = found ? known!.sourceOf(found) ?? sourceFile : sourceFile;
  const overrides: Vars = {};
  if (uri.user !== undefined) overrides['ansible_user'] = uri.user;
  if (uri.port !== undefined) overrides['ansible_port'] = uri.port;
  if (uri.keyfile !== undefined) overrides['ansible_ssh_private_key_file'] = relativeTo(uri.keyfile, sourceFile);
  if (uri.knownHosts !== undefined) overrides['known_hosts'] = relativeTo(uri.knownHosts, sourceFile);
  const model = new InventoryModel();
  model.addHost(name, { group: 'ungrouped', source: file });
  for (const [k, v] of Object.entries({ ...vars, ...overrides })) {
    // The URI's settings beat every other spelling of the same setting.
    if (k === 'user' && overrides['ansible_user'] !== undefined) continue;
    if (k === 'port' && overrides['ansible_port'] !== undefined) continue;
    if (k === 'identity_file' && overrides['ansible_ssh_private_key_file'] !== undefined) continue;
    if ((k === 'ansible_ssh_user' && uri.user !== undefined) || (k === 'ansible_ssh_port' && uri.port !== undefined)) continue;
    if (k === 'ansible_private_key_file' && uri.keyfile !== undefined) continue;
    model.setHostVar(name, k, v);
  }
  model.reconcile();
  return { name, inventory: new Inventory(model, [file], [], []), inInventory: found !== undefined };
}

/** libvirt's parameters are paths on the control machine: relative ones from the source's folder. */
function relativeTo(path: string, sourceFile: string): string {
  return path.startsWith('/') || path.startsWith('~') ? path : join(dirname(sourceFile), path);
}
