// The hosts a libvirt inventory source gives: each domain of each hypervisor becomes
// a host named by its domain name (or uuid), reached over SSH through its hypervisor:
// `ansible_host` is its first IPv4 address, and `ansible_ssh_common_args` carries
// `-o ProxyJump=` (the hypervisor, as kvmplay reaches it), `-o HostKeyAlias=` (the
// guest's name: guests of different hypervisors share NAT addresses such as
// 192.168.122.x, so their keys are recorded by name) and `-o UserKnownHostsFile=`
// (the hypervisor's known_hosts). Groups: `libvirt` ⊃ `libvirt_<hypervisor>`. Pure: the
// caller queried the hypervisors (libvirt-virsh.ts) and resolved how to reach them.
import { ValidationError } from '../errors.js';
import type { Vars } from '../data/py-values.js';
import { quoteShellWord } from '../util/shell-quote.js';
import { construct, ConstructedError, usesConstructed, type ExpressionEvaluator } from './constructed.js';
import type { LibvirtSource } from './libvirt-source.js';
import { firstIpv4, type LibvirtDomain } from './libvirt-virsh.js';

/** How the guests of a hypervisor are reached: through it, as kvmplay reaches it. */
export interface GuestRoute {
  /** ProxyJump value: the hypervisor's own jump hosts, then the hypervisor (`user@host:port` each). */
  proxyJump: string;
  identityFiles: string[];
  knownHosts: string[];
  /** The hypervisor's known_hosts policy is StrictHostKeyChecking accept-new: so is its guests'. */
  acceptNewHostKeys: boolean;
}

export interface HypervisorDomains {
  /** The hypervisor's inventory name, or the URI's host (`localhost` for the control machine). */
  hypervisor: string;
  /** The URI as written in the source. */
  uri: string;
  /** Undefined for the control machine's own libvirt: its guests are reached directly. */
  route?: GuestRoute;
  domains: LibvirtDomain[];
}

export interface GuestHost {
  name: string;
  vars: Vars;
  /** Groups the host is put in directly (they exist in GuestInventory.groups). */
  groups: string[];
}

export interface GuestGroup {
  name: string;
  parents: string[];
  vars: Vars;
}

export interface GuestInventory {
  hosts: GuestHost[];
  /** In the order to create them: parents first. */
  groups: GuestGroup[];
  warnings: string[];
}

export const LIBVIRT_GROUP = 'libvirt';

/** `libvirt_<name>` with anything but letters, digits and `_` made `_` (a valid group name). */
export function hypervisorGroup(hypervisor: string): string {
  return `${LIBVIRT_GROUP}_${hypervisor.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

export function guestInventory(source: LibvirtSource, found: readonly HypervisorDomains[], ev?: ExpressionEvaluator): GuestInventory {
  const out: GuestInventory = { hosts: [], groups: [], warnings: [] };
  const groups = new Map<string, GuestGroup>();
  const group = (name: string, parent?: string): GuestGroup => {
    let g = groups.get(name);
    if (!g) {
      g = { name, parents: [], vars: {} };
      groups.set(name, g);
      out.groups.push(g);
    }
    if (parent !== undefined && !g.parents.includes(parent)) g.parents.push(parent);
    return g;
  };
  const fail = (detail: string): never => {
    throw new ValidationError(source.pos, `libvirt inventory: ${detail}`);
  };
  if (usesConstructed(source.constructed) && !ev) fail('compose, groups and keyed_groups need Jinja, which this command does not load');
  group(LIBVIRT_GROUP);
  const origin = new Map<string, HypervisorDomains>();
  for (const hv of found) {
    const hvGroup = group(hypervisorGroup(hv.hypervisor), LIBVIRT_GROUP);
    // Group variables, under group_vars/ files and the hosts' own: a user can still choose another login.
    hvGroup.vars = { ansible_user: 'root', ...identityVars(hv.route), ...source.vars };
    const unaddressed: string[] = [];
    for (const d of hv.domains) {
      const name = source.inventoryHostname === 'uuid' ? d.uuid : d.name;
      const before = origin.get(name);
      if (before) {
        fail(`two guests named "${name}": one on ${before.hypervisor} (${before.uri}) and one on ${hv.hypervisor} (${hv.uri}); `
          + 'set inventory_hostname: uuid, or rename one of the domains');
      }
      origin.set(name, hv);
      const host: GuestHost = { name, vars: guestVars(d, name, hv), groups: [hvGroup.name] };
      if (source.inventoryHostname === 'uuid') host.groups.push(group(d.name).name);
      if (host.vars['ansible_host'] === undefined) unaddressed.push(`${name} (${d.state === 'running' ? `running, ${why(d)}` : d.state})`);
      if (ev) applyConstructed(source, host, ev, group);
      out.hosts.push(host);
    }
    if (unaddressed.length) {
      out.warnings.push(`libvirt inventory ${source.file}: ${hv.hypervisor}: no IPv4 address for ${unaddressed.join(', ')}: `
        + 'listed without ansible_host (connecting to them fails until they have one)');
    }
  }
  return out;
}

/** An `-o` option for the ssh arguments string, quoted only when it must be (spaces, quotes). */
function sshWord(option: string): string {
  return /^[A-Za-z0-9_@%+:,./=~[\]-]+$/.test(option) ? option : quoteShellWord(option);
}

function why(d: LibvirtDomain): string {
  return d.addressError ? `no address: ${d.addressError}` : 'no DHCP lease or ARP entry yet';
}

function guestVars(d: LibvirtDomain, name: string, hv: HypervisorDomains): Vars {
  const vars: Vars = {};
  const address = firstIpv4(d);
  if (address !== undefined) vars['ansible_host'] = address;
  const args = [`-o ${sshWord(`HostKeyAlias=${name}`)}`];
  if (hv.route) {
    args.unshift(`-o ${sshWord(`ProxyJump=${hv.route.proxyJump}`)}`);
    if (hv.route.knownHosts.length) args.push(`-o ${sshWord(`UserKnownHostsFile=${hv.route.knownHosts.join(' ')}`)}`);
    if (hv.route.acceptNewHostKeys) args.push('-o StrictHostKeyChecking=accept-new');
  }
  vars['ansible_ssh_common_args'] = args.join(' ');
  // Ansible's plugin's variables (kvmplay sets no ansible_connection: it connects over SSH).
  vars['ansible_libvirt_uri'] = hv.uri;
  vars['info'] = { ...d.info };
  vars['interface_addresses'] = Object.fromEntries(d.interfaces.map((i) => [i.name, { addrs: i.addrs.map((a) => ({ ...a })), hwaddr: i.hwaddr }]));
  vars['xml_desc'] = d.xml;
  // kvmplay's own, named as the facts of its libvirt modules.
  vars['libvirt_hypervisor'] = hv.hypervisor;
  vars['libvirt_domain'] = d.name;
  vars['libvirt_uuid'] = d.uuid;
  vars['libvirt_state'] = d.state;
  vars['libvirt_addresses'] = d.interfaces.flatMap((i) => i.addrs.filter((a) => a.type === 0).map((a) => a.addr));
  return vars;
}

/** The hypervisor's identity files, which kvmplay also offers the hypervisor as the guests' jump host. */
function identityVars(route: GuestRoute | undefined): Vars {
  if (!route || route.identityFiles.length === 0) return {};
  return { ansible_ssh_private_key_file: route.identityFiles.length === 1 ? route.identityFiles[0] : [...route.identityFiles] };
}

function applyConstructed(source: LibvirtSource, host: GuestHost, ev: ExpressionEvaluator, group: (name: string, parent?: string) => GuestGroup): void {
  // Ansible's Host.get_vars(): the host's own variables and its magic names.
  const own: Vars = {
    ...host.vars,
    inventory_hostname: host.name,
    inventory_hostname_short: host.name.split('.')[0],
    group_names: [...host.groups, LIBVIRT_GROUP].sort(),
  };
  let made;
  try {
    made = construct(source.constructed, host.name, own, ev);
  } catch (e) {
    if (e instanceof ConstructedError) throw new ValidationError(source.pos, `libvirt inventory: ${e.message}`, { cause: e });
    throw e;
  }
  Object.assign(host.vars, made.vars);
  for (const g of made.groups) {
    if (g.parent !== undefined) group(g.parent);
    group(g.name, g.parent);
    if (!host.groups.includes(g.name)) host.groups.push(g.name);
  }
}
