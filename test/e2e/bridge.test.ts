// The `bridge` module over real SSH on two lab hosts:
//   lab02, a regular host (sshd as init, no systemd): the rollback takes the setsid path;
//   lab05, a systemd host (systemd-nspawn, systemd as PID 1, em1 from ifupdown's
//   networking.service): the rollback is a transient `systemd-run` timer.
// On both: br0 over em1 keeping the host's address, br1 over em2, second runs
// unchanged, ifcfg files when forced (written only after the disarm: until then, seen
// from the console, the persistent files are the old ones), a wrong prefix that moves the host off the lab
// subnet (the task fails "rolled back", the host is reachable on its own address
// with its files restored within the deadline + 10 s), and kvmplay killed with
// SIGKILL right after a bad apply (the host restores itself).
// Then on lab05 with NetworkManager installed from the lab's package repository and
// owning em1: the nm-keyfile format (chosen from the host) passes the same good /
// second-run / lock-out tests; lab05 is then put back as `lab up` made it (em1 from
// /etc/network/interfaces, NetworkManager purged). Last, playbooks/bridge-network.yaml
// through the CLI on lab05 with -e variables.
// The lab's "console" (`ip netns exec kvp-labNN …`, and `nsenter -t SSHD_PID` into
// the host's namespaces, LAB-NOTES) inspects and, when needed, recovers a host from
// outside; every suite restores its host's network at the end.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import type { ConnectionSpec } from '../../src/transport/connection-spec.js';
import { connectionFor, loadInventory } from '../../src/inventory/index.js';
import { SshHost } from '../../src/transport/ssh/ssh-host.js';
import type { ModuleResult } from '../../src/modules/module.js';
import { loadModule, runModule } from '../../src/modules/registry.js';
import { nmBridgePath, nmPortPath, renderBridgeFiles } from '../../src/modules/network/bridge/bridge-render.js';
import { BridgeArgs } from '../../src/modules/network/bridge/bridge-spec.js';
import { fakeContext } from '../support/module-context.js';
import { kvmplay, kvmplayBin, lastJsonLine, scratchDir, writeFile } from '../support/cli.js';
import { ensureLab, type Lab } from '../support/lab-fixture.js';
import { consoleIp, consoleResetNetwork, DISARM_ALL_ROLLBACKS, UNDO_IFUPDOWN_BRIDGES } from '../support/lab-network.js';

const TIMEOUT_S = 8;
const sleepMs = (ms: number): Promise<void> => new Promise((res) => setTimeout(res, ms));
const execFileP = promisify(execFile);

interface Target {
  host: string;
  netns: string;
  /** em1's address as `lab up` configured it. */
  address: string;
  method: 'setsid' | 'systemd';
}

const LAB02: Target = { host: 'lab02', netns: 'kvp-lab02', address: '10.213.0.12/24', method: 'setsid' };
const LAB05: Target = { host: 'lab05', netns: 'kvp-lab05', address: '10.213.0.15/24', method: 'systemd' };

interface IpAddr { ifname: string; master?: string; addr_info: Array<{ family: string; local: string; prefixlen: number; scope: string }> }

/** One lab host: the module's connection, fresh connections, the console. */
class LabBox {
  spec!: ConnectionSpec;
  /** The connection the module runs over (the module reconnects it). */
  host!: SshHost;
  sshdPid = 0;
  originalInterfaces = '';
  private opened: SshHost[] = [];

  constructor(readonly t: Target) {}

  async init(lab: Lab): Promise<void> {
    const h = lab.hosts.find((x) => x.name === this.t.host);
    assert.ok(h, `the lab has ${this.t.host}`);
    this.sshdPid = h.sshd_pid;
    this.spec = connectionFor(await loadInventory([lab.inventory]), this.t.host);
    this.host = this.open();
  }

  open(): SshHost {
    const h = new SshHost(this.spec, { acceptNewHostKeys: false, agentSocket: '' });
    this.opened.push(h);
    return h;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.opened.map((h) => h.close()));
  }

  async bridge(raw: Record<string, unknown>, over: { check?: boolean; diff?: boolean } = {}): Promise<ModuleResult> {
    const mod = await loadModule('bridge');
    assert.ok(mod, 'bridge is registered');
    return runModule(mod, this.host, mod.args.parse(raw), fakeContext({ hostName: this.t.host, ...over }));
  }

  /** A NEW SSH connection runs a script: the host is reachable on its address. */
  async fresh(script: string, ...args: string[]): Promise<string> {
    const h = this.open();
    try {
      const r = await h.run(['sh', '-c', script, 'sh', ...args]);
      assert.equal(r.rc, 0, `${script}: ${r.stderr}`);
      return r.stdout;
    } finally {
      await h.close();
    }
  }

  cat(path: string): Promise<string> {
    return this.fresh('cat -- "$1" 2>/dev/null || echo "<absent>"', path);
  }

  /** Can a new SSH connection get in within `ms`? */
  async reachable(ms = 4_000): Promise<boolean> {
    const h = new SshHost({ ...this.spec, connectTimeout: ms / 1000 }, { acceptNewHostKeys: false, agentSocket: '' });
    try {
      return (await h.run(['true'], { timeoutMs: ms })).rc === 0;
    } catch {
      return false;
    } finally {
      await h.close();
    }
  }

  /** The console: `ip` inside the host's network namespace, from the control machine. */
  consoleIp(...args: string[]): string {
    return consoleIp(this.t.netns, ...args);
  }

  /** The console: a file as the host sees it (its mount namespace). */
  consoleLs(dir: string): Promise<string[]> {
    return execFileP('nsenter', ['-t', String(this.sshdPid), '-m', 'ls', '-1', '--', dir], { encoding: 'utf8' })
      .then((r) => r.stdout.split('\n').filter((l) => l !== ''), () => []);
  }

  liveAddrs(): Map<string, { master: string | null; v4: string[] }> {
    const links = JSON.parse(this.consoleIp('-j', 'addr', 'show')) as IpAddr[];
    return new Map(links.map((l) => [l.ifname, { master: l.master ?? null, v4: l.addr_info.filter((a) => a.family === 'inet' && a.scope === 'global').map((a) => `${a.local}/${a.prefixlen}`) }]));
  }

  /** From the console: no bridges, em1 with its address, both ports up. */
  consoleNetwork(): void {
    consoleResetNetwork(this.t.netns, this.t.address);
  }

  /** The host as `lab up` made it: em1 with its address, no bridges, the original files. */
  async restore(): Promise<void> {
    this.consoleNetwork();
    await this.fresh(DISARM_ALL_ROLLBACKS);
    if (this.originalInterfaces !== '') await this.fresh('printf %s "$1" > /etc/network/interfaces', this.originalInterfaces);
    await this.fresh('rm -rf -- /etc/network/interfaces.d/br0 /etc/network/interfaces.d/br1 /etc/sysconfig');
  }

  /**
   * Units seen under /run/systemd/transient (from the console) while `during` runs:
   * the rollback's timer shows there while it is armed.
   */
  async watchTransient<T>(during: () => Promise<T>): Promise<{ result: T; seen: Set<string> }> {
    const seen = new Set<string>();
    let done = false;
    const poll = (async () => {
      while (!done) {
        for (const u of await this.consoleLs('/run/systemd/transient')) seen.add(u);
        await sleepMs(100);
      }
    })();
    try {
      return { result: await during(), seen };
    } finally {
      done = true;
      await poll;
    }
  }

  /**
   * The persistent files as the host sees them (the console: its mount namespace),
   * sampled every 50 ms while `during` runs (`nsenter -r`: lab02 is a chroot), in the rollback window: the newest
   * apply's change is live (apply.sh finished: `applied`) and its rollback still
   * armed (no disarm yet). Returns those samples, path → content or null (absent).
   */
  async watchWindow<T>(paths: string[], during: () => Promise<T>): Promise<{ result: T; window: Array<Map<string, string | null>> }> {
    const probe = [
      'd=$(ls -td /var/lib/kvmplay/bridge/*/ 2>/dev/null | head -n 1)',
      'if [ -n "$d" ] && [ -e "$d/armed" ] && [ -s "$d/applied" ]; then echo window; else echo out; fi',
      'for f in "$@"; do if [ -e "$f" ]; then printf "%s\\n" "$(base64 -w0 < "$f")"; else echo -; fi; done',
    ].join('\n');
    const window: Array<Map<string, string | null>> = [];
    let done = false;
    const poll = (async () => {
      while (!done) {
        const out = await execFileP('nsenter', ['-t', String(this.sshdPid), '-m', '-r', 'sh', '-c', probe, 'sh', ...paths], { encoding: 'utf8' }).then((r) => r.stdout, () => '');
        const [head, ...files] = out.split('\n');
        if (head === 'window') window.push(new Map(paths.map((p, i) => [p, files[i] === '-' ? null : Buffer.from(files[i] ?? '', 'base64').toString()])));
        await sleepMs(50);
      }
    })();
    try {
      return { result: await during(), window };
    } finally {
      done = true;
      await poll;
    }
  }
}

/** Every sample of the rollback window shows the files as they were before (null: absent). */
function assertOldFilesInWindow(window: Array<Map<string, string | null>>, before: Map<string, string | null>): void {
  assert.ok(window.length > 0, 'the rollback window was observed (change live, rollback armed)');
  for (const sample of window) assert.deepEqual(sample, before, 'inside the rollback window the persistent files are still the old ones');
}

/** The cases both hosts pass, with their own rollback method. */
function bridgeCases(box: LabBox): void {
  const t = box.t;
  const BR0 = { name: 'br0', ports: ['em1'], address: t.address, rollback_timeout: TIMEOUT_S };
  const BAD = { ...BR0, address: t.address.replace(/\/24$/, '/32') };

  it('in check mode shows the files and the live change and changes nothing', async () => {
    const r = await box.bridge(BR0, { check: true, diff: true });
    assert.equal(r.failed, undefined, r.msg);
    assert.equal(r.changed, true);
    assert.equal(r.data?.['rollback_method'], t.method);
    assert.match(r.msg, /^would write \/etc\/network\/interfaces\.d\/br0, \/etc\/network\/interfaces; would change the live network/);
    assert.match(r.diff ?? '', new RegExp(`\\+br0: bridge, up, stp off, forward_delay 0s, addresses ${t.address.replace(/\./g, '\\.')}`));
    assert.ok(!box.liveAddrs().has('br0'));
    assert.equal(await box.cat('/etc/network/interfaces.d/br0'), '<absent>\n');
  });

  it(`puts em1 into br0 keeping the host's address (rollback armed with ${t.method === 'systemd' ? 'systemd-run' : 'setsid'}); SSH keeps working; the ifupdown files are still the old ones until the disarm, then the new ones`, async () => {
    const files = ['/etc/network/interfaces.d/br0', '/etc/network/interfaces'];
    const before = new Map<string, string | null>([[files[0] ?? '', null], [files[1] ?? '', await box.cat('/etc/network/interfaces')]]);
    const { result: { result: r, seen }, window } = await box.watchWindow(files, () => box.watchTransient(() => box.bridge(BR0)));
    assertOldFilesInWindow(window, before);
    assert.equal(r.failed, undefined, r.msg);
    assert.equal(r.changed, true);
    assert.match(r.msg, /rollback disarmed$/);
    assert.equal(r.data?.['rollback_method'], t.method);
    if (t.method === 'systemd') {
      const unit = String(r.data?.['rollback_unit']);
      assert.match(unit, /^kvmplay-bridge-rollback-br0-[0-9a-f]{8}\.timer$/);
      assert.ok(seen.has(unit), `the timer ${unit} was armed during the apply (seen: ${[...seen].join(' ')})`);
      // systemd's journal: the timer started and was stopped by the disarm; its service never ran.
      const journal = await box.fresh('journalctl --no-pager -o cat -u "$1" -u "$2"', unit, unit.replace(/\.timer$/, '.service'));
      assert.match(journal, /Started kvmplay-bridge-rollback-br0-\w+\.timer - kvmplay bridge rollback/);
      assert.match(journal, /Stopped kvmplay-bridge-rollback-br0-\w+\.timer/);
      assert.doesNotMatch(journal, /Started kvmplay-bridge-rollback-br0-\w+\.service/);
    } else {
      assert.equal(r.data?.['rollback_unit'], undefined);
    }
    const live = box.liveAddrs();
    assert.deepEqual(live.get('br0')?.v4, [t.address]);
    assert.deepEqual(live.get('em1'), { master: 'br0', v4: [] });
    assert.equal(await box.cat('/etc/network/interfaces.d/br0'), renderBridgeFiles(BridgeArgs.parse(BR0), 'ifupdown')[0]?.content);
    const main = await box.cat('/etc/network/interfaces');
    assert.match(main, /^#kvmplay\(br0\)# iface em1 inet static$/m);
    assert.match(main, /^iface em2 inet manual$/m);
    // The module's own connection is the new one and still works.
    assert.equal((await box.host.run(['hostname'])).stdout.trim(), t.host);
    // Disarmed: nothing rolls back after the deadline.
    await sleepMs((TIMEOUT_S + 2) * 1000);
    assert.deepEqual(box.liveAddrs().get('br0')?.v4, [t.address]);
  });

  it('changes nothing on a second run', async () => {
    const r = await box.bridge(BR0);
    assert.deepEqual([r.changed, r.failed, r.msg], [false, undefined, 'up to date']);
  });

  it('puts em2 into br1 without an address, then is unchanged', async () => {
    const br1 = { name: 'br1', ports: ['em2'], rollback_timeout: TIMEOUT_S };
    const r = await box.bridge(br1);
    assert.equal(r.failed, undefined, r.msg);
    assert.equal(r.changed, true);
    assert.deepEqual(box.liveAddrs().get('em2'), { master: 'br1', v4: [] });
    assert.match(await box.cat('/etc/network/interfaces.d/br1'), /^iface br1 inet manual\n {4}bridge_ports em2$/m);
    assert.match(await box.cat('/etc/network/interfaces'), /^#kvmplay\(br1\)# iface em2 inet manual$/m);
    const again = await box.bridge(br1);
    assert.deepEqual([again.changed, again.failed], [false, undefined]);
  });

  it('writes the RHEL ifcfg files with format: ifcfg, then is unchanged', async () => {
    const r = await box.bridge({ ...BR0, format: 'ifcfg' });
    assert.equal(r.failed, undefined, r.msg);
    assert.equal(r.changed, true);
    assert.equal(r.msg, 'write /etc/sysconfig/network-scripts/ifcfg-br0, /etc/sysconfig/network-scripts/ifcfg-em1');
    const [ip, prefix] = t.address.split('/');
    const br0 = await box.cat('/etc/sysconfig/network-scripts/ifcfg-br0');
    assert.match(br0, new RegExp(`^TYPE=Bridge\\nBOOTPROTO=none\\nIPADDR=${ip?.replace(/\./g, '\\.')}\\nPREFIX=${prefix}\\nNETMASK=255\\.255\\.255\\.0\\n`, 'm'));
    assert.match(await box.cat('/etc/sysconfig/network-scripts/ifcfg-em1'), /^BRIDGE=br0$/m);
    const again = await box.bridge({ ...BR0, format: 'ifcfg' });
    assert.deepEqual([again.changed, again.failed], [false, undefined]);
  });

  it('with format: ifcfg and a live change, the ifcfg files are absent until the disarm, then written', async () => {
    await box.restore();
    const files = ['/etc/sysconfig/network-scripts/ifcfg-br0', '/etc/sysconfig/network-scripts/ifcfg-em1'];
    const { result: r, window } = await box.watchWindow(files, () => box.bridge({ ...BR0, format: 'ifcfg' }));
    assertOldFilesInWindow(window, new Map(files.map((f) => [f, null])));
    assert.equal(r.failed, undefined, r.msg);
    assert.match(r.msg, /rollback disarmed$/);
    const wanted = renderBridgeFiles(BridgeArgs.parse({ ...BR0, format: 'ifcfg' }), 'ifcfg');
    assert.deepEqual(await Promise.all(files.map((f) => box.cat(f))), files.map((f) => wanted.find((w) => w.path === f)?.content));
    assert.deepEqual(box.liveAddrs().get('br0')?.v4, [t.address]);
  });

  it('when the files cannot be written after the disarm, undoes the live change too and fails "rolled back" without waiting for the deadline', async () => {
    await box.restore();
    // /etc/sysconfig as a regular file: the ifcfg directory cannot be made (the live change can).
    await box.fresh(': > /etc/sysconfig');
    try {
      const t0 = Date.now();
      const r = await box.bridge({ ...BR0, format: 'ifcfg', rollback_timeout: 30 });
      const took = (Date.now() - t0) / 1000;
      assert.deepEqual([r.failed, r.changed], [true, false]);
      assert.match(r.msg, /^bridge br0: rolled back: the change worked, but writing the persistent files failed \(.*failed: writing \/etc\/sysconfig\/network-scripts\/ifcfg-br0\), so the live change was undone too\. The host restored: live br0: absent; live em1/s);
      assert.ok(took < 15, `reported within 15 s, not at the 30 s deadline (took ${took.toFixed(1)} s)`);
      const live = box.liveAddrs();
      assert.deepEqual(live.get('em1'), { master: null, v4: [t.address] });
      assert.ok(!live.has('br0'));
      assert.equal((await box.fresh('hostname')).trim(), t.host);
      assert.equal(await box.cat('/etc/sysconfig/network-scripts/ifcfg-br0'), '<absent>\n');
    } finally {
      await box.fresh('rm -f /etc/sysconfig');
    }
  });

  it('rolls back a prefix that moves the host off the lab subnet: failed "rolled back", reachable, the files never changed', async () => {
    // From the host as lab up made it: the rollback must give em1 its address back.
    await box.restore();
    const interfacesBefore = await box.cat('/etc/network/interfaces');
    const files = ['/etc/network/interfaces.d/br0', '/etc/network/interfaces'];
    const t0 = Date.now();
    const { result: { result: r, seen }, window } = await box.watchWindow(files, () => box.watchTransient(() => box.bridge(BAD)));
    assertOldFilesInWindow(window, new Map([[files[0] ?? '', null], [files[1] ?? '', interfacesBefore]]));
    const took = (Date.now() - t0) / 1000;
    assert.equal(r.failed, true);
    assert.equal(r.changed, false);
    assert.match(r.msg, /^bridge br0: rolled back: no new SSH connection through the new network before the deadline/);
    assert.equal(r.data?.['rollback_method'], t.method);
    const restored = r.data?.['restored'] as string[];
    // The files were never written (they wait for the disarm): only the live state is restored.
    assert.deepEqual([...restored].sort(), [
      'live br0: absent',
      `live em1: veth, up, addresses ${t.address}`,
    ]);
    assert.match(r.msg, /The host restored: live br0: absent; live em1/);
    assert.ok(took <= TIMEOUT_S + 10, `reachable again within the deadline + 10 s (took ${took.toFixed(1)} s)`);
    // Reachable on its original address over a new connection, files as they were.
    assert.equal((await box.fresh('hostname')).trim(), t.host);
    assert.equal(await box.cat('/etc/network/interfaces'), interfacesBefore);
    assert.equal(await box.cat('/etc/network/interfaces.d/br0'), '<absent>\n');
    const live = box.liveAddrs();
    assert.deepEqual(live.get('em1'), { master: null, v4: [t.address] });
    assert.ok(!live.has('br0'));
    // The module's connection is over the restored path too.
    assert.equal((await box.host.run(['hostname'])).stdout.trim(), t.host);
    if (t.method === 'systemd') {
      // The timer was armed while the host was cut off, and systemd ran the rollback.
      const unit = String(r.data?.['rollback_unit']);
      assert.ok(seen.has(unit), `the timer ${unit} was armed during the apply (seen: ${[...seen].join(' ')})`);
      const journal = await box.fresh('journalctl --no-pager -o cat -u "$1"', unit.replace(/\.timer$/, '.service'));
      assert.match(journal, /Started kvmplay-bridge-rollback-br0-\w+\.service - kvmplay bridge rollback/);
    }
    console.log(`      ${t.host}: bad apply → reachable again: ${took.toFixed(1)} s (rollback_timeout ${TIMEOUT_S} s, ${t.method})`);
  });

  it('restores itself when kvmplay is killed (SIGKILL) right after it applied a bad change', async () => {
    await box.restore();
    // The real CLI, `kvmplay run`, with a bridge whose prefix locks the host out.
    const playbook = writeFile(scratchDir('bridge-kill'), 'bad-bridge.yaml', JSON.stringify([
      { name: 'bad bridge', hosts: t.host, gather_facts: false, tasks: [{ name: 'br0 with a /32', bridge: BAD }] },
    ]));
    const lab = await ensureLab();
    const child = spawn(process.execPath, [kvmplayBin, 'run', playbook, '-i', lab.inventory], { stdio: 'ignore' });
    const timers = new Set<string>();
    try {
      // Wait for the bad change to be live (seen from the console), then kill kvmplay.
      const end = Date.now() + 30_000;
      while (!(box.liveAddrs().get('br0')?.v4 ?? []).includes(BAD.address)) {
        assert.ok(Date.now() < end, 'the bad change was applied');
        await sleepMs(50);
      }
    } finally {
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    }
    const killed = Date.now();
    if (t.method === 'systemd') {
      for (const u of await box.consoleLs('/run/systemd/transient')) if (/^kvmplay-bridge-rollback-br0-\w+\.timer$/.test(u)) timers.add(u);
      assert.equal(timers.size, 1, 'the rollback timer is armed on the host after kvmplay died');
    }
    // The host has no one to disarm its rollback: it must come back by itself.
    let took = -1;
    while (Date.now() - killed < (TIMEOUT_S + 10) * 1000) {
      const live = box.liveAddrs();
      if ((live.get('em1')?.v4 ?? []).includes(t.address) && !live.has('br0')) { took = (Date.now() - killed) / 1000; break; }
      await sleepMs(100);
    }
    assert.ok(took >= 0, 'em1 has its address back and br0 is gone within the deadline + 10 s');
    assert.equal((await box.fresh('hostname')).trim(), t.host);
    assert.equal(await box.cat('/etc/network/interfaces.d/br0'), '<absent>\n');
    assert.match(await box.cat('/etc/network/interfaces'), /^iface em1 inet static$/m);
    console.log(`      ${t.host}: kvmplay killed → host restored itself after ${took.toFixed(1)} s`);
  });
}

function hostSuite(t: Target, title: string): LabBox {
  const box = new LabBox(t);
  describe(title, function () {
    this.timeout(600_000);

    before(async function () {
      this.timeout(900_000);
      await box.init(await ensureLab());
      // Whatever an earlier run left (the main job's site.yaml bridges em1 too):
      // no bridges, em1 with its address, em1's stanza and no bridge files.
      box.consoleNetwork();
      await box.fresh(DISARM_ALL_ROLLBACKS);
      await box.fresh(UNDO_IFUPDOWN_BRIDGES);
      box.originalInterfaces = await box.cat('/etc/network/interfaces');
      assert.match(box.originalInterfaces, new RegExp(`iface em1 inet static\\n\\s+address ${t.address.replace(/\./g, '\\.')}`));
      await box.restore();
    });

    after(async () => {
      if (box.spec) await box.restore();
      await box.closeAll();
      const live = box.liveAddrs();
      assert.deepEqual(live.get('em1')?.v4, [t.address], `${t.host} is left with em1 carrying its address`);
      assert.ok(!live.has('br0') && !live.has('br1'), 'and no bridges');
    });

    bridgeCases(box);
  });
  return box;
}

hostSuite(LAB02, 'bridge module on lab02 (regular host: setsid rollback)');
hostSuite(LAB05, 'bridge module on lab05 (systemd host: systemd-run rollback)');

// ---------------------------------------------------------------------------
// NetworkManager on lab05.

// em1's own NetworkManager profile while NetworkManager owns it (a fixed uuid, so
// the test can take exactly this profile up; another may be generated as "em1").
const EM1_UUID = '6d1c3a52-0d1f-4c53-9a55-3b0f0e1a0c15';
const NM_DIR = '/etc/NetworkManager/system-connections';
const EM1_KEYFILE = `# kvmplay e2e: em1 owned by NetworkManager
[connection]
id=em1
uuid=${EM1_UUID}
type=ethernet
interface-name=em1
autoconnect=true

[ipv4]
method=manual
address1=${LAB05.address}

[ipv6]
method=ignore
`;

/** /etc/network/interfaces without em1's stanza (NetworkManager's ifupdown plugin leaves listed devices alone). */
function withoutEm1(text: string): string {
  const out: string[] = [];
  let skipping = false;
  for (const line of text.split('\n')) {
    if (/^\s*(auto|allow-hotplug)\s+em1\s*$/.test(line)) continue;
    if (/^\s*iface\s+em1\s/.test(line)) { skipping = true; continue; }
    if (skipping && /^\s+\S/.test(line)) continue;
    skipping = false;
    out.push(line);
  }
  return out.join('\n');
}

describe('bridge module on lab05 with NetworkManager owning em1 (nm-keyfile, systemd-run rollback)', function () {
  this.timeout(600_000);
  const box = new LabBox(LAB05);
  const t = box.t;
  const BR0 = { name: 'br0', ports: ['em1'], address: t.address, rollback_timeout: TIMEOUT_S };
  /** Packages the install added (purged at the end). */
  let installed: string[] = [];

  const nmDevices = async (): Promise<Map<string, string>> => {
    const out = await box.fresh('nmcli -t -f DEVICE,STATE,CON-UUID device status');
    return new Map(out.trim().split('\n').map((l) => {
      const [dev = '', state = '', uuid = ''] = l.split(':');
      return [dev, `${state} ${uuid}`.trim()];
    }));
  };

  /**
   * Detached from the SSH session (the network moves under it): a transient unit
   * runs the script; then wait until a new connection gets in and `ready` holds.
   * If the host stays cut off, the console puts em1's address back.
   */
  const detached = async (name: string, script: string, ready: () => Promise<boolean>): Promise<void> => {
    await box.fresh('systemd-run --quiet --collect --unit="$1" sh -c "$2"', `kvmplay-e2e-${name}-${Date.now()}`, `sleep 0.5; ${script}`);
    const end = Date.now() + 30_000;
    while (Date.now() < end) {
      await sleepMs(500);
      if (await box.reachable() && await ready().catch(() => false)) return;
    }
    box.consoleNetwork();
    assert.fail(`${name}: ${t.host} not back within 30 s (em1's address put back from the console)`);
  };

  /** NetworkManager owns em1 with its profile (EM1_UUID): no bridges, no bridge keyfiles. */
  const em1ByNm = async (): Promise<void> => {
    await box.fresh(DISARM_ALL_ROLLBACKS);
    await box.fresh('rm -f -- "$1/br0.nmconnection" "$1/br0-port-em1.nmconnection"', NM_DIR);
    await detached('nm-em1', `nmcli connection reload; nmcli connection up uuid ${EM1_UUID}; ip link del dev br0 2>/dev/null; exit 0`,
      async () => (await nmDevices()).get('em1') === `connected ${EM1_UUID}`);
    assert.ok(!box.liveAddrs().has('br0'));
  };

  before(async function () {
    this.timeout(900_000);
    await box.init(await ensureLab());
    box.originalInterfaces = await box.cat('/etc/network/interfaces');
    assert.match(box.originalInterfaces, /^iface em1 inet static$/m);
    await box.restore();
    // network-manager from the lab's local package repository.
    installed = (await box.fresh('apt-get install -s --no-install-recommends network-manager | awk \'/^Inst /{print $2}\''))
      .trim().split('\n').filter((p) => p !== '');
    await box.fresh('DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends network-manager >/tmp/kvmplay-e2e-nm-install.log 2>&1 || { tail -20 /tmp/kvmplay-e2e-nm-install.log >&2; exit 1; }');
    assert.equal((await box.fresh('systemctl is-active NetworkManager')).trim(), 'active');
    // As installed, NetworkManager leaves em1 (listed in /etc/network/interfaces) alone.
    assert.match((await nmDevices()).get('em1') ?? '', /^unmanaged/);
    // Hand em1 over: its own keyfile with the static address, out of ifupdown's file,
    // NetworkManager restarted and the profile taken up (detached; console fallback).
    await box.fresh('umask 077; printf %s "$1" > "$2/em1.nmconnection"', EM1_KEYFILE, NM_DIR);
    await box.fresh('printf %s "$1" > /etc/network/interfaces', withoutEm1(box.originalInterfaces));
    await detached('nm-takeover', `systemctl restart NetworkManager; nmcli connection up uuid ${EM1_UUID}`,
      async () => (await nmDevices()).get('em1') === `connected ${EM1_UUID}`);
    assert.deepEqual(box.liveAddrs().get('em1')?.v4, [t.address]);
  });

  after(async function () {
    this.timeout(300_000);
    if (!box.spec) return;
    // lab05 as lab up made it: NetworkManager stopped and purged (before the console
    // moves the address back, so it cannot take em1 or br0 up again), its keyfiles
    // gone, em1 from /etc/network/interfaces, no bridges.
    if (!(await box.reachable())) box.consoleNetwork();
    await box.fresh(DISARM_ALL_ROLLBACKS);
    await box.fresh('systemctl stop NetworkManager 2>/dev/null; rm -f -- "$1/em1.nmconnection" "$1/br0.nmconnection" "$1/br0-port-em1.nmconnection"; exit 0', NM_DIR);
    await box.restore();
    const purge = [...new Set(['network-manager', ...installed])];
    await box.fresh('DEBIAN_FRONTEND=noninteractive apt-get purge -y -q "$@" >/tmp/kvmplay-e2e-nm-purge.log 2>&1 || { tail -20 /tmp/kvmplay-e2e-nm-purge.log >&2; exit 1; }', ...purge);
    await box.fresh('systemctl reset-failed; exit 0');
    const state = await box.fresh('systemctl is-active NetworkManager; command -v nmcli || echo no-nmcli; exit 0');
    await box.closeAll();
    assert.match(state, /inactive|unknown/);
    assert.match(state, /no-nmcli/);
    assert.equal(await box.cat('/etc/network/interfaces'), box.originalInterfaces);
    const live = box.liveAddrs();
    assert.deepEqual(live.get('em1'), { master: null, v4: [t.address] }, 'lab05 is left with em1 carrying its address');
    assert.ok(!live.has('br0') && !live.has('br1'), 'and no bridges');
  });

  it('puts em1 into br0 with NetworkManager keyfiles (format from the host), rollback armed with systemd-run; SSH keeps working; until the disarm the keyfiles live only in /run (a reboot forgets them)', async () => {
    const etc = [nmBridgePath('br0'), nmPortPath('br0', 'em1')];
    const run = etc.map((p) => p.replace(/^\/etc\//, '/run/'));
    const wanted = renderBridgeFiles(BridgeArgs.parse(BR0), 'nm-keyfile');
    const { result: { result: r, seen }, window } = await box.watchWindow([...etc, ...run], () => box.watchTransient(() => box.bridge(BR0)));
    // In the window: /etc as before (absent), the change made from volatile copies in /run (a tmpfs).
    assertOldFilesInWindow(window, new Map([...etc.map((p): [string, null] => [p, null]), ...run.map((p, i): [string, string | null] => [p, wanted[i]?.content ?? null])]));
    assert.equal((await box.fresh('stat -f -c %T /run')).trim(), 'tmpfs');
    assert.deepEqual(await Promise.all(run.map((p) => box.cat(p))), run.map(() => '<absent>\n'), 'after the disarm the /run copies are gone');
    assert.equal(r.failed, undefined, r.msg);
    assert.equal(r.changed, true);
    assert.equal(r.data?.['format'], 'nm-keyfile');
    assert.equal(r.data?.['format_reason'], 'NetworkManager manages em1');
    assert.equal(r.data?.['rollback_method'], 'systemd');
    assert.ok(seen.has(String(r.data?.['rollback_unit'])), 'the rollback timer was armed during the apply');
    assert.match(r.msg, /rollback disarmed$/);
    assert.equal(await box.cat(nmBridgePath('br0')), wanted[0]?.content);
    assert.equal(await box.cat(nmPortPath('br0', 'em1')), wanted[1]?.content);
    assert.equal((await box.fresh('stat -c %a -- "$1"', nmBridgePath('br0'))).trim(), '600');
    const live = box.liveAddrs();
    assert.deepEqual(live.get('br0')?.v4, [t.address]);
    assert.deepEqual(live.get('em1'), { master: 'br0', v4: [] });
    // NetworkManager made the change and owns the bridge and its port.
    const devs = await box.fresh('nmcli -t -f DEVICE,STATE,CONNECTION device status');
    assert.match(devs, /^br0:connected:br0$/m);
    assert.match(devs, /^em1:connected:br0-port-em1$/m);
    assert.equal((await box.host.run(['hostname'])).stdout.trim(), t.host);
    await sleepMs((TIMEOUT_S + 2) * 1000);
    assert.deepEqual(box.liveAddrs().get('br0')?.v4, [t.address], 'disarmed: nothing rolled back after the deadline');
  });

  it('changes nothing on a second run', async () => {
    const r = await box.bridge(BR0);
    assert.deepEqual([r.changed, r.failed, r.msg, r.data?.['format']], [false, undefined, 'up to date', 'nm-keyfile']);
  });

  it('rolls back a prefix that moves the host off the lab subnet: failed "rolled back", NetworkManager has em1\'s profile back up', async () => {
    await em1ByNm();
    const etc = [nmBridgePath('br0'), nmPortPath('br0', 'em1'), `${NM_DIR}/em1.nmconnection`];
    const t0 = Date.now();
    const { result: { result: r, seen }, window } = await box.watchWindow(etc, () => box.watchTransient(() => box.bridge({ ...BR0, address: t.address.replace(/\/24$/, '/32') })));
    const took = (Date.now() - t0) / 1000;
    assertOldFilesInWindow(window, new Map([[etc[0] ?? '', null], [etc[1] ?? '', null], [etc[2] ?? '', EM1_KEYFILE]]));
    assert.equal(r.failed, true);
    assert.equal(r.changed, false);
    assert.equal(r.data?.['format'], 'nm-keyfile');
    assert.match(r.msg, /^bridge br0: rolled back: no new SSH connection through the new network before the deadline/);
    assert.ok(seen.has(String(r.data?.['rollback_unit'])), 'the rollback timer was armed during the apply');
    assert.deepEqual([...(r.data?.['restored'] as string[])].sort(), [
      'live br0: absent',
      `live em1: veth, up, addresses ${t.address}`,
      `removed ${nmPortPath('br0', 'em1').replace(/^\/etc\//, '/run/')}`,
      `removed ${nmBridgePath('br0').replace(/^\/etc\//, '/run/')}`,
    ]);
    assert.ok(took <= TIMEOUT_S + 10, `reachable again within the deadline + 10 s (took ${took.toFixed(1)} s)`);
    assert.equal((await box.fresh('hostname')).trim(), t.host);
    assert.equal(await box.cat(nmBridgePath('br0')), '<absent>\n');
    assert.equal(await box.cat(nmPortPath('br0', 'em1')), '<absent>\n');
    assert.equal(await box.cat(`${NM_DIR}/em1.nmconnection`), EM1_KEYFILE);
    assert.equal((await nmDevices()).get('em1'), `connected ${EM1_UUID}`, 'NetworkManager took em1\'s own profile back up');
    const live = box.liveAddrs();
    assert.deepEqual(live.get('em1'), { master: null, v4: [t.address] });
    assert.ok(!live.has('br0'));
    console.log(`      lab05 (NetworkManager): bad apply → reachable again: ${took.toFixed(1)} s (rollback_timeout ${TIMEOUT_S} s)`);
  });
});

// ---------------------------------------------------------------------------
// playbooks/bridge-network.yaml through the CLI, on lab05 (as lab up made it).

describe('playbooks/bridge-network.yaml on lab05 (-e variables)', function () {
  this.timeout(600_000);
  const box = new LabBox(LAB05);
  let inventory = '';

  interface Recap { ok: boolean; hosts: Record<string, { ok: number; changed: number; failed: number; unreachable: boolean }> }
  const play = async (...extra: string[]): Promise<{ recap: Recap; items: Array<{ item: string; status: string; msg: string }> }> => {
    const r = await kvmplay(['run', 'playbooks/bridge-network.yaml', '-i', inventory, '--limit', t.host, '--json', ...extra], { timeoutMs: 180_000 });
    assert.equal(r.code, 0, `kvmplay run exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
    const events = r.stdout.trimEnd().split('\n').slice(0, -1).map((l) => JSON.parse(l) as { task: string; items?: Array<{ item: string; status: string; msg: string }> });
    return { recap: lastJsonLine<Recap>(r.stdout), items: events.find((e) => e.task === 'Bridges (safe apply)')?.items ?? [] };
  };
  const t = box.t;

  before(async function () {
    this.timeout(900_000);
    const lab = await ensureLab();
    inventory = lab.inventory;
    await box.init(lab);
    box.originalInterfaces = await box.cat('/etc/network/interfaces');
    assert.match(box.originalInterfaces, /^iface em1 inet static$/m);
    await box.restore();
  });

  after(async () => {
    if (box.spec) await box.restore();
    await box.closeAll();
    const live = box.liveAddrs();
    assert.deepEqual(live.get('em1')?.v4, [t.address], 'lab05 is left with em1 carrying its address');
    assert.ok(!live.has('br0') && !live.has('br1'), 'and no bridges');
  });

  it('validates', async () => {
    const r = await kvmplay(['validate', 'playbooks/bridge-network.yaml', '-i', inventory]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
  });

  it('without `bridges`: br0 over em1 with the address em1 has (from facts); a second run changes nothing', async () => {
    const first = await play('-e', 'rollback_timeout=10');
    assert.deepEqual([first.recap.hosts[t.host]?.changed, first.recap.hosts[t.host]?.failed], [1, 0]);
    assert.deepEqual(first.items.map((i) => [i.item, i.status]), [['br0', 'changed']]);
    assert.match(first.items[0]?.msg ?? '', /rollback disarmed$/);
    assert.deepEqual(box.liveAddrs().get('br0')?.v4, [t.address]);
    // Now em1 has no address: the default takes br0's, and nothing is left to do.
    const second = await play('-e', 'rollback_timeout=10');
    assert.deepEqual([second.recap.hosts[t.host]?.changed, second.recap.hosts[t.host]?.failed], [0, 0]);
  });

  it('with -e bridges (br0 and br1) and -e bridge_format: changes br1 only, then nothing', async () => {
    const bridges = JSON.stringify({ bridges: [{ name: 'br0', ports: ['em1'], address: t.address, stp: false, delay: 0 }, { name: 'br1', ports: ['em2'] }] });
    const first = await play('-e', bridges, '-e', 'bridge_format=ifupdown', '-e', 'rollback_timeout=10');
    assert.deepEqual([first.recap.hosts[t.host]?.changed, first.recap.hosts[t.host]?.failed], [1, 0]);
    assert.deepEqual(first.items.map((i) => [i.item, i.status]), [['br0', 'ok'], ['br1', 'changed']]);
    assert.deepEqual(box.liveAddrs().get('em2'), { master: 'br1', v4: [] });
    assert.match(await box.cat('/etc/network/interfaces.d/br1'), /^iface br1 inet manual$/m);
    const second = await play('-e', bridges, '-e', 'bridge_format=ifupdown', '-e', 'rollback_timeout=10');
    assert.deepEqual([second.recap.hosts[t.host]?.changed, second.recap.hosts[t.host]?.failed], [0, 0]);
    assert.deepEqual(second.items.map((i) => i.status), ['ok', 'ok']);
  });
});
