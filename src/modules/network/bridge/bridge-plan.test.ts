// Live plans as table tests (STYLE 5): recorded `ip -j` state + args → `ip` argvs;
// then the plan simulated on the state must leave nothing to do, and the restore
// simulated on the result must give back the state before.
import assert from 'node:assert/strict';
import { describeLive, involvedDevices, parseLiveState, planLive, planRestore, simulate, type LiveState } from './bridge-plan.js';
import { BridgeArgs } from './bridge-spec.js';

interface L { name: string; up?: boolean; kind?: string; master?: string; mac?: string; stp?: number; fd?: number; addrs?: Array<[string, number, string?]> }

/** `ip -d -j link`, `ip -j addr`, `ip -j route` output as lab02 prints it (trimmed). */
function state(links: L[], routes: Array<Record<string, unknown>> = []): LiveState {
  const linkJson = links.map((l) => ({
    ifname: l.name,
    flags: ['BROADCAST', 'MULTICAST', ...(l.up === false ? [] : ['UP', 'LOWER_UP'])],
    address: l.mac ?? '02:00:00:00:00:01',
    ...(l.master ? { master: l.master } : {}),
    ...(l.kind ? { linkinfo: { info_kind: l.kind, ...(l.kind === 'bridge' ? { info_data: { forward_delay: l.fd ?? 1500, stp_state: l.stp ?? 0, hello_time: 200 } } : {}) } } : {}),
  }));
  const addrJson = links.map((l) => ({
    ifname: l.name,
    addr_info: [
      ...(l.addrs ?? []).map(([local, prefixlen, scope]) => ({ family: local.includes(':') ? 'inet6' : 'inet', local, prefixlen, scope: scope ?? 'global' })),
      { family: 'inet6', local: 'fe80::1', prefixlen: 64, scope: 'link' },
    ],
  }));
  const r4 = routes.filter((r) => !String(r['dst']).includes(':'));
  const r6 = routes.filter((r) => String(r['dst']).includes(':'));
  return parseLiveState(JSON.stringify(linkJson), JSON.stringify(addrJson), JSON.stringify(r4), JSON.stringify(r6));
}

const LAB02 = state(
  [
    { name: 'lo', kind: undefined, addrs: [['127.0.0.1', 8, 'host']] },
    { name: 'em1', kind: 'veth', mac: '02:6b:76:01:00:02', addrs: [['10.213.0.12', 24]] },
    { name: 'em2', kind: 'veth', mac: '02:6b:76:02:00:02' },
  ],
  [{ dst: '10.213.0.0/24', dev: 'em1', protocol: 'kernel', scope: 'link', prefsrc: '10.213.0.12', flags: [] }],
);

const BR0 = BridgeArgs.parse({ name: 'br0', ports: ['em1'], address: '10.213.0.12/24' });
const BR1 = BridgeArgs.parse({ name: 'br1', ports: ['em2'] });

const ok = (a: BridgeArgs, s: LiveState): string[][] => {
  const p = planLive(a, s);
  assert.equal(p.kind, 'ok', p.kind === 'fail' ? p.msg : '');
  return p.kind === 'ok' ? p.commands : [];
};

describe('bridge live plan', () => {
  it('parses lab02\'s ip -j output', () => {
    assert.deepEqual(LAB02.links.get('em1'), { name: 'em1', up: true, kind: 'veth', master: null, mac: '02:6b:76:01:00:02', stp: null, forwardDelay: null });
    assert.deepEqual(LAB02.addrs.get('em1')?.filter((a) => a.scope === 'global'), [{ family: 'inet', local: '10.213.0.12', prefixlen: 24, scope: 'global' }]);
    assert.equal(LAB02.routes.length, 1);
  });

  it('makes br0 over em1 and moves em1\'s address to it, in an order that keeps the gap short', () => {
    assert.deepEqual(ok(BR0, LAB02), [
      ['link', 'add', 'name', 'br0', 'type', 'bridge'],
      ['link', 'set', 'dev', 'br0', 'address', '02:6b:76:01:00:02'],
      ['link', 'set', 'dev', 'br0', 'type', 'bridge', 'forward_delay', '0'],
      ['link', 'set', 'dev', 'em1', 'master', 'br0'],
      ['link', 'set', 'dev', 'br0', 'up'],
      ['addr', 'del', '10.213.0.12/24', 'dev', 'em1'],
      ['addr', 'add', '10.213.0.12/24', 'dev', 'br0'],
    ]);
  });

  it('makes br1 over em2 without an address', () => {
    assert.deepEqual(ok(BR1, LAB02), [
      ['link', 'add', 'name', 'br1', 'type', 'bridge'],
      ['link', 'set', 'dev', 'br1', 'address', '02:6b:76:02:00:02'],
      ['link', 'set', 'dev', 'br1', 'type', 'bridge', 'forward_delay', '0'],
      ['link', 'set', 'dev', 'em2', 'master', 'br1'],
      ['link', 'set', 'dev', 'br1', 'up'],
    ]);
  });

  it('moves routes through the port and adds the gateway on the bridge', () => {
    const s = state(
      [{ name: 'em1', kind: 'veth', addrs: [['192.0.2.11', 24], ['2001:db8::11', 64]] }],
      [
        { dst: '192.0.2.0/24', dev: 'em1', protocol: 'kernel', scope: 'link', prefsrc: '192.0.2.11' },
        { dst: '198.51.100.0/24', gateway: '192.0.2.254', dev: 'em1', metric: 100 },
        { dst: '2001:db8:1::/48', gateway: '2001:db8::1', dev: 'em1', protocol: 'static' },
      ],
    );
    const a = BridgeArgs.parse({ name: 'br0', ports: ['em1'], address: '192.0.2.11/24', gateway: '192.0.2.1' });
    const cmds = ok(a, s);
    assert.deepEqual(cmds.slice(-7), [
      ['addr', 'del', '192.0.2.11/24', 'dev', 'em1'],
      ['addr', 'del', '2001:db8::11/64', 'dev', 'em1'],
      ['addr', 'add', '192.0.2.11/24', 'dev', 'br0'],
      ['addr', 'add', '2001:db8::11/64', 'dev', 'br0'],
      ['route', 'replace', '198.51.100.0/24', 'via', '192.0.2.254', 'dev', 'br0', 'metric', '100'],
      ['-6', 'route', 'replace', '2001:db8:1::/48', 'via', '2001:db8::1', 'dev', 'br0', 'proto', 'static'],
      ['route', 'replace', 'default', 'via', '192.0.2.1', 'dev', 'br0'],
    ]);
  });

  it('turns STP off before a short delay and sets a long delay before turning STP on', () => {
    const on = state([{ name: 'br0', kind: 'bridge', stp: 1, fd: 1500 }, { name: 'em1', kind: 'veth', master: 'br0' }]);
    assert.deepEqual(ok(BridgeArgs.parse({ name: 'br0', ports: ['em1'], stp: false, delay: 0 }), on), [
      ['link', 'set', 'dev', 'br0', 'type', 'bridge', 'stp_state', '0'],
      ['link', 'set', 'dev', 'br0', 'type', 'bridge', 'forward_delay', '0'],
    ]);
    const off = state([{ name: 'br0', kind: 'bridge', stp: 0, fd: 0 }, { name: 'em1', kind: 'veth', master: 'br0' }]);
    assert.deepEqual(ok(BridgeArgs.parse({ name: 'br0', ports: ['em1'], stp: true, delay: 4 }), off), [
      ['link', 'set', 'dev', 'br0', 'type', 'bridge', 'forward_delay', '400'],
      ['link', 'set', 'dev', 'br0', 'type', 'bridge', 'stp_state', '1'],
    ]);
  });

  it('replaces a wrong address on the bridge (a wrong prefix too) and leaves VM ports alone', () => {
    const s = state([
      { name: 'br0', kind: 'bridge', fd: 0, addrs: [['10.213.0.12', 32]] },
      { name: 'em1', kind: 'veth', master: 'br0' },
      { name: 'vnet0', kind: 'tun', master: 'br0' },
    ]);
    assert.deepEqual(ok(BR0, s), [['addr', 'del', '10.213.0.12/32', 'dev', 'br0'], ['addr', 'add', '10.213.0.12/24', 'dev', 'br0']]);
  });

  const failures: Array<[string, BridgeArgs, LiveState, RegExp]> = [
    ['a missing port', BridgeArgs.parse({ name: 'br0', ports: ['em9'] }), LAB02, /port em9 does not exist/],
    ['a name taken by another kind of device', BridgeArgs.parse({ name: 'em2', ports: ['em1'] }), LAB02, /em2 exists and is not a bridge \(it is veth\)/],
    ['a port that is a bridge', BridgeArgs.parse({ name: 'br0', ports: ['br1'] }), state([{ name: 'br1', kind: 'bridge' }]), /port br1 is itself a bridge/],
    ['an address that would be lost', BridgeArgs.parse({ name: 'br0', ports: ['em1'] }), LAB02, /em1 carries 10\.213\.0\.12\/24: give br0 an address/],
  ];
  for (const [title, a, s, re] of failures) {
    it(`refuses ${title}`, () => {
      const p = planLive(a, s);
      assert.equal(p.kind, 'fail');
      if (p.kind === 'fail') assert.match(p.msg, re);
    });
  }

  const cases: Array<[string, BridgeArgs, LiveState]> = [
    ['br0 over em1', BR0, LAB02],
    ['br1 over em2', BR1, LAB02],
    ['br0 with DHCP', BridgeArgs.parse({ name: 'br0', ports: ['em1'], dhcp: true }), LAB02],
    ['br0 with a gateway and routes', BridgeArgs.parse({ name: 'br0', ports: ['em1'], address: '10.213.0.12/24', gateway: '10.213.0.1', stp: true, delay: 2 }),
      state([{ name: 'em1', kind: 'veth', addrs: [['10.213.0.12', 24]] }], [{ dst: '10.9.0.0/16', gateway: '10.213.0.254', dev: 'em1' }])],
    ['an existing bridge with a wrong prefix', BR0, state([{ name: 'br0', kind: 'bridge', fd: 0, addrs: [['10.213.0.12', 32]] }, { name: 'em1', kind: 'veth', master: 'br0' }])],
  ];
  for (const [title, a, before] of cases) {
    it(`leaves nothing to do after the plan, and the restore gives back the state before: ${title}`, () => {
      const after = simulate(before, ok(a, before));
      assert.deepEqual(ok(a, after), []);
      const devs = involvedDevices(a);
      assert.notEqual(describeLive(after, devs), describeLive(before, devs));
      const restored = simulate(after, planRestore(a, before));
      assert.equal(describeLive(restored, devs), describeLive(before, devs));
    });
  }

  it('restores ports, deletes a bridge that was not there, re-adds addresses and routes', () => {
    const before = state([{ name: 'em1', kind: 'veth', addrs: [['10.213.0.12', 24]] }], [{ dst: '10.9.0.0/16', gateway: '10.213.0.254', dev: 'em1' }]);
    assert.deepEqual(planRestore(BR0, before), [
      ['link', 'set', 'dev', 'em1', 'nomaster'],
      ['link', 'del', 'dev', 'br0'],
      ['addr', 'flush', 'dev', 'em1', 'scope', 'global'],
      ['addr', 'add', '10.213.0.12/24', 'dev', 'em1'],
      ['link', 'set', 'dev', 'em1', 'up'],
      ['route', 'replace', '10.9.0.0/16', 'via', '10.213.0.254', 'dev', 'em1'],
    ]);
  });

  it('describes the live state for --diff, one line a device', () => {
    assert.equal(describeLive(simulate(LAB02, ok(BR0, LAB02)), involvedDevices(BR0)),
      'br0: bridge, up, stp off, forward_delay 0s, addresses 10.213.0.12/24\nem1: veth, up, master br0, addresses -\n');
  });
});
