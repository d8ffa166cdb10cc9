// The `bridge` module over real SSH on lab02 only (a Debian lab host without systemd:
// the rollback takes the setsid path). br0 over em1 keeping the host's address, br1
// over em2, second runs unchanged, ifcfg files when forced, and a wrong prefix that
// moves the host off the lab subnet: the task fails "rolled back" and the host is
// reachable on its own address with its files restored within the deadline + 10 s.
// The lab's "console" (`ip netns exec kvp-lab02 …`, LAB-NOTES) checks and, at the
// end, restores lab02's network: em1 with 10.213.0.12/24, no bridges.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConnectionSpec } from '../../src/inventory/connection-spec.js';
import { connectionFor, loadInventory } from '../../src/inventory/index.js';
import { SshHost } from '../../src/exec/ssh-host.js';
import type { ModuleResult } from '../../src/modules/module.js';
import { findModule, runModule } from '../../src/modules/registry.js';
import { renderBridgeFiles } from '../../src/modules/bridge-render.js';
import { BridgeArgs } from '../../src/modules/bridge-spec.js';
import { fakeContext } from '../../src/modules/testing/context.js';
import { ensureLab } from './lab-fixture.js';

const HOST = 'lab02';
const NETNS = 'kvp-lab02';
const ADDRESS = '10.213.0.12/24';
const TIMEOUT_S = 8;
const DIST = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const sleepMs = (ms: number): Promise<void> => new Promise((res) => setTimeout(res, ms));

/** The lab's console: a command inside lab02's network namespace, from the control machine. */
function consoleIp(...args: string[]): string {
  return execFileSync('ip', ['netns', 'exec', NETNS, 'ip', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

interface IpAddr { ifname: string; master?: string; addr_info: Array<{ family: string; local: string; prefixlen: number; scope: string }> }

function liveAddrs(): Map<string, { master: string | null; v4: string[] }> {
  const links = JSON.parse(consoleIp('-j', 'addr', 'show')) as IpAddr[];
  return new Map(links.map((l) => [l.ifname, { master: l.master ?? null, v4: l.addr_info.filter((a) => a.family === 'inet' && a.scope === 'global').map((a) => `${a.local}/${a.prefixlen}`) }]));
}

describe('bridge module on lab02 (setsid rollback)', function () {
  this.timeout(600_000);
  let spec: ConnectionSpec;
  let host: SshHost;
  let originalInterfaces = '';
  const opened: SshHost[] = [];

  const open = (): SshHost => {
    const h = new SshHost(spec, { acceptNewHostKeys: false, agentSocket: '' });
    opened.push(h);
    return h;
  };
  const bridge = (raw: Record<string, unknown>, over: { check?: boolean; diff?: boolean } = {}): Promise<ModuleResult> => {
    const mod = findModule('bridge');
    assert.ok(mod, 'bridge is registered');
    return runModule(mod, host, mod.args.parse(raw), fakeContext({ hostName: HOST, ...over }));
  };
  /** A NEW SSH connection runs a command: the host is reachable on its address. */
  const fresh = async (script: string, ...args: string[]): Promise<string> => {
    const h = open();
    try {
      const r = await h.run(['sh', '-c', script, 'sh', ...args]);
      assert.equal(r.rc, 0, r.stderr);
      return r.stdout;
    } finally {
      await h.close();
    }
  };
  const cat = (path: string): Promise<string> => fresh('cat -- "$1" 2>/dev/null || echo "<absent>"', path);

  /** lab02 as `lab up` made it: em1 with its address, no bridges, the original files. */
  async function restoreLab02(): Promise<void> {
    for (const br of ['br0', 'br1']) {
      try { consoleIp('link', 'del', 'dev', br); } catch { /* absent */ }
    }
    consoleIp('addr', 'flush', 'dev', 'em1', 'scope', 'global');
    consoleIp('addr', 'add', ADDRESS, 'dev', 'em1');
    consoleIp('link', 'set', 'dev', 'em1', 'up');
    consoleIp('link', 'set', 'dev', 'em2', 'up');
    const h = open();
    try {
      // Disarm any rollback still armed (by its recorded pid), so it cannot fire later.
      await h.run(['sh', '-c', 'for d in /var/lib/kvmplay/bridge/*/; do [ -e "$d/armed" ] && mv -- "$d/armed" "$d/disarmed" && p=$(cat "$d/sleeper.pid") && kill -TERM "-$p"; done; rm -rf /var/lib/kvmplay/bridge; exit 0']);
      if (originalInterfaces !== '') await h.run(['sh', '-c', 'printf %s "$1" > /etc/network/interfaces', 'sh', originalInterfaces]);
      await h.run(['rm', '-rf', '--', '/etc/network/interfaces.d/br0', '/etc/network/interfaces.d/br1', '/etc/sysconfig']);
    } finally {
      await h.close();
    }
  }

  before(async function () {
    this.timeout(900_000);
    const lab = await ensureLab();
    assert.ok(lab.hosts.some((h) => h.name === HOST), 'the lab has lab02');
    spec = connectionFor(await loadInventory([lab.inventory]), HOST);
    host = open();
    originalInterfaces = await cat('/etc/network/interfaces');
    assert.match(originalInterfaces, /iface em1 inet static\n\s+address 10\.213\.0\.12\/24/);
    await restoreLab02();
  });

  after(async () => {
    if (spec) await restoreLab02();
    await Promise.all(opened.map((h) => h.close()));
    const live = liveAddrs();
    assert.deepEqual(live.get('em1')?.v4, [ADDRESS], 'lab02 is left with em1 carrying its address');
    assert.ok(!live.has('br0') && !live.has('br1'), 'and no bridges');
  });

  const BR0 = { name: 'br0', ports: ['em1'], address: ADDRESS, rollback_timeout: TIMEOUT_S };

  it('in check mode shows the files and the live change and changes nothing', async () => {
    const r = await bridge(BR0, { check: true, diff: true });
    assert.equal(r.failed, undefined, r.msg);
    assert.equal(r.changed, true);
    assert.match(r.msg, /^would write \/etc\/network\/interfaces\.d\/br0, \/etc\/network\/interfaces; would change the live network/);
    assert.match(r.diff ?? '', /\+br0: bridge, up, stp off, forward_delay 0s, addresses 10\.213\.0\.12\/24/);
    assert.ok(!liveAddrs().has('br0'));
    assert.equal(await cat('/etc/network/interfaces.d/br0'), '<absent>\n');
  });

  it('puts em1 into br0 keeping the host\'s address; SSH keeps working; the ifupdown file is written', async () => {
    const r = await bridge(BR0);
    assert.equal(r.failed, undefined, r.msg);
    assert.equal(r.changed, true);
    assert.match(r.msg, /rollback disarmed$/);
    assert.equal(r.data?.['rollback_method'], 'setsid');
    const live = liveAddrs();
    assert.deepEqual(live.get('br0')?.v4, [ADDRESS]);
    assert.deepEqual(live.get('em1'), { master: 'br0', v4: [] });
    assert.equal(await cat('/etc/network/interfaces.d/br0'), renderBridgeFiles(BridgeArgs.parse(BR0), 'ifupdown')[0]?.content);
    const main = await cat('/etc/network/interfaces');
    assert.match(main, /^#kvmplay\(br0\)# iface em1 inet static$/m);
    assert.match(main, /^iface em2 inet manual$/m);
    // The module's own connection is the new one and still works.
    assert.equal((await host.run(['hostname'])).stdout.trim(), HOST);
    // Disarmed: nothing rolls back after the deadline.
    await new Promise((res) => setTimeout(res, (TIMEOUT_S + 2) * 1000));
    assert.deepEqual(liveAddrs().get('br0')?.v4, [ADDRESS]);
  });

  it('changes nothing on a second run', async () => {
    const r = await bridge(BR0);
    assert.deepEqual([r.changed, r.failed, r.msg], [false, undefined, 'up to date']);
  });

  it('puts em2 into br1 without an address, then is unchanged', async () => {
    const br1 = { name: 'br1', ports: ['em2'], rollback_timeout: TIMEOUT_S };
    const r = await bridge(br1);
    assert.equal(r.failed, undefined, r.msg);
    assert.equal(r.changed, true);
    assert.deepEqual(liveAddrs().get('em2'), { master: 'br1', v4: [] });
    assert.match(await cat('/etc/network/interfaces.d/br1'), /^iface br1 inet manual\n {4}bridge_ports em2$/m);
    assert.match(await cat('/etc/network/interfaces'), /^#kvmplay\(br1\)# iface em2 inet manual$/m);
    const again = await bridge(br1);
    assert.deepEqual([again.changed, again.failed], [false, undefined]);
  });

  it('writes the RHEL ifcfg files with format: ifcfg, then is unchanged', async () => {
    const r = await bridge({ ...BR0, format: 'ifcfg' });
    assert.equal(r.failed, undefined, r.msg);
    assert.equal(r.changed, true);
    assert.equal(r.msg, 'write /etc/sysconfig/network-scripts/ifcfg-br0, /etc/sysconfig/network-scripts/ifcfg-em1');
    const br0 = await cat('/etc/sysconfig/network-scripts/ifcfg-br0');
    assert.match(br0, /^TYPE=Bridge\nBOOTPROTO=none\nIPADDR=10\.213\.0\.12\nPREFIX=24\nNETMASK=255\.255\.255\.0\n/m);
    assert.match(await cat('/etc/sysconfig/network-scripts/ifcfg-em1'), /^BRIDGE=br0$/m);
    const again = await bridge({ ...BR0, format: 'ifcfg' });
    assert.deepEqual([again.changed, again.failed], [false, undefined]);
  });

  it('rolls back a prefix that moves the host off the lab subnet: failed "rolled back", reachable, files restored', async () => {
    // From lab02 as lab up made it: the rollback must give em1 its address back.
    await restoreLab02();
    const interfacesBefore = await cat('/etc/network/interfaces');
    const t0 = Date.now();
    const r = await bridge({ ...BR0, address: '10.213.0.12/32' });
    const took = (Date.now() - t0) / 1000;
    assert.equal(r.failed, true);
    assert.equal(r.changed, false);
    assert.match(r.msg, /^bridge br0: rolled back: no new SSH connection through the new network before the deadline/);
    const restored = r.data?.['restored'] as string[];
    assert.deepEqual([...restored].sort(), [
      'live br0: absent',
      'live em1: veth, up, addresses 10.213.0.12/24',
      'removed /etc/network/interfaces.d/br0',
      'restored /etc/network/interfaces',
    ]);
    assert.match(r.msg, /The host restored: .*restored \/etc\/network\/interfaces/);
    assert.ok(took <= TIMEOUT_S + 10, `reachable again within the deadline + 10 s (took ${took.toFixed(1)} s)`);
    // Reachable on its original address over a new connection, files as they were.
    assert.equal((await fresh('hostname')).trim(), HOST);
    assert.equal(await cat('/etc/network/interfaces'), interfacesBefore);
    assert.equal(await cat('/etc/network/interfaces.d/br0'), '<absent>\n');
    const live = liveAddrs();
    assert.deepEqual(live.get('em1'), { master: null, v4: [ADDRESS] });
    assert.ok(!live.has('br0'));
    // The module's connection is over the restored path too.
    assert.equal((await host.run(['hostname'])).stdout.trim(), HOST);
    console.log(`      bad apply → reachable again: ${took.toFixed(1)} s (rollback_timeout ${TIMEOUT_S} s)`);
  });

  it('restores itself when kvmplay is killed (SIGKILL) right after it applied a bad change', async () => {
    await restoreLab02();
    // kvmplay's side in its own process: the module with a prefix that locks lab02 out.
    const code = `
      const { connectionFor, loadInventory } = await import(${JSON.stringify(join(DIST, 'src/inventory/index.js'))});
      const { SshHost } = await import(${JSON.stringify(join(DIST, 'src/exec/ssh-host.js'))});
      const { findModule, runModule } = await import(${JSON.stringify(join(DIST, 'src/modules/registry.js'))});
      const { fakeContext } = await import(${JSON.stringify(join(DIST, 'src/modules/testing/context.js'))});
      const spec = connectionFor(await loadInventory([process.argv[1]]), 'lab02');
      const host = new SshHost(spec, { acceptNewHostKeys: false, agentSocket: '' });
      const mod = findModule('bridge');
      await runModule(mod, host, mod.args.parse(${JSON.stringify({ ...BR0, address: '10.213.0.12/32' })}), fakeContext({ hostName: 'lab02' }));
    `;
    const lab = await ensureLab();
    const child = spawn(process.execPath, ['--input-type=module', '-e', code, lab.inventory], { stdio: 'ignore' });
    try {
      // Wait for the bad change to be live (seen from the console), then kill kvmplay.
      const end = Date.now() + 30_000;
      while (!(liveAddrs().get('br0')?.v4 ?? []).includes('10.213.0.12/32')) {
        assert.ok(Date.now() < end, 'the bad change was applied');
        await sleepMs(50);
      }
    } finally {
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    }
    const killed = Date.now();
    // The host has no one to disarm its rollback: it must come back by itself.
    let took = -1;
    while (Date.now() - killed < (TIMEOUT_S + 10) * 1000) {
      const live = liveAddrs();
      if ((live.get('em1')?.v4 ?? []).includes(ADDRESS) && !live.has('br0')) { took = (Date.now() - killed) / 1000; break; }
      await sleepMs(100);
    }
    assert.ok(took >= 0, 'em1 has its address back and br0 is gone within the deadline + 10 s');
    assert.equal((await fresh('hostname')).trim(), HOST);
    assert.equal(await cat('/etc/network/interfaces.d/br0'), '<absent>\n');
    assert.match(await cat('/etc/network/interfaces'), /^iface em1 inet static$/m);
    console.log(`      kvmplay killed → host restored itself after ${took.toFixed(1)} s`);
  });
});
