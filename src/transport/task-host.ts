// A task's become_user, become_method and environment (Ansible task keywords) applied
// to every command a module runs, without each module passing them on: the engine
// wraps the task's host with withRunDefaults. File writes with become go through
// `run` too (put-file.ts), so they are made as the task's become_user.
import { quoteShellCommand } from '../util/shell-quote.js';
import type { BecomeMethod, FileStat, Host, ReconnectOptions, RunOptions, RunResult } from './host.js';

export interface RunDefaults {
  /** Used when becoming, unless the call names its own user. */
  becomeUser?: string;
  /** Used when becoming, unless the call names its own method. */
  becomeMethod?: BecomeMethod;
  /** Variables for every command; a call's own variables win over these, name by name. */
  env?: Readonly<Record<string, string>>;
  /** -vvv: told each command and file transfer before it happens (never standard input or file contents). */
  trace?: (line: string) => void;
}

/** `host` whose run() gets `defaults` where the call gave none; every other method is the host's. */
export function withRunDefaults(host: Host, defaults: RunDefaults): Host {
  return new TaskHost(host, defaults);
}

/** The options a call runs with: the call's own first, then the defaults. Pure. */
export function applyRunDefaults(opts: RunOptions | undefined, defaults: RunDefaults): RunOptions {
  const out: RunOptions = { ...opts };
  if (out.becomeUser === undefined && defaults.becomeUser !== undefined) out.becomeUser = defaults.becomeUser;
  if (out.becomeMethod === undefined && defaults.becomeMethod !== undefined) out.becomeMethod = defaults.becomeMethod;
  if (defaults.env && Object.keys(defaults.env).length > 0) out.env = { ...defaults.env, ...out.env };
  return out;
}

class TaskHost implements Host {
  constructor(private readonly inner: Host, private readonly defaults: RunDefaults) {}

  get name(): string {
    return this.inner.name;
  }

  connect(): Promise<void> {
    return this.inner.connect();
  }

  run(command: string | readonly string[], opts?: RunOptions): Promise<RunResult> {
    const applied = applyRunDefaults(opts, this.defaults);
    if (this.defaults.trace) {
      const as = applied.become ? ` (become ${applied.becomeMethod ?? 'sudo'}${applied.becomeUser ? ` -u ${applied.becomeUser}` : ''})` : '';
      this.defaults.trace(`EXEC ${typeof command === 'string' ? command : quoteShellCommand(command)}${as}`);
    }
    return this.inner.run(command, applied);
  }

  readFile(path: string): Promise<Buffer | null> {
    this.defaults.trace?.(`FETCH ${path}`);
    return this.inner.readFile(path);
  }

  writeAtomic(path: string, data: string | Buffer, opts?: { mode?: number }): Promise<void> {
    this.defaults.trace?.(`PUT ${path}`);
    return this.inner.writeAtomic(path, data, opts);
  }

  stat(path: string): Promise<FileStat | null> {
    return this.inner.stat(path);
  }

  reconnect(opts?: ReconnectOptions): Promise<void> {
    return this.inner.reconnect(opts);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  get openThrough(): Host['openThrough'] {
    return this.inner.openThrough?.bind(this.inner);
  }
}
