// The `bridge` module over a recorded host: the probe's output is what GATHER_SCRIPT
// printed on lab02 and in a scratch namespace with br0 over em1 (recorded in
// test/fixtures/probes/bridge-gather/), with single sections swapped for other hosts
// (another OS, NetworkManager, the files). The module must choose the format, plan
// files and live change, change nothing in check mode, report up to date when all
// matches, write files alone when only they differ, and go through arm → new
// connection → status → disarm for a live change (the host's replies recorded).
import assert from 'node:assert/strict';
import { UnreachableError } from '../../../errors.js';
import { bridgeModule, planBridge } from './bridge.js';
import { GATHER_SCRIPT, parseGather } from './bridge-gather.js';
import { nmBridgeUuid, renderBridgeFiles } from './bridge-render.js';
import { ARM_SCRIPT, DISARM_SCRIPT, STATUS_SCRIPT } from './bridge-rollback.js';
import { BridgeArgs } from './bridge-spec.js';
import { WRITE_SCRIPT } from '../../files/put-file.js';
import { fakeContext } from '../../../../test/support/module-context.js';
import { loadProbeCases, RecordedHost, runsScript } from '../../../../test/support/recorded-host.js';
import { sectionMarker } from '../../probe-sections.js';

// /etc/network/interfaces as `kvmplay lab up` writes it on lab02 (as recorded).
const LAB_INTERFACES = '# Written by kvmplay lab up. em1 carries the lab address; em2 is free for a second bridge.\nsource /etc/network/interfaces.d/*\n\nauto lo\niface lo inet loopback\n\nauto em1\niface em1 inet static\n    address 10.213.0.12/24\n\niface em2 inet manual\n';

const recorded = (name: string): string => {
  const c = loadProbeCases('bridge-gather').find((x) => x.name === name);
  if (!c) throw new Error(`no recording ${name}`);
  return c.stdout;
};

/** A recorded probe output with some sections' bodies replaced. */
function withSections(stdout: string, over: Record<string, string>): string {
  let out = stdout;
  for (const [name, body] of Object.entries(over)) {
    const head = `\n${sectionMarker(name)}\n`;
    const at = out.indexOf(head);
    if (at < 0) throw new Error(`no ${name} section`);
    const next = out.indexOf('\n--kvmplay:', at + head.length);
    out = out.slice(0, at + head.length) + body + (next < 0 ? '' : out.slice(next));
  }
  return out;
}

/** The `file` lines of the probe (`F base64(path) base64(content)`). */
const fileLines = (files: Record<string, string>): string =>
  Object.entries(files).map(([path, text]) => `F ${Buffer.from(path).toString('base64')} ${Buffer.from(text).toString('base64')}\n`).join('');

interface Probe {
  /** br0 over em1 already live (the namespace recording), else lab02 as lab up made it. */
  bridged?: boolean;
  os?: string;
  nm?: string;
  init?: string;
  files?: Record<string, string>;
  ifupdown?: Record<string, string>;
}

/** GATHER_SCRIPT's recorded output for lab02 (or a namespace shaped like it after br0 over em1). */
function probeOutput(p: Probe = {}): string {
  return withSections(recorded(p.bridged ? 'netns-br0-over-em1' : 'lab02-debian-em1'), {
    ...(p.os !== undefined ? { os: p.os } : {}),
    ...(p.init !== undefined ? { init: p.init } : {}),
    ...(p.nm !== undefined ? { nm: p.nm } : {}),
    ...(p.files !== undefined ? { files: fileLines(p.files) } : {}),
    // The namespace recording has no ifupdown files: lab02's.
    ...(p.ifupdown !== undefined || p.bridged ? { ifupdown: fileLines(p.ifupdown ?? { '/etc/network/interfaces': LAB_INTERFACES }) } : {}),
  });
}

// lab02's init section without bridge-utils' ifupdown hook.
const NO_BRIDGE_UTILS = 'pid1=other\nsetsid=yes\n';

const BR0 = BridgeArgs.parse({ name: 'br0', ports: ['em1'], address: '10.213.0.12/24', rollback_timeout: 8 });

type Script = 'arm' | 'status' | 'disarm';

/** A recorded host answering the probe and, when given, the safe-apply scripts. */
function hostWith(probe: string, answers: Partial<Record<Script, (argv: readonly string[]) => { rc?: number; stdout: string }>> = {}): RecordedHost {
  const host = new RecordedHost();
  host.on(runsScript(GATHER_SCRIPT), { stdout: probe });
  const scripts: Record<Script, string> = { arm: ARM_SCRIPT, status: STATUS_SCRIPT, disarm: DISARM_SCRIPT };
  for (const [k, script] of Object.entries(scripts) as Array<[Script, string]>) {
    const answer = answers[k];
    if (answer) host.on((argv) => argv[0] === 'sh' && argv[1] === '-c' && argv[2] === script, (argv) => answer(argv));
  }
  return host;
}

const ok = (stdout: string) => (): { stdout: string } => ({ stdout });

/** What each call was: gather, arm, status, disarm, reconnect or other. */
function callKinds(host: RecordedHost): string[] {
  const byScript = new Map([[GATHER_SCRIPT, 'gather'], [ARM_SCRIPT, 'arm'], [STATUS_SCRIPT, 'status'], [DISARM_SCRIPT, 'disarm']]);
  return host.calls.map((c) => (c.op === 'reconnect' ? 'reconnect' : c.op === 'run' && c.argv?.[0] === 'sh' ? byScript.get(c.argv[2] ?? '') ?? 'other' : 'other'));
}

describe('bridge module', () => {
  it('chooses the format from the host: Debian ifupdown, RHEL ifcfg, NetworkManager when it manages a port', () => {
    const plan = (p: Probe): string => {
      const r = planBridge(BR0, parseGather(probeOutput(p)));
      return r.kind === 'ok' ? r.format : r.msg;
    };
    assert.equal(parseGather(probeOutput()).ifupdown.get('/etc/network/interfaces'), LAB_INTERFACES, 'the recording is lab02 as lab up made it');
    assert.equal(plan({}), 'ifupdown');
    assert.equal(plan({ os: 'ID="rocky"\nID_LIKE="rhel centos fedora"\n' }), 'ifcfg');
    assert.equal(plan({ os: 'ID="rhel"\n', nm: 'em1:connected:System em1\nem2:unmanaged:--\n' }), 'nm-keyfile');
    assert.equal(plan({ nm: 'em1:unmanaged:--\n' }), 'ifupdown');
    assert.match(plan({ os: 'ID=alpine\n' }), /set format: ifcfg, ifupdown or nm-keyfile/);
    assert.equal(planBridge(BridgeArgs.parse({ ...BR0, format: 'ifcfg' }), parseGather(probeOutput())).kind === 'ok' ? 'ifcfg' : '', 'ifcfg');
  });

  it('refuses ifupdown bridges where ifupdown cannot bring them up (no bridge-utils): the next boot would lose the network', () => {
    const r = planBridge(BR0, parseGather(probeOutput({ init: NO_BRIDGE_UTILS })));
    assert.equal(r.kind, 'fail');
    assert.match(r.kind === 'fail' ? r.msg : '', /install bridge-utils first; nothing changed/);
    // Other formats do not need it.
    assert.equal(planBridge(BridgeArgs.parse({ ...BR0, format: 'ifcfg' }), parseGather(probeOutput({ init: NO_BRIDGE_UTILS }))).kind, 'ok');
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
    // Until the change is proven, NetworkManager makes it from volatile copies in /run (a reboot forgets them).
    assert.deepEqual(r.files.map((f) => f.livePath), ['/run/NetworkManager/system-connections/br0.nmconnection', '/run/NetworkManager/system-connections/br0-port-em1.nmconnection']);
    const deb = planBridge(BR0, parseGather(probeOutput()));
    assert.deepEqual(deb.kind === 'ok' ? deb.files.map((f) => f.livePath) : deb, [undefined, undefined], 'ifupdown: the change needs no file');
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

  it('in check mode reports the files and the live change, with a diff, and sends nothing but the probe', async () => {
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
    assert.deepEqual(callKinds(host), ['gather']);
    assert.equal(r.data?.['rollback_method'], 'setsid');
    assert.equal(r.data?.['format_reason'], 'Debian family');
  });

  it('arms the rollback with a systemd timer where systemd is PID 1 (lab05 recorded)', async () => {
    const host = hostWith(recorded('lab05-debian-systemd'));
    const r = await bridgeModule.run(host, BR0, fakeContext({ check: true }));
    assert.equal(r.data?.['rollback_method'], 'systemd');
    assert.equal(r.msg, 'would write /etc/network/interfaces.d/br0, /etc/network/interfaces; would change the live network (7 commands)');
  });

  it('fails at plan time, even in check mode, when a live change could not be rolled back: neither systemd nor setsid', async () => {
    const host = hostWith(probeOutput({ init: 'pid1=other\nifupdown-bridge=yes\n' }));
    for (const check of [true, false]) {
      const r = await bridgeModule.run(host, BR0, fakeContext({ check }));
      assert.deepEqual([r.changed, r.failed, r.msg], [false, true, 'cannot arm a rollback: neither systemd (PID 1, systemd-run) nor setsid on the host; nothing changed']);
      assert.equal(r.data?.['rollback_method'], 'setsid');
    }
    assert.deepEqual(callKinds(host), ['gather', 'gather']);
  });

  it('reports up to date when the files and the live state already match', async () => {
    const a = BR0;
    const own = renderBridgeFiles(a, 'ifupdown')[0];
    const edited = LAB_INTERFACES.replace('auto em1\niface em1 inet static\n    address 10.213.0.12/24', '#kvmplay(br0)# auto em1\n#kvmplay(br0)# iface em1 inet static\n#kvmplay(br0)#     address 10.213.0.12/24');
    const probe = probeOutput({ bridged: true, files: { [own?.path ?? '']: own?.content ?? '' }, ifupdown: { '/etc/network/interfaces': edited, [own?.path ?? '']: own?.content ?? '' } });
    const host = hostWith(probe);
    const r = await bridgeModule.run(host, a, fakeContext());
    assert.deepEqual([r.changed, r.msg, r.failed], [false, 'up to date', undefined]);
    assert.deepEqual(callKinds(host), ['gather']);
  });

  it('writes only the files when the live state already matches: no rollback needed', async () => {
    const host = hostWith(probeOutput({ bridged: true, ifupdown: { '/etc/network/interfaces': 'auto lo\niface lo inet loopback\n' } }));
    host.on(runsScript(WRITE_SCRIPT), {});
    const r = await bridgeModule.run(host, BR0, fakeContext());
    assert.deepEqual([r.changed, r.failed, r.msg], [true, undefined, 'write /etc/network/interfaces.d/br0']);
    // putFile's one write (its parent made if missing), mode 0644, the content on stdin.
    const write = host.calls.find((c) => c.op === 'run' && c.argv?.[2] === WRITE_SCRIPT);
    assert.deepEqual(write?.argv?.slice(4, 6), ['/etc/network/interfaces.d/br0', '0644']);
    assert.equal(write?.opts?.stdin?.toString(), renderBridgeFiles(BR0, 'ifupdown')[0]?.content);
    assert.ok(!callKinds(host).includes('arm'));
  });

  it('arms, proves a new connection after the change, then disarms', async () => {
    const host = hostWith(probeOutput(), {
      arm: ok('armed setsid pid 4242\nstarted\n'),
      // The apply ended 5 s before this status: the new connection is newer than the change.
      status: ok('100.00 armed 95.00 no\n--\n--\n'),
      disarm: ok('disarmed\n'),
    });
    const r = await bridgeModule.run(host, BR0, fakeContext());
    assert.equal(r.failed, undefined, r.msg);
    assert.equal(r.changed, true);
    assert.equal(r.msg, 'write /etc/network/interfaces.d/br0, /etc/network/interfaces; change the live network (7 commands); verified over a new SSH connection, rollback disarmed');
    assert.deepEqual(callKinds(host), ['gather', 'arm', 'reconnect', 'status', 'disarm']);
    const arm = host.commands().find((c) => c[2] === ARM_SCRIPT) ?? [];
    assert.deepEqual(arm.slice(4, 7), [String(r.data?.['state_dir']), 'setsid', '8']);
    assert.equal(r.data?.['rollback_method'], 'setsid');
  });

  it('reports "rolled back" at once when the disarm could not write the persistent files (the host undoes the live change too)', async function () {
    this.timeout(20_000);
    let statuses = 0;
    const host = hostWith(probeOutput(), {
      arm: ok('armed setsid pid 4242\nstarted\n'),
      status: () => ({ stdout: statuses++ === 0 ? '100.00 armed 95.00 no\n--\n--\n' : '103.00 rolled-back 95.00 no\n--\nrestored /etc/network/interfaces\nlive em1: veth, up, addresses 10.213.0.12/24\n--\nlog\n' }),
      disarm: ok('commit-failed\nfailed: writing /etc/network/interfaces.d/br0\n'),
    });
    const t0 = Date.now();
    const r = await bridgeModule.run(host, BridgeArgs.parse({ ...BR0, rollback_timeout: 30 }), fakeContext());
    assert.deepEqual([r.changed, r.failed], [false, true]);
    assert.equal(r.msg, 'bridge br0: rolled back: the change worked, but writing the persistent files failed (failed: writing /etc/network/interfaces.d/br0), so the live change was undone too. The host restored: restored /etc/network/interfaces; live em1: veth, up, addresses 10.213.0.12/24');
    assert.ok(Date.now() - t0 < 10_000, 'does not wait for the 30 s deadline');
    assert.deepEqual(callKinds(host), ['gather', 'arm', 'reconnect', 'status', 'disarm', 'reconnect', 'status']);
  });

  it('does not count a connection opened before the change finished: it reconnects again', async () => {
    let statuses = 0;
    const host = hostWith(probeOutput(), {
      arm: ok('armed setsid pid 4242\nstarted\n'),
      // First: still applying; then applied just now (the connection may predate
      // it); then long before the (third) connection.
      status: () => ({ stdout: ['100.00 armed - no', '100.50 armed 100.50 no', '110.00 armed 100.50 no'][statuses++] + '\n--\n--\n' }),
      disarm: ok('disarmed\n'),
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
    assert.deepEqual(callKinds(host), ['gather']);
  });

  it('fails with nothing changed when the host refuses to arm the rollback', async () => {
    const host = hostWith(probeOutput(), { arm: () => ({ rc: 3, stdout: '' }) });
    const r = await bridgeModule.run(host, BR0, fakeContext());
    assert.deepEqual([r.changed, r.failed, r.msg], [false, true, 'cannot arm the rollback, nothing changed: exit status 3']);
    assert.match(String(r.data?.['state_dir']), /^\/var\/lib\/kvmplay\/bridge\/br0-[0-9a-f]{8}$/);
    assert.deepEqual(callKinds(host), ['gather', 'arm']);
  });

  it('reports "rolled back" with what the host restored when no new connection gets through', async function () {
    this.timeout(20_000);
    let broken = true;
    const host = hostWith(probeOutput(), {
      arm: ok('armed setsid pid 4242\nstarted\n'),
      status: ok('120.00 rolled-back 100.50 no\n--\nrestored /etc/network/interfaces\nremoved /etc/network/interfaces.d/br0\nlive em1: veth, up, addresses 10.213.0.12/24\n--\nlog\n'),
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
    assert.deepEqual(r.data?.['restored'], ['restored /etc/network/interfaces', 'removed /etc/network/interfaces.d/br0', 'live em1: veth, up, addresses 10.213.0.12/24']);
    assert.equal(r.data?.['rollback_method'], 'setsid');
    assert.ok(!callKinds(host).includes('disarm'), 'never disarms');
  });
});
