// The `bridge` module over a fake host: the probe's output is recorded text; the
// module must choose the format, plan files and live change, change nothing in check
// mode, report up to date when all matches, write files alone when only they differ,
// and go through arm → new connection → status → disarm for a live change.
import assert from 'node:assert/strict';
import type { RunResult } from '../../../transport/host.js';
import { UnreachableError } from '../../../errors.js';
import { bridgeModule, planBridge } from './bridge.js';
import { GATHER_SCRIPT, parseGather } from './bridge-gather.js';
import { nmBridgeUuid, renderBridgeFiles } from './bridge-render.js';
import { ARM_SCRIPT, DISARM_SCRIPT, STATUS_SCRIPT } from './bridge-rollback.js';
import { BridgeArgs } from './bridge-spec.js';
import { fakeContext } from '../../../../test/support/module-context.js';
import { FakeHost } from '../../../../test/support/fake-host.js';
import { sectionMarker } from '../../probe-sections.js';

const LAB_INTERFACES = 'source /etc/network/interfaces.d/*\n\nauto lo\niface lo inet loopback\n\nauto em1\niface em1 inet static\n    address 10.213.0.12/24\n\niface em2 inet manual\n';

interface Probe {
  bridged?: boolean;
  os?: string;
  nm?: string;
  systemd?: boolean;
  files?: Record<string, string>;
  ifupdown?: Record<string, string>;
  /** bridge-utils' ifupdown hook present (default true). */
  bridgeUtils?: boolean;
}

/** GATHER_SCRIPT's output for lab02, before (or after) br0 over em1. */
function probeOutput(p: Probe = {}): string {
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  const link = (name: string, extra: Record<string, unknown> = {}) => ({ ifname: name, flags: ['UP', 'LOWER_UP'], address: name === 'em2' ? '02:6b:76:02:00:02' : '02:6b:76:01:00:02', linkinfo: { info_kind: 'veth' }, ...extra });
  const links = p.bridged
    ? [link('em1', { master: 'br0' }), link('em2'), { ifname: 'br0', flags: ['UP'], address: '02:6b:76:01:00:02', linkinfo: { info_kind: 'bridge', info_data: { stp_state: 0, forward_delay: 0 } } }]
    : [link('em1'), link('em2')];
  const addr = [
    { ifname: 'em1', addr_info: p.bridged ? [] : [{ family: 'inet', local: '10.213.0.12', prefixlen: 24, scope: 'global' }] },
    { ifname: 'em2', addr_info: [] },
    ...(p.bridged ? [{ ifname: 'br0', addr_info: [{ family: 'inet', local: '10.213.0.12', prefixlen: 24, scope: 'global' }] }] : []),
  ];
  const files = Object.entries(p.files ?? {});
  const sec = (name: string, body: string): string => `\n${sectionMarker(name)}\n${body}`;
  return [
    sec('link', JSON.stringify(links)),
    sec('addr', JSON.stringify(addr)),
    sec('route4', JSON.stringify([{ dst: '10.213.0.0/24', dev: p.bridged ? 'br0' : 'em1', protocol: 'kernel', scope: 'link' }])),
    sec('route6', '[]'),
    sec('bridge', '[]'),
    sec('os', p.os ?? 'ID=debian\nVERSION_ID="12"\n'),
    sec('init', `pid1=${p.systemd ? 'systemd' : 'other'}\n${p.systemd ? 'systemd-run=yes\n' : ''}setsid=yes\n${p.bridgeUtils === false ? '' : 'ifupdown-bridge=yes\n'}`),
    sec('nm', p.nm ?? ''),
    sec('files', files.map(([path, text]) => `F ${b64(path)} ${b64(text)}\n`).join('')),
    sec('ifupdown', Object.entries(p.ifupdown ?? { '/etc/network/interfaces': LAB_INTERFACES }).map(([path, text]) => `F ${b64(path)} ${b64(text)}\n`).join('')),
  ].join('');
}

const BR0 = BridgeArgs.parse({ name: 'br0', ports: ['em1'], address: '10.213.0.12/24', rollback_timeout: 8 });

/** A fake host answering the probe (and, when given, the safe-apply scripts). */
function hostWith(probe: string, answers: Partial<Record<'arm' | 'status' | 'disarm', () => RunResult>> = {}): FakeHost {
  const host = new FakeHost({ '/etc/network/interfaces.d/.keep': '' });
  host.onCommand = (argv) => {
    if (argv[0] !== 'sh' || argv[1] !== '-c') return undefined;
    if (argv[2] === GATHER_SCRIPT) return { rc: 0, stdout: probe, stderr: '' };
    if (argv[2] === ARM_SCRIPT) return answers.arm?.();
    if (argv[2] === STATUS_SCRIPT) return answers.status?.();
    if (argv[2] === DISARM_SCRIPT) return answers.disarm?.();
    return undefined;
  };
  return host;
}

const ok = (stdout: string): RunResult => ({ rc: 0, stdout, stderr: '' });

describe('bridge module', () => {
  it('chooses the format from the host: Debian ifupdown, RHEL ifcfg, NetworkManager when it manages a port', () => {
    const plan = (p: Probe): string => {
      const r = planBridge(BR0, parseGather(probeOutput(p)));
      return r.kind === 'ok' ? r.format : r.msg;
    };
    assert.equal(plan({}), 'ifupdown');
    assert.equal(plan({ os: 'ID="rocky"\nID_LIKE="rhel centos fedora"\n' }), 'ifcfg');
    assert.equal(plan({ os: 'ID="rhel"\n', nm: 'em1:connected:System em1\nem2:unmanaged:--\n' }), 'nm-keyfile');
    assert.equal(plan({ nm: 'em1:unmanaged:--\n' }), 'ifupdown');
    assert.match(plan({ os: 'ID=alpine\n' }), /set format: ifcfg, ifupdown or nm-keyfile/);
    assert.equal(planBridge(BridgeArgs.parse({ ...BR0, format: 'ifcfg' }), parseGather(probeOutput())).kind === 'ok' ? 'ifcfg' : '', 'ifcfg');
  });

  it('refuses ifupdown bridges where ifupdown cannot bring them up (no bridge-utils): the next boot would lose the network', () => {
    const r = planBridge(BR0, parseGather(probeOutput({ bridgeUtils: false })));
    assert.equal(r.kind, 'fail');
    assert.match(r.kind === 'fail' ? r.msg : '', /install bridge-utils first; nothing changed/);
    // Other formats do not need it.
    assert.equal(planBridge(BridgeArgs.parse({ ...BR0, format: 'ifcfg' }), parseGather(probeOutput({ bridgeUtils: false }))).kind, 'ok');
  });

  it('with NetworkManager, makes the change with nmcli and takes the old profile back up on rollback', () => {
    const r = planBridge(BR0, parseGather(probeOutput({ os: 'ID="rhel"\n', nm: 'em1:connected:System em1:5fb06bd0-0bb0-7ffb-45f1-d6edd65f3e03\n' })));
    assert.equal(r.kind, 'ok');
    if (r.kind !== 'ok') return;
    // By uuid, the one nm-bridge.nmconnection.hbs renders: another profile may be named br0 too.
    assert.deepEqual(r.live, [['nmcli', 'connection', 'reload'], ['nmcli', 'connection', 'up', 'uuid', nmBridgeUuid('br0')]]);
    assert.match(r.files[0]?.content ?? '', new RegExp(`^uuid=${nmBridgeUuid('br0')}$`, 'm'));
    assert.deepEqual(r.restore.slice(0, 2), [['nmcli', 'connection', 'reload'], ['nmcli', 'connection', 'up', 'uuid', '5fb06bd0-0bb0-7ffb-45f1-d6edd65f3e03']]);
    assert.deepEqual(r.restore.slice(2, 4), [['ip', 'link', 'set', 'dev', 'em1', 'nomaster'], ['ip', 'link', 'del', 'dev', 'br0']]);
    assert.deepEqual(r.files.map((f) => [f.path, f.mode]), [['/etc/NetworkManager/system-connections/br0.nmconnection', 0o600], ['/etc/NetworkManager/system-connections/br0-port-em1.nmconnection', 0o600]]);
    // Without a uuid column (an older nmcli), by name.
    const old = planBridge(BR0, parseGather(probeOutput({ nm: 'em1:connected:System em1\n' })));
    assert.deepEqual(old.kind === 'ok' ? old.restore[1] : [], ['nmcli', 'connection', 'up', 'id', 'System em1']);
  });

  it('with NetworkManager and the bridge already there: rollback takes the bridge profile up first; observed-only profiles are left to iproute2', () => {
    const nm = 'em1:connected:br0-port-em1:fa16d33e-acda-5a8d-91f3-67e7e36464cf\nbr0:connected:br0:8138ccfb-51d3-5264-921d-8aedaf79c945\nlo:connected (externally):lo:c2b37eeb\n';
    const r = planBridge(BridgeArgs.parse({ ...BR0, address: '10.213.0.12/32' }), parseGather(probeOutput({ bridged: true, nm })));
    assert.equal(r.kind, 'ok');
    if (r.kind !== 'ok') return;
    assert.deepEqual(r.restore.slice(0, 3), [
      ['nmcli', 'connection', 'reload'],
      ['nmcli', 'connection', 'up', 'uuid', '8138ccfb-51d3-5264-921d-8aedaf79c945'],
      ['nmcli', 'connection', 'up', 'uuid', 'fa16d33e-acda-5a8d-91f3-67e7e36464cf'],
    ]);
    const ext = planBridge(BR0, parseGather(probeOutput({ nm: 'em1:connected (externally):em1:13fb29a7\n' })));
    assert.deepEqual(ext.kind === 'ok' ? [ext.format, ext.restore[1]] : [], ['nm-keyfile', ['ip', 'link', 'set', 'dev', 'em1', 'nomaster']]);
  });

  it('with NetworkManager and STP off, a forward delay NetworkManager leaves at the kernel default is no change', () => {
    // NetworkManager applies forward-delay only with stp=true: the kernel keeps 15 s.
    const probe = probeOutput({ bridged: true, nm: 'em1:connected:br0-port-em1:fa16\nbr0:connected:br0:8138\n' }).replace('"forward_delay":0', '"forward_delay":1500');
    const nmPlan = planBridge(BR0, parseGather(probe));
    assert.deepEqual(nmPlan.kind === 'ok' ? nmPlan.live : nmPlan, []);
    // ifupdown and ifcfg set the delay themselves (bridge_fd, DELAY): there it is a change.
    const forced = planBridge(BridgeArgs.parse({ ...BR0, format: 'ifupdown' }), parseGather(probe));
    assert.deepEqual(forced.kind === 'ok' ? forced.live : forced, [['ip', 'link', 'set', 'dev', 'br0', 'type', 'bridge', 'forward_delay', '0']]);
  });

  it('in check mode reports the files and the live change, with a diff, and changes nothing', async () => {
    const host = hostWith(probeOutput());
    const r = await bridgeModule.run(host, BR0, fakeContext({ check: true, diff: true }));
    assert.equal(r.changed, true);
    assert.equal(r.failed, undefined);
    assert.equal(r.msg, 'would write /etc/network/interfaces.d/br0, /etc/network/interfaces; would change the live network (7 commands)');
    assert.match(r.diff ?? '', /\+\+\+ after: \/etc\/network\/interfaces\.d\/br0\n/);
    assert.match(r.diff ?? '', /-auto em1\n-iface em1 inet static\n- {4}address 10\.213\.0\.12\/24\n\+#kvmplay\(br0\)# auto em1\n/);
    assert.match(r.diff ?? '', /--- before: live network \(br0\)\n\+\+\+ after: live network \(br0\)\n/);
    assert.match(r.diff ?? '', /\+br0: bridge, up, stp off, forward_delay 0s, addresses 10\.213\.0\.12\/24\n/);
    assert.match(r.diff ?? '', /live change:\n {2}ip link add name br0 type bridge\n/);
    assert.deepEqual(host.mutatingCalls().filter((c) => c.argv?.[2] !== GATHER_SCRIPT), []);
    assert.equal(r.data?.['rollback_method'], 'setsid');
  });

  it('reports up to date when the files and the live state already match', async () => {
    const a = BR0;
    const own = renderBridgeFiles(a, 'ifupdown')[0];
    const edited = LAB_INTERFACES.replace('auto em1\niface em1 inet static\n    address 10.213.0.12/24', '#kvmplay(br0)# auto em1\n#kvmplay(br0)# iface em1 inet static\n#kvmplay(br0)#     address 10.213.0.12/24');
    const probe = probeOutput({ bridged: true, files: { [own?.path ?? '']: own?.content ?? '' }, ifupdown: { '/etc/network/interfaces': edited, [own?.path ?? '']: own?.content ?? '' } });
    const host = hostWith(probe);
    const r = await bridgeModule.run(host, a, fakeContext());
    assert.deepEqual([r.changed, r.msg, r.failed], [false, 'up to date', undefined]);
    assert.equal(host.mutatingCalls().filter((c) => c.argv?.[2] !== GATHER_SCRIPT).length, 0);
  });

  it('writes only the files when the live state already matches: no rollback needed', async () => {
    const host = hostWith(probeOutput({ bridged: true, ifupdown: { '/etc/network/interfaces': 'auto lo\niface lo inet loopback\n' } }));
    const r = await bridgeModule.run(host, BR0, fakeContext());
    assert.deepEqual([r.changed, r.failed, r.msg], [true, undefined, 'write /etc/network/interfaces.d/br0']);
    assert.equal(host.text('/etc/network/interfaces.d/br0'), renderBridgeFiles(BR0, 'ifupdown')[0]?.content);
    assert.ok(!host.calls.some((c) => c.argv?.[2] === ARM_SCRIPT));
  });

  it('arms, proves a new connection after the change, then disarms', async () => {
    const host = hostWith(probeOutput(), {
      arm: () => ok('armed setsid pid 4242\nstarted\n'),
      // The apply ended 5 s before this status: the new connection is newer than the change.
      status: () => ok('100.00 armed 95.00 no\n--\n--\n'),
      disarm: () => ok('disarmed\n'),
    });
    const r = await bridgeModule.run(host, BR0, fakeContext());
    assert.equal(r.failed, undefined, r.msg);
    assert.equal(r.changed, true);
    assert.match(r.msg, /verified over a new SSH connection, rollback disarmed$/);
    const order = host.calls.map((c) => (c.op === 'reconnect' ? 'reconnect' : c.argv?.[2] === ARM_SCRIPT ? 'arm' : c.argv?.[2] === STATUS_SCRIPT ? 'status' : c.argv?.[2] === DISARM_SCRIPT ? 'disarm' : c.argv?.[2] === GATHER_SCRIPT ? 'gather' : 'other'));
    assert.deepEqual(order, ['gather', 'arm', 'reconnect', 'status', 'disarm']);
    const arm = host.calls.find((c) => c.argv?.[2] === ARM_SCRIPT)?.argv ?? [];
    assert.deepEqual(arm.slice(4, 7), [String(r.data?.['state_dir']), 'setsid', '8']);
  });

  it('does not count a connection opened before the change finished: it reconnects again', async () => {
    let statuses = 0;
    const host = hostWith(probeOutput(), {
      arm: () => ok('armed setsid pid 4242\nstarted\n'),
      // First: still applying; then applied just now (the connection may predate
      // it); then long before the (third) connection.
      status: () => ok(['100.00 armed - no', '100.50 armed 100.50 no', '110.00 armed 100.50 no'][statuses++] + '\n--\n--\n'),
      disarm: () => ok('disarmed\n'),
    });
    const r = await bridgeModule.run(host, BR0, fakeContext());
    assert.equal(r.failed, undefined, r.msg);
    assert.equal(host.calls.filter((c) => c.op === 'reconnect').length, 3);
  });

  it('fails without arming when the plan is impossible', async () => {
    const host = hostWith(probeOutput());
    const r = await bridgeModule.run(host, BridgeArgs.parse({ name: 'br0', ports: ['em9'], address: '10.213.0.12/24' }), fakeContext());
    assert.deepEqual([r.changed, r.failed], [false, true]);
    assert.match(r.msg, /bridge br0: port em9 does not exist/);
  });

  it('reports "rolled back" with what the host restored when no new connection gets through', async function () {
    this.timeout(20_000);
    let broken = true;
    const host = hostWith(probeOutput(), {
      arm: () => ok('armed setsid pid 4242\nstarted\n'),
      status: () => ok('120.00 rolled-back 100.50 no\n--\nrestored /etc/network/interfaces\nremoved /etc/network/interfaces.d/br0\nlive em1: veth, up, addresses 10.213.0.12/24\n--\nlog\n'),
    });
    host.onReconnect = () => {
      if (broken) { broken = false; throw new UnreachableError('fake', 'fake: timed out'); }
    };
    const a = BridgeArgs.parse({ ...BR0, rollback_timeout: 5 });
    const t0 = Date.now();
    const r = await bridgeModule.run(host, a, fakeContext());
    assert.deepEqual([r.changed, r.failed], [false, true]);
    assert.match(r.msg, /^bridge br0: rolled back: no new SSH connection through the new network before the deadline \(fake: timed out\)\. The host restored: restored \/etc\/network\/interfaces; removed \/etc\/network\/interfaces\.d\/br0; live em1/);
    assert.ok(Date.now() - t0 >= 5_000, 'waits out the deadline before looking');
    assert.equal(r.data?.['rolled_back'], true);
    assert.ok(!host.calls.some((c) => c.argv?.[2] === DISARM_SCRIPT), 'never disarms');
  });
});
