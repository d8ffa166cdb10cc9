// The settings of the command line, the environment and ansible.cfg as defaults under
// each host's inventory variables: `ansible_user` in the inventory still beats `-u` and
// remote_user, as in Ansible. The variable names are those inventory/connection.ts reads.
import type { ConnectionSpec, Vars } from '../inventory/index.js';
import type { ConnectionDefaults } from './settings.js';

const SET_BY = {
  user: ['user', 'ansible_ssh_user', 'ansible_user'],
  identity: ['identity_file', 'ansible_ssh_private_key_file', 'ansible_private_key_file'],
  password: ['password', 'ansible_ssh_pass', 'ansible_password', 'ansible_ssh_password'],
  becomeUser: ['become_user', 'ansible_become_user'],
  becomePassword: ['become_password', 'ansible_become_password', 'ansible_become_pass'],
  timeout: ['connect_timeout', 'ansible_ssh_timeout', 'ansible_timeout'],
  knownHosts: ['known_hosts'],
  hashKnownHosts: ['hash_known_hosts'],
  aliveInterval: ['server_alive_interval'],
  aliveCountMax: ['server_alive_count_max'],
  // ssh arguments of the inventory beat ansible.cfg's ssh_args for the options both set.
  sshArgs: ['ansible_ssh_common_args', 'ansible_ssh_extra_args'],
} as const;

export function applyConnectionDefaults(spec: ConnectionSpec, vars: Vars, d: ConnectionDefaults): ConnectionSpec {
  const unset = (keys: readonly string[]): boolean => keys.every((k) => vars[k] === undefined || vars[k] === null);
  const out: ConnectionSpec = { ...spec };
  if (d.user !== undefined && unset(SET_BY.user)) out.user = d.user;
  if (d.identityFile !== undefined && unset(SET_BY.identity)) out.identityFiles = [d.identityFile];
  if (d.password !== undefined && unset(SET_BY.password)) out.password = d.password;
  if (d.becomeUser !== undefined && unset(SET_BY.becomeUser)) out.becomeUser = d.becomeUser;
  if (d.becomePassword !== undefined && unset(SET_BY.becomePassword)) out.becomePassword = d.becomePassword;
  if (d.timeout !== undefined && unset(SET_BY.timeout)) out.connectTimeout = d.timeout;
  const ssh = d.ssh;
  if (ssh !== undefined && unset(SET_BY.sshArgs)) {
    if (ssh.knownHosts !== undefined && unset(SET_BY.knownHosts)) out.knownHosts = ssh.knownHosts;
    if (ssh.hashKnownHosts !== undefined && unset(SET_BY.hashKnownHosts)) out.hashKnownHosts = ssh.hashKnownHosts;
    const alive = out.serverAlive ?? { interval: 5, countMax: 3 };
    out.serverAlive = {
      interval: ssh.serverAliveInterval !== undefined && unset(SET_BY.aliveInterval) ? ssh.serverAliveInterval : alive.interval,
      countMax: ssh.serverAliveCountMax !== undefined && unset(SET_BY.aliveCountMax) ? ssh.serverAliveCountMax : alive.countMax,
    };
  }
  return out;
}
