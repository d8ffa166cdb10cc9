// A persistent remote shell: one long-lived `sh` per host (and per become user) reading
// framed commands over one exec channel, the way Mitogen keeps one interpreter per
// host. A command then costs one in-channel round trip instead of a new sshd session
// (channel open, exec request, a login shell): about a third of the remote CPU and of
// the packets (measured in issue 16). ssh-host.ts falls back to one exec channel per
// command for what a shell cannot carry (stdin with NUL bytes, a busy shell) and when the shell
// cannot be started (a refused become: the exec path then reports why).
//
// The shell is started like any command (remote-command.ts: the PID marker, become,
// the "go" marker), so its PIDs name its whole process group: a command that times
// out or is interrupted is ended with the shell around it (killScript over another
// channel), and the next command starts a new shell.

import type { Client as SshClient, ClientChannel } from 'ssh2';
import { InterruptedError } from '../../errors.js';
import type { BecomeMethod } from '../host.js';
import type { ChannelRunOutcome } from './channel-run.js';
import { frameCommand, MarkerScanner, statusAfterMarker, type FrameRequest } from './shell-frame.js';
import { markersFor, StderrHeader, wrapCommand, type BecomeStep } from './remote-command.js';

export interface ShellOpenRequest {
  client: SshClient;
  /** Alphanumeric, random: the start markers, and the prefix of every command's end markers. */
  nonce: string;
  become?: BecomeStep;
  becomePassword?: string;
  /** Give up starting after this long (the caller then uses an exec channel). */
  timeoutMs: number;
  /** Give up starting on abort (the caller then reports the interruption). */
  signal?: AbortSignal;
}

export interface ShellCommand extends Omit<FrameRequest, 'nonce'> {
  timeoutMs?: number;
  signal?: AbortSignal;
}

// After the kill, how long to wait for sshd to report the shell's channel closed.
const CLOSE_GRACE_MS = 2_000;

/** Current command's collected output and how it ends. */
interface Pending {
  out: MarkerScanner;
  err: MarkerScanner;
  stdout: Buffer[];
  stderr: Buffer[];
  /** Set once the command is being ended (the shell with it). */
  stopping?: 'timeout' | 'abort';
  done: (outcome: ChannelRunOutcome | Error) => void;
}

export class RemoteShell {
  /** A command is running (the caller must not send another). */
  busy = false;
  /** The shell is gone (ended, killed, or its channel closed): start another. */
  dead = false;
  private pending: Pending | undefined;
  private exitSeen = false;
  private count = 0;

  private constructor(
    private readonly channel: ClientChannel,
    private readonly nonce: string,
    /** The login shell's PID and the shell's own: together, the session's process group. */
    readonly pids: readonly number[],
  ) {
    channel.on('data', (d: Buffer) => this.onStdout(d));
    channel.stderr.on('data', (d: Buffer) => this.onStderr(d));
    channel.on('exit', () => { this.exitSeen = true; });
    channel.on('close', () => this.onClose());
  }

  /** Starts a shell; null when it did not start (become refused, timeout, channel error). */
  static open(req: ShellOpenRequest): Promise<RemoteShell | null> {
    return new Promise((resolve) => {
      const markers = markersFor(req.nonce);
      const method: BecomeMethod | undefined = req.become?.method;
      const header = new StderrHeader(markers, { suPrompt: method === 'su' });
      const pids: number[] = [];
      let prompts = 0;
      let settled = false;
      let channel: ClientChannel | undefined;
      const give = (shell: RemoteShell | null) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.signal?.removeEventListener('abort', onAbort);
        if (!shell) channel?.close();
        resolve(shell);
      };
      const onAbort = () => give(null);
      const timer = setTimeout(onAbort, req.timeoutMs);
      if (req.signal?.aborted) return give(null);
      req.signal?.addEventListener('abort', onAbort, { once: true });
      try {
        req.client.exec(wrapCommand({ command: ['sh'], nonce: req.nonce, become: req.become }), (err, ch) => {
          if (err) return give(null);
          channel = ch;
          if (settled) return void ch.close();
          const onErr = (d: Buffer) => {
            const { events, rest } = header.push(d);
            for (const e of events) {
              if (e.kind === 'pid') pids.push(e.pid);
              else if (e.kind === 'prompt') {
                prompts++;
                if (prompts === 1 && req.becomePassword !== undefined) ch.write(`${req.becomePassword}\n`);
                else ch.end();
              } else {
                pids.push(e.pid);
                ch.stderr.off('data', onErr);
                ch.off('close', onEarlyClose);
                const shell = new RemoteShell(ch, req.nonce, pids);
                if (rest) shell.onStderr(rest);
                give(shell);
              }
            }
          };
          const onEarlyClose = () => give(null);
          ch.stderr.on('data', onErr);
          ch.on('data', () => undefined); // output before the shell started (a noisy rc file)
          ch.on('close', onEarlyClose);
        });
      } catch {
        give(null); // not connected
      }
    });
  }

  /**
   * Runs one command. `kill` ends the shell's process group over another channel
   * (used on timeout and abort); the shell is dead afterwards.
   */
  run(cmd: ShellCommand, kill: (pids: readonly number[]) => Promise<void>): Promise<ChannelRunOutcome> {
    if (this.busy || this.dead) throw new Error('remote shell is busy or gone');
    if (cmd.signal?.aborted) return Promise.reject(new InterruptedError('interrupted before the command started'));
    this.busy = true;
    const frame = frameCommand({ ...cmd, nonce: `${this.nonce}x${++this.count}` });
    return new Promise<ChannelRunOutcome>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const onAbort = () => void stop('abort');
      const pending: Pending = {
        out: new MarkerScanner(frame.stdoutEnd),
        err: new MarkerScanner(frame.stderrEnd),
        stdout: [],
        stderr: [],
        done: (outcome) => {
          clearTimeout(timer);
          cmd.signal?.removeEventListener('abort', onAbort);
          this.pending = undefined;
          this.busy = false;
          if (pending.stopping === 'abort') return reject(new InterruptedError('interrupted: the remote command was ended'));
          if (outcome instanceof Error) return reject(outcome);
          if (pending.stopping === 'timeout') resolve({ ...outcome, rc: null, timedOut: true, connectionLost: false });
          else resolve(outcome);
        },
      };
      const stop = async (why: 'timeout' | 'abort') => {
        if (pending.stopping || this.pending !== pending) return;
        pending.stopping = why;
        this.dead = true;
        await kill(this.pids).catch(() => undefined);
        // The channel closes once the shell is gone; if sshd never says so, stop waiting.
        setTimeout(() => {
          if (this.pending === pending) {
            this.channel.close();
            pending.done(this.outcome(pending, null, false));
          }
        }, CLOSE_GRACE_MS).unref();
      };
      this.pending = pending;
      if (cmd.timeoutMs !== undefined) timer = setTimeout(() => void stop('timeout'), cmd.timeoutMs);
      cmd.signal?.addEventListener('abort', onAbort, { once: true });
      this.channel.write(frame.text);
    });
  }

  /** Ends the shell (EOF on its input): it exits once idle. */
  close(): void {
    this.dead = true;
    try {
      this.channel.end();
    } catch { /* already closed */ }
  }

  private onStdout(d: Buffer): void {
    const p = this.pending;
    if (!p) return; // a background process of an earlier command: nobody's output now
    const data = p.out.push(d);
    if (data.length > 0) p.stdout.push(data);
    this.settleIfEnded(p);
  }

  private onStderr(d: Buffer): void {
    const p = this.pending;
    if (!p) return;
    const data = p.err.push(d);
    if (data.length > 0) p.stderr.push(data);
    this.settleIfEnded(p);
  }

  private settleIfEnded(p: Pending): void {
    if (!p.err.found || !p.out.found) return;
    const rc = statusAfterMarker(p.out.trailer);
    if (rc === undefined) return;
    p.done(this.outcome(p, rc, false));
  }

  private onClose(): void {
    this.dead = true;
    this.busy = false;
    const p = this.pending;
    if (!p) return;
    // No exit status: the connection went away under the command (as in channel-run.ts).
    const lost = !this.exitSeen && !p.stopping;
    const outcome = this.outcome(p, null, lost);
    if (!lost && !p.stopping) outcome.stderr += `${outcome.stderr === '' || outcome.stderr.endsWith('\n') ? '' : '\n'}kvmplay: the remote shell ended while the command ran\n`;
    p.done(outcome);
  }

  private outcome(p: Pending, rc: number | null, connectionLost: boolean): ChannelRunOutcome {
    return {
      rc,
      stdout: Buffer.concat(p.stdout).toString('utf8'),
      stderr: Buffer.concat(p.stderr).toString('utf8'),
      started: true,
      become: { prompts: 0, passwordGiven: false, chatter: '' },
      connectionLost,
    };
  }
}
