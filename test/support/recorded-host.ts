// A Host for module unit tests that answers from recordings (STYLE 5: fake Host only
// in unit tests), never from a second implementation of the modules' shell scripts:
// each answer is what the real command printed on a real host (captured by running
// it, see test/fixtures/probes/), keyed by the argv it answers. Every call is kept,
// so a test can assert what a module sent — and that check mode sent nothing that
// changes the host. A command without a recording fails loudly (rc 127).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FileStat, Host, ReconnectOptions, RunOptions, RunResult } from '../../src/transport/host.js';
import { INSTALL_DIR } from '../../src/util/install-dir.js';

/** Which commands an answer is for: an argv prefix, or a predicate. */
export type ArgvMatch = readonly string[] | ((argv: readonly string[]) => boolean);

export type Reply = Partial<RunResult> | ((argv: readonly string[], opts: RunOptions) => Partial<RunResult>);

export interface RecordedCall {
  op: 'run' | 'writeAtomic' | 'readFile' | 'stat' | 'reconnect';
  argv?: readonly string[];
  path?: string;
  opts?: RunOptions;
}

interface Recording {
  match: ArgvMatch;
  reply: Reply;
  /** Answer this many times, then step aside for the next matching recording. */
  times: number;
}

function matches(m: ArgvMatch, argv: readonly string[]): boolean {
  return typeof m === 'function' ? m(argv) : m.length <= argv.length && m.every((w, i) => argv[i] === w);
}

/** A `sh -c SCRIPT` argv whose script is exactly `script` (the modules' constant probes). */
export function runsScript(script: string): ArgvMatch {
  return (argv) => argv[0] === 'sh' && argv[1] === '-c' && argv[2] === script;
}

export class RecordedHost implements Host {
  readonly calls: RecordedCall[] = [];
  private readonly recordings: Recording[] = [];
  /** Answers reconnect (throw to make the new connection fail); default: it succeeds. */
  onReconnect: ((opts: ReconnectOptions) => Promise<void> | void) | undefined;
  /** Files readFile returns. */
  readonly files = new Map<string, Buffer>();

  constructor(readonly name = 'recorded') {}

  /** Answer commands matching `match` with `reply` (`times` times; default: always). */
  on(match: ArgvMatch, reply: Reply, times = Infinity): this {
    this.recordings.push({ match, reply, times });
    return this;
  }

  /** The argvs sent, in order. */
  commands(): Array<readonly string[]> {
    return this.calls.filter((c) => c.op === 'run' && c.argv).map((c) => c.argv ?? []);
  }

  async connect(): Promise<void> {}
  async close(): Promise<void> {}

  async reconnect(opts: ReconnectOptions = {}): Promise<void> {
    this.calls.push({ op: 'reconnect' });
    await this.onReconnect?.(opts);
  }

  async run(command: string | readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    if (typeof command === 'string') throw new Error('modules must send argv arrays, not shell strings');
    this.calls.push({ op: 'run', argv: command, opts });
    const rec = this.recordings.find((r) => r.times > 0 && matches(r.match, command));
    if (!rec) return { rc: 127, stdout: '', stderr: `recorded host: no recording for ${JSON.stringify(command)}` };
    rec.times -= 1;
    const reply = typeof rec.reply === 'function' ? rec.reply(command, opts) : rec.reply;
    return { rc: 0, stdout: '', stderr: '', ...reply };
  }

  async readFile(path: string): Promise<Buffer | null> {
    this.calls.push({ op: 'readFile', path });
    return this.files.get(path) ?? null;
  }

  async writeAtomic(path: string, data: string | Buffer): Promise<void> {
    this.calls.push({ op: 'writeAtomic', path });
    this.files.set(path, Buffer.from(data));
  }

  async stat(path: string): Promise<FileStat | null> {
    this.calls.push({ op: 'stat', path });
    const f = this.files.get(path);
    return f ? { size: f.length, mode: 0o644, uid: 0, gid: 0, isDirectory: false, isFile: true, isSymlink: false } : null;
  }
}

/**
 * A recorded probe output (pyinfra's tests/facts/*.json): the argv a module sent, what
 * the real command printed, and what the module should make of it.
 */
export interface ProbeCase<T = unknown> {
  /** File name without `.json`. */
  name: string;
  /** What the case shows (a sentence). */
  title: string;
  /** The probe's parameters (e.g. the path and flags given to the file probe). */
  params: string[];
  stdout: string;
  rc: number;
  /** The typed value the parser must produce (JSON). */
  expected: T;
}

/** Every case in test/fixtures/probes/DIR/, sorted by name. */
export function loadProbeCases<T = unknown>(dir: string): Array<ProbeCase<T>> {
  const folder = join(INSTALL_DIR, 'test', 'fixtures', 'probes', dir);
  return readdirSync(folder)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ name: f.replace(/\.json$/, ''), ...(JSON.parse(readFileSync(join(folder, f), 'utf8')) as Omit<ProbeCase<T>, 'name'>) }));
}
