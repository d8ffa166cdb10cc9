import assert from 'node:assert/strict';
import { fakeContext } from '../../../test/support/module-context.js';
import { RecordedHost } from '../../../test/support/recorded-host.js';
import { libvirtNetworkModule, planNetwork, type LibvirtNetworkArgs } from './libvirt-network.js';

const parse = (raw: Record<string, unknown>): LibvirtNetworkArgs => libvirtNetworkModule.args.parse(raw) as LibvirtNetworkArgs;

describe('libvirt_network plan', () => {
  const table: Array<[string, Parameters<typeof planNetwork>, ReturnType<typeof planNetwork>]> = [
    ['defines a new network', ['present', null, true], ['define']],
    ['defines and starts', ['active', null, true], ['define', 'start']],
    ['re-defines (compared after) but does not restart an active one', ['active', { active: true, persistent: true }, true], ['define']],
    ['starts an inactive network without XML', ['active', { active: false, persistent: true }, false], ['start']],
    ['destroys and undefines', ['absent', { active: true, persistent: true }, false], ['destroy', 'undefine']],
    ['only destroys a transient network', ['absent', { active: true, persistent: false }, false], ['destroy']],
    ['leaves an absent network alone', ['absent', null, false], []],
    ['fails without XML for a missing network', ['active', null, false], { fail: 'the network does not exist; give xml or template to define it' }],
  ];
  for (const [title, args, expect] of table) it(title, () => assert.deepEqual(planNetwork(...args), expect));

  it('takes present/active/absent only', () => {
    assert.equal(parse({ name: 'n' }).state, 'present');
    assert.throws(() => parse({ name: 'n', state: 'running' }));
    assert.throws(() => parse({ name: 'n', xml: '<network/>', template: 'n.hbs' }));
  });
});

describe('libvirt_network run through the runner', () => {
  const XML = "<network>\n  <name>lab</name>\n  <bridge name='virbr9'/>\n  <ip address='192.168.213.1' prefix='24'/>\n</network>\n";
  const NET_INFO = 'Name:           lab\nUUID:           0c6d1b1e-8a5e-4c55-9c44-0b8d2e1f2a33\nActive:         no\nPersistent:     yes\nAutostart:      no\nBridge:         virbr9\n\n';
  const DEFINED = "<network>\n  <name>lab</name>\n  <uuid>0c6d1b1e-8a5e-4c55-9c44-0b8d2e1f2a33</uuid>\n  <bridge name='virbr9' stp='on' delay='0'/>\n  <mac address='52:54:00:aa:bb:cc'/>\n  <ip address='192.168.213.1' prefix='24'>\n  </ip>\n</network>\n";
  const virsh = (sub: string) => (argv: readonly string[]): boolean => argv[2] === 'virsh' && argv[5] === sub;
  const subs = (host: RecordedHost): string[] => host.commands().filter((a) => a[2] === 'virsh').map((a) => a[5] ?? '');
  const missing = { rc: 1, stderr: "error: failed to get network 'lab'\nerror: Network not found: no network with matching name 'lab'\n" };

  it('check mode on a new network says what it would do and sends only reads', async () => {
    const host = new RecordedHost().on(virsh('net-info'), missing);
    const r = await libvirtNetworkModule.run(host, parse({ name: 'lab', xml: XML, state: 'active', autostart: true }), fakeContext({ check: true }));
    assert.deepEqual([r.changed, r.msg], [true, 'would define (new network), would start, would enable autostart']);
    assert.deepEqual(subs(host), ['net-info']);
  });

  it('defines, starts and autostarts a new network', async () => {
    const host = new RecordedHost()
      .on(virsh('net-info'), missing)
      .on((argv) => argv[0] === 'sh' || argv[0] === 'rm', { rc: 0 })
      .on(virsh('net-define'), { stdout: 'Network lab defined from /tmp/kvmplay-0.xml\n\n' })
      .on(virsh('net-dumpxml'), { stdout: DEFINED })
      .on(virsh('net-start'), {}).on(virsh('net-autostart'), {});
    const r = await libvirtNetworkModule.run(host, parse({ name: 'lab', xml: XML, state: 'active', autostart: true }), fakeContext());
    assert.deepEqual([r.changed, r.msg], [true, 'defined, started, enable autostart']);
    assert.deepEqual(host.commands().filter((a) => a[2] === 'virsh').map((a) => a.slice(5).join(' ')),
      ['net-info --network lab', 'net-define --file ' + (host.commands().find((a) => a[5] === 'net-define')?.[7] ?? ''), 'net-dumpxml --inactive --network lab', 'net-start --network lab', 'net-autostart --network lab']);
  });

  it('redefines an existing network only when libvirt\'s XML changes', async () => {
    const existing = (after: string): RecordedHost => new RecordedHost()
      .on(virsh('net-info'), { stdout: NET_INFO })
      .on(virsh('net-dumpxml'), { stdout: DEFINED }, 1)
      .on((argv) => argv[0] === 'sh' || argv[0] === 'rm', { rc: 0 })
      .on(virsh('net-define'), {})
      .on(virsh('net-dumpxml'), { stdout: after });
    const same = await libvirtNetworkModule.run(existing(DEFINED), parse({ name: 'lab', xml: XML }), fakeContext());
    assert.deepEqual([same.changed, same.msg], [false, 'up to date']);
    const wider = DEFINED.replace("prefix='24'", "prefix='16'");
    const r = await libvirtNetworkModule.run(existing(wider), parse({ name: 'lab', xml: XML.replace("'24'", "'16'") }), fakeContext({ diff: true }));
    assert.deepEqual([r.changed, r.msg], [true, 'redefined']);
    assert.match(r.diff ?? '', /^\+\s*<ip address='192\.168\.213\.1' prefix='16'>$/m);
    // The existing uuid and bridge MAC went into the XML handed to libvirt.
    const check = await libvirtNetworkModule.run(existing(DEFINED), parse({ name: 'lab', xml: XML.replace("'24'", "'16'") }), fakeContext({ check: true }));
    assert.equal(check.msg, "would define (differs: network/ip address='192.168.213.1' prefix='16')");
  });

  it('stops and undefines a network that should be absent', async () => {
    const host = new RecordedHost()
      .on(virsh('net-info'), { stdout: NET_INFO.replace('Active:         no', 'Active:         yes') })
      .on(virsh('net-dumpxml'), { stdout: DEFINED })
      .on(virsh('net-destroy'), {}).on(virsh('net-undefine'), {});
    const r = await libvirtNetworkModule.run(host, parse({ name: 'lab', state: 'absent' }), fakeContext());
    assert.deepEqual([r.changed, r.msg], [true, 'destroyed, undefined']);
  });
});
