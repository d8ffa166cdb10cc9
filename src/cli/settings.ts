// The connection and privilege settings of a run, as Ansible settles them: the command
// line over the environment over ansible.cfg over the defaults. Pure but for reading
// the config file; the caller injects the environment and working directory.
import { OptionsError } from '../errors.js';
import { parseSshArgs, type SshArgOptions } from '../inventory/ssh-args.js';
import { ansibleSettings, settingPath, type AnsibleSettingValue } from '../playbook/ansible-config.js';

export const DEFAULT_FORKS = 50;
export const BECOME_METHOD_NAMES = ['sudo', 'su'] as const;
export type BecomeMethodName = (typeof BECOME_METHOD_NAMES)[number];

/** The flags that override a setting; undefined: not given. */
export interface SettingFlags {
  inventory?: string[];
  forks?: number;
  user?: string;
  privateKey?: string;
  timeout?: number;
  become?: boolean;
  becomeUser?: string;
  becomeMethod?: string;
  acceptNewHostKeys?: boolean;
}

/** What a host's own inventory variables do not set is taken from here. */
export interface ConnectionDefaults {
  user?: string;
  identityFile?: string;
  /** Seconds. */
  timeout?: number;
  becomeUser?: string;
  /** From -k / -K. */
  password?: string;
  becomePassword?: string;
  /** `[ssh_connection] ssh_args` / ANSIBLE_SSH_ARGS, parsed. */
  ssh?: SshArgOptions;
}

export interface RunSettings {
  /** -i, else ANSIBLE_INVENTORY, else `[defaults] inventory`; [] when none of them. */
  inventory: string[];
  forks: number;
  /** -b, ANSIBLE_BECOME or `[privilege_escalation] become`: plays that do not say run with become. */
  become: boolean;
  becomeMethod: BecomeMethodName | undefined;
  acceptNewHostKeys: boolean;
  connection: ConnectionDefaults;
  /** To print as `[WARNING]:` lines before anything runs. */
  warnings: string[];
}

// ansible.module_utils.parsing.convert_bool.
const TRUE_WORDS = new Set(['y', 'yes', 'on', '1', 'true', 't']);
const FALSE_WORDS = new Set(['n', 'no', 'off', '0', 'false', 'f']);

export function resolveRunSettings(flags: SettingFlags, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): RunSettings {
  const { values } = ansibleSettings(env, cwd);
  const warnings: string[] = [];
  const bad = (s: AnsibleSettingValue, what: string): never => {
    throw new OptionsError(`${s.origin} must be ${what}, got ${JSON.stringify(s.value)}`);
  };
  const bool = (s: AnsibleSettingValue | undefined): boolean | undefined => {
    if (s === undefined) return undefined;
    const w = s.value.toLowerCase();
    return TRUE_WORDS.has(w) ? true : FALSE_WORDS.has(w) ? false : bad(s, 'a boolean (true/false, yes/no)');
  };
  const count = (s: AnsibleSettingValue | undefined): number | undefined => {
    if (s === undefined) return undefined;
    return /^\d+$/.test(s.value) && Number(s.value) >= 1 ? Number(s.value) : bad(s, 'a whole number >= 1');
  };
  const path = (s: AnsibleSettingValue | undefined): string | undefined => (s === undefined ? undefined : settingPath(s.value, s.baseDir));

  const becomeMethod = flags.becomeMethod ?? values.becomeMethod?.value;
  if (becomeMethod !== undefined && !(BECOME_METHOD_NAMES as readonly string[]).includes(becomeMethod)) {
    const from = flags.becomeMethod !== undefined ? '--become-method' : values.becomeMethod!.origin;
    throw new OptionsError(`${from}: become method ${JSON.stringify(becomeMethod)} is not one kvmplay has (${BECOME_METHOD_NAMES.join(', ')})`);
  }
  const hostKeyChecking = bool(values.hostKeyChecking);
  if (hostKeyChecking === false && !flags.acceptNewHostKeys) {
    warnings.push(`host_key_checking is off (${values.hostKeyChecking!.origin}): kvmplay still refuses every host whose key differs from `
      + 'the one recorded in known_hosts; it only accepts and records the keys of hosts not in known_hosts yet (as --accept-new-host-keys)');
  }
  const connection: ConnectionDefaults = {};
  let sshAcceptsNew = false;
  const user = flags.user ?? values.remoteUser?.value;
  if (user !== undefined) connection.user = user;
  const identityFile = flags.privateKey !== undefined ? settingPath(flags.privateKey, cwd) : path(values.privateKeyFile);
  if (identityFile !== undefined) connection.identityFile = identityFile;
  const timeout = flags.timeout ?? count(values.timeout);
  if (timeout !== undefined) connection.timeout = timeout;
  const becomeUser = flags.becomeUser ?? values.becomeUser?.value;
  if (becomeUser !== undefined) connection.becomeUser = becomeUser;
  if (values.sshArgs !== undefined) {
    connection.ssh = sshArgs(values.sshArgs);
    const notApplied = [...connection.ssh.ignored ?? [], ...(connection.ssh.jump ? ['ProxyJump/ProxyCommand (set it in the inventory)'] : [])];
    for (const [key, value] of connection.ssh.configOptions ?? []) {
      // The habit `-o StrictHostKeyChecking=no`: taken as accept-new, as host_key_checking is.
      if (key === 'stricthostkeychecking' && /^(no|off|accept-new)$/i.test(value)) sshAcceptsNew = true;
      else if (key !== 'stricthostkeychecking') notApplied.push(`${key}=${value}`);
    }
    if (notApplied.length > 0) warnings.push(`${values.sshArgs.origin}: kvmplay does not apply ${notApplied.join(' ')}`);
  }
  if (sshAcceptsNew && !flags.acceptNewHostKeys) {
    warnings.push(`StrictHostKeyChecking=no (${values.sshArgs!.origin}) is taken as accept-new: kvmplay still refuses every host whose key `
      + 'differs from the one recorded in known_hosts, and accepts and records the keys of hosts not in known_hosts yet');
  }
  return {
    inventory: inventoryOf(flags.inventory, values.inventory),
    forks: flags.forks ?? count(values.forks) ?? DEFAULT_FORKS,
    become: flags.become ?? bool(values.become) ?? false,
    becomeMethod: becomeMethod as BecomeMethodName | undefined,
    acceptNewHostKeys: Boolean(flags.acceptNewHostKeys) || hostKeyChecking === false || sshAcceptsNew,
    connection,
    warnings,
  };
}

/** -i, else ANSIBLE_INVENTORY, else `[defaults] inventory` (for commands that take no connection settings). */
export function inventorySources(fromFlags: string[] | undefined, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string[] {
  if (fromFlags !== undefined && fromFlags.length > 0) return fromFlags;
  return inventoryOf(undefined, ansibleSettings(env, cwd).values.inventory);
}

/** ANSIBLE_INVENTORY and `inventory =` are comma-separated lists of paths (or host lists). */
function inventoryOf(fromFlags: string[] | undefined, setting: AnsibleSettingValue | undefined): string[] {
  if (fromFlags !== undefined && fromFlags.length > 0) return fromFlags;
  if (setting === undefined) return [];
  return setting.value.split(',').map((p) => p.trim()).filter((p) => p !== '').map((p) => settingPath(p, setting.baseDir));
}

function sshArgs(s: AnsibleSettingValue): SshArgOptions {
  try {
    const parsed = parseSshArgs(s.value);
    // ~ and relative paths as Ansible resolves a path setting.
    if (parsed.knownHosts) parsed.knownHosts = parsed.knownHosts.map((p) => settingPath(p, s.baseDir));
    return parsed;
  } catch (e) {
    throw new OptionsError(`${s.origin}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
