// What a persistent remote shell (shell-session.ts) is sent for one command, and the
// reading of the end markers it prints. Pure.
//
// The command runs in a subshell, so `cd`, `exit`, variables and exports stay its own;
// its standard input is /dev/null (the shell's own input is the stream of commands),
// or bytes given as one single-quoted word to the shell's printf builtin (no program
// started for it; a word cannot hold NUL bytes, so those go over an exec channel).
// Once it ends, the shell prints an end marker on stderr and one with the exit status
// on stdout: everything before each marker is the command's own output.
//
//   [printf %s 'STDIN' |] (export A=…; cd -- DIR && exec ARGV | exec sh -c CMD) [</dev/null]; k=$?;
//   printf 'KVMPLAY-n-END\n' >&2; printf 'KVMPLAY-n-END=%s\n' "$k"

import { envExports, execText } from '../command-env.js';
import { quoteShellWord } from '../../util/shell-quote.js';

export interface FrameRequest {
  command: string | readonly string[];
  cwd?: string;
  env?: Readonly<Record<string, string>>;
  /** Bytes for the command's standard input (no NUL byte: see canCarryStdin). */
  stdin?: Buffer;
  /** Unguessable by the command, alphanumeric: it delimits the command's output. */
  nonce: string;
}

export interface ShellFrame {
  /** One complete command for the shell's standard input, newline-terminated. */
  text: Buffer;
  /** Ends the command's stdout; the exit status and a newline follow it. */
  stdoutEnd: string;
  /** Ends the command's stderr (followed by a newline). */
  stderrEnd: string;
}

export function frameCommand(req: FrameRequest): ShellFrame {
  if (!/^[A-Za-z0-9]+$/.test(req.nonce)) throw new TypeError('nonce must be alphanumeric');
  const end = `KVMPLAY-${req.nonce}-END`;
  const cd = req.cwd === undefined ? '' : `cd -- ${quoteShellWord(req.cwd)} && `;
  const body = `(${envExports(req.env)}${cd}${execText(req.command)})`;
  const tail = `; k=$?; printf '${end}\\n' >&2; printf '${end}=%s\\n' "$k"\n`;
  const stdin = req.stdin !== undefined && req.stdin.length > 0 ? req.stdin : undefined;
  if (stdin && !canCarryStdin(stdin)) throw new TypeError('these stdin bytes cannot go through a shell word');
  return {
    text: stdin
      ? Buffer.concat([Buffer.from('printf %s '), quoteBytes(stdin), Buffer.from(` | ${body}${tail}`)])
      : Buffer.from(`${body} </dev/null${tail}`),
    stdoutEnd: `${end}=`,
    stderrEnd: `${end}\n`,
  };
}

// Larger input goes over an exec channel: the shell would hold it all as one word.
const MAX_SHELL_STDIN = 4 * 1024 * 1024;

/** Can these stdin bytes be given through the shell (no NUL byte, not too large)? */
export function canCarryStdin(bytes: Buffer): boolean {
  return bytes.length <= MAX_SHELL_STDIN && !bytes.includes(0);
}

/** Bytes as one single-quoted shell word: every byte but `'` is literal inside quotes. */
function quoteBytes(bytes: Buffer): Buffer {
  const parts: Buffer[] = [Buffer.from("'")];
  let from = 0;
  for (let at = bytes.indexOf(0x27); at !== -1; at = bytes.indexOf(0x27, from)) {
    parts.push(bytes.subarray(from, at), Buffer.from("'\\''"));
    from = at + 1;
  }
  parts.push(bytes.subarray(from), Buffer.from("'"));
  return Buffer.concat(parts);
}

/**
 * Splits one output stream at a marker that may arrive cut across chunks. Bytes that
 * cannot be the start of the marker are passed on at once, so a large output is never
 * searched twice.
 */
export class MarkerScanner {
  private readonly marker: Buffer;
  private held: Buffer = Buffer.alloc(0);
  private after: Buffer | null = null;

  constructor(marker: string) {
    this.marker = Buffer.from(marker, 'latin1');
  }

  /** True once the marker was seen. */
  get found(): boolean {
    return this.after !== null;
  }

  /** What followed the marker so far (empty until found). */
  get trailer(): Buffer {
    return this.after ?? Buffer.alloc(0);
  }

  /** Feed a chunk: returns the bytes now known to be output (before the marker). */
  push(chunk: Buffer): Buffer {
    if (this.after !== null) {
      this.after = Buffer.concat([this.after, chunk]);
      return Buffer.alloc(0);
    }
    const data = this.held.length > 0 ? Buffer.concat([this.held, chunk]) : chunk;
    const at = data.indexOf(this.marker);
    if (at !== -1) {
      this.held = Buffer.alloc(0);
      this.after = data.subarray(at + this.marker.length);
      return data.subarray(0, at);
    }
    // Keep the longest tail that could still begin the marker.
    const keep = Math.min(this.marker.length - 1, data.length);
    let cut = data.length;
    for (let n = keep; n > 0; n--) {
      if (data.subarray(data.length - n).equals(this.marker.subarray(0, n))) {
        cut = data.length - n;
        break;
      }
    }
    this.held = Buffer.from(data.subarray(cut));
    return data.subarray(0, cut);
  }
}

/** The exit status after the stdout marker, once its line is complete; undefined before. */
export function statusAfterMarker(trailer: Buffer): number | null | undefined {
  const nl = trailer.indexOf(0x0a);
  if (nl === -1) return undefined;
  const text = trailer.subarray(0, nl).toString('latin1');
  return /^\d+$/.test(text) ? Number(text) : null;
}
