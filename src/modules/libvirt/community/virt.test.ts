import assert from 'node:assert/strict';
import { fakeContext } from '../../../../test/support/module-context.js';
import { RecordedHost } from '../../../../test/support/recorded-host.js';
import { allModules, findModule } from '../../registry.js';
import { parseCpuTimes, parseFreeMemory, parseHypervisorType, parseNodeInfo } from './virt-host-info.js';
import { commandAction, stateAction, virtMode, type VirtState, type VirtStatus } from './virt-plan.js';
import { virtModule, type VirtArgs } from './virt.js';

const parse = (raw: Record<string, unknown>): VirtArgs => virtModule.args.parse(raw) as VirtArgs;
const XML = "<domain type='qemu'>\n  <name>vm1</name>\n  <memory unit='MiB'>64</memory>\n  <vcpu>1</vcpu>\n  <os><type arch='x86_64'>hvm</type></os>\n</domain>\n";
const DEFINED = "<domain type='qemu'>\n  <name>vm1</name>\n  <uuid>16c38436-7039-4bd9-bf0a-5eaf0cc4089e</uuid>\n  <memory unit='KiB'>65536</memory>\n</domain>\n";
const DOMINFO = (state: string, autostart: 'enable' | 'disable'): string =>
  `Id:             7\nName:           vm1\nUUID:           16c38436-7039-4bd9-bf0a-5eaf0cc4089e\nOS Type:        hvm\nState:          ${state}\nCPU(s):         1\nCPU time:       0.3s\nMax memory:     65536 KiB\nUsed memory:    65536 KiB\nPersistent:     yes\nAutostart:      ${autostart}\nManaged save:   no\nSecurity model: none\nSecurity DOI:   0\n\n`;
const NO_DOMAIN = { rc: 1, stderr: "error: failed to get domain 'vm1'\nerror: Domain not found: no domain with matching name 'vm1'\n" };
const virsh = (sub: string) => (argv: readonly string[]): boolean => argv[2] === 'virsh' && argv[5] === sub;
const subs = (host: RecordedHost): string[] => host.commands().filter((a) => a[2] === 'virsh').map((a) => a.slice(5).join(' '));

describe('virt (community.libvirt.virt) decisions', () => {
  before(async () => {
    await allModules();
  });

  it('answers to its short and collection names', () => {
    assert.equal(findModule('community.libvirt.virt'), virtModule);
    assert.equal(findModule('virt'), virtModule);
  });

  it('reads the mode in the collection\'s order', () => {
    assert.deepEqual(virtMode({ command: 'list_vms', state: 'running' }), { kind: 'list', state: 'running' });
    assert.deepEqual(virtMode({ name: 'a', autostart: true }), { kind: 'autostart-only', name: 'a', enable: true });
    assert.deepEqual(virtMode({ autostart: true }), { fail: 'autostart requires 1 argument: name' });
    assert.deepEqual(virtMode({ state: 'running' }), { fail: 'state change requires a guest specified' });
    assert.deepEqual(virtMode({ name: 'a', state: 'running', command: 'status' }), { kind: 'state', name: 'a', state: 'running' });
    assert.deepEqual(virtMode({ command: 'define' }), { fail: 'define requires xml argument' });
    assert.deepEqual(virtMode({ command: 'define', xml: '<domain/>' }), { fail: "Could not find domain 'name' in xml" });
    assert.deepEqual(virtMode({ command: 'define', xml: XML, state: 'running', autostart: false }), { kind: 'define', xml: XML, domain: 'vm1', state: 'running', autostart: false });
    assert.deepEqual(virtMode({ command: 'status' }), { fail: 'status requires 1 argument: guest' });
    assert.deepEqual(virtMode({ command: 'nodeinfo' }), { kind: 'host-command', command: 'nodeinfo' });
    assert.deepEqual(virtMode({}), { fail: 'expected state or command parameter to be specified' });
  });

  it('moves a domain between states as the collection does', () => {
    const table: Array<[VirtState, VirtStatus, ReturnType<typeof stateAction>]> = [
      ['running', 'shutdown', 'start'], ['running', 'paused', 'resume'], ['running', 'running', null], ['running', 'crashed', 'start'],
      ['shutdown', 'running', 'shutdown'], ['shutdown', 'paused', 'shutdown'], ['shutdown', 'shutdown', null],
      ['destroyed', 'running', 'destroy'], ['destroyed', 'shutdown', null],
      ['paused', 'running', 'suspend'], ['paused', 'paused', null], ['paused', 'shutdown', null],
    ];
    for (const [want, cur, action] of table) assert.equal(stateAction(want, cur), action, `${want} from ${cur}`);
  });

  it('refuses commands libvirt would refuse, before anything runs', () => {
    assert.equal(commandAction('start', 'shutdown'), 'start');
    assert.deepEqual(commandAction('create', 'running'), { fail: 'Requested operation is not valid: domain is already running' });
    assert.deepEqual(commandAction('destroy', 'shutdown'), { fail: 'Requested operation is not valid: domain is not running' });
    assert.equal(commandAction('pause', 'paused'), 'noop');
    assert.deepEqual(commandAction('unpause', 'running'), { fail: 'Requested operation is not valid: domain is already running' });
    assert.equal(commandAction('stop', 'running'), 'shutdown');
    assert.equal(commandAction('status', 'running'), null);
  });

  it('takes the collection\'s arguments and refuses others by name', () => {
    assert.equal(parse({ guest: 'a', state: 'running' }).name, 'a');
    assert.equal(parse({ command: 'list_vms' }).uri, 'qemu:///system');
    assert.throws(() => parse({ name: 'a', state: 'started' }));
    assert.throws(() => parse({ name: 'a', command: 'reboot' }));
    assert.throws(() => parse({ name: 'a', state: 'running', persistent: true }), /persistent/);
  });
});

describe('virt host commands from virsh output', () => {
  it('reads nodeinfo as libvirt-python\'s getInfo, memory in MiB, every value a string', () => {
    const text = 'CPU model:           x86_64\nCPU(s):              2\nCPU frequency:       2445 MHz\nCPU socket(s):       1\nCore(s) per socket:  2\nThread(s) per core:  1\nNUMA cell(s):        1\nMemory size:         24683784 KiB\n\n';
    assert.deepEqual(parseNodeInfo(text), { cpumodel: 'x86_64', phymemory: '24105', cpus: '2', cpumhz: '2445', numanodes: '1', sockets: '1', cpucores: '2', cputhreads: '1' });
  });

  it('reads free memory in bytes, the hypervisor type and CPU times', () => {
    assert.equal(parseFreeMemory('Total: 22535400 KiB\n\n'), 22535400 * 1024);
    assert.equal(parseHypervisorType('Compiled against library: libvirt 9.0.0\nUsing library: libvirt 9.0.0\nUsing API: QEMU 9.0.0\nRunning hypervisor: QEMU 7.2.22\n\n'), 'QEMU');
    assert.deepEqual([...parseCpuTimes("Domain: 'vm1'\n  cpu.time=320000000\n  cpu.user=120000000\n\nDomain: 'b c'\n  cpu.time=5\n")], [['vm1', '320000000'], ['b c', '5']]);
    assert.throws(() => parseFreeMemory('nothing'), /Total/);
  });
});

describe('virt run through the runner', () => {
  it('defines a new domain and registers created', async () => {
    const host = new RecordedHost()
      .on(virsh('dumpxml'), NO_DOMAIN, 1)
      .on((argv) => argv[0] === 'sh' || argv[0] === 'rm', { rc: 0 })
      .on(virsh('define'), { stdout: 'Domain vm1 defined\n' })
      .on(virsh('dumpxml'), { stdout: DEFINED });
    const r = await virtModule.run(host, parse({ command: 'define', xml: XML }), fakeContext());
    assert.equal(r.changed, true);
    assert.deepEqual(r.data, { created: 'vm1' });
  });

  it('is unchanged when libvirt keeps the same XML after a define, and carries the uuid into it', async () => {
    const host = new RecordedHost()
      .on(virsh('dumpxml'), { stdout: DEFINED })
      .on(virsh('domstate'), { stdout: 'shut off\n\n' })
      .on((argv) => argv[0] === 'sh' || argv[0] === 'rm', { rc: 0 })
      .on(virsh('define'), { stdout: 'Domain vm1 defined\n' });
    const r = await virtModule.run(host, parse({ command: 'define', xml: XML }), fakeContext());
    assert.equal(r.changed, false);
    const stdin = host.calls.find((c) => c.argv?.[5] === 'define')?.opts?.stdin;
    assert.match(String(stdin), /<uuid>16c38436-7039-4bd9-bf0a-5eaf0cc4089e<\/uuid>/);
  });

  it('check mode reads only and says what it would do', async () => {
    const host = new RecordedHost().on(virsh('domstate'), { stdout: 'running\n\n' }).on(virsh('dominfo'), { stdout: DOMINFO('running', 'disable') });
    const r = await virtModule.run(host, parse({ name: 'vm1', state: 'destroyed', autostart: true }), fakeContext({ check: true }));
    assert.deepEqual([r.changed, r.msg], [true, 'would enable autostart, would destroy']);
    assert.deepEqual(subs(host), ['domstate --domain vm1', 'dominfo --domain vm1']);
  });

  it('registers {start: 0} and reports changed for a command that starts a domain', async () => {
    const host = new RecordedHost().on(virsh('domstate'), { stdout: 'shut off\n\n' }).on(virsh('start'), { stdout: 'Domain vm1 started\n' });
    const r = await virtModule.run(host, parse({ name: 'vm1', command: 'start' }), fakeContext());
    assert.deepEqual([r.changed, r.data], [true, { start: 0 }]);
    assert.deepEqual(subs(host), ['domstate --domain vm1', 'start --domain vm1']);
  });

  it('words a virsh failure as libvirt-python does: libvirt\'s message alone', async () => {
    const host = new RecordedHost().on(virsh('domstate'), { stdout: 'shut off\n\n' })
      .on(virsh('undefine'), { rc: 1, stderr: "error: Failed to undefine domain 'vm1'\nerror: Requested operation is not valid: cannot undefine domain with nvram\n" });
    const r = await virtModule.run(host, parse({ name: 'vm1', command: 'undefine' }), fakeContext());
    assert.deepEqual([r.failed, r.msg, r.rc], [true, 'Requested operation is not valid: cannot undefine domain with nvram', 1]);
  });

  it('fails with the collection\'s message for a domain libvirt does not know', async () => {
    const host = new RecordedHost().on(virsh('domstate'), NO_DOMAIN);
    const r = await virtModule.run(host, parse({ name: 'vm1', state: 'running' }), fakeContext());
    assert.deepEqual([r.failed, r.msg], [true, 'virtual machine vm1 not found']);
  });

  it('waits for a shutdown to finish, and fails when the guest does not stop in time', async () => {
    let polls = 0;
    const host = new RecordedHost()
      .on(virsh('domstate'), { stdout: 'running\n\n' }, 1)
      .on(virsh('shutdown'), { stdout: 'Domain vm1 is being shutdown\n' })
      .on(virsh('domstate'), () => ({ stdout: ++polls < 2 ? 'in shutdown\n\n' : 'shut off\n\n' }));
    const r = await virtModule.run(host, parse({ name: 'vm1', state: 'shutdown' }), fakeContext());
    assert.deepEqual([r.changed, r.msg, polls], [true, 'shut down', 2]);

    const stuck = new RecordedHost().on(virsh('domstate'), { stdout: 'running\n\n' }).on(virsh('shutdown'), {});
    const f = await virtModule.run(stuck, parse({ name: 'vm1', state: 'shutdown', shutdown_timeout: 0 }), fakeContext());
    assert.equal(f.failed, true);
    assert.match(f.msg, /did not shut down within 0s/);
  });

  it('lists domains by status, sorted by name', async () => {
    const list = ' Id   Name   State\n-----------------------\n 3    web    running\n -    db     shut off\n 4    app    paused\n\n';
    const host = new RecordedHost().on(virsh('list'), { stdout: list });
    const running = await virtModule.run(host, parse({ command: 'list_vms', state: 'running' }), fakeContext());
    assert.deepEqual(running.data, { list_vms: ['web'] });
    const all = await virtModule.run(host, parse({ command: 'list_vms' }), fakeContext());
    assert.deepEqual([all.changed, all.data], [false, { list_vms: ['app', 'db', 'web'] }]);
  });

  it('registers info keyed by domain, with the collection\'s value types', async () => {
    const host = new RecordedHost()
      .on(virsh('list'), { stdout: ' Id   Name   State\n----------------------\n 7    vm1    running\n\n' })
      .on(virsh('domstats'), { stdout: "Domain: 'vm1'\n  cpu.time=320000000\n\n" })
      .on(virsh('dominfo'), { stdout: DOMINFO('running', 'enable') });
    const r = await virtModule.run(host, parse({ command: 'info' }), fakeContext());
    assert.deepEqual(r.data, { vm1: { state: 'running', maxMem: '65536', memory: '65536', nrVirtCpu: 1, cpuTime: '320000000', autostart: 1 } });
  });
});
