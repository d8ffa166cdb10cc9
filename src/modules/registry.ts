// Every module kvmplay knows, by task key. Ansible's fully-qualified names
// (`ansible.builtin.copy`) resolve to the same module.
//
// A module's code is loaded when a playbook names it (issue 16): the catalog below
// knows every name without loading anything, and loading the five modules a
// playbook uses instead of all sixty spares each start the building of the others'
// argument schemas. Playbook files load the modules they name as they are read
// (playbook/source.ts), so looking a module up stays synchronous afterwards.
import type { Host } from '../transport/host.js';
import type { ModuleResult, RunModuleContext } from './module.js';
import type { Module } from './runner.js';

/** A registered module (types erased): call it through runModule. */
export type AnyModule = Module;

interface CatalogEntry {
  /** The module's names, as its definition gives them (checked when it loads). */
  names: readonly string[];
  load(): Promise<Module>;
}

const CATALOG: readonly CatalogEntry[] = [
  { names: ['command'], load: async () => (await import('./system/command.js')).commandModule },
  { names: ['shell'], load: async () => (await import('./system/shell.js')).shellModule },
  { names: ['raw'], load: async () => (await import('./system/raw.js')).rawModule },
  { names: ['script'], load: async () => (await import('./system/script.js')).scriptModule },
  { names: ['async_status'], load: async () => (await import('./system/async-status.js')).asyncStatusModule },
  { names: ['copy'], load: async () => (await import('./files/copy.js')).copyModule },
  { names: ['template'], load: async () => (await import('./files/template.js')).templateModule },
  { names: ['get_url'], load: async () => (await import('./files/get-url.js')).getUrlModule },
  { names: ['unarchive'], load: async () => (await import('./files/unarchive.js')).unarchiveModule },
  { names: ['file'], load: async () => (await import('./files/file/file.js')).fileModule },
  { names: ['lineinfile'], load: async () => (await import('./files/lineinfile/lineinfile.js')).lineinfileModule },
  { names: ['stat'], load: async () => (await import('./files/stat.js')).statModule },
  { names: ['slurp'], load: async () => (await import('./files/slurp.js')).slurpModule },
  { names: ['find'], load: async () => (await import('./files/find/find.js')).findFilesModule },
  { names: ['tempfile'], load: async () => (await import('./files/tempfile.js')).tempfileModule },
  { names: ['fetch'], load: async () => (await import('./files/fetch.js')).fetchModule },
  { names: ['blockinfile'], load: async () => (await import('./files/blockinfile/blockinfile.js')).blockinfileModule },
  { names: ['replace'], load: async () => (await import('./files/replace.js')).replaceModule },
  { names: ['facts', 'setup'], load: async () => (await import('./system/facts/facts.js')).factsModule },
  { names: ['kvm_check'], load: async () => (await import('./system/kvm-check.js')).kvmCheckModule },
  { names: ['package'], load: async () => (await import('./system/package/package.js')).packageModule },
  { names: ['apt'], load: async () => (await import('./system/package/apt.js')).aptModule },
  { names: ['dnf'], load: async () => (await import('./system/package/dnf.js')).dnfModule },
  { names: ['yum'], load: async () => (await import('./system/package/dnf.js')).yumModule },
  { names: ['service'], load: async () => (await import('./system/service/service.js')).serviceModule },
  { names: ['systemd', 'systemd_service'], load: async () => (await import('./system/systemd/systemd.js')).systemdModule },
  { names: ['service_facts'], load: async () => (await import('./system/service-facts/service-facts.js')).serviceFactsModule },
  { names: ['package_facts'], load: async () => (await import('./system/package-facts/package-facts.js')).packageFactsModule },
  { names: ['libvirt_domain'], load: async () => (await import('./libvirt/domain/libvirt-domain.js')).libvirtDomainModule },
  { names: ['libvirt_network'], load: async () => (await import('./libvirt/libvirt-network.js')).libvirtNetworkModule },
  { names: ['virt_net', 'community.libvirt.virt_net'], load: async () => (await import('./libvirt/community/virt-net.js')).virtNetModule },
  { names: ['virt_pool', 'community.libvirt.virt_pool'], load: async () => (await import('./libvirt/community/virt-pool.js')).virtPoolModule },
  { names: ['virt', 'community.libvirt.virt'], load: async () => (await import('./libvirt/community/virt.js')).virtModule },
  { names: ['wait_for_guest'], load: async () => (await import('./libvirt/wait-for-guest.js')).waitForGuestModule },
  { names: ['disk_image'], load: async () => (await import('./libvirt/disk-image.js')).diskImageModule },
  { names: ['cloud_init_seed'], load: async () => (await import('./libvirt/cloud-init-seed.js')).cloudInitSeedModule },
  { names: ['virsh'], load: async () => (await import('./libvirt/virsh-module.js')).virshModule },
  { names: ['bridge'], load: async () => (await import('./network/bridge/bridge.js')).bridgeModule },
  { names: ['wait_for'], load: async () => (await import('./system/wait-for.js')).waitForModule },
  { names: ['user'], load: async () => (await import('./system/user/user.js')).userModule },
  { names: ['group'], load: async () => (await import('./system/group.js')).groupModule },
  { names: ['authorized_key', 'ansible.posix.authorized_key'], load: async () => (await import('./system/authorized-key/authorized-key.js')).authorizedKeyModule },
  { names: ['sysctl', 'ansible.posix.sysctl'], load: async () => (await import('./system/sysctl.js')).sysctlModule },
  { names: ['modprobe', 'community.general.modprobe'], load: async () => (await import('./system/modprobe.js')).modprobeModule },
  { names: ['hostname'], load: async () => (await import('./system/hostname.js')).hostnameModule },
  { names: ['reboot'], load: async () => (await import('./system/reboot.js')).rebootModule },
  // Ansible's engine-level modules: decided on the control machine (ping also reaches the host).
  { names: ['debug'], load: async () => (await import('./engine/debug.js')).debugModule },
  { names: ['assert'], load: async () => (await import('./engine/assert.js')).assertModule },
  { names: ['fail'], load: async () => (await import('./engine/fail.js')).failModule },
  { names: ['meta'], load: async () => (await import('./engine/meta.js')).metaModule },
  { names: ['set_fact'], load: async () => (await import('./engine/set-fact.js')).setFactModule },
  { names: ['include_tasks'], load: async () => (await import('./engine/include-tasks.js')).includeTasksModule },
  { names: ['include_role'], load: async () => (await import('./engine/include-role.js')).includeRoleModule },
  { names: ['include_vars'], load: async () => (await import('./engine/include-vars.js')).includeVarsModule },
  { names: ['ping'], load: async () => (await import('./engine/ping.js')).pingModule },
  { names: ['wait_for_connection'], load: async () => (await import('./engine/wait-for-connection.js')).waitForConnectionModule },
  { names: ['pause'], load: async () => (await import('./engine/pause.js')).pauseModule },
  { names: ['add_host'], load: async () => (await import('./engine/add-host.js')).addHostModule },
  { names: ['group_by'], load: async () => (await import('./engine/group-by.js')).groupByModule },
];

const entryByName = new Map<string, CatalogEntry>(CATALOG.flatMap((e) => e.names.map((n) => [n, e] as const)));
const loaded = new Map<CatalogEntry, Module>();

const FQCN_PREFIXES = ['ansible.builtin.', 'ansible.legacy.'];

/** Every name a task may write for a short or collection name: `copy`, `ansible.builtin.copy`, `ansible.legacy.copy`. */
export function writtenNames(name: string): string[] {
  return name.includes('.') ? [name] : [name, ...FQCN_PREFIXES.map((p) => p + name)];
}

function entryFor(key: string): CatalogEntry | undefined {
  const prefix = FQCN_PREFIXES.find((p) => key.startsWith(p));
  return entryByName.get(prefix ? key.slice(prefix.length) : key);
}

/** Whether a task key names a module, loaded or not. */
export function isModuleName(key: string): boolean {
  return entryFor(key) !== undefined;
}

/** The module a task key names; it must have been loaded (loadModules) first. */
export function findModule(key: string): AnyModule | undefined {
  const entry = entryFor(key);
  if (entry === undefined) return undefined;
  const mod = loaded.get(entry);
  // A caller that skipped loadModules would report a known module as unknown: say so instead.
  if (mod === undefined) throw new Error(`module "${key}" looked up before it was loaded (loadModules)`);
  return mod;
}

/** Loads the modules among these keys (other keys are ignored). */
export async function loadModules(keys: Iterable<string>): Promise<void> {
  const wanted = new Set<CatalogEntry>();
  for (const key of keys) {
    const entry = entryFor(key);
    if (entry && !loaded.has(entry)) wanted.add(entry);
  }
  await Promise.all([...wanted].map(async (e) => loaded.set(e, checkedNames(e, await e.load()))));
}

/** The catalog's names must be the module's own: a name only one of them knows would find nothing, or the wrong module. */
function checkedNames(entry: CatalogEntry, mod: Module): Module {
  if (entry.names.join() !== mod.names.join()) throw new Error(`the module catalog names ${entry.names.join(', ')} where the module says ${mod.names.join(', ')}`);
  return mod;
}

/** The module a task key names, loaded if it was not. */
export async function loadModule(key: string): Promise<AnyModule | undefined> {
  await loadModules([key]);
  return findModule(key);
}

/** Every module, loaded, in the catalog's order. */
export async function allModules(): Promise<readonly AnyModule[]> {
  await loadModules(CATALOG.map((e) => e.names[0]!));
  return CATALOG.map((e) => loaded.get(e)!);
}

/** The task keys of every module (their first names). */
export function moduleNames(): string[] {
  return CATALOG.map((e) => e.names[0]!).sort();
}

/** Run a module with arguments that went through its own `args` schema. */
export function runModule(mod: Module, host: Host, parsedArgs: unknown, ctx: RunModuleContext): Promise<ModuleResult> {
  return mod.run(host, parsedArgs, ctx);
}
