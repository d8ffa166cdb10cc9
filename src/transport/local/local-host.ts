// A Host on this machine, for unit tests of the modules' real shell scripts and
// coreutils argv (Linux only): commands run directly (argv, no shell in between, as
// the SSH transport's quoting guarantees), files through node:fs. Become is ignored.
import { spawn } from 'node:child_process';
import { lstat, readFile, rename, writeFile } from 'node:fs/promises';
import type { FileStat, Host, RunOptions, RunResult } from '../host.js';

export class LocalHost implements Host {
  readonly name = 'local';
  readonly commands: Array<readonly string[]> = [];

  async connect(): Promise<void> {}
  async reconnect(): Promise<void> {}
  async close(): Promise<void> {}

  run(command: string | readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    const argv = typeof command === 'string' ? ['sh', '-c', command] : [...command];
    this.commands.push(argv);
    return new Promise((resolve, reject) => {
      const child = spawn(argv[0] ?? 'false', argv.slice(1), { cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (d: Buffer) => out.push(d));
      child.stderr.on('data', (d: Buffer) => err.push(d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ rc: code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
      // A command that never reads stdin closes it: EPIPE is not an error here.
      child.stdin.on('error', () => undefined);
      child.stdin.end(opts.stdin ?? '');
    });
  }

  async readFile(path: string): Promise<Buffer | null> {
    return readFile(path).catch(() => null);
  }

  async writeAtomic(path: string, data: string | Buffer, opts: { mode?: number } = {}): Promise<void> {
    const tmp = `${path}.local-tmp`;
    await writeFile(tmp, data, { mode: opts.mode ?? 0o644, flag: 'wx' });
    await rename(tmp, path);
  }

  async stat(path: string): Promise<FileStat | null> {
    const st = await lstat(path).catch(() => null);
    if (!st) return null;
    return { size: st.size, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, isDirectory: st.isDirectory(), isFile: st.isFile(), isSymlink: st.isSymbolicLink() };
  }
}
