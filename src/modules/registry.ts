// Every module kvmplay knows, by task key. Ansible's fully-qualified names
// (`ansible.builtin.copy`) resolve to the same module.
import type { Host } from '../transport/host.js';
import { addHostModule } from './engine/add-host.js';
import { assertModule } from './engine/assert.js';
import { asyncStatusModule } from './system/async-status.js';
import { blockinfileModule } from './files/blockinfile/blockinfile.js';
import { bridgeModule } from './network/bridge/bridge.js';
import { commandModule } from './system/command.js';
import { copyModule } from './files/copy.js';
import { debugModule } from './engine/debug.js';
import { diskImageModule } from './libvirt/disk-image.js';
import { factsModule } from './system/facts/facts.js';
import { metaModule } from './engine/meta.js';
import { failModule } from './engine/fail.js';
import { includeRoleModule } from './engine/include-role.js';
import { includeTasksModule } from './engine/include-tasks.js';
import { includeVarsModule } from './engine/include-vars.js';
import { fileModule } from './files/file/file.js';
import { fetchModule } from './files/fetch.js';
import { findFilesModule } from './files/find/find.js';
import { slurpModule } from './files/slurp.js';
import { statModule } from './files/stat.js';
import { tempfileModule } from './files/tempfile.js';
import { groupByModule } from './engine/group-by.js';
import { kvmCheckModule } from './system/kvm-check.js';
import { libvirtDomainModule } from './libvirt/domain/libvirt-domain.js';
import { libvirtNetworkModule } from './libvirt/libvirt-network.js';
import { virtNetModule } from './libvirt/community/virt-net.js';
import { virtPoolModule } from './libvirt/community/virt-pool.js';
import { virtModule } from './libvirt/community/virt.js';
import { lineinfileModule } from './files/lineinfile/lineinfile.js';
import type { ModuleResult, RunModuleContext } from './module.js';
import type { Module } from './runner.js';
import { packageModule } from './system/package/package.js';
import { aptModule } from './system/package/apt.js';
import { dnfModule, yumModule } from './system/package/dnf.js';
import { pauseModule } from './engine/pause.js';
import { pingModule } from './engine/ping.js';
import { replaceModule } from './files/replace.js';
import { serviceModule } from './system/service/service.js';
import { setFactModule } from './engine/set-fact.js';
import { systemdModule } from './system/systemd/systemd.js';
import { serviceFactsModule } from './system/service-facts/service-facts.js';
import { packageFactsModule } from './system/package-facts/package-facts.js';
import { shellModule } from './system/shell.js';
import { rawModule } from './system/raw.js';
import { scriptModule } from './system/script.js';
import { templateModule } from './files/template.js';
import { getUrlModule } from './files/get-url.js';
import { unarchiveModule } from './files/unarchive.js';
import { userModule } from './system/user/user.js';
import { groupModule } from './system/group.js';
import { authorizedKeyModule } from './system/authorized-key/authorized-key.js';
import { sysctlModule } from './system/sysctl.js';
import { modprobeModule } from './system/modprobe.js';
import { hostnameModule } from './system/hostname.js';
import { rebootModule } from './system/reboot.js';
import { virshModule } from './libvirt/virsh-module.js';
import { waitForConnectionModule } from './engine/wait-for-connection.js';
import { waitForModule } from './system/wait-for.js';

/** A registered module (types erased): call it through runModule. */
export type AnyModule = Module;

const MODULES: readonly Module[] = [
  commandModule,
  shellModule,
  rawModule,
  scriptModule,
  asyncStatusModule,
  copyModule,
  templateModule,
  getUrlModule,
  unarchiveModule,
  fileModule,
  lineinfileModule,
  statModule,
  slurpModule,
  findFilesModule,
  tempfileModule,
  fetchModule,
  blockinfileModule,
  replaceModule,
  factsModule,
  kvmCheckModule,
  packageModule,
  aptModule,
  dnfModule,
  yumModule,
  serviceModule,
  systemdModule,
  serviceFactsModule,
  packageFactsModule,
  libvirtDomainModule,
  libvirtNetworkModule,
  virtNetModule,
  virtPoolModule,
  virtModule,
  diskImageModule,
  virshModule,
  bridgeModule,
  waitForModule,
  userModule,
  groupModule,
  authorizedKeyModule,
  sysctlModule,
  modprobeModule,
  hostnameModule,
  rebootModule,
  // Ansible's engine-level modules: decided on the control machine (ping also reaches the host).
  debugModule,
  assertModule,
  failModule,
  metaModule,
  setFactModule,
  includeTasksModule,
  includeRoleModule,
  includeVarsModule,
  pingModule,
  waitForConnectionModule,
  pauseModule,
  addHostModule,
  groupByModule,
];

const byName = new Map<string, Module>(MODULES.flatMap((m) => m.names.map((n) => [n, m] as const)));

const FQCN_PREFIXES = ['ansible.builtin.', 'ansible.legacy.'];

/** Every name a task may write for a short or collection name: `copy`, `ansible.builtin.copy`, `ansible.legacy.copy`. */
export function writtenNames(name: string): string[] {
  return name.includes('.') ? [name] : [name, ...FQCN_PREFIXES.map((p) => p + name)];
}

export function findModule(key: string): AnyModule | undefined {
  const prefix = FQCN_PREFIXES.find((p) => key.startsWith(p));
  return byName.get(prefix ? key.slice(prefix.length) : key);
}

/** Every module, in the registry's order. */
export function allModules(): readonly AnyModule[] {
  return MODULES;
}

/** The task keys of every module (their first names). */
export function moduleNames(): string[] {
  return MODULES.map((m) => m.name).sort();
}

/** Run a module with arguments that went through its own `args` schema. */
export function runModule(mod: Module, host: Host, parsedArgs: unknown, ctx: RunModuleContext): Promise<ModuleResult> {
  return mod.run(host, parsedArgs, ctx);
}
