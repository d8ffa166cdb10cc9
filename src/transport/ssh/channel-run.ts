// One command over one exec channel: output collection, the become password exchange,
// and ending the remote command on timeout or abort (SPEC 7). The command line comes
// from remote-command.ts; the connection from ssh-host.ts.

import type { Client as SshClient, ClientChannel } from 'ssh2';
import { InterruptedError } from '../../errors.js';
import type { BecomeMethod, RunResult } from '../host.js';
import { StderrHeader, type Markers } from './remote-command.js';
import type { BecomeTranscript } from './become.js';

export interface ChannelRunRequest {
  client: SshClient;
  line: string;
  markers: Markers;
  stdin?: Buffer;
  /** Set when the line goes through sudo or su: stdin waits until become is done. */
  become?: { method: BecomeMethod; password?: string };
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Ends the remote process group(s) over another channel; must settle in bounded time. */
  killRemote?: (pids: number[]) => Promise<void>;
}

export interface ChannelRunOutcome extends RunResult {
  /** False when the command never started (sudo or su refused, or the shell failed). */
  started: boolean;
  become: BecomeTranscript;
  /** The connection dropped before the command finished. */
  connectionLost: boolean;
}

// After the kill script, how long to wait for sshd to report the channel closed.
const CLOSE_GRACE_MS = 2_000;
// How long to wait for the PID line when a timeout fires right after the exec.
const PID_WAIT_MS = 2_000;

export function runOnChannel(req: ChannelRunRequest): Promise<ChannelRunOutcome> {
  return new Promise((resolve, reject) => {
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    const header = new StderrHeader(req.markers, { suPrompt: req.become?.method === 'su' });
    const pids: number[] = [];
    const transcript: BecomeTranscript = { prompts: 0, passwordGiven: req.become?.password !== undefined, chatter: '' };
    let channel: ClientChannel | undefined;
    let exit: { code: number | null; signal?: string } | undefined;
    let stopping: 'timeout' | 'abort' | undefined;
    let settled = false;
    let onPid: (() => void) | undefined;
    let killing: Promise<void> | undefined;
    const timers: NodeJS.Timeout[] = [];

    const cleanup = () => {
      for (const t of timers) clearTimeout(t);
      onPid?.(); // release a stop() still waiting for the PID
      req.signal?.removeEventListener('abort', onAbort);
    };
    const finish = () => {
      if (settled) return;
      settled = true;
      cleanup();
      if (stopping === 'abort') {
        reject(new InterruptedError('interrupted: the remote command was ended'));
        return;
      }
      transcript.chatter = header.chatter;
      const out: ChannelRunOutcome = {
        rc: stopping ? null : (exit?.code ?? null),
        stdout: Buffer.concat(stdout).toString('utf8'),
        // A command that never started has only our and sudo's (su's) lines: show those.
        stderr: header.started ? Buffer.concat(stderr).toString('utf8') : header.chatter,
        started: header.started,
        become: transcript,
        // No exit status and not ended by us: the connection went away under the command.
        connectionLost: exit === undefined && stopping === undefined,
      };
      if (exit?.signal) out.signal = exit.signal;
      if (stopping === 'timeout') out.timedOut = true;
      resolve(out);
    };
    // Also reached when the connection drops: ssh2 closes every open channel then.
    // A timed-out command's result waits for the kill, so "timed out" means "gone".
    const onClose = () => {
      if (killing) void killing.then(finish);
      else finish();
    };
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      cleanup();
      reject(err);
    };

    const writeStdinAndEnd = () => {
      if (!channel) return;
      if (req.stdin && req.stdin.length > 0) channel.write(req.stdin);
      channel.end(); // EOF, so commands reading stdin do not wait forever
    };

    const stop = async (why: 'timeout' | 'abort') => {
      if (stopping || settled) return;
      stopping = why;
      // The channel may not even be open yet: give the wrapper a moment to say its PID.
      if (pids.length === 0) {
        await new Promise<void>((r) => {
          onPid = r;
          timers.push(setTimeout(r, PID_WAIT_MS));
        });
      }
      if (pids.length > 0 && req.killRemote && !settled) {
        killing = req.killRemote(pids).catch(() => undefined);
        await killing;
      }
      if (settled) return;
      if (!channel) return finish();
      // Belt and braces: sshd (7.9+) delivers this to the session's process, then we close.
      try {
        channel.signal('KILL');
      } catch { /* channel already gone */ }
      timers.push(setTimeout(() => {
        channel?.close();
        finish();
      }, CLOSE_GRACE_MS));
    };
    const onAbort = () => void stop('abort');

    if (req.signal?.aborted) return fail(new InterruptedError('interrupted before the command started'));
    req.signal?.addEventListener('abort', onAbort, { once: true });
    if (req.timeoutMs !== undefined) timers.push(setTimeout(() => void stop('timeout'), req.timeoutMs));

    try {
      req.client.exec(req.line, (err, ch) => {
        if (err) return fail(err);
        channel = ch;
        if (settled) return void ch.close();
        ch.on('data', (d: Buffer) => stdout.push(d));
        ch.stderr.on('data', (d: Buffer) => {
          const { events, rest } = header.push(d);
          if (rest) stderr.push(rest);
          for (const e of events) {
            if (e.kind === 'pid' || e.kind === 'started') {
              pids.push(e.pid);
              onPid?.();
            } else if (e.kind === 'prompt') {
              transcript.prompts++;
              // First prompt: the password. Another prompt: it was wrong; EOF makes sudo (su) give up.
              if (transcript.prompts === 1 && req.become?.password !== undefined) ch.write(`${req.become.password}\n`);
              else ch.end();
            }
            if (e.kind === 'started' && req.become) writeStdinAndEnd();
          }
        });
        ch.on('exit', (code: number | null, signal?: string) => {
          exit = signal ? { code, signal } : { code };
        });
        ch.on('close', onClose);
        if (!req.become) writeStdinAndEnd();
      });
    } catch (err) {
      fail(err); // 'Not connected'
    }
  });
}
