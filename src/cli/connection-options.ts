// The connection and privilege flags ansible and ansible-playbook share (-u, --private-key,
// -T, -k, -b, --become-user, --become-method, -K, -f), declared once for run, ping and
// exec, and settled with the environment and ansible.cfg into the run's settings.
import { Option, type Command } from 'commander';
import { OptionsError } from '../errors.js';
import { positiveInt } from './options.js';
import { askSecret, defaultTerminal, requireTerminal, type Terminal } from './prompt.js';
import { BECOME_METHOD_NAMES, resolveRunSettings, type RunSettings } from './settings.js';

export interface ConnectionFlags {
  inventory?: string[];
  forks?: number;
  user?: string;
  privateKey?: string;
  /** --key-file, Ansible's other name for --private-key. */
  keyFile?: string;
  timeout?: number;
  askPass?: boolean;
  become?: boolean;
  becomeUser?: string;
  becomeMethod?: string;
  askBecomePass?: boolean;
  acceptNewHostKeys?: boolean;
}

export function addConnectionOptions(cmd: Command): Command {
  return cmd
    .option('-f, --forks <n>', 'hosts in parallel (default: ANSIBLE_FORKS, ansible.cfg forks, else 50)', positiveInt('--forks'))
    .option('-u, --user <remote_user>', 'connect as this user where the inventory sets none (ansible_user wins)')
    .option('--private-key <file>', 'identity file where the inventory sets none (alias --key-file)')
    .addOption(new Option('--key-file <file>').hideHelp())
    .option('-T, --timeout <seconds>', 'connection timeout where the inventory sets none (default 10)', positiveInt('--timeout'))
    .option('-k, --ask-pass', 'ask for the SSH password on the terminal')
    .option('-b, --become', 'run through sudo/su (password from become_password, or -K)')
    .option('--become-user <user>', 'user to become (default root)')
    .addOption(new Option('--become-method <method>', 'how to become').choices([...BECOME_METHOD_NAMES]))
    .option('-K, --ask-become-pass', 'ask for the become password on the terminal')
    .option('--accept-new-host-keys', 'record first-seen host keys (never changed ones)');
}

export interface SettleOptions {
  /** false: no password is asked for (nothing will connect: --list-*, --syntax-check). */
  ask?: boolean;
  terminal?: Terminal;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** The run's settings; asks -k / -K's passwords first, as Ansible does before loading anything. */
export async function settleSettings(flags: ConnectionFlags, o: SettleOptions = {}): Promise<RunSettings> {
  if (flags.privateKey !== undefined && flags.keyFile !== undefined && flags.privateKey !== flags.keyFile) {
    throw new OptionsError('--private-key and --key-file name the same setting: give one of them');
  }
  const settings = resolveRunSettings({ ...flags, privateKey: flags.privateKey ?? flags.keyFile }, o.env, o.cwd);
  if (o.ask === false || !(flags.askPass || flags.askBecomePass)) return settings;
  const terminal = o.terminal ?? defaultTerminal();
  if (flags.askPass) {
    requireTerminal(terminal, '-k/--ask-pass', 'the SSH password', 'set ansible_password in the inventory (vaulted), or use a key');
    settings.connection.password = await askSecret(terminal, 'SSH password: ');
  }
  if (flags.askBecomePass) {
    requireTerminal(terminal, '-K/--ask-become-pass', 'the become password', 'set become_password in the inventory (vaulted)');
    const typed = await askSecret(terminal, flags.askPass ? 'BECOME password[defaults to SSH password]: ' : 'BECOME password: ');
    settings.connection.becomePassword = typed === '' && flags.askPass ? settings.connection.password : typed;
  }
  return settings;
}
