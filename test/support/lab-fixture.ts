// One lab shared by every e2e test file: `ensureLab()` runs the real CLI
// (`kvmplay lab up`, then `kvmplay lab status --json`). When the lab is already
// up with the wanted shape, `lab up` only checks and reprints the inventory
// path, so calling this from each file's `before` hook is cheap.
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const bin = join(repoRoot, 'bin', 'kvmplay.js');

export interface LabHost {
  name: string;
  address: string;
  netns: string;
  sshd_pid: number;
  state: string;
}

export interface Lab {
  /** Absolute path of the lab's inventory.yaml. */
  inventory: string;
  /** The lab directory: id_ed25519, known_hosts, become-password live here. */
  labDir: string;
  hosts: LabHost[];
}

export interface LabCliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run `kvmplay ARGS` from the repository root (the first lab up builds the cache: minutes). */
export function labCli(args: string[], timeoutMs = 20 * 60_000): Promise<LabCliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

export async function labStatusJson(): Promise<LabHost[]> {
  const r = await labCli(['lab', 'status', '--json'], 60_000);
  if (r.code !== 0) throw new Error(`kvmplay lab status --json exited ${r.code}: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { hosts: LabHost[] }).hosts;
}

export interface LabShape {
  hosts: number;
  light?: boolean;
  /** How many of the hosts (the last ones) boot systemd. */
  systemd?: number;
}

/**
 * The lab every e2e file shares: lab01-lab03 regular (sshd as init, sysv
 * services), lab04-lab05 systemd hosts. Files that need another shape put
 * this one back when they are done.
 */
export const DEFAULT_LAB: LabShape = { hosts: 5, systemd: 2 };
export const SYSTEMD_HOSTS = ['lab04', 'lab05'];

export async function ensureLab(shape: LabShape = DEFAULT_LAB): Promise<Lab> {
  const args = ['lab', 'up', '--hosts', String(shape.hosts), ...(shape.light ? ['--light'] : []),
    ...(shape.systemd ? ['--systemd', String(shape.systemd)] : [])];
  const up = await labCli(args);
  if (up.code !== 0) throw new Error(`kvmplay ${args.join(' ')} exited ${up.code}:\n${up.stderr}\n${up.stdout}`);
  const inventory = up.stdout.trimEnd().split('\n').pop() ?? '';
  if (!inventory.startsWith('/')) throw new Error(`kvmplay lab up did not print the inventory path last:\n${up.stdout}`);
  const hosts = await labStatusJson();
  const notRunning = hosts.filter((h) => h.state !== 'running');
  if (notRunning.length) throw new Error(`lab hosts not running after lab up: ${notRunning.map((h) => `${h.name} (${h.state})`).join(', ')}`);
  return { inventory, labDir: dirname(inventory), hosts };
}
