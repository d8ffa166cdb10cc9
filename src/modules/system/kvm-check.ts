// `kvm_check` (SPEC 6): fail early, with the cause named, when a host cannot run
// KVM guests; `virt_type: qemu` (or allow_emulation) accepts software emulation
// (domain type='qemu'), as on lab hosts. Read-only: never changed.
import { z } from 'zod';
import { boolish } from '../args.js';
import { factsFor, type NoChange } from './facts/facts.js';
import { defineModule } from '../runner.js';

const KvmCheckArgs = z
  .object({
    allow_emulation: boolish.default(false),
    virt_type: z.enum(['kvm', 'qemu']).optional(),
  })
  .strict();
export type KvmCheckArgs = z.infer<typeof KvmCheckArgs>;

export interface VirtState {
  cpu_virt_flag: 'vmx' | 'svm' | null;
  dev_kvm: boolean;
  kvm_module_loaded: boolean | null;
  cpu_hypervisor: boolean;
}

export const NO_FLAG_MSG = 'CPU has no vmx/svm flag: hardware virtualization is not available (software emulation only; set virt_type: qemu to allow it)';
export const NO_DEV_KVM_MSG = 'vmx/svm present but /dev/kvm missing: virtualization is disabled in firmware or the kvm module is not loaded';

export interface KvmVerdict {
  ok: boolean;
  msg: string;
  /** The domain type this host can use: `kvm`, or `qemu` when only emulation is possible. */
  virt_type: 'kvm' | 'qemu' | null;
}

/** Pure: what the host offers vs what the task accepts. */
export function judgeKvm(a: KvmCheckArgs, s: VirtState): KvmVerdict {
  const emulationOk = a.allow_emulation || a.virt_type === 'qemu';
  const nested = s.cpu_hypervisor ? ' (this host is itself a guest: nested virtualization must be enabled on its hypervisor)' : '';
  let problem: string | null = null;
  if (s.cpu_virt_flag === null) problem = `${NO_FLAG_MSG}${nested}`;
  else if (!s.dev_kvm) problem = s.kvm_module_loaded === true ? `${NO_DEV_KVM_MSG} (the kvm module is loaded: check firmware settings and permissions)` : NO_DEV_KVM_MSG;
  if (problem === null) return { ok: true, msg: `hardware virtualization available (${s.cpu_virt_flag}, /dev/kvm present)`, virt_type: 'kvm' };
  if (emulationOk) return { ok: true, msg: `no KVM acceleration, software emulation allowed (virt_type qemu): ${problem}`, virt_type: 'qemu' };
  return { ok: false, msg: problem, virt_type: null };
}

/** The facts judgeKvm reads, as typed values. */
function virtState(f: Record<string, unknown>): VirtState {
  return {
    cpu_virt_flag: f['cpu_virt_flag'] === 'vmx' || f['cpu_virt_flag'] === 'svm' ? f['cpu_virt_flag'] : null,
    dev_kvm: f['dev_kvm'] === true,
    kvm_module_loaded: typeof f['kvm_module_loaded'] === 'boolean' ? f['kvm_module_loaded'] : null,
    cpu_hypervisor: f['cpu_hypervisor'] === true,
  };
}

export const kvmCheckModule = defineModule({
  names: ['kvm_check'],
  args: KvmCheckArgs,
  gather: async (host, _a, ctx) => virtState(await factsFor(host, ctx, ['cpu_virt_flag', 'dev_kvm', 'kvm_module_loaded', 'cpu_hypervisor'])),
  plan(a, state) {
    const v = judgeKvm(a, state);
    const data = { virt_type: v.virt_type, ...state };
    return v.ok ? { changes: [] as NoChange[], okMsg: v.msg, data } : { fail: v.msg, data };
  },
  describe: (c: NoChange) => c,
  apply: async () => undefined,
});
