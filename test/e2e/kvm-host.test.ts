// facts, kvm_check, package and service over real SSH on lab hosts lab01 and lab02
// (sysv, no vmx, apt from the lab's local repository): the bootstrap-hypervisor path.
// Apply, apply again → unchanged; check mode changes nothing. lab03 belongs to others.
import assert from 'node:assert/strict';
import type { ConnectionSpec } from '../../src/transport/connection-spec.js';
import { connectionFor, loadInventory } from '../../src/inventory/index.js';
import { SshHost } from '../../src/transport/ssh/ssh-host.js';
import type { RunModuleContext as ModuleContext, ModuleResult } from '../../src/modules/module.js';
import { loadModule, runModule } from '../../src/modules/registry.js';
import { fakeContext } from '../support/module-context.js';
import { ensureLab } from '../support/lab-fixture.js';

const HOSTS = ['lab01', 'lab02'] as const;
const STACK = ['qemu-system-x86', 'qemu-utils', 'libvirt-daemon-system', 'libvirt-clients', 'virtinst', 'bridge-utils', 'dnsmasq-base'];

describe('KVM host modules over real SSH (lab01, lab02)', function () {
  this.timeout(600_000);
  const hosts = new Map<string, SshHost>();

  const apply = async (name: string, hostName: string, raw: Record<string, unknown>, over: Partial<ModuleContext> = {}): Promise<ModuleResult> => {
    const mod = await loadModule(name);
    assert.ok(mod, `module ${name} is registered`);
    const host = hosts.get(hostName);
    assert.ok(host);
    return runModule(mod, host, mod.args.parse(raw), fakeContext({ hostName, ...over }));
  };
  /** Checks run through plain argv, never through the modules under test. */
  const sh = async (hostName: string, script: string, ...args: string[]): Promise<{ rc: number | null; stdout: string }> => {
    const r = await hosts.get(hostName)!.run(['sh', '-c', script, 'sh', ...args]);
    return { rc: r.rc, stdout: r.stdout };
  };
  const dpkgInstalled = async (hostName: string, pkg: string): Promise<boolean> =>
    (await sh(hostName, 'dpkg-query -W -f "\\${Status}" "$1" 2>/dev/null', pkg)).stdout === 'install ok installed';

  before(async function () {
    this.timeout(900_000);
    const lab = await ensureLab();
    const inv = await loadInventory([lab.inventory]);
    for (const name of HOSTS) {
      const spec: ConnectionSpec = connectionFor(inv, name);
      hosts.set(name, new SshHost(spec, { acceptNewHostKeys: false, agentSocket: '' }));
    }
  });

  after(async () => {
    await Promise.all([...hosts.values()].map((h) => h.close()));
  });

  it('gathers the facts of a lab host: Debian, apt, sysv, no vmx, kvm module "cannot tell"', async () => {
    const r = await apply('facts', 'lab01', {});
    assert.equal(r.changed, false);
    const f = r.data?.['facts'] as Record<string, unknown>;
    assert.equal(f['hostname'], 'lab01');
    assert.equal(f['os_family'], 'Debian');
    assert.equal(f['pkg_mgr'], 'apt');
    assert.equal(f['service_mgr'], 'sysv');
    assert.equal(f['cpu_virt_flag'], null);
    assert.equal(f['dev_kvm'], false);
    assert.equal(f['kvm_module_loaded'], null);
    assert.ok((f['memtotal_kb'] as number) > 0 && (f['cpus'] as number) > 0);
    assert.ok((f['interfaces'] as Array<{ name: string }>).some((i) => i.name === 'em1'));
    const ansible = r.data?.['ansible_facts'] as Record<string, unknown>;
    assert.deepEqual([ansible['os_family'], ansible['pkg_mgr'], ansible['hostname']], ['Debian', 'apt', f['hostname']]);
  });

  it('kvm_check fails for virt_type kvm naming the cause, passes for virt_type qemu', async () => {
    const kvm = await apply('kvm_check', 'lab01', { virt_type: 'kvm' });
    assert.equal(kvm.failed, true);
    assert.equal(kvm.changed, false);
    assert.match(kvm.msg, /^CPU has no vmx\/svm flag: hardware virtualization is not available/);
    const qemu = await apply('kvm_check', 'lab01', { virt_type: 'qemu' });
    assert.equal(qemu.failed, undefined, qemu.msg);
    assert.equal(qemu.data?.['virt_type'], 'qemu');
  });

  it('installs the KVM stack from the local repository on both hosts, then is unchanged', async () => {
    const missingBefore = !(await dpkgInstalled('lab01', 'libvirt-daemon-system-sysv'));
    const check = await apply('package', 'lab01', { name: STACK }, { check: true });
    if (missingBefore) {
      assert.equal(check.changed, true);
      assert.match(check.msg, /^would install .*libvirt-daemon-system-sysv/);
      assert.equal(await dpkgInstalled('lab01', 'libvirt-daemon-system-sysv'), false, 'check mode installed nothing');
    }
    const first = await Promise.all(HOSTS.map((h) => apply('package', h, { name: STACK, update_cache: true })));
    for (const r of first) assert.equal(r.failed, undefined, `${r.msg}\n${r.stderr ?? ''}`);
    for (const h of HOSTS) for (const p of [...STACK, 'libvirt-daemon-system-sysv']) assert.ok(await dpkgInstalled(h, p), `${p} on ${h}`);
    const second = await Promise.all(HOSTS.map((h) => apply('package', h, { name: STACK })));
    for (const r of second) assert.equal(r.changed, false, r.msg);
  });

  it('in check mode reports removing an installed package and leaves it installed', async () => {
    const r = await apply('package', 'lab01', { name: 'bridge-utils', state: 'absent' }, { check: true });
    assert.equal(r.changed, true);
    assert.match(r.msg, /would remove bridge-utils/);
    assert.ok(await dpkgInstalled('lab01', 'bridge-utils'));
  });

  it('starts virtlogd then libvirtd, is unchanged the second time, and virsh answers', async () => {
    const first = await Promise.all(HOSTS.map((h) => apply('service', h, { name: 'libvirtd', state: 'started', enabled: true })));
    for (const r of first) assert.equal(r.failed, undefined, r.msg);
    const second = await Promise.all(HOSTS.map((h) => apply('service', h, { name: 'libvirtd', state: 'started', enabled: true })));
    for (const r of second) assert.equal(r.changed, false, r.msg);
    for (const h of HOSTS) {
      assert.equal((await sh(h, '/etc/init.d/virtlogd status >/dev/null 2>&1')).rc, 0, `virtlogd runs on ${h}`);
      const list = await sh(h, 'virsh -c qemu:///system list 2>&1');
      assert.equal(list.rc, 0, list.stdout);
      assert.match(list.stdout, /Id\s+Name\s+State/);
    }
  });

  it('in check mode reports stopping libvirtd and leaves it running', async () => {
    const r = await apply('service', 'lab01', { name: 'libvirtd', state: 'stopped' }, { check: true });
    assert.equal(r.changed, true);
    assert.match(r.msg, /would stop libvirtd/);
    assert.equal((await sh('lab01', 'virsh -c qemu:///system list >/dev/null 2>&1')).rc, 0);
  });

  it('restarted is always changed and leaves libvirtd running', async () => {
    const r = await apply('service', 'lab02', { name: 'libvirtd', state: 'restarted' });
    assert.equal(r.changed, true, r.msg);
    assert.equal(r.failed, undefined, r.msg);
    assert.equal((await sh('lab02', 'virsh -c qemu:///system list >/dev/null 2>&1')).rc, 0);
  });
});
