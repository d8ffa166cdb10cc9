// The libvirt inventory's connections (the inventory itself stays pure): each
// hypervisor of a libvirt source is reached as `run` would reach it — its inventory
// host's settings when it is one, else the URI's with the ssh config and ansible.cfg
// defaults — and asked for its domains in one command (VIRSH_REPORT_SCRIPT). A
// hypervisor that cannot be asked is a warning and its guests are left out, as
// Ansible warns about an inventory source it cannot parse; bad connection settings
// stay errors. Also Jinja for the `constructed` options. ssh2 and Jinja are loaded
// only when a libvirt source is read (`inventory` loads neither otherwise).
import { randomBytes } from 'node:crypto';
import pLimit from 'p-limit';
import { KvmplayError } from '../errors.js';
import { ansibleBool, connectionFor, type ConnectionSpec, type Inventory, type Vars } from '../inventory/index.js';
import type { ExpressionEvaluator } from '../inventory/constructed.js';
import type { GuestRoute, HypervisorDomains } from '../inventory/libvirt-guests.js';
import { hypervisorHost } from '../inventory/libvirt-hypervisor.js';
import type { InventoryPlugins, LibvirtAnswer } from '../inventory/libvirt-inventory.js';
import type { LibvirtSource } from '../inventory/libvirt-source.js';
import type { LibvirtUri } from '../inventory/libvirt-uri.js';
import { parseVirshReport, VIRSH_REPORT_SCRIPT } from '../inventory/libvirt-virsh.js';
import type { Host } from '../transport/host.js';
import { applyConnectionDefaults } from './connection-defaults.js';
import type { RunSettings } from './settings.js';

// A hypervisor with hundreds of domains answers in seconds; a hung libvirtd must not hang the run.
const QUERY_TIMEOUT_MS = 120_000;

/** Ansible's templating of `constructed` entries, with kvmplay's Jinja. */
export async function jinjaExpressions(): Promise<ExpressionEvaluator> {
  const { compileJinja } = await import('../jinja/index.js');
  return {
    value: (expr, vars) => compileJinja(`{{ ${expr} }}`).renderValue(vars),
    test: (expr, vars) => ansibleBool(compileJinja(`{% if ${expr} %} True {% else %} False {% endif %}`).render(vars).trim()) === true,
    template: (text, vars) => String(compileJinja(text).renderValue(vars)),
  };
}

/** What loadInventory needs to read libvirt sources; `settings` is asked only when a source needs it. */
export function inventoryPlugins(settings: () => RunSettings): InventoryPlugins {
  return {
    queryLibvirt: (source, known) => queryLibvirt(source, known, settings()),
    expressions: jinjaExpressions,
  };
}

type Asked = HypervisorDomains | { hypervisor: string; uri: string; error: string };

async function queryLibvirt(source: LibvirtSource, known: Inventory, settings: RunSettings): Promise<LibvirtAnswer> {
  const warnings: string[] = [];
  for (const { uri } of source.uris) {
    if (uri.ignored.length) warnings.push(`libvirt inventory ${source.file}: ${uri.text}: kvmplay does not apply the URI parameters ${uri.ignored.join(', ')}`);
  }
  const limit = pLimit(Math.max(1, settings.forks));
  const asked = await Promise.all(source.uris.map(({ uri }) => limit(() => askHypervisor(uri, source, known, settings))));
  const found: HypervisorDomains[] = [];
  for (const a of asked) {
    if ('error' in a) warnings.push(`libvirt inventory ${source.file}: ${a.hypervisor} (${a.uri}): ${a.error}; its guests are left out`);
    else found.push(a);
  }
  return { found, warnings };
}

async function askHypervisor(uri: LibvirtUri, source: LibvirtSource, known: Inventory, settings: RunSettings): Promise<Asked> {
  let host: Host;
  let hypervisor = 'localhost';
  let route: GuestRoute | undefined;
  let become = false;
  const { LocalHost } = await import('../transport/local/local-host.js');
  if (uri.host === undefined) host = new LocalHost();
  else {
    const hv = hypervisorHost(known, uri, source.file);
    hypervisor = hv.name;
    const vars = hv.inventory.hostVars(hv.name);
    // Settings a host cannot use are errors (exit 4), as for every other host.
    const spec = applyConnectionDefaults(connectionFor(hv.inventory, hv.name), vars, settings.connection);
    become = spec.become;
    if (spec.local) host = new LocalHost({ name: hv.name });
    else {
      const { SshHost } = await import('../transport/ssh/ssh-host.js');
      host = new SshHost(spec, { acceptNewHostKeys: settings.acceptNewHostKeys, persistentShell: false });
      route = routeThrough(spec, addressOf(vars, hv.name));
    }
  }
  const marker = `@@kvmplay-${randomBytes(8).toString('hex')}`;
  try {
    const r = await host.run(['sh', '-c', VIRSH_REPORT_SCRIPT, 'sh', uri.localUri, marker], { timeoutMs: QUERY_TIMEOUT_MS, become });
    if (r.timedOut) return { hypervisor, uri: uri.text, error: `virsh did not answer within ${QUERY_TIMEOUT_MS / 1000} s` };
    if (r.rc === 127) return { hypervisor, uri: uri.text, error: 'virsh is not installed there (playbooks/bootstrap-hypervisor.yaml makes a host a hypervisor)' };
    if (r.rc !== 0) return { hypervisor, uri: uri.text, error: `virsh -c ${uri.localUri} list failed: ${(r.stderr || r.stdout).trim()}` };
    return { hypervisor, uri: uri.text, ...(route ? { route } : {}), domains: parseVirshReport(r.stdout, marker) };
  } catch (e) {
    // Unreachable, refused host key, failed become: the hypervisor's problem, not the run's.
    if (e instanceof KvmplayError) return { hypervisor, uri: uri.text, error: e.message };
    throw e;
  } finally {
    await host.close();
  }
}

/**
 * The guests' way in: through the hypervisor's own jump hosts, then the hypervisor by
 * the name kvmplay reaches it by (its address, or a name ~/.ssh/config maps), every
 * hop with its user and port written out (a hop without a user would log in as the
 * guest's user). kvmplay offers a jump host the target's identity files and checks
 * its key in the target's known_hosts: the guests get the hypervisor's.
 */
function routeThrough(spec: ConnectionSpec, address: string): GuestRoute {
  const hop = (user: string, host: string, port: number): string => `${user}@${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    proxyJump: [...spec.jump.map((j) => hop(j.user ?? spec.user, j.alias ?? j.host, j.port)), hop(spec.user, address, spec.port)].join(','),
    identityFiles: [...spec.identityFiles],
    knownHosts: [...spec.knownHosts],
    acceptNewHostKeys: spec.acceptNewHostKeys === true,
  };
}

/** The name kvmplay connects to before ~/.ssh/config: `ansible_host` (or its aliases), else the inventory name. */
function addressOf(vars: Vars, name: string): string {
  for (const k of ['host', 'ansible_ssh_host', 'ansible_host']) {
    const v = vars[k];
    if (typeof v === 'string' && v !== '' && !v.includes('{{')) return v;
  }
  return name;
}
