// Host over SSH (SPEC 7): one ssh2 connection per host, opened on first use and
// shared by every command (one exec channel each) and file operation (one SFTP
// session, opened on the first file operation only: `ping` never pays for it).

import { randomBytes } from 'node:crypto';
import type { Client as SshClient, SFTPWrapper } from 'ssh2';
import type { ConnectionSpec } from '../connection-spec.js';
import { KvmplayError, TaskError, UnreachableError } from '../../errors.js';
import { becomeUserProblem, describeBecomeFailure, describeSuFailure, hasLineBreak, needsSudo } from './become.js';
import { runOnChannel, type ChannelRunOutcome } from './channel-run.js';
import { envProblem } from '../command-env.js';
import { openConnection, type OpenConnection, type TransportOptions } from './connect.js';
import { BECOME_METHODS, type FileStat, type Host, type ReconnectOptions, type RunOptions, type RunResult } from '../host.js';
import { killScript, markersFor, wrapCommand, type BecomeStep } from './remote-command.js';
import { throughSpec, type ThroughTarget } from './through.js';
import { sftpReadFile, sftpStat, sftpWriteAtomic } from './sftp-ops.js';
import { canCarryStdin } from './shell-frame.js';
import { RemoteShell } from './shell-session.js';

export interface SshHostOptions extends TransportOptions {
  /**
   * Run commands through one persistent shell per host and become user (default: true,
   * unless KVMPLAY_PERSISTENT_SHELL=0); false: one exec channel per command.
   */
  persistentShell?: boolean;
}

// The kill command after a timeout gets its own, short, deadline.
const KILL_TIMEOUT_MS = 10_000;
// How long close() waits for the server to acknowledge before dropping sockets.
const CLOSE_WAIT_MS = 2_000;
// How long starting a persistent shell may take before commands use exec channels.
const SHELL_START_MS = 30_000;

interface Live {
  conn: OpenConnection;
  closed: boolean;
  /** Clients whose socket has closed: waiting for their 'close' again would wait forever. */
  gone: WeakSet<SshClient>;
  sftp?: Promise<SFTPWrapper>;
  /** Persistent shells by become step ('' = the login user); null: could not start one. */
  shells: Map<string, Promise<RemoteShell | null>>;
}

export class SshHost implements Host {
  readonly name: string;
  private live: Live | undefined;
  private opening: Promise<Live> | undefined;

  private readonly persistentShell: boolean;

  constructor(private readonly spec: ConnectionSpec, private readonly opts: SshHostOptions) {
    this.name = spec.name;
    this.persistentShell = opts.persistentShell ?? process.env.KVMPLAY_PERSISTENT_SHELL !== '0';
  }

  async connect(): Promise<void> {
    await this.ready();
  }

  openThrough(target: ThroughTarget, opts: { acceptNewHostKeys: boolean }): Promise<OpenConnection> {
    return openConnection(throughSpec(this.spec, target), { ...this.opts, acceptNewHostKeys: opts.acceptNewHostKeys });
  }

  async run(command: string | readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    const become = this.becomeStep(opts);
    const envRefused = envProblem(opts.env);
    if (envRefused) throw new TaskError(this.name, `${this.name}: ${envRefused}: refused, nothing was run`);
    const live = await this.ready();
    let outcome: ChannelRunOutcome;
    try {
      outcome = (await this.inShell(live, command, opts, become)) ?? (await this.exec(live, command, opts, become, true));
    } catch (err) {
      if (err instanceof KvmplayError) throw err; // interrupted
      if (live.closed) throw new UnreachableError(this.name, `${this.where()}: connection lost before the command ran`, { cause: err });
      throw new TaskError(this.name, `${this.name}: cannot run a command: ${err instanceof Error ? err.message : String(err)}`, {}, { cause: err });
    }
    if (outcome.connectionLost) {
      throw new UnreachableError(this.name, `${this.where()}: connection lost while running a command`);
    }
    if (become !== undefined && !outcome.started && !outcome.timedOut) {
      const msg = become.method === 'su'
        ? describeSuFailure(this.spec.user, become.user, outcome.become)
        : describeBecomeFailure(this.spec.user, become.user, outcome.become);
      throw new TaskError(this.name, `${this.name}: ${msg}`, { rc: outcome.rc, stderr: outcome.stderr });
    }
    const result: RunResult = { rc: outcome.rc, stdout: outcome.stdout, stderr: outcome.stderr };
    if (outcome.signal) result.signal = outcome.signal;
    if (outcome.timedOut) result.timedOut = true;
    return result;
  }

  /**
   * Who this call becomes, and how: the call's become_user and become_method over the
   * inventory's; nothing when not becoming or already that user (so root → root needs
   * neither sudo nor su). Refuses, before anything runs, what could not work safely.
   */
  private becomeStep(opts: RunOptions): BecomeStep | undefined {
    if (!opts.become) return undefined;
    const user = opts.becomeUser ?? this.spec.becomeUser;
    const method = opts.becomeMethod ?? 'sudo';
    const refuse = (why: string): never => {
      throw new TaskError(this.name, `${this.name}: ${why}: refused, nothing was run`);
    };
    if (!BECOME_METHODS.includes(method)) refuse(`become method ${JSON.stringify(method)} is not supported (${BECOME_METHODS.join(', ')})`);
    const problem = becomeUserProblem(user);
    if (problem) refuse(problem);
    if (!needsSudo(this.spec.user, user)) return undefined;
    if (hasLineBreak(this.spec.becomePassword)) {
      refuse(`the become password contains a line break (${method} reads one line; the rest would reach the command's stdin)`);
    }
    return { method, user };
  }

  /**
   * The command run in the host's persistent shell for this become step (started on
   * first use, again after one was ended); undefined when it must take an exec channel:
   * stdin bytes a shell word cannot hold, the shell busy with another command, or no shell could start.
   */
  private async inShell(live: Live, command: string | readonly string[], opts: RunOptions, become: BecomeStep | undefined): Promise<ChannelRunOutcome | undefined> {
    const stdin = typeof opts.stdin === 'string' ? Buffer.from(opts.stdin, 'utf8') : opts.stdin;
    if (!this.persistentShell || (stdin !== undefined && !canCarryStdin(stdin))) return undefined;
    const key = become === undefined ? '' : `${become.method}:${become.user}`;
    for (let attempt = 0; attempt < 2; attempt++) {
      let opening = live.shells.get(key);
      if (!opening) {
        opening = RemoteShell.open({
          client: live.conn.client,
          nonce: randomBytes(8).toString('hex'),
          become,
          becomePassword: this.spec.becomePassword,
          timeoutMs: Math.min(opts.timeoutMs ?? SHELL_START_MS, SHELL_START_MS),
          signal: opts.signal,
        });
        live.shells.set(key, opening);
      }
      const shell = await opening;
      if (!shell || live.closed) return undefined;
      if (shell.dead) {
        if (live.shells.get(key) === opening) live.shells.delete(key);
        continue;
      }
      if (shell.busy) return undefined;
      return shell.run({ command, cwd: opts.cwd, env: opts.env, stdin, timeoutMs: opts.timeoutMs, signal: opts.signal },
        (pids) => this.killRemote(live, [...pids], become));
    }
    return undefined;
  }

  private exec(live: Live, command: string | readonly string[], opts: RunOptions, become: BecomeStep | undefined, killable: boolean) {
    const nonce = randomBytes(8).toString('hex');
    return runOnChannel({
      client: live.conn.client,
      line: wrapCommand({ command, nonce, cwd: opts.cwd, become, env: opts.env }),
      markers: markersFor(nonce),
      stdin: typeof opts.stdin === 'string' ? Buffer.from(opts.stdin, 'utf8') : opts.stdin,
      become: become === undefined ? undefined : { method: become.method, password: this.spec.becomePassword },
      timeoutMs: opts.timeoutMs,
      signal: opts.signal,
      killRemote: killable ? (pids) => this.killRemote(live, pids, become) : undefined,
    });
  }

  // A command run as another user can only be killed as that user (or root): the
  // kill goes through the same sudo or su, over a new channel of the same connection.
  private async killRemote(live: Live, pids: number[], become: BecomeStep | undefined): Promise<void> {
    if (live.closed) return;
    await this.exec(live, killScript(pids), { timeoutMs: KILL_TIMEOUT_MS }, become, false);
  }

  async readFile(path: string): Promise<Buffer | null> {
    return this.fileOp(`read ${path}`, (sftp) => sftpReadFile(sftp, path));
  }

  async stat(path: string): Promise<FileStat | null> {
    return this.fileOp(`stat ${path}`, (sftp) => sftpStat(sftp, path));
  }

  async writeAtomic(path: string, data: string | Buffer, opts: { mode?: number } = {}): Promise<void> {
    const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data, 'utf8');
    await this.fileOp(`write ${path}`, (sftp) => sftpWriteAtomic(sftp, path, bytes, opts.mode));
  }

  async reconnect(opts: ReconnectOptions = {}): Promise<void> {
    await this.close();
    await this.ready(opts.timeoutMs);
  }

  async close(): Promise<void> {
    const live = this.live ?? (await this.opening?.catch(() => undefined));
    this.live = undefined;
    this.opening = undefined;
    if (!live) return;
    live.closed = true;
    for (const opening of live.shells.values()) void opening.then((shell) => shell?.close());
    const sftp = await live.sftp?.catch(() => undefined);
    sftp?.end();
    // Innermost first: the target's connection runs through the jump hosts'.
    for (const c of [live.conn.client, ...[...live.conn.jumps].reverse()]) {
      if (!live.gone.has(c)) await endClient(c);
    }
  }

  private where(): string {
    return `${this.name} (${this.spec.host}:${this.spec.port})`;
  }

  /**
   * The open connection, opening it on first use (and again after it dropped).
   * `timeoutMs` overrides the inventory's connect timeout for this opening only.
   */
  private ready(timeoutMs?: number): Promise<Live> {
    if (this.live && !this.live.closed) return Promise.resolve(this.live);
    if (!this.opening) {
      const spec = timeoutMs === undefined ? this.spec : { ...this.spec, connectTimeout: Math.max(timeoutMs, 1) / 1000 };
      const opening = openConnection(spec, this.opts).then((conn) => {
        const live: Live = { conn, closed: false, gone: new WeakSet(), shells: new Map() };
        for (const c of [conn.client, ...conn.jumps]) c.once('close', () => live.gone.add(c));
        // Later errors arrive as 'close' too; the listener only keeps node from throwing.
        conn.client.on('error', () => undefined);
        conn.client.once('close', () => {
          live.closed = true;
          for (const j of conn.jumps) j.destroy();
        });
        for (const j of conn.jumps) j.on('error', () => undefined);
        this.live = live;
        return live;
      });
      this.opening = opening;
      // Forget the attempt once settled, so a failed connect can be retried.
      void opening.then(() => { if (this.opening === opening) this.opening = undefined; },
        () => { if (this.opening === opening) this.opening = undefined; });
    }
    return this.opening;
  }

  private async fileOp<T>(what: string, op: (sftp: SFTPWrapper) => Promise<T>): Promise<T> {
    const live = await this.ready();
    const sftp = await this.sftpFor(live);
    try {
      return await op(sftp);
    } catch (err) {
      if (live.closed) throw new UnreachableError(this.name, `${this.where()}: connection lost during ${what}`, { cause: err });
      throw new TaskError(this.name, `${this.name}: cannot ${what}: ${err instanceof Error ? err.message : String(err)}`, {}, { cause: err });
    }
  }

  private sftpFor(live: Live): Promise<SFTPWrapper> {
    if (!live.sftp) {
      live.sftp = new Promise<SFTPWrapper>((resolve, reject) => {
        live.conn.client.sftp((err, sftp) => {
          if (err) return reject(new TaskError(this.name, `${this.name}: cannot start SFTP: ${err.message}`, {}, { cause: err }));
          sftp.once('close', () => { live.sftp = undefined; });
          resolve(sftp);
        });
      });
      void live.sftp.catch(() => { live.sftp = undefined; });
    }
    return live.sftp;
  }
}

/** Polite disconnect; if the server does not close its end in time, drop the socket. */
function endClient(client: SshClient): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      client.destroy();
      resolve();
    }, CLOSE_WAIT_MS);
    client.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    client.end();
  });
}
