// The settings kvmplay reads from Ansible's configuration, found as Ansible finds it:
// ANSIBLE_CONFIG, ./ansible.cfg, ~/.ansible.cfg, /etc/ansible/ansible.cfg — the first
// that exists, and only that one: where roles are looked for (roles_path, or
// ANSIBLE_ROLES_PATH over it), and the connection and privilege settings the CLI takes
// as defaults (ansibleSettings: the environment variable over the file's key).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { ValidationError } from '../errors.js';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** Ansible's DEFAULT_ROLES_PATH when nothing sets it. */
const DEFAULT_ROLES_PATH = ['~/.ansible/roles', '/usr/share/ansible/roles', '/etc/ansible/roles'];

/** The ansible.cfg Ansible would read, or undefined. */
export function ansibleConfigFile(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string | undefined {
  const fromEnv = env.ANSIBLE_CONFIG ? resolve(cwd, expandHome(env.ANSIBLE_CONFIG)) : undefined;
  const candidates = [
    // ANSIBLE_CONFIG may name a folder: its ansible.cfg.
    ...(fromEnv === undefined ? [] : [isDirectory(fromEnv) ? join(fromEnv, 'ansible.cfg') : fromEnv]),
    // As Ansible: not the working directory's when others may write there.
    ...(worldWritable(cwd) ? [] : [join(cwd, 'ansible.cfg')]),
    join(homedir(), '.ansible.cfg'),
    '/etc/ansible/ansible.cfg',
  ];
  return candidates.find((p) => existsSync(p) && !isDirectory(p));
}

function isDirectory(p: string): boolean {
  return statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

function worldWritable(dir: string): boolean {
  return ((statSync(dir, { throwIfNoEntry: false })?.mode ?? 0) & 0o002) !== 0;
}

/**
 * `[section] key` of an INI file as Python's configparser reads it for Ansible: `=` or
 * `:`, full-line `#`/`;` comments, inline comments after ` ;`, `[DEFAULT]` as every
 * section's fallback, keys case-insensitive; a key or section given twice is an error.
 */
export function iniValue(text: string, section: string, key: string): string | undefined {
  const sections = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  let currentName = '';
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      currentName = header[1]!;
      if (sections.has(currentName)) throw new Error(`line ${i + 1}: section '${currentName}' already exists`);
      current = new Map();
      sections.set(currentName, current);
      return;
    }
    const m = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(line);
    if (!m || current === undefined) return;
    const name = m[1]!.toLowerCase();
    if (current.has(name)) throw new Error(`line ${i + 1}: option '${name}' in section '${currentName}' already exists`);
    current.set(name, m[2]!.replace(/\s+;.*$/, ''));
  });
  return sections.get(section)?.get(key) ?? sections.get('DEFAULT')?.get(key);
}

function expandHome(p: string): string {
  return p === '~' || p.startsWith('~/') ? join(homedir(), p.slice(1)) : p;
}

/**
 * Where roles are looked for after `roles/` beside the playbook: ANSIBLE_ROLES_PATH,
 * else roles_path of the ansible.cfg in force (relative entries from its folder), else
 * Ansible's default. Colon-separated, `~` expanded.
 */
export function rolesPath(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string[] {
  const split = (value: string, base: string): string[] =>
    value.split(':').filter((p) => p !== '').map((p) => resolve(base, expandHome(p)));
  if (env.ANSIBLE_ROLES_PATH) return split(env.ANSIBLE_ROLES_PATH, cwd);
  const cfg = ansibleConfigFile(env, cwd);
  let configured: string | undefined;
  if (cfg !== undefined) configured = configValue(cfg, readConfig(cfg), 'defaults', 'roles_path');
  if (configured !== undefined && cfg !== undefined) return split(configured, dirname(cfg));
  return DEFAULT_ROLES_PATH.map(expandHome);
}

function readConfig(cfg: string): string {
  try {
    return readFileSync(cfg, 'utf8');
  } catch (e) {
    throw new ValidationError({ file: cfg, line: 1, col: 1 }, `cannot read this Ansible configuration: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function configValue(cfg: string, text: string, section: string, key: string): string | undefined {
  try {
    return iniValue(text, section, key);
  } catch (e) {
    throw new ValidationError({ file: cfg, line: 1, col: 1 }, `cannot read this Ansible configuration: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** The Ansible settings kvmplay honours: environment variable, then `[section] key` of ansible.cfg. */
export const ANSIBLE_SETTINGS = {
  inventory: { env: 'ANSIBLE_INVENTORY', section: 'defaults', key: 'inventory' },
  remoteUser: { env: 'ANSIBLE_REMOTE_USER', section: 'defaults', key: 'remote_user' },
  privateKeyFile: { env: 'ANSIBLE_PRIVATE_KEY_FILE', section: 'defaults', key: 'private_key_file' },
  forks: { env: 'ANSIBLE_FORKS', section: 'defaults', key: 'forks' },
  timeout: { env: 'ANSIBLE_TIMEOUT', section: 'defaults', key: 'timeout' },
  hostKeyChecking: { env: 'ANSIBLE_HOST_KEY_CHECKING', section: 'defaults', key: 'host_key_checking' },
  become: { env: 'ANSIBLE_BECOME', section: 'privilege_escalation', key: 'become' },
  becomeUser: { env: 'ANSIBLE_BECOME_USER', section: 'privilege_escalation', key: 'become_user' },
  becomeMethod: { env: 'ANSIBLE_BECOME_METHOD', section: 'privilege_escalation', key: 'become_method' },
  sshArgs: { env: 'ANSIBLE_SSH_ARGS', section: 'ssh_connection', key: 'ssh_args' },
  vaultPasswordFile: { env: 'ANSIBLE_VAULT_PASSWORD_FILE', section: 'defaults', key: 'vault_password_file' },
  vaultIdentityList: { env: 'ANSIBLE_VAULT_IDENTITY_LIST', section: 'defaults', key: 'vault_identity_list' },
} as const;

export type AnsibleSettingName = keyof typeof ANSIBLE_SETTINGS;

export interface AnsibleSettingValue {
  value: string;
  /** Where it was set, for messages: `ANSIBLE_FORKS`, or `[defaults] forks in /path/ansible.cfg`. */
  origin: string;
  /** The folder its relative paths start from: the working directory, or the config file's (as Ansible resolves them). */
  baseDir: string;
}

export interface AnsibleSettings {
  /** The ansible.cfg in force, if any. */
  file: string | undefined;
  values: Partial<Record<AnsibleSettingName, AnsibleSettingValue>>;
}

/** Each setting the environment or the ansible.cfg in force gives (the environment wins, as in Ansible); empty values are unset. */
export function ansibleSettings(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): AnsibleSettings {
  const file = ansibleConfigFile(env, cwd);
  const text = file === undefined ? undefined : readConfig(file);
  const values: AnsibleSettings['values'] = {};
  for (const [name, s] of Object.entries(ANSIBLE_SETTINGS) as Array<[AnsibleSettingName, (typeof ANSIBLE_SETTINGS)[AnsibleSettingName]]>) {
    const fromEnv = env[s.env];
    if (fromEnv !== undefined && fromEnv.trim() !== '') {
      values[name] = { value: fromEnv.trim(), origin: s.env, baseDir: cwd };
      continue;
    }
    const fromFile = file === undefined || text === undefined ? undefined : configValue(file, text, s.section, s.key)?.trim();
    if (file !== undefined && fromFile !== undefined && fromFile !== '') {
      values[name] = { value: unquote(fromFile), origin: `[${s.section}] ${s.key} in ${file}`, baseDir: dirname(file) };
    }
  }
  return { file, values };
}

/** Ansible strips one pair of matching quotes around an ini value. */
function unquote(v: string): string {
  return v.length >= 2 && (v[0] === '"' || v[0] === "'") && v.endsWith(v[0]) ? v.slice(1, -1) : v;
}

/** `~` expanded, a relative path from `baseDir` (Ansible's resolve_path). */
export function settingPath(p: string, baseDir: string): string {
  return resolve(baseDir, expandHome(p));
}
