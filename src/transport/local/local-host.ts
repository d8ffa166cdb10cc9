// The control machine as a Host (SPEC 7's Host, without SSH): for tasks that run on
// localhost (`delegate_to: localhost`, `hosts: localhost`) and for tests of the
// modules' real shell scripts. An argv runs directly — no shell in between, the same
// guarantee the SSH transport's quoting gives —, a string through `sh -c`. Each
// command is its own process group, so a timeout or Ctrl-C ends everything it started.
// become and `environment` as over SSH: `sudo -n -u USER` or (as root only) `su`, the
// variables exported after become; without become they are merged into the child's.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { lstat, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { dirname, join, basename } from 'node:path';
import { InterruptedError, TaskError } from '../../errors.js';
import { envExports, envProblem, execText } from '../command-env.js';
import { BECOME_METHODS, type FileStat, type Host, type RunOptions, type RunResult } from '../host.js';
import { becomeUserProblem, suArgv } from '../ssh/become.js';
import { controllerUserName } from '../../util/controller-identity.js';

export interface LocalHostOptions {
  /** Inventory name (default `localhost`). */
  name?: string;
  /** Who `become` runs as (default root). */
  becomeUser?: string;
}

// After SIGTERM, how long a process group gets before SIGKILL.
const KILL_GRACE_MS = 2_000;

export class LocalHost implements Host {
  readonly name: string;
  /** Every argv run, in order (tests read it). */
  readonly commands: Array<readonly string[]> = [];
  private readonly becomeUser: string;

  constructor(opts: LocalHostOptions = {}) {
    this.name = opts.name ?? 'localhost';
    this.becomeUser = opts.becomeUser ?? 'root';
  }

  async connect(): Promise<void> {}
  async reconnect(): Promise<void> {}
  async close(): Promise<void> {}

  run(command: string | readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    let argv: string[];
    try {
      argv = this.argvFor(command, opts);
    } catch (err) {
      return Promise.reject(err);
    }
    this.commands.push(argv);
    if (opts.signal?.aborted) return Promise.reject(new InterruptedError('interrupted'));
    // Without become the variables go straight into the child's environment; with it,
    // the shell after sudo/su exports them (argvFor).
    const env = opts.env && !this.becomes(opts) ? { ...process.env, ...opts.env } : process.env;
    return new Promise((resolve, reject) => {
      const child = spawn(argv[0] ?? 'false', argv.slice(1), { cwd: opts.cwd, env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let timedOut = false;
      let interrupted = false;
      const killGroup = (): void => {
        const kill = (sig: NodeJS.Signals): void => {
          try {
            if (child.pid !== undefined) process.kill(-child.pid, sig);
          } catch {
            // Already gone.
          }
        };
        kill('SIGTERM');
        setTimeout(() => kill('SIGKILL'), KILL_GRACE_MS).unref();
      };
      const timer = opts.timeoutMs === undefined ? undefined : setTimeout(() => { timedOut = true; killGroup(); }, opts.timeoutMs);
      const onAbort = (): void => { interrupted = true; killGroup(); };
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      child.stdout.on('data', (d: Buffer) => out.push(d));
      child.stderr.on('data', (d: Buffer) => err.push(d));
      child.on('error', (e) => {
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        reject(new TaskError(this.name, `${this.name}: cannot run ${argv[0] ?? ''}: ${e.message}`, { rc: 127 }, { cause: e }));
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        if (interrupted) { reject(new InterruptedError('interrupted')); return; }
        const result: RunResult = { rc: timedOut ? null : code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
        if (signal) result.signal = signal;
        if (timedOut) result.timedOut = true;
        resolve(result);
      });
      // A command that never reads stdin closes it: EPIPE is not an error here.
      child.stdin.on('error', () => undefined);
      child.stdin.end(opts.stdin ?? '');
    });
  }

  /** The user this call becomes; undefined when not becoming or already that user. */
  private becomes(opts: RunOptions): string | undefined {
    if (!opts.become) return undefined;
    const user = opts.becomeUser ?? this.becomeUser;
    return controllerUserName() === user ? undefined : user;
  }

  /**
   * The argv to spawn. Become on the control machine: nothing when already that user,
   * else non-interactive sudo (a password prompt could not be answered safely here),
   * or su when running as root (su from root asks for nothing; from anyone else it
   * would want the target's password, which cannot be typed here).
   */
  private argvFor(command: string | readonly string[], opts: RunOptions): string[] {
    const refuse = (why: string): never => {
      throw new TaskError(this.name, `${this.name}: ${why}: refused, nothing was run`);
    };
    const envRefused = envProblem(opts.env);
    if (envRefused) refuse(envRefused);
    const method = opts.becomeMethod ?? 'sudo';
    if (opts.become && !BECOME_METHODS.includes(method)) refuse(`become method ${JSON.stringify(method)} is not supported (${BECOME_METHODS.join(', ')})`);
    const plain = typeof command === 'string' ? ['sh', '-c', command] : [...command];
    const user = this.becomes(opts);
    if (user === undefined) return plain;
    const problem = becomeUserProblem(user);
    if (problem) refuse(problem);
    const exports = envExports(opts.env);
    if (method === 'su') {
      if (userInfo().uid !== 0) refuse(`su to ${user} on the control machine would ask for ${user}'s password, which kvmplay cannot type here; use become_method sudo (NOPASSWD) or run as root`);
      return suArgv(user, `${exports}${execText(command)}`);
    }
    const sudo = ['sudo', '-n', '-H', '-u', user, '--'];
    return exports === '' ? [...sudo, ...plain] : [...sudo, 'sh', '-c', `${exports}${execText(command)}`];
  }

  async readFile(path: string): Promise<Buffer | null> {
    return readFile(path).catch(() => null);
  }

  async writeAtomic(path: string, data: string | Buffer, opts: { mode?: number } = {}): Promise<void> {
    // Unpredictable and exclusive (`wx`): never writes through a file someone planted.
    const tmp = join(dirname(path), `.${basename(path)}.kvmplay-${randomBytes(6).toString('hex')}`);
    await writeFile(tmp, data, { mode: opts.mode ?? 0o644, flag: 'wx' });
    try {
      await rename(tmp, path);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  async stat(path: string): Promise<FileStat | null> {
    const st = await lstat(path).catch(() => null);
    if (!st) return null;
    return { size: st.size, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, isDirectory: st.isDirectory(), isFile: st.isFile(), isSymlink: st.isSymbolicLink() };
  }
}
