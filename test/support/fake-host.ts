// An in-memory Host for module unit tests (STYLE 5: fake Host only in unit tests).
// It understands exactly the argv forms the generic modules send (their constant
// scripts and a few coreutils), records every call, and can answer other commands
// through `onCommand`. Anything else fails loudly, so a new remote command in a module
// needs a matching case here (or an e2e test) rather than passing by accident.
import { posix } from 'node:path';
import type { FileStat, Host, ReconnectOptions, RunOptions, RunResult } from '../../src/transport/host.js';
import { GLOB_EXISTS_SCRIPT } from '../../src/modules/system/command-run.js';
import { TREE_SCRIPT } from '../../src/modules/files/file/file.js';
import { FINISH_SCRIPT, STAGE_SCRIPT } from '../../src/modules/files/put-file.js';
import { DIFF_MAX_BYTES, PROBE_SCRIPT } from '../../src/modules/files/remote-file.js';
import { sha256 } from '../../src/util/text.js';

export type FakeNode =
  | { kind: 'file'; content: Buffer; mode: number; uid: number; gid: number }
  | { kind: 'directory'; mode: number; uid: number; gid: number }
  | { kind: 'link'; target: string; uid: number; gid: number };

export interface RecordedCall {
  op: 'run' | 'writeAtomic' | 'readFile' | 'stat' | 'reconnect';
  argv?: readonly string[];
  path?: string;
  opts?: RunOptions;
}

const USERS: Record<string, number> = { root: 0, kvp: 1000, nobody: 65534 };
const READ_ONLY_SCRIPTS = [PROBE_SCRIPT, TREE_SCRIPT, GLOB_EXISTS_SCRIPT];

const ok = (stdout = ''): RunResult => ({ rc: 0, stdout, stderr: '' });
const fail = (stderr: string, rc = 1): RunResult => ({ rc, stdout: '', stderr });

export class FakeHost implements Host {
  readonly name = 'fake';
  readonly fs = new Map<string, FakeNode>([['/', { kind: 'directory', mode: 0o755, uid: 0, gid: 0 }]]);
  readonly calls: RecordedCall[] = [];
  /** Answers commands the fake does not know (e.g. the program `command` runs). */
  onCommand: ((argv: readonly string[], opts: RunOptions) => RunResult | undefined) | undefined;
  /** Answers reconnect (throw to make the new connection fail); default: it succeeds. */
  onReconnect: ((opts: ReconnectOptions) => Promise<void> | void) | undefined;

  constructor(files: Record<string, string | Buffer | FakeNode> = {}) {
    for (const [path, v] of Object.entries(files)) {
      this.mkdirs(posix.dirname(path));
      this.fs.set(path, typeof v === 'string' || Buffer.isBuffer(v) ? { kind: 'file', content: Buffer.from(v), mode: 0o644, uid: 0, gid: 0 } : v);
    }
  }

  /** Every call that could have changed something on the host. */
  mutatingCalls(): RecordedCall[] {
    return this.calls.filter((c) => c.op === 'writeAtomic' || (c.op === 'run' && !(c.argv?.[0] === 'sh' && READ_ONLY_SCRIPTS.includes(c.argv[2] ?? ''))));
  }

  text(path: string): string | undefined {
    const n = this.fs.get(path);
    return n?.kind === 'file' ? n.content.toString('utf8') : undefined;
  }

  snapshot(): string {
    return JSON.stringify([...this.fs.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([p, n]) => [p, n.kind === 'file' ? { ...n, content: n.content.toString('base64') } : n]));
  }

  async connect(): Promise<void> {}
  async reconnect(opts: ReconnectOptions = {}): Promise<void> {
    this.calls.push({ op: 'reconnect' });
    await this.onReconnect?.(opts);
  }
  async close(): Promise<void> {}

  async readFile(path: string): Promise<Buffer | null> {
    this.calls.push({ op: 'readFile', path });
    const n = this.fs.get(path);
    return n?.kind === 'file' ? n.content : null;
  }

  async stat(path: string): Promise<FileStat | null> {
    this.calls.push({ op: 'stat', path });
    const n = this.fs.get(path);
    if (!n) return null;
    return { size: n.kind === 'file' ? n.content.length : 0, mode: n.kind === 'link' ? 0o777 : n.mode, uid: n.uid, gid: n.gid, isDirectory: n.kind === 'directory', isFile: n.kind === 'file', isSymlink: n.kind === 'link' };
  }

  async writeAtomic(path: string, data: string | Buffer, opts: { mode?: number } = {}): Promise<void> {
    this.calls.push({ op: 'writeAtomic', path });
    if (this.fs.get(posix.dirname(path))?.kind !== 'directory') throw new Error(`no such directory: ${posix.dirname(path)}`);
    this.fs.set(path, { kind: 'file', content: Buffer.from(data), mode: opts.mode ?? 0o644, uid: 0, gid: 0 });
  }

  async run(command: string | readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    if (typeof command === 'string') throw new Error('modules must send argv arrays, not shell strings');
    this.calls.push({ op: 'run', argv: command, opts });
    if (command[0] === 'sh' && command[1] === '-c') {
      const known = this.script(command[2] ?? '', command.slice(4), opts);
      if (known) return known;
    }
    const builtin = this.coreutil(command);
    if (builtin) return builtin;
    const answered = this.onCommand?.(command, opts);
    if (answered) return answered;
    return fail(`fake host: unknown command ${JSON.stringify(command)}`, 127);
  }

  private script(text: string, params: readonly string[], opts: RunOptions): RunResult | undefined {
    const [a = '', b = '', c = ''] = params;
    switch (text) {
      case PROBE_SCRIPT: return ok(this.probe(a, b, c));
      case TREE_SCRIPT: return ok(this.tree(a));
      case GLOB_EXISTS_SCRIPT: return this.glob(a, opts.cwd) ? ok() : fail('', 1);
      case STAGE_SCRIPT: {
        if (this.fs.get(posix.dirname(a))?.kind !== 'directory') return fail(`sh: cannot create ${a}: Directory nonexistent`, 2);
        this.fs.set(a, { kind: 'file', content: Buffer.from(opts.stdin ?? ''), mode: 0o600, uid: 0, gid: 0 });
        return ok();
      }
      case FINISH_SCRIPT: return this.finish(params);
      default: return undefined;
    }
  }

  private probe(path: string, flags: string, other: string): string {
    let p = path;
    let real = '';
    if (flags.includes('F') && this.fs.get(p)?.kind === 'link') p = real = this.resolve(p);
    const n = this.fs.get(p);
    const parent = this.fs.get(posix.dirname(p));
    const b64 = (s: string | Buffer): string => Buffer.from(s).toString('base64');
    const name = (id: number): string => Object.entries(USERS).find(([, v]) => v === id)?.[0] ?? String(id);
    const lines = [
      `${n?.kind ?? 'absent'} ${parent?.kind === 'directory' ? 'directory' : parent ? 'other' : 'absent'}`,
      n ? `${(n.kind === 'link' ? 0o777 : n.mode).toString(8)} ${n.uid} ${n.gid} ${n.kind === 'file' ? n.content.length : 4096} ${name(n.uid)} ${name(n.gid)}` : '-',
      n?.kind === 'file' ? sha256(n.content) : '-',
      real ? b64(real) : '',
      n?.kind === 'link' ? b64(n.target) : '',
      other === '' ? '-' : this.fs.has(other) ? 'yes' : 'no',
      n?.kind === 'file' && (flags.includes('C') || (flags.includes('c') && n.content.length <= DIFF_MAX_BYTES)) ? b64(n.content) : '',
    ];
    return `${lines.join('\n')}\n`;
  }

  private tree(root: string): string {
    const name = (id: number): string => Object.entries(USERS).find(([, v]) => v === id)?.[0] ?? String(id);
    return [...this.fs.entries()]
      .filter(([p]) => p.startsWith(`${root}/`))
      .map(([, n]) => `${(n.kind === 'link' ? 0o777 : n.mode).toString(8)} ${n.uid} ${n.gid} ${name(n.uid)} ${name(n.gid)} ${n.kind === 'file' ? 'regular file' : n.kind === 'link' ? 'symbolic link' : 'directory'}\n`)
      .join('');
  }

  private glob(pattern: string, cwd = '/'): boolean {
    const abs = posix.resolve(cwd, pattern);
    const re = new RegExp(`^${abs.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}$`);
    return [...this.fs.keys()].some((p) => re.test(p));
  }

  private finish(params: readonly string[]): RunResult {
    const [tmp = '', dest = '', mode = '', own = '', keep = '', bak = ''] = params;
    const staged = this.fs.get(tmp);
    if (staged?.kind !== 'file') return fail(`chmod: cannot access '${tmp}'`);
    staged.mode = parseInt(mode, 8);
    for (const spec of [keep, own]) if (spec) this.chown(staged, spec);
    if (bak) {
      const old = this.fs.get(dest);
      if (old?.kind === 'file') this.fs.set(bak, { ...old, content: Buffer.from(old.content) });
    }
    this.fs.delete(tmp);
    this.fs.set(dest, staged);
    return ok();
  }

  private coreutil(argv: readonly string[]): RunResult | undefined {
    const [cmd, ...rest] = argv;
    // Modules always end options with `--`: what follows are operands.
    const dd = rest.indexOf('--');
    const args = dd === -1 ? rest.filter((a) => !a.startsWith('-')) : rest.slice(dd + 1);
    const flags = (dd === -1 ? rest.filter((a) => a.startsWith('-')) : rest.slice(0, dd)).join('');
    const last = args[args.length - 1] ?? '';
    const need = (p: string): FakeNode | undefined => this.fs.get(p);
    switch (cmd) {
      case 'mkdir': this.mkdirs(last); return ok();
      case 'touch': {
        const n = need(last);
        if (!n) {
          if (need(posix.dirname(last))?.kind !== 'directory') return fail(`touch: cannot touch '${last}': No such file or directory`);
          this.fs.set(last, { kind: 'file', content: Buffer.alloc(0), mode: 0o644, uid: 0, gid: 0 });
        }
        return ok();
      }
      case 'rm': for (const p of [...this.fs.keys()]) if (p === last || p.startsWith(`${last}/`)) this.fs.delete(p); return ok();
      case 'rmdir': {
        if ([...this.fs.keys()].some((p) => p.startsWith(`${last}/`))) return fail(`rmdir: failed to remove '${last}': Directory not empty`);
        this.fs.delete(last);
        return ok();
      }
      case 'chmod': {
        const [mode = '', path = ''] = args;
        for (const [p, n] of this.fs) if ((p === path || (flags.includes('R') && p.startsWith(`${path}/`))) && n.kind !== 'link') n.mode = parseInt(mode, 8);
        return /^[0-7]+$/.test(mode) ? ok() : fail(`fake chmod: only octal modes (${mode})`);
      }
      case 'chown': {
        const [spec = '', path = ''] = args;
        for (const [p, n] of this.fs) if (p === path || (flags.includes('R') && p.startsWith(`${path}/`))) this.chown(n, spec);
        return need(path) ? ok() : fail(`chown: cannot access '${path}': No such file or directory`);
      }
      case 'ln': {
        const [target = '', path = ''] = args;
        if (need(path) && !flags.includes('f')) return fail(`ln: failed to create symbolic link '${path}': File exists`);
        this.fs.set(path, { kind: 'link', target, uid: 0, gid: 0 });
        return ok();
      }
      default: return undefined;
    }
  }

  private chown(n: FakeNode, spec: string): void {
    const [user = '', group] = spec.split(':');
    const id = (s: string): number => USERS[s] ?? Number(s);
    if (user) n.uid = id(user);
    if (group) n.gid = id(group);
  }

  private mkdirs(path: string): void {
    let p = '';
    for (const part of path.split('/').filter((x) => x !== '')) {
      p += `/${part}`;
      if (!this.fs.has(p)) this.fs.set(p, { kind: 'directory', mode: 0o755, uid: 0, gid: 0 });
    }
  }

  private resolve(path: string): string {
    let p = path;
    for (let i = 0; i < 40; i++) {
      const n = this.fs.get(p);
      if (n?.kind !== 'link') return p;
      p = posix.resolve(posix.dirname(p), n.target);
    }
    return p;
  }
}
