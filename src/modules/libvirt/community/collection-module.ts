// community.libvirt's modules: kvmplay modules whose virsh failures read as the
// collection's do (libvirt's message alone), since playbooks match on `msg`.
import { defineModule, type Module, type ModuleDefinition } from '../../runner.js';
import { withLibvirtMessages } from '../libvirt-run.js';

export function defineCollectionModule<A, S, C>(def: ModuleDefinition<A, S, C>): Module {
  return defineModule({ ...def, gather: withLibvirtMessages(def.gather.bind(def)), apply: withLibvirtMessages(def.apply.bind(def)) });
}
