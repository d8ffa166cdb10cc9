// Every module kvmplay knows, by task key. Ansible's fully-qualified names
// (`ansible.builtin.copy`) resolve to the same module.
import type { z } from 'zod';
import type { Host } from '../transport/host.js';
import { bridgeModule } from './network/bridge/bridge.js';
import { commandModule } from './system/command.js';
import { copyModule } from './files/copy.js';
import { diskImageModule } from './libvirt/disk-image.js';
import { factsModule } from './system/facts/facts.js';
import { fileModule } from './files/file/file.js';
import { kvmCheckModule } from './system/kvm-check.js';
import { libvirtDomainModule } from './libvirt/domain/libvirt-domain.js';
import { libvirtNetworkModule } from './libvirt/libvirt-network.js';
import { lineinfileModule } from './files/lineinfile/lineinfile.js';
import type { ModuleContext, ModuleResult } from './module.js';
import { packageModule } from './system/package/package.js';
import { serviceModule } from './system/service/service.js';
import { shellModule } from './system/shell.js';
import { templateModule } from './files/template.js';
import { virshModule } from './libvirt/virsh-module.js';

/**
 * A module with its argument type erased, so modules of different argument types
 * share one list. `args.parse(raw)` gives exactly what `run` takes: call it through
 * `runModule`, which keeps that pairing in one place.
 */
export interface AnyModule {
  name: string;
  args: z.ZodType<unknown>;
  freeForm?: string;
  run(host: Host, args: never, ctx: ModuleContext): Promise<ModuleResult>;
}

const MODULES: readonly AnyModule[] = [
  commandModule,
  shellModule,
  copyModule,
  templateModule,
  fileModule,
  lineinfileModule,
  factsModule,
  kvmCheckModule,
  packageModule,
  serviceModule,
  libvirtDomainModule,
  libvirtNetworkModule,
  diskImageModule,
  virshModule,
  bridgeModule,
];

const byName = new Map<string, AnyModule>(MODULES.map((m) => [m.name, m]));

const FQCN_PREFIXES = ['ansible.builtin.', 'ansible.legacy.'];

export function findModule(key: string): AnyModule | undefined {
  const prefix = FQCN_PREFIXES.find((p) => key.startsWith(p));
  return byName.get(prefix ? key.slice(prefix.length) : key);
}

export function moduleNames(): string[] {
  return [...byName.keys()].sort();
}

/** Run a module with arguments that went through its own `args` schema. */
export function runModule(mod: AnyModule, host: Host, parsedArgs: unknown, ctx: ModuleContext): Promise<ModuleResult> {
  // The erased signature takes `never`: the value is what mod.args produced for mod.
  return mod.run(host, parsedArgs as never, ctx);
}
