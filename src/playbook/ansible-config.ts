// The settings kvmplay reads from Ansible's configuration, found as Ansible finds it:
// ANSIBLE_CONFIG, ./ansible.cfg, ~/.ansible.cfg, /etc/ansible/ansible.cfg — the first
// that exists, and only that one. Today: where roles are looked for (roles_path, or
// ANSIBLE_ROLES_PATH over it).
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
  if (cfg !== undefined) {
    try {
      configured = iniValue(readFileSync(cfg, 'utf8'), 'defaults', 'roles_path');
    } catch (e) {
      throw new ValidationError({ file: cfg, line: 1, col: 1 }, `cannot read this Ansible configuration: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (configured !== undefined && cfg !== undefined) return split(configured, dirname(cfg));
  return DEFAULT_ROLES_PATH.map(expandHome);
}
