// Run the real kvmplay CLI as a child process, as a user or another tool would.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const kvmplayBin = join(repoRoot, 'bin', 'kvmplay.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export function kvmplay(args: string[], opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  const started = Date.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [kvmplayBin, ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/**
 * A CLI run for an assertion message: exit code, stdout and stderr — with `tail`, only
 * their ends (the last 6,000 / 3,000 characters) for runs whose output is long.
 */
export function explain(r: CliResult, opts: { tail?: boolean } = {}): string {
  const out = opts.tail ? r.stdout.slice(-6000) : r.stdout;
  const err = opts.tail ? r.stderr.slice(-3000) : r.stderr;
  return `exit ${r.code}\n--- stdout\n${out}\n--- stderr\n${err}`;
}

/** The `--json` recap: the last line of standard output (SPEC 2). */
export function lastJsonLine<T = Record<string, unknown>>(stdout: string): T {
  const lines = stdout.trimEnd().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as T;
}

export function scratchDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `kvmplay-${prefix}-`));
}

export function writeFile(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text, { mode: 0o600 });
  return path;
}

/** What a terminal shows as text: a pty's output without colours and cursor movements. */
export function withoutTerminalCodes(output: string): string {
  return output.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
}
