// Where ~/.ssh/config meets the inventory: the settings OpenSSH would use for the name
// kvmplay connects to (ansible_host, or the inventory name, as Ansible hands it to
// ssh), each jump hop resolved through the config too. The caller lets inventory
// variables and ssh arguments win over these, and these over kvmplay's defaults.
import { join } from 'node:path';
import type { JumpHop, JumpSpec } from '../transport/connection-spec.js';
import { resolveSshConfig, type SshConfigSettings, type SshConfigSource } from '../transport/ssh/ssh-config.js';
import { jumpFromProxyCommand, parseJumpHops, type SshArgOptions } from './ssh-args.js';

export interface SshConfigPlace {
  home: string;
  localUser: string;
  /** The user's ssh config file; default <home>/.ssh/config. `-F` in the ssh arguments replaces it. */
  file?: string;
}

export interface HostSshConfig {
  settings: SshConfigSettings;
  /** The jump chain the config gives (ProxyJump, or a `ssh -W` ProxyCommand), hops as written. */
  jump?: JumpHop[];
  source: SshConfigSource;
}

/**
 * The config settings for `name`. `first` are the inventory's own values, given to the
 * resolver as ssh's command line gets them from Ansible (`-o User=… -o Port=…`), so
 * that `%r` and `%p` expand to what will really be used.
 */
export function sshConfigFor(name: string, args: SshArgOptions, place: SshConfigPlace, first: { user?: string; port?: number }): HostSshConfig {
  const commandLine: Array<[string, string]> = [];
  if (first.user !== undefined) commandLine.push(['user', first.user]);
  if (first.port !== undefined) commandLine.push(['port', String(first.port)]);
  commandLine.push(...(args.configOptions ?? []));
  const file = args.configFile !== undefined ? expandTilde(args.configFile, place.home) : (place.file ?? join(place.home, '.ssh', 'config'));
  const source: SshConfigSource = { file, home: place.home, localUser: place.localUser, commandLine };
  const settings = resolveSshConfig(name, source);
  const out: HostSshConfig = { settings, source };
  if (settings.proxyJump !== undefined) out.jump = parseJumpHops(settings.proxyJump);
  else if (settings.proxyCommand !== undefined) {
    const hops = jumpFromProxyCommand(settings.proxyCommand);
    if (hops) out.jump = hops;
    else settings.warnings.push(`ProxyCommand "${settings.proxyCommand}" is not supported (only "ssh -W %h:%p host"): ignored`);
  }
  return out;
}

/** Each hop through the config: its HostName, Port, User, IdentityFile and UserKnownHostsFile. */
export function resolveJumpChain(hops: readonly JumpHop[], source: SshConfigSource, warnings: string[]): JumpSpec[] {
  return hops.map((hop) => {
    const commandLine: Array<[string, string]> = [];
    if (hop.user !== undefined) commandLine.push(['user', hop.user]);
    if (hop.port !== undefined) commandLine.push(['port', String(hop.port)]);
    const c = resolveSshConfig(hop.host, { file: source.file, home: source.home, localUser: source.localUser, commandLine });
    warnings.push(...c.warnings);
    if (c.proxyJump !== undefined || c.proxyCommand !== undefined) {
      warnings.push(`jump host ${hop.host}: its own ProxyJump/ProxyCommand in the ssh config is not followed`);
    }
    const spec: JumpSpec = { host: c.hostName ?? hop.host, port: c.port ?? 22 };
    if (c.user !== undefined) spec.user = c.user;
    if (c.hostName !== undefined && c.hostName !== hop.host) spec.alias = hop.host;
    if (c.identityFiles.length > 0) spec.identityFiles = c.identityFiles;
    if (c.userKnownHostsFiles) spec.knownHosts = c.userKnownHostsFiles;
    return spec;
  });
}

function expandTilde(p: string, home: string): string {
  return p === '~' ? home : p.startsWith('~/') ? join(home, p.slice(2)) : p;
}
