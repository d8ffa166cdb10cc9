// Child processes for the lab: argv arrays only, never a shell command line built
// from values. Failures become LabError with the command and its stderr.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { LabError } from '../errors.js';

export interface RunOptions {
  input?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Resolve with the exit code instead of throwing on failure. */
  allowFail?: boolean;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Environment for lab tools: the sbin directories are on PATH even when the
 * caller's PATH lacks them (ip, debootstrap, chroot live there), and output
 * is in the C locale so it can be read. Built once: starting many hosts
 * spawns many tools.
 */
const BASE_ENV: NodeJS.ProcessEnv = (() => {
  const dirs = (process.env.PATH ?? '').split(':').filter(Boolean);
  for (const d of ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin']) {
    if (!dirs.includes(d)) dirs.push(d);
  }
  return Object.freeze({ ...process.env, PATH: dirs.join(':'), LC_ALL: 'C.UTF-8' });
})();

export function toolEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return Object.keys(extra).length === 0 ? BASE_ENV : { ...BASE_ENV, ...extra };
}

function describe(cmd: string, args: readonly string[]): string {
  return [cmd, ...args].join(' ');
}

/** A tool's exit and its output as bytes; failures (unless allowFail) become LabError. */
function runCollect(cmd: string, args: readonly string[], opts: RunOptions): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? toolEnv(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => reject(new LabError(`cannot run ${cmd}: ${e.message}`, { cause: e })));
    child.on('close', (code, signal) => {
      const res = { code: code ?? 128, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString() };
      if (res.code === 0 || opts.allowFail) return resolve(res);
      const why = signal ? `was killed by ${signal}` : `exited ${res.code}`;
      reject(new LabError(`${describe(cmd, args)} ${why}: ${res.stderr.trim() || res.stdout.toString().trim()}`));
    });
    child.stdin.on('error', () => undefined); // the tool may exit before reading its input
    child.stdin.end(opts.input ?? '');
  });
}

export async function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const res = await runCollect(cmd, args, opts);
  return { ...res, stdout: res.stdout.toString() };
}

/** As run, for a tool whose output is binary (an archive): stdout as bytes. */
export async function runBytes(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<Buffer> {
  return (await runCollect(cmd, args, opts)).stdout;
}

/**
 * Long-running build steps (debootstrap, apt): output goes to a log file, which
 * can be thousands of lines; on failure the error carries its tail.
 */
export async function runLogged(cmd: string, args: readonly string[], logFile: string, opts: RunOptions = {}): Promise<number> {
  const log = createWriteStream(logFile, { flags: 'a' });
  await new Promise<void>((resolve, reject) => log.once('open', () => resolve()).once('error', reject));
  log.write(`\n$ ${describe(cmd, args)}\n`);
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? toolEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    child.on('error', (e) => reject(new LabError(`cannot run ${cmd}: ${e.message}`, { cause: e })));
    child.on('close', (c) => resolve(c ?? 128));
  });
  await new Promise<void>((resolve) => log.end(resolve));
  if (code === 0 || opts.allowFail) return code;
  const tail = (await readFile(logFile, 'utf8')).trimEnd().split('\n').slice(-15).join('\n');
  throw new LabError(`${describe(cmd, args)} exited ${code} (log: ${logFile}):\n${tail}`);
}
