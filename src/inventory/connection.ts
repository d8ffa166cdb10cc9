// How to reach a host, from its resolved variables (SPEC 3): kvmplay's keys first, then
// Ansible's names in the order Ansible itself prefers them (constants.py
// MAGIC_VARIABLE_MAPPING: `ansible_ssh_host` before `ansible_host`, and so on).
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { controllerUserName } from '../util/controller-identity.js';
import { ValidationError, type SourcePosition } from '../errors.js';
import { DEFAULT_SERVER_ALIVE, type ConnectionSpec, type JumpSpec } from '../transport/connection-spec.js';
import type { Inventory } from './inventory.js';
import { UnsafeText, VaultText, type Vars } from '../data/py-values.js';
import { hasLineBreak } from '../transport/ssh/become.js';
import { JumpSyntaxError, parseJumpHops, parseSshArgs, type SshArgOptions } from './ssh-args.js';
import { resolveJumpChain, sshConfigFor, type HostSshConfig } from './ssh-config-apply.js';

export { parseJump } from './ssh-args.js';

/** What connectionFor reads from the machine; tests pass their own. */
export interface ConnectionEnv {
  home: string;
  /** The local user name (default remote user, like ssh). */
  user: string;
  /** Folder for relative paths of hosts that no inventory file defined (host lists). */
  cwd: string;
  exists(path: string): boolean;
  /** The user's ssh config file (default <home>/.ssh/config). */
  sshConfig?: string;
  /** The system-wide ssh config, read after the user's (none when unset; the default env sets /etc/ssh/ssh_config). */
  sshSystemConfig?: string;
}

export function defaultConnectionEnv(): ConnectionEnv {
  let user = process.env.USER || process.env.LOGNAME || '';
  if (!user) {
    try {
      user = controllerUserName();
    } catch {
      user = 'root';
    }
  }
  return { home: homedir(), user: user || 'root', cwd: process.cwd(), exists: existsSync, sshSystemConfig: SYSTEM_SSH_CONFIG };
}

const KEYS = {
  host: ['host', 'ansible_ssh_host', 'ansible_host'],
  port: ['port', 'ansible_ssh_port', 'ansible_port'],
  user: ['user', 'ansible_ssh_user', 'ansible_user'],
  identity: ['identity_file', 'ansible_ssh_private_key_file', 'ansible_private_key_file'],
  password: ['password', 'ansible_ssh_pass', 'ansible_password', 'ansible_ssh_password'],
  become: ['become', 'ansible_become'],
  becomeUser: ['become_user', 'ansible_become_user'],
  becomePassword: ['become_password', 'ansible_become_password', 'ansible_become_pass'],
  knownHosts: ['known_hosts'],
  timeout: ['connect_timeout', 'ansible_ssh_timeout', 'ansible_timeout'],
  // kvmplay's own: the inventory form of ssh's HashKnownHosts, ServerAliveInterval, ServerAliveCountMax.
  hashKnownHosts: ['hash_known_hosts'],
  aliveInterval: ['server_alive_interval'],
  aliveCountMax: ['server_alive_count_max'],
} as const;

const DEFAULT_IDENTITIES = ['id_ed25519', 'id_rsa', 'id_ecdsa'];
// OpenSSH's _PATH_HOST_CONFIG_FILE.
const SYSTEM_SSH_CONFIG = '/etc/ssh/ssh_config';
// ansible.module_utils.parsing.convert_bool BOOLEANS_TRUE / BOOLEANS_FALSE.
const TRUE_WORDS = new Set(['y', 'yes', 'on', '1', 'true', 't']);
const FALSE_WORDS = new Set(['n', 'no', 'off', '0', 'false', 'f']);

// Ansible's connection plugins that kvmplay's own SSH connection stands for.
const SSH_CONNECTIONS: ReadonlySet<string> = new Set(['ssh', 'smart', 'paramiko', 'paramiko_ssh']);

export function connectionFor(inv: Inventory, name: string, env: ConnectionEnv = defaultConnectionEnv()): ConnectionSpec {
  const vars = inv.hostVars(name);
  const file = inv.sourceOf(name);
  const at: SourcePosition = inv.definedAt(name) ?? { file: file ?? '<inventory>', line: 1, col: 1 };
  const fail = (detail: string): never => {
    throw new ValidationError(at, `host "${name}": ${detail}`);
  };
  const baseDir = file ? dirname(file) : env.cwd;
  const path = (p: string): string => resolvePath(p, baseDir, env.home);
  const text = (key: string, v: unknown): string => toText(v) ?? fail(`${key} must be a string, got ${JSON.stringify(v)}`);
  const pick = (keys: readonly string[]): [string, unknown] | undefined => {
    for (const k of keys) if (vars[k] !== undefined && vars[k] !== null) return [k, vars[k]];
    return undefined;
  };
  const str = (keys: readonly string[]): string | undefined => {
    const p = pick(keys);
    return p ? text(p[0], p[1]) : undefined;
  };
  const num = (keys: readonly string[], fallback: number, min = 1): number => {
    const p = pick(keys);
    if (!p) return fallback;
    const n = typeof p[1] === 'number' ? p[1] : /^\s*\d+\s*$/.test(text(p[0], p[1])) ? Number(text(p[0], p[1])) : NaN;
    if (Number.isInteger(n) && n >= min) return n;
    return fail(`${p[0]} must be a ${min > 0 ? 'positive' : 'non-negative'} whole number, got ${JSON.stringify(p[1])}`);
  };
  const bool = (keys: readonly string[]): boolean | undefined => {
    const p = pick(keys);
    return p ? toBool(p[1]) ?? fail(`${p[0]} must be a boolean, got ${JSON.stringify(p[1])}`) : undefined;
  };
  const list = (key: string, v: unknown): string[] => (Array.isArray(v) ? v.map((x) => text(key, x)) : [text(key, v)]);

  const ssh = sshOptions(vars, fail);
  const identity = pick(KEYS.identity);
  const known = pick(KEYS.knownHosts);
  const jump = pick(['jump']);
  const warnings: string[] = [];
  if (ssh.ignored) warnings.push(`ssh arguments: kvmplay cannot honour ${ssh.ignored.join(', ')}: ignored`);
  // Ansible hands ssh ansible_host (else the inventory name): that is the name ~/.ssh/config matches.
  const lookup = str(KEYS.host) ?? name;
  const invPort = pick(KEYS.port) ? num(KEYS.port, 22) : undefined;
  const invUser = str(KEYS.user);
  const config: HostSshConfig | undefined = isTemplate(lookup)
    ? undefined
    : sshConfigFor(lookup, ssh, {
      home: env.home,
      localUser: env.user,
      ...(env.sshConfig ? { file: env.sshConfig } : {}),
      ...(env.sshSystemConfig ? { systemFile: env.sshSystemConfig } : {}),
    }, { user: invUser, port: invPort });
  const cfg = config?.settings;
  if (cfg) warnings.push(...cfg.warnings);
  let jumps: JumpSpec[];
  try {
    const hops = jump ? parseJumpHops(list('jump', jump[1]).join(',')) : (ssh.jump ?? config?.jump ?? []);
    // Only the config's own ProxyJump makes the host itself part of a possible loop.
    const fromConfig = !jump && !ssh.jump && config?.jump !== undefined;
    jumps = config ? resolveJumpChain(hops, config.source, warnings, fromConfig ? lookup : undefined) : hops.map((h) => ({ ...h, port: h.port ?? 22 }));
  } catch (e) {
    if (e instanceof JumpSyntaxError) return fail(e.message);
    throw e;
  }
  const varBecome = bool(KEYS.become);
  const varBecomeUser = str(KEYS.becomeUser);
  const spec: ConnectionSpec = {
    name,
    host: cfg?.hostName ?? lookup,
    port: invPort ?? cfg?.port ?? 22,
    user: invUser ?? cfg?.user ?? env.user,
    identityFiles: identity
      ? list(identity[0], identity[1]).map(path)
      : cfg?.identityFiles.length
        ? cfg.identityFiles
        : DEFAULT_IDENTITIES.map((f) => join(env.home, '.ssh', f)).filter((f) => env.exists(f)),
    jump: jumps,
    become: varBecome ?? false,
    becomeUser: varBecomeUser ?? 'root',
    ...(varBecome !== undefined || varBecomeUser !== undefined
      ? { becomeVars: { ...(varBecome !== undefined ? { become: varBecome } : {}), ...(varBecomeUser !== undefined ? { user: varBecomeUser } : {}) } }
      : {}),
    knownHosts: known
      ? list(known[0], known[1]).map(path)
      : (ssh.knownHosts ?? cfg?.userKnownHostsFiles ?? [join(env.home, '.ssh', 'known_hosts')]).map(path),
    connectTimeout: num(KEYS.timeout, cfg?.connectTimeout ?? 10),
    hashKnownHosts: bool(KEYS.hashKnownHosts) ?? ssh.hashKnownHosts ?? false,
    serverAlive: {
      interval: num(KEYS.aliveInterval, ssh.serverAliveInterval ?? cfg?.serverAliveInterval ?? DEFAULT_SERVER_ALIVE.interval, 0),
      countMax: num(KEYS.aliveCountMax, ssh.serverAliveCountMax ?? cfg?.serverAliveCountMax ?? DEFAULT_SERVER_ALIVE.countMax),
    },
  };
  if (cfg?.identitiesOnly) spec.identitiesOnly = true;
  if (cfg?.hostKeyAlias !== undefined) spec.hostKeyAlias = cfg.hostKeyAlias;
  if (cfg?.strictHostKeyChecking === 'accept-new' || cfg?.strictHostKeyChecking === 'no') spec.acceptNewHostKeys = true;
  if (cfg?.strictHostKeyChecking === 'no') {
    warnings.push('StrictHostKeyChecking no is taken as accept-new: kvmplay records unknown host keys but never connects to a host whose key changed');
  }
  if (warnings.length > 0) spec.warnings = [...new Set(warnings)];
  const connection = str(['ansible_connection', 'connection']);
  if (connection === 'local') spec.local = true;
  else if (connection !== undefined && !SSH_CONNECTIONS.has(connection)) {
    fail(`ansible_connection "${connection}" is not a connection kvmplay has (ssh, smart, paramiko, local)`);
  }
  const password = str(KEYS.password);
  if (password !== undefined) spec.password = password;
  const becomePassword = str(KEYS.becomePassword);
  if (hasLineBreak(becomePassword)) {
    fail(`${pick(KEYS.becomePassword)?.[0]} must not contain a line break (sudo reads one line; the rest would reach the command's stdin)`);
  }
  if (becomePassword !== undefined) spec.becomePassword = becomePassword;
  return spec;
}

/** Every host's connection settings, resolved once: the usable ones and the refused ones. */
export interface ResolvedSettings {
  specs: Map<string, ConnectionSpec>;
  /** One ValidationError per host whose settings cannot be used (run, ping, exec and validate refuse these before any connection; `inventory` does not). */
  problems: Map<string, ValidationError>;
}

/**
 * The passwords a host's variables give (SSH and become), as text: what the redactor
 * must learn of a host that is not connected to, without resolving its settings.
 */
export function connectionPasswords(vars: Readonly<Record<string, unknown>>): string[] {
  const out: string[] = [];
  for (const k of [...KEYS.password, ...KEYS.becomePassword]) {
    const t = toText(vars[k]);
    if (t !== undefined) out.push(t);
  }
  return out;
}

export function resolveConnectionSettings(inv: Inventory, names: readonly string[], env: ConnectionEnv = defaultConnectionEnv()): ResolvedSettings {
  const out: ResolvedSettings = { specs: new Map(), problems: new Map() };
  for (const name of names) {
    try {
      out.specs.set(name, connectionFor(inv, name, env));
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      out.problems.set(name, e);
    }
  }
  return out;
}

/** The options of parseSshArgs from ansible_ssh_common_args, then _extra_args (the first value wins, as in ssh). */
function sshOptions(vars: Vars, fail: (d: string) => never): SshArgOptions {
  const out: SshArgOptions = {};
  for (const key of ['ansible_ssh_common_args', 'ansible_ssh_extra_args']) {
    const v = toText(vars[key]);
    if (!v || isTemplate(v)) continue;
    try {
      const o = parseSshArgs(v);
      out.jump ??= o.jump;
      out.knownHosts ??= o.knownHosts;
      out.hashKnownHosts ??= o.hashKnownHosts;
      out.serverAliveInterval ??= o.serverAliveInterval;
      out.serverAliveCountMax ??= o.serverAliveCountMax;
      out.configFile ??= o.configFile;
      if (o.configOptions) out.configOptions = [...(out.configOptions ?? []), ...o.configOptions];
      if (o.ignored) out.ignored = [...new Set([...(out.ignored ?? []), ...o.ignored])];
    } catch (e) {
      if (e instanceof JumpSyntaxError) fail(`${key}: ${e.message}`);
      throw e;
    }
  }
  return out;
}

/** `~` is the home folder, relative paths are relative to the inventory file; templates stay as written. */
function resolvePath(p: string, baseDir: string, home: string): string {
  if (isTemplate(p)) return p;
  if (p === '~') return home;
  if (p.startsWith('~/')) return join(home, p.slice(2));
  return isAbsolute(p) ? p : resolve(baseDir, p);
}

function isTemplate(s: string): boolean {
  return s.includes('{{') || s.includes('{%');
}

function toText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v instanceof UnsafeText) return v.value;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof VaultText) return undefined; // cannot be decrypted: reported by the caller
  return undefined;
}

/** Ansible's boolean(): true/yes/on/1/t/y and their opposites, case-insensitive; undefined for anything else. */
export function toBool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v === 1 ? true : v === 0 ? false : undefined;
  const s = toText(v)?.trim().toLowerCase();
  if (s === undefined) return undefined;
  if (TRUE_WORDS.has(s)) return true;
  if (FALSE_WORDS.has(s)) return false;
  return undefined;
}
