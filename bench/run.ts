// `npm run bench`: measures the lab and kvmplay against OpenSSH on this machine.
// Numbers are printed, never asserted: the lab's sshd processes share the CPU with
// kvmplay, so only figures from the same run compare.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

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

const rows: Array<[string, string]> = [];
const note = (what: string, value: string) => {
  rows.push([what, value]);
  process.stdout.write(`${what}: ${value}\n`);
};
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function main(): Promise<void> {
  const lightCount = Number(process.env.BENCH_LIGHT_HOSTS ?? 50);
  must(await kvmplay('lab', 'down'), 'lab down');
  const up3 = must(await kvmplay('lab', 'up', '--hosts', '3'), 'lab up --hosts 3');
  note('lab up --hosts 3 (cached rootfs and repository)', secs(up3.ms));
  must(await kvmplay('lab', 'down'), 'lab down');

  const upLight = must(await kvmplay('lab', 'up', '--hosts', String(lightCount), '--light'), 'lab up --light');
  note(`lab up --hosts ${lightCount} --light`, secs(upLight.ms));
  const inventory = upLight.stdout.trim().split('\n').pop()!;
  const labDir = dirname(inventory);
  const hosts = await labHosts();

  // Above 240 hosts, one try and no `ssh` per host: a thousand ssh processes on two
  // cores measure the machine, not kvmplay.
  const big = hosts.length > 240;
  for (let i = 1; i <= (big ? 1 : 3); i++) {
    const ping = must(await kvmplay('ping', '-i', inventory), 'kvmplay ping');
    note(`kvmplay ping, ${hosts.length} light hosts, try ${i}`, `${secs(ping.ms)}, peak RSS ${peakMb(ping).toFixed(1)} MB`);
    if (big) continue;
    const ssh = await opensshFanout(hosts, labDir);
    note(`${hosts.length} parallel OpenSSH ssh HOST true, try ${i}`, `${secs(ssh.ms)}${ssh.code ? ` (${ssh.code} failed)` : ''}`);
  }

  // The 5-task playbook on the first 10 hosts, then on all of them: first run
  // (changes), second run (changed=0), each against the floor's first and second run
  // on the same hosts (a bare ssh2 runner doing the same round trips, bench/floor.ts).
  const playbook = join(root, 'bench', 'five-tasks', 'playbook.yaml');
  for (const count of [10, hosts.length]) {
    const limit = hosts.slice(0, count).map((h) => h.name).join(',');
    for (const which of ['first', 'second']) {
      const k = figures(must(await kvmplay('run', playbook, '-i', inventory, '--limit', limit), `run (${which})`));
      const f = figures(must(await floor(inventory, limit), `floor (${which})`));
      note(`5-task playbook, ${count} light hosts, ${which} run`, shown(k));
      note(`  floor, ${which} run`, shown(f));
      note('  kvmplay / floor', `wall ${(k.wall / f.wall).toFixed(2)}x, CPU ${(k.cpu / f.cpu).toFixed(2)}x, RSS ${(k.rss / f.rss).toFixed(2)}x`);
    }
    if (count > 240) continue;
    const ssh = await opensshFanout(hosts.slice(0, count), labDir);
    note(`${count} parallel OpenSSH ssh HOST true`, secs(ssh.ms));
  }
  // The controller alone (no network): its CPU per host-task at growing fleet sizes.
  const controller = must(await run(process.execPath, [join(root, 'dist', 'bench', 'controller.js'), '50', '240', '1000']), 'controller');
  for (const line of controller.stdout.trim().split('\n')) note('controller only', line);
  must(await kvmplay('lab', 'down'), 'lab down');
  process.stdout.write(`\nkvmplay ${JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version}, node ${process.version}\n`);
}

await main();
