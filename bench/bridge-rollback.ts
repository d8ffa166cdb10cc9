// How long a host is cut off by a bad bridge change: the `bridge` module applies a
// prefix that moves the host off the lab subnet (br0 over em1 with a /32), the host's
// own rollback (setsid sleeper on regular lab hosts, systemd-run timer on systemd
// lab hosts) restores it at the deadline. Measured per try, from the control machine:
//   applied → reachable   the bad address seen live (the lab's console, ip netns exec)
//                         → the first NEW SSH connection that runs `true`
//   module → reported     the module called → it returned failed "rolled back"
//                         (kvmplay reconnected over the restored path)
// Usage (after `npx tsc -p .`; the shared test lab, `kvmplay lab up` as ensureLab()):
//   node dist/bench/bridge-rollback.js [--tries 10] [--timeout 10] [--hosts lab02,lab05]
// Only numbers are printed; each host is left as lab up made it (em1 with its address,
// no bridges, the files the rollback restored).
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { SshHost } from '../src/transport/ssh/ssh-host.js';
import type { ConnectionSpec } from '../src/transport/connection-spec.js';
import { connectionFor, loadInventory } from '../src/inventory/index.js';
import { loadModule, runModule } from '../src/modules/registry.js';
import { fakeContext } from '../test/support/module-context.js';
import { ensureLab, type LabHost } from '../test/support/lab-fixture.js';

const { values } = parseArgs({
  options: {
    tries: { type: 'string', default: '10' },
    timeout: { type: 'string', default: '10' },
    hosts: { type: 'string', default: 'lab02,lab05' },
  },
});
const TRIES = Number(values.tries);
const TIMEOUT_S = Number(values.timeout);
const HOSTS = String(values.hosts).split(',').filter((h) => h !== '');

const sleep = (ms: number): Promise<void> => new Promise((res) => setTimeout(res, ms));

function consoleIp(netns: string, ...args: string[]): string {
  return execFileSync('ip', ['netns', 'exec', netns, 'ip', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function v4(netns: string, dev: string): string[] {
  try {
    const [link] = JSON.parse(consoleIp(netns, '-j', 'addr', 'show', 'dev', dev)) as Array<{ addr_info: Array<{ family: string; local: string; prefixlen: number; scope: string }> }>;
    return (link?.addr_info ?? []).filter((a) => a.family === 'inet' && a.scope === 'global').map((a) => `${a.local}/${a.prefixlen}`);
  } catch {
    return []; // no such device
  }
}

async function runs(spec: ConnectionSpec, argv: string[], timeoutMs: number): Promise<boolean> {
  const h = new SshHost({ ...spec, connectTimeout: timeoutMs / 1000 }, { acceptNewHostKeys: false, agentSocket: '' });
  try {
    return (await h.run(argv, { timeoutMs })).rc === 0;
  } catch {
    return false;
  } finally {
    await h.close();
  }
}

/** The first moment a NEW SSH connection gets through: attempts every 200 ms, each given 1.5 s. */
async function firstReachable(spec: ConnectionSpec, giveUpMs: number): Promise<number | null> {
  const end = performance.now() + giveUpMs;
  return new Promise((resolve) => {
    let done = false;
    let pending = 0;
    const finish = (v: number | null): void => {
      if (!done) { done = true; clearInterval(timer); resolve(v); }
    };
    const attempt = (): void => {
      if (done) return;
      if (performance.now() > end) { if (pending === 0) finish(null); return; }
      pending++;
      void runs(spec, ['true'], 1_500).then((ok) => {
        pending--;
        if (ok) finish(performance.now());
      });
    };
    const timer = setInterval(attempt, 200);
    attempt();
  });
}

interface Try { appliedToReachable: number; moduleToReported: number; rolledBack: boolean; method: string }

async function oneTry(h: LabHost, spec: ConnectionSpec, address: string): Promise<Try> {
  const bad = { name: 'br0', ports: ['em1'], address: address.replace(/\/\d+$/, '/32'), rollback_timeout: TIMEOUT_S };
  const host = new SshHost(spec, { acceptNewHostKeys: false, agentSocket: '' });
  const mod = (await loadModule('bridge'))!;
  const t0 = performance.now();
  let reported = 0;
  const result = runModule(mod, host, mod.args.parse(bad), fakeContext({ hostName: h.name })).then((r) => { reported = performance.now(); return r; });
  // The bad address live on br0, seen from the console.
  let applied = 0;
  while (applied === 0) {
    if (v4(h.netns, 'br0').includes(bad.address)) applied = performance.now();
    else if (performance.now() - t0 > 30_000) throw new Error(`${h.name}: the bad change never showed up`);
    else await sleep(20);
  }
  const reachable = await firstReachable(spec, (TIMEOUT_S + 30) * 1000);
  const r = await result;
  await host.close();
  if (reachable === null) throw new Error(`${h.name}: not reachable again within the deadline + 30 s`);
  return { appliedToReachable: (reachable - applied) / 1000, moduleToReported: (reported - t0) / 1000, rolledBack: r.failed === true && /rolled back/.test(r.msg), method: String(r.data?.['rollback_method']) };
}

/** Between tries: the rollback put em1 back; forget the state directories. */
async function tidy(h: LabHost, spec: ConnectionSpec, address: string): Promise<void> {
  if (!v4(h.netns, 'em1').includes(address) || v4(h.netns, 'br0').length > 0) throw new Error(`${h.name}: not restored (em1 ${v4(h.netns, 'em1').join(' ')})`);
  const ok = await runs(spec, ['sh', '-c', 'for d in /var/lib/kvmplay/bridge/*/; do [ -e "$d/armed" ] && exit 1; done; rm -rf /var/lib/kvmplay/bridge; exit 0'], 10_000);
  if (!ok) throw new Error(`${h.name}: a rollback is still armed`);
}

function stats(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const median = s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  return `min ${s[0]!.toFixed(2)} s, median ${median.toFixed(2)} s, max ${s[s.length - 1]!.toFixed(2)} s`;
}

const lab = await ensureLab();
const inventory = await loadInventory([lab.inventory]);
console.log(`bad bridge apply → host reachable again; ${TRIES} tries per host, rollback_timeout ${TIMEOUT_S} s`);
for (const name of HOSTS) {
  const h = lab.hosts.find((x) => x.name === name);
  if (!h) throw new Error(`no lab host ${name}`);
  const spec = connectionFor(inventory, name);
  const [address] = v4(h.netns, 'em1');
  if (!address || v4(h.netns, 'br0').length > 0) throw new Error(`${name}: em1 has no address or br0 exists: restore the host first`);
  await tidy(h, spec, address);
  const tries: Try[] = [];
  for (let i = 1; i <= TRIES; i++) {
    const t = await oneTry(h, spec, address);
    tries.push(t);
    console.log(`  ${name} try ${String(i).padStart(2)}: applied → reachable ${t.appliedToReachable.toFixed(2)} s; module → reported ${t.moduleToReported.toFixed(2)} s${t.rolledBack ? '' : ' (NOT reported rolled back)'}`);
    await tidy(h, spec, address);
  }
  console.log(`${name} (rollback method ${[...new Set(tries.map((t) => t.method))].join(', ')}):`);
  console.log(`  applied → reachable:  ${stats(tries.map((t) => t.appliedToReachable))}`);
  console.log(`  module → reported:    ${stats(tries.map((t) => t.moduleToReported))}`);
  console.log(`  reported "rolled back": ${tries.filter((t) => t.rolledBack).length}/${tries.length}`);
}
