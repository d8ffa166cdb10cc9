// Jump hosts and ssh options that Ansible inventories put in strings: kvmplay's
// `jump: user@host:port,user@host:port` and Ansible's `ansible_ssh_common_args`
// (`-o ProxyJump=...`, `-J ...`, `-o ProxyCommand="ssh -W %h:%p bastion"`,
// `-o UserKnownHostsFile=...`, `-o HashKnownHosts=yes`, `-o ServerAliveInterval=5`,
// `-o ServerAliveCountMax=3`, `-F file`, and the options ~/.ssh/config also takes:
// `-o User/Port/IdentityFile/IdentitiesOnly/ConnectTimeout/StrictHostKeyChecking/HostKeyAlias`,
// `-l`, `-p`, `-i`). Anything else is named in `ignored`, for a warning.
import type { JumpHop, JumpSpec } from '../transport/connection-spec.js';
import { shlexSplit, ShlexError } from '../util/shlex.js';

export class JumpSyntaxError extends Error {}

/** `[ssh://][user@]host[:port]`, comma-separated, outermost first; `none` is no jump. */
export function parseJump(spec: string): JumpSpec[] {
  return parseJumpHops(spec).map((h) => ({ ...h, port: h.port ?? 22 }));
}

/** As parseJump, without filling in the port: ~/.ssh/config may give it. */
export function parseJumpHops(spec: string): JumpHop[] {
  const text = spec.trim();
  if (!text || text.toLowerCase() === 'none') return [];
  return text.split(',').map((part) => parseJumpHost(part.trim()));
}

function parseJumpHost(raw: string): JumpHop {
  const s = raw.replace(/^ssh:\/\//, '');
  const at = s.lastIndexOf('@');
  const user = at >= 0 ? s.slice(0, at) : undefined;
  const hostPort = at >= 0 ? s.slice(at + 1) : s;
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(hostPort) ?? /^([^:[\]]+)(?::(\d+))?$/.exec(hostPort);
  // A bare IPv6 address has several colons and no port.
  const v6 = !m && /^[0-9a-fA-F:]+$/.test(hostPort) && hostPort.includes('::') ? [hostPort, hostPort] : null;
  const host = m?.[1] ?? v6?.[1];
  if (!host || (user !== undefined && !user)) throw new JumpSyntaxError(`invalid jump host "${raw}": expected [user@]host[:port]`);
  const port = m?.[2] ? Number(m[2]) : undefined;
  if (port !== undefined && (port < 1 || port > 65535)) throw new JumpSyntaxError(`invalid port in jump host "${raw}"`);
  return { host, ...(port === undefined ? {} : { port }), ...(user === undefined ? {} : { user }) };
}

/** The options kvmplay understands in an ssh argument string; the first value of each wins, as in ssh. */
export interface SshArgOptions {
  jump?: JumpHop[];
  knownHosts?: string[];
  hashKnownHosts?: boolean;
  /** Seconds; 0 = no probes. */
  serverAliveInterval?: number;
  serverAliveCountMax?: number;
  /** `-F file`: the ssh config file to read instead of ~/.ssh/config. */
  configFile?: string;
  /** Options for the ssh config layer, in order (`[lower-cased key, value]`): command-line options come before the files. */
  configOptions?: Array<[string, string]>;
  /** Options and flags kvmplay cannot honour, as written (`-A`, `ForwardAgent`). */
  ignored?: string[];
}

// Options resolved together with ~/.ssh/config (connection.ts and ssh-config.ts).
const CONFIG_OPTIONS = new Set(['user', 'port', 'hostname', 'identityfile', 'identitiesonly', 'connecttimeout', 'stricthostkeychecking', 'hostkeyalias']);
// Options that change nothing kvmplay does (it keeps one connection per host itself, and logs its own way).
const HARMLESS_OPTIONS = new Set(['controlmaster', 'controlpersist', 'controlpath', 'compression', 'loglevel', 'sendenv', 'batchmode']);
const HARMLESS_FLAGS = new Set(['C', 'q', 'v', 'T', 't', 'n']);
// Flags with the config option they stand for.
const FLAG_OPTIONS: Record<string, string> = { l: 'user', p: 'port', i: 'identityfile' };

export function parseSshArgs(args: string): SshArgOptions {
  let tokens: string[];
  try {
    tokens = shlexSplit(args, { comments: false });
  } catch (e) {
    if (e instanceof ShlexError) throw new JumpSyntaxError(`cannot split ssh arguments "${args}": ${e.message}`);
    throw e;
  }
  const out: SshArgOptions = {};
  const configOptions: Array<[string, string]> = [];
  const ignored: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    let opt: [string, string] | null = null;
    const flag = /^-([A-Za-z])(.*)$/s.exec(t);
    if (!flag) continue;
    const [, letter, attached] = flag as unknown as [string, string, string];
    const argument = (): string => (attached !== '' ? attached : (tokens[++i] ?? ''));
    if (letter === 'J') opt = ['proxyjump', argument()];
    else if (letter === 'o') opt = splitOption(argument());
    else if (letter === 'F') {
      out.configFile ??= argument();
      continue;
    } else if (FLAG_OPTIONS[letter]) opt = [FLAG_OPTIONS[letter], argument()];
    else {
      if (SSH_ARG_OPTIONS.has(letter)) argument();
      // Flags without an argument may be grouped (`-Cq`).
      const letters = SSH_ARG_OPTIONS.has(letter) ? [letter] : [...(letter + attached)];
      for (const l of letters) if (!HARMLESS_FLAGS.has(l)) ignored.push(`-${l}`);
      continue;
    }
    if (!opt) continue;
    const [key, value] = opt;
    if (CONFIG_OPTIONS.has(key)) configOptions.push([key, value]);
    else if (HARMLESS_OPTIONS.has(key)) continue;
    else if (key === 'proxyjump' && !out.jump) out.jump = parseJumpHops(value);
    else if (key === 'proxycommand' && !out.jump) out.jump = jumpFromProxyCommand(value);
    else if (key === 'userknownhostsfile' && !out.knownHosts) out.knownHosts = value.split(/\s+/).filter(Boolean);
    else if (key === 'hashknownhosts') out.hashKnownHosts ??= yesNo('HashKnownHosts', value);
    else if (key === 'serveraliveinterval') out.serverAliveInterval ??= seconds('ServerAliveInterval', value);
    else if (key === 'serveralivecountmax') out.serverAliveCountMax ??= count('ServerAliveCountMax', value);
    else if (!['proxyjump', 'proxycommand', 'userknownhostsfile', 'hashknownhosts'].includes(key)) ignored.push(optionName(argsText(tokens, i)));
  }
  if (configOptions.length > 0) out.configOptions = configOptions;
  if (ignored.length > 0) out.ignored = [...new Set(ignored)];
  return out;
}

function yesNo(option: string, value: string): boolean {
  const v = value.toLowerCase();
  if (v === 'yes' || v === 'no') return v === 'yes';
  throw new JumpSyntaxError(`${option} must be yes or no, got "${value}"`);
}

/** ssh_config time: whole seconds, or with an s/m/h suffix (`30`, `30s`, `1m`). */
function seconds(option: string, value: string): number {
  const m = /^(\d+)([smh]?)$/i.exec(value);
  if (!m) throw new JumpSyntaxError(`${option} must be a number of seconds, got "${value}"`);
  return Number(m[1]) * ({ '': 1, s: 1, m: 60, h: 3600 }[m[2]!.toLowerCase()] ?? 1);
}

function count(option: string, value: string): number {
  if (!/^\d+$/.test(value)) throw new JumpSyntaxError(`${option} must be a whole number, got "${value}"`);
  return Number(value);
}

/** `Key=Value` or `Key Value`, key lower-cased as ssh_config keys are case-insensitive. */
function splitOption(s: string): [string, string] | null {
  const m = /^\s*([A-Za-z]+)\s*(?:=\s*|\s+)(.*)$/s.exec(s);
  return m ? [m[1]!.toLowerCase(), m[2]!.trim()] : null;
}

// ssh options that take an argument, so their argument is not the destination.
const SSH_ARG_OPTIONS = new Set('BbcDEeFIiJLlmOopQRSWw'.split(''));

/** The option's name as written in `-o Name=value` (for warnings). */
function argsText(tokens: readonly string[], i: number): string {
  const t = tokens[i]!;
  return t.startsWith('-o') && t.length > 2 ? t.slice(2) : t;
}

function optionName(option: string): string {
  return /^\s*([A-Za-z]+)/.exec(option)?.[1] ?? option;
}

/** `ssh [-p port] [-l user] -W %h:%p [user@]bastion` (or `... nc %h %p`) is a one-hop jump. */
export function jumpFromProxyCommand(cmd: string): JumpHop[] | undefined {
  const t = shlexSplit(cmd, { comments: false });
  if (!t.length || !/(^|\/)ssh$/.test(t[0]!) || !cmd.includes('%h')) return undefined;
  let port: number | undefined;
  let user: string | undefined;
  let dest: string | undefined;
  for (let i = 1; i < t.length && dest === undefined; i++) {
    const a = t[i]!;
    if (a.startsWith('-') && a.length >= 2) {
      const flag = a[1]!;
      if (!SSH_ARG_OPTIONS.has(flag)) continue;
      const value = a.length > 2 ? a.slice(2) : t[++i];
      if (flag === 'p' && value) port = Number(value);
      if (flag === 'l' && value) user = value;
      continue;
    }
    dest = a;
  }
  if (!dest) return undefined;
  const hop = parseJumpHost(dest);
  if (port !== undefined) hop.port = port;
  if (user !== undefined && hop.user === undefined) hop.user = user;
  return [hop];
}
