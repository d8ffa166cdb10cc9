// `npm run bench`: measures the lab and kvmplay against OpenSSH on this machine.
// Numbers are printed, never asserted: the lab's sshd processes share the CPU with
// kvmplay, so only figures from the same run compare.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { measureGuests } from './guests.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = join(root, 'bin', 'kvmplay.js');
// Reports a measured process's peak RSS and CPU on exit (bench/peak-hook.ts).
const peakHook = pathToFileURL(join(root, 'dist', 'bench', 'peak-hook.js')).href;

interface Timed {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Timed> {
  const t0 = performance.now();
  return new Promise((ok, fail) => {
    const c = spawn(cmd, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    c.on('error', fail);
    c.on('close', (code) => ok({ code, stdout, stderr, ms: performance.now() - t0 }));
  });
}

// Started as a user starts it: the program itself (its first lines choose node's flags).
const kvmplay = (...args: string[]) => run(bin, args, { ...process.env, NODE_OPTIONS: `--import=${peakHook}` });

function must(r: Timed, what: string): Timed {
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r;
}

function peakMb(r: Timed): number {
  const m = /bench-maxrss-kb=(\d+)/.exec(r.stderr);
  return m ? Number(m[1]) / 1024 : NaN;
}

/** The process's own CPU time (user + system), seconds. */
function cpuSeconds(r: Timed): number {
  const m = /bench-cpu-us=(\d+)/.exec(r.stderr);
  return m ? Number(m[1]) / 1e6 : NaN;
}

/** The floor (bench/floor.ts) on the same hosts, in a process of its own measured the same way. */
const floor = (inventory: string, limit: string) => run(process.execPath, ['--import', peakHook, join(root, 'dist', 'bench', 'floor.js'), inventory, '--limit', limit]);

const figures = (r: Timed) => ({ wall: r.ms / 1000, cpu: cpuSeconds(r), rss: peakMb(r) });
const shown = (f: { wall: number; cpu: number; rss: number }) => `${f.wall.toFixed(2)} s [CPU ${f.cpu.toFixed(2)} s, peak RSS ${f.rss.toFixed(0)} MB]`;

interface LabHost { name: string; address: string }

async function labHosts(): Promise<LabHost[]> {
  const r = must(await kvmplay('lab', 'status', '--json'), 'lab status');
  const line = r.stdout.trim().split('\n').pop()!;
  return (JSON.parse(line) as { hosts: LabHost[] }).hosts;
}

async function opensshFanout(hosts: LabHost[], labDir: string): Promise<Timed> {
  const t0 = performance.now();
  const results = await Promise.all(hosts.map((h) => run('ssh', [
    '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes',
    '-o', `UserKnownHostsFile=${join(labDir, 'known_hosts')}`, '-i', join(labDir, 'id_ed25519'),
    `root@${h.address}`, 'true',
  ])));
  const failed = results.filter((r) => r.code !== 0).length;
  return { code: failed, stdout: '', stderr: '', ms: performance.now() - t0 };
}

const note = (what: string, value: string) => {
  process.stdout.write(`${what}: ${value}\n`);
};
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** Hosts a run's recap reports unreachable (the lab's sshd are all up: each one is a false report). */
function unreachable(r: Timed): number {
  return [...r.stdout.matchAll(/unreachable=(\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
}

type Figures = ReturnType<typeof figures>;

/** The try whose wall time is the median's (its CPU and RSS with it): a real run, not an average. */
function medianTry(tries: Figures[]): Figures {
  return [...tries].sort((a, b) => a.wall - b.wall)[Math.floor(tries.length / 2)]!;
}

/**
 * The 5-task playbook on `count` hosts: a first run (changes), then second runs
 * (changed=0), each against the floor's on the same hosts, alternating kvmplay and
 * floor so that both meet the same machine; the median of `tries` second runs.
 */
async function fiveTasks(inventory: string, hosts: LabHost[], count: number, tries: number): Promise<void> {
  const playbook = join(root, 'bench', 'five-tasks', 'playbook.yaml');
  const limit = hosts.slice(0, count).map((h) => h.name).join(',');
  let falselyUnreachable = 0;
  const pair = async (which: string): Promise<[Figures, Figures]> => {
    const run = must(await kvmplay('run', playbook, '-i', inventory, '--limit', limit), `run (${which})`);
    falselyUnreachable += unreachable(run);
    return [figures(run), figures(must(await floor(inventory, limit), `floor (${which})`))];
  };
  const show = (which: string, k: Figures, f: Figures): void => {
    note(`5-task playbook, ${count} light hosts, ${which} run`, shown(k));
    note(`  floor, ${which} run`, shown(f));
    note('  kvmplay / floor', `wall ${(k.wall / f.wall).toFixed(2)}x, CPU ${(k.cpu / f.cpu).toFixed(2)}x, RSS ${(k.rss / f.rss).toFixed(2)}x`);
  };
  show('first', ...(await pair('first')));
  const seconds: Array<[Figures, Figures]> = [];
  for (let i = 0; i < tries; i++) seconds.push(await pair('second'));
  show(tries > 1 ? `second (median of ${tries})` : 'second', medianTry(seconds.map((s) => s[0])), medianTry(seconds.map((s) => s[1])));
  note(`  hosts reported unreachable in kvmplay's ${1 + tries} runs`, String(falselyUnreachable));
}

/** One lab size: start-up, ping against OpenSSH, the 5-task playbook against the floor. */
async function fleet(size: number, withTenHosts: boolean): Promise<void> {
  const upLight = must(await kvmplay('lab', 'up', '--hosts', String(size), '--light'), 'lab up --light');
  note(`lab up --hosts ${size} --light`, secs(upLight.ms));
  const inventory = upLight.stdout.trim().split('\n').pop()!;
  const labDir = dirname(inventory);
  const hosts = await labHosts();

  // Above 240 hosts, one try and no `ssh` per host: a thousand ssh processes on two
  // cores measure the machine, not kvmplay.
  const big = hosts.length > 240;
  for (let i = 1; i <= (big ? 1 : 3); i++) {
    const ping = must(await kvmplay('ping', '-i', inventory), 'ping');
    note(`kvmplay ping, ${hosts.length} light hosts, try ${i}`, `${secs(ping.ms)}, peak RSS ${peakMb(ping).toFixed(1)} MB`);
    if (big) continue;
    const ssh = await opensshFanout(hosts, labDir);
    note(`${hosts.length} parallel OpenSSH ssh HOST true, try ${i}`, `${secs(ssh.ms)}${ssh.code ? ` (${ssh.code} failed)` : ''}`);
  }
  if (withTenHosts) await fiveTasks(inventory, hosts, 10, 3);
  await fiveTasks(inventory, hosts, hosts.length, big ? 1 : 3);
}

async function main(): Promise<void> {
  // BENCH_LIGHT_HOSTS: the light labs measured, one after the other (each replaces the last).
  const sizes = (process.env.BENCH_LIGHT_HOSTS ?? '50,240,1000').split(',').map(Number);
  must(await kvmplay('lab', 'down'), 'lab down');
  const up3 = must(await kvmplay('lab', 'up', '--hosts', '3'), 'lab up --hosts 3');
  note('lab up --hosts 3 (cached rootfs and repository)', secs(up3.ms));
  must(await kvmplay('lab', 'down'), 'lab down');
  for (const [i, size] of sizes.entries()) {
    await fleet(size, i === 0);
    must(await kvmplay('lab', 'down'), 'lab down');
  }

  // Real guests (bench/guests.ts): two hypervisors, one of each init, the tiny guest.
  const up2 = must(await kvmplay('lab', 'up', '--hosts', '2', '--systemd', '1'), 'lab up --hosts 2 --systemd 1');
  for (const kind of ['tiny', 'debian'] as const) {
    await measureGuests(up2.stdout.trim().split('\n').pop()!, ['lab01', 'lab02'], 10, (line) => note('guests', line), kind);
  }
  must(await kvmplay('lab', 'down'), 'lab down');

  // The controller alone (no network): its CPU per host-task at growing fleet sizes.
  const controller = must(await run(process.execPath, [join(root, 'dist', 'bench', 'controller.js'), '50', '240', '1000']), 'controller');
  for (const line of controller.stdout.trim().split('\n')) note('controller only', line);
  // `kvmplay validate` of a generated 1,000-task set, in fresh processes (bench/validate.ts).
  const validate = must(await run(process.execPath, [join(root, 'dist', 'bench', 'validate.js'), '3']), 'validate');
  for (const line of validate.stdout.trim().split('\n').filter((l) => /kvmplay validate -i/.test(l))) note('validate, 1,000 tasks', line);
  process.stdout.write(`\nkvmplay ${JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version}, node ${process.version}\n`);
}

await main();
