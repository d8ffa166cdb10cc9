// The settings kvmplay reads from Ansible's configuration, found as Ansible finds it:
// ANSIBLE_CONFIG, ./ansible.cfg, ~/.ansible.cfg, /etc/ansible/ansible.cfg — the first
// that exists, and only that one. Today: where roles are looked for (roles_path, or
// ANSIBLE_ROLES_PATH over it).
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** Ansible's DEFAULT_ROLES_PATH when nothing sets it. */
const DEFAULT_ROLES_PATH = ['~/.ansible/roles', '/usr/share/ansible/roles', '/etc/ansible/roles'];

/** The ansible.cfg Ansible would read, or undefined. */
export function ansibleConfigFile(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string | undefined {
  const candidates = [
    env.ANSIBLE_CONFIG,
    join(cwd, 'ansible.cfg'),
    join(homedir(), '.ansible.cfg'),
    '/etc/ansible/ansible.cfg',
  ].filter((p): p is string => p !== undefined && p !== '');
  return candidates.map((p) => resolve(cwd, expandHome(p))).find((p) => existsSync(p));
}

/** `[section] key` of an INI file as Python's configparser reads it (`=` or `:`, `#`/`;` comments). */
export function iniValue(text: string, section: string, key: string): string | undefined {
  let current = '';
  let found: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      current = header[1]!.trim();
      continue;
    }
    const m = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(line);
    if (m && current === section && m[1]!.toLowerCase() === key) found = m[2]!.replace(/\s+[#;].*$/, '');
  }
  return found;
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
  const configured = cfg === undefined ? undefined : iniValue(readFileSync(cfg, 'utf8'), 'defaults', 'roles_path');
  if (configured !== undefined && cfg !== undefined) return split(configured, dirname(cfg));
  return DEFAULT_ROLES_PATH.map(expandHome);
}
