import assert from 'node:assert/strict';
import { judgeKvm, kvmCheckModule, NO_DEV_KVM_MSG, NO_FLAG_MSG, type VirtState } from './kvm-check.js';
import { HOST_FACTS_SCRIPT } from './facts/facts-parse.js';
import { fakeContext } from '../../../test/support/module-context.js';
import { loadProbeCases, RecordedHost, runsScript } from '../../../test/support/recorded-host.js';

const KVM: VirtState = { cpu_virt_flag: 'vmx', dev_kvm: true, kvm_module_loaded: true, cpu_hypervisor: false };
const NO_DEV: VirtState = { cpu_virt_flag: 'svm', dev_kvm: false, kvm_module_loaded: null, cpu_hypervisor: false };
const LAB: VirtState = { cpu_virt_flag: null, dev_kvm: false, kvm_module_loaded: null, cpu_hypervisor: true };

describe('kvm_check verdicts', () => {
  const table: Array<[string, { allow_emulation: boolean; virt_type?: 'kvm' | 'qemu' }, VirtState, boolean, RegExp, 'kvm' | 'qemu' | null]> = [
    ['passes with vmx and /dev/kvm', { allow_emulation: false }, KVM, true, /hardware virtualization available \(vmx/, 'kvm'],
    ['passes with kvm when qemu is also allowed', { allow_emulation: false, virt_type: 'qemu' }, KVM, true, /available/, 'kvm'],
    ['fails without vmx/svm', { allow_emulation: false, virt_type: 'kvm' }, LAB, false, new RegExp(`^${NO_FLAG_MSG.replace(/[()]/g, '\\$&')}`), null],
    ['fails with the flag but no /dev/kvm', { allow_emulation: false }, NO_DEV, false, new RegExp(`^${NO_DEV_KVM_MSG}`), null],
    ['passes without vmx when virt_type is qemu', { allow_emulation: false, virt_type: 'qemu' }, LAB, true, /software emulation allowed/, 'qemu'],
    ['passes without /dev/kvm when emulation is allowed', { allow_emulation: true }, NO_DEV, true, /software emulation allowed/, 'qemu'],
  ];
  for (const [name, args, state, ok, msg, virt] of table) {
    it(name, () => {
      const v = judgeKvm(args, state);
      assert.equal(v.ok, ok);
      assert.match(v.msg, msg);
      assert.equal(v.virt_type, virt);
    });
  }

  it('names nested virtualization when the host is itself a guest', () => {
    assert.match(judgeKvm({ allow_emulation: false }, LAB).msg, /nested virtualization/);
  });

  it('rejects an unknown virt_type at validate time', () => {
    assert.equal(kvmCheckModule.args.safeParse({ virt_type: 'xen' }).success, false);
  });
});

describe('kvm_check module', () => {
  it('fails the task, never changed, from facts in the host vars, sending nothing', async () => {
    const host = new RecordedHost();
    const r = await kvmCheckModule.run(host, kvmCheckModule.args.parse({ virt_type: 'kvm' }), fakeContext({ vars: { facts: { ...LAB } } }));
    assert.equal(r.failed, true);
    assert.equal(r.changed, false);
    assert.match(r.msg, /no vmx\/svm flag/);
    assert.deepEqual(r.data, { virt_type: null, ...LAB });
    assert.equal(host.calls.length, 0);
  });

  it('probes the facts when the vars lack them, and passes with emulation allowed on a lab host', async () => {
    const lab = loadProbeCases('facts').find((c) => c.name === 'lab01-sysv-apt-no-vmx');
    const host = new RecordedHost().on(runsScript(HOST_FACTS_SCRIPT), { stdout: lab?.stdout ?? '' });
    const r = await kvmCheckModule.run(host, kvmCheckModule.args.parse({ virt_type: 'qemu' }), fakeContext());
    assert.equal(r.failed, undefined, r.msg);
    assert.equal(r.changed, false);
    assert.match(r.msg, /^no KVM acceleration, software emulation allowed \(virt_type qemu\): CPU has no vmx\/svm flag/);
    assert.deepEqual(r.data, { virt_type: 'qemu', ...LAB });
  });

  it('passes in check mode too, with the same message', async () => {
    const r = await kvmCheckModule.run(new RecordedHost(), kvmCheckModule.args.parse({}), fakeContext({ check: true, vars: { facts: { ...KVM } } }));
    assert.equal(r.failed, undefined);
    assert.equal(r.changed, false);
    assert.equal(r.msg, 'hardware virtualization available (vmx, /dev/kvm present)');
  });
});
