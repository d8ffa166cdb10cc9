// The command line actually sent over an exec channel, and the reading of the
// markers it prints on stderr before the user's command starts. Pure.
//
// Why wrap at all: closing an SSH channel does not end a remote process that ignores
// SIGHUP or has no tty, so a timeout must be able to kill it. sshd starts every exec
// channel's command in a new session (setsid), so the login shell's PID is also the
// process group of everything the command starts: the wrapper prints it first, and a
// timeout kills that group over a second channel. The inner shell prints its own PID
// (after sudo or su, if any) and a "go" marker, which also tells become that it is
// done; it then exports the task's environment (after become: sudo resets it).
//
//   printf 'KVMPLAY-n-PID=%s\n' "$$" >&2;
//   exec [sudo -S -H -p 'KVMPLAY-n-SUDO:' -u USER --] sh -c '
//     printf "KVMPLAY-n-GO=%s\n" "$$" >&2; [export A=…;] [cd -- DIR &&] exec ARGV | exec sh -c CMD'
//   or, with su:  exec su -s /bin/sh -c 'printf …; …' USER

import { quoteShellWord } from '../../util/shell-quote.js';
import { envExports, execText } from '../command-env.js';
import type { BecomeMethod } from '../host.js';
import { isSuPrompt, suCommand, sudoPrefix } from './become.js';

/** Who to become for one command, and how. */
export interface BecomeStep {
  method: BecomeMethod;
  user: string;
}

export interface WrapRequest {
  /** argv (quoted word by word and exec'd) or a shell string (run by `sh -c` as is). */
  command: string | readonly string[];
  cwd?: string;
  /** Become this user (sudo or su); undefined = as the login user. */
  become?: BecomeStep;
  /** Exported by the inner shell, after become. Names must be shell identifiers (TypeError otherwise). */
  env?: Readonly<Record<string, string>>;
  /** Random, per command: markers must not be guessable from the command's own output. */
  nonce: string;
}

export interface Markers {
  pid: string;
  go: string;
  prompt: string;
}

export function markersFor(nonce: string): Markers {
  if (!/^[A-Za-z0-9]+$/.test(nonce)) throw new TypeError('nonce must be alphanumeric');
  return { pid: `KVMPLAY-${nonce}-PID=`, go: `KVMPLAY-${nonce}-GO=`, prompt: `KVMPLAY-${nonce}-SUDO:` };
}

export function wrapCommand(req: WrapRequest): string {
  const m = markersFor(req.nonce);
  const cd = req.cwd === undefined ? '' : `cd -- ${quoteShellWord(req.cwd)} && `;
  const inner = `printf '${m.go}%s\\n' "$$" >&2; ${envExports(req.env)}${cd}${execText(req.command)}`;
  const outer = `printf '${m.pid}%s\\n' "$$" >&2; exec`;
  if (req.become?.method === 'su') return `${outer} ${suCommand(req.become.user, inner)}`;
  const sudo = req.become === undefined ? '' : `${sudoPrefix(req.become.user, m.prompt)} `;
  return `${outer} ${sudo}sh -c ${quoteShellWord(inner)}`;
}

/**
 * The shell script that ends a wrapped command: TERM, a grace period while anything
 * of it still runs, then KILL. Both the group (-PID) and the process are targeted:
 * under sudo the inner shell may lead a group of its own. No `--` before negative
 * PIDs: dash's kill builtin rejects it.
 */
export function killScript(pids: readonly number[], graceSeconds = 2): string {
  const ids = [...new Set(pids)].filter((p) => Number.isInteger(p) && p > 1);
  if (ids.length === 0) return 'exit 0';
  const targets = ids.flatMap((p) => [`-${p}`, `${p}`]).join(' ');
  const steps = Math.max(1, Math.round(graceSeconds * 10));
  return [
    'exec 2>/dev/null',
    // kill -0 also succeeds on zombies, which a PID 1 that never reaps keeps forever:
    // read /proc instead, where it is mounted. Fields after "(comm) ": state ppid pgrp.
    `alive() { if [ -r /proc/self/stat ]; then for f in /proc/[0-9]*/stat; do `
      + `read -r l < "$f" || continue; p=\${f#/proc/}; p=\${p%/stat}; s=\${l##*) }; set -- $s; `
      + `[ "$1" = Z ] && continue; case " ${ids.join(' ')} " in *" $3 "*|*" $p "*) return 0;; esac; done; return 1; fi; `
      + `for t in ${targets}; do kill -0 "$t" && return 0; done; return 1; }`,
    `kill -TERM ${targets}`,
    `i=0; while [ $i -lt ${steps} ] && alive; do sleep 0.1; i=$((i+1)); done`,
    `kill -KILL ${targets}; exit 0`,
  ].join('; ');
}

export type HeaderEvent =
  | { kind: 'pid'; pid: number }
  | { kind: 'prompt' }
  | { kind: 'started'; pid: number };

/**
 * Reads stderr until the "go" marker. Everything before it is ours or sudo's
 * (kept as `chatter` for become errors); everything after belongs to the command.
 */
export class StderrHeader {
  private pending = '';
  private chatterText = '';
  private done = false;

  /** `suPrompt`: also recognise su's own password prompt (su cannot be given our marker). */
  constructor(private readonly markers: Markers, private readonly opts: { suPrompt?: boolean } = {}) {}

  get started(): boolean {
    return this.done;
  }

  /** sudo's messages and anything else printed before the command started. */
  get chatter(): string {
    return Buffer.from(this.chatterText + this.pending, 'latin1').toString('utf8');
  }

  /** Feed a stderr chunk: the events it completes and the bytes that are the command's own. */
  push(chunk: Buffer): { events: HeaderEvent[]; rest: Buffer | null } {
    if (this.done) return { events: [], rest: chunk };
    // Markers are ASCII, so decoding as latin1 keeps byte offsets equal to string offsets.
    this.pending += chunk.toString('latin1');
    const events: HeaderEvent[] = [];
    for (;;) {
      const promptAt = this.pending.indexOf(this.markers.prompt);
      const nl = this.pending.indexOf('\n');
      if (promptAt !== -1 && (nl === -1 || promptAt < nl)) {
        // sudo prints the prompt without a newline.
        this.chatterText += this.pending.slice(0, promptAt);
        this.pending = this.pending.slice(promptAt + this.markers.prompt.length);
        events.push({ kind: 'prompt' });
        continue;
      }
      if (nl === -1) {
        // su prints its prompt without a newline, then waits: the unfinished line is all
        // there is. The prompt is dropped from the chatter, like sudo's marker.
        if (this.opts.suPrompt && isSuPrompt(Buffer.from(this.pending, 'latin1').toString('utf8'))) {
          this.pending = '';
          events.push({ kind: 'prompt' });
        }
        break;
      }
      const line = this.pending.slice(0, nl);
      this.pending = this.pending.slice(nl + 1);
      if (line.startsWith(this.markers.pid)) {
        events.push({ kind: 'pid', pid: Number(line.slice(this.markers.pid.length)) });
      } else if (line.startsWith(this.markers.go)) {
        events.push({ kind: 'started', pid: Number(line.slice(this.markers.go.length)) });
        this.done = true;
        const rest = Buffer.from(this.pending, 'latin1');
        this.pending = '';
        return { events, rest: rest.length > 0 ? rest : null };
      } else {
        this.chatterText += `${line}\n`;
      }
    }
    return { events, rest: null };
  }
}
