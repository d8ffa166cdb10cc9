// Where ~/.ssh/config (then /etc/ssh/ssh_config) meets the inventory: the settings
// OpenSSH would use for the name kvmplay connects to (ansible_host, or the inventory
// name, as Ansible hands it to ssh), each jump hop resolved through the config too, the
// outermost one with its own ProxyJump. The caller lets inventory variables and ssh
// arguments win over these, and these over kvmplay's defaults.
import { join } from 'node:path';
import type { JumpHop, JumpSpec } from '../transport/connection-spec.js';
import { resolveSshConfig, type SshConfigSettings, type SshConfigSource } from '../transport/ssh/ssh-config.js';
import { jumpFromProxyCommand, JumpSyntaxError, parseJumpHops, type SshArgOptions } from './ssh-args.js';

export interface SshConfigPlace {
  home: string;
  localUser: string;
  /** The user's ssh config file; default <home>/.ssh/config. `-F` in the ssh arguments replaces it. */
  file?: string;
  /** The system-wide ssh config (/etc/ssh/ssh_config), read after the user's; not read with `-F`, as ssh does. */
  systemFile?: string;
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
  const systemFile = args.configFile === undefined ? place.systemFile : undefined;
  const source: SshConfigSource = { file, home: place.home, localUser: place.localUser, commandLine, ...(systemFile !== undefined ? { systemFile } : {}) };
  const settings = resolveSshConfig(name, source);
  const out: HostSshConfig = { settings, source };
  const jump = configuredJump(settings, '');
  if (jump) out.jump = jump;
  return out;
}

/** The jump chain a host's settings give: ProxyJump, or a ProxyCommand of the `ssh -W` form. */
function configuredJump(settings: SshConfigSettings, whose: string): JumpHop[] | undefined {
  if (settings.proxyJump !== undefined) return parseJumpHops(settings.proxyJump);
  if (settings.proxyCommand === undefined) return undefined;
  const hops = jumpFromProxyCommand(settings.proxyCommand);
  if (!hops) settings.warnings.push(`${whose}ProxyCommand "${settings.proxyCommand}" is not supported (only "ssh -W %h:%p host"): ignored`);
  return hops;
}

// Jump hosts each reached through the one before: beyond this, a config is surely looping.
const MAX_JUMP_DEPTH = 32;

/**
 * Each hop through the config: its HostName, Port, User, IdentityFile and
 * UserKnownHostsFile. As ssh turns `ProxyJump a,b` into `ssh -J a -W … b`, only the
 * outermost hop is reached by its own ProxyJump (and so on, recursively: X through J
 * through K is K, J, X); the later hops' own ProxyJump is overridden. `target` is the
 * name whose own ProxyJump gave `hops` (none when the inventory or `-J` gave them), so
 * that a config sending a host back through itself is an error, not an endless chain.
 */
export function resolveJumpChain(hops: readonly JumpHop[], source: SshConfigSource, warnings: string[], target?: string): JumpSpec[] {
  return chainThrough(hops, source, warnings, target === undefined ? [] : [target]);
}

/** `followed`: the names whose own ProxyJump led here, from the target outwards. */
function chainThrough(hops: readonly JumpHop[], source: SshConfigSource, warnings: string[], followed: readonly string[]): JumpSpec[] {
  return hops.flatMap((hop, i) => {
    const commandLine: Array<[string, string]> = [];
    if (hop.user !== undefined) commandLine.push(['user', hop.user]);
    if (hop.port !== undefined) commandLine.push(['port', String(hop.port)]);
    const c = resolveSshConfig(hop.host, { ...source, commandLine });
    const own = i === 0 ? configuredJump(c, `jump host ${hop.host}: `) : undefined;
    warnings.push(...c.warnings);
    if (c.hostKeyAlias !== undefined) warnings.push(`jump host ${hop.host}: HostKeyAlias is not honoured for a jump host (its key is looked up by address)`);
    const spec: JumpSpec = { host: c.hostName ?? hop.host, port: c.port ?? 22 };
    if (c.user !== undefined) spec.user = c.user;
    if (c.hostName !== undefined && c.hostName !== hop.host) spec.alias = hop.host;
    if (c.identityFiles.length > 0) spec.identityFiles = c.identityFiles;
    if (c.userKnownHostsFiles) spec.knownHosts = c.userKnownHostsFiles;
    if (!own || own.length === 0) return [spec];
    // Following the same host's ProxyJump twice would go round for ever, as ssh itself does.
    if (followed.some((name) => name.toLowerCase() === hop.host.toLowerCase()) || followed.length >= MAX_JUMP_DEPTH) {
      throw new JumpSyntaxError(`ProxyJump loop in the ssh config: ${[...followed, hop.host].join(' → ')} (each host's ProxyJump names the next)`);
    }
    return [...chainThrough(own, source, warnings, [...followed, hop.host]), spec];
  });
}

function expandTilde(p: string, home: string): string {
  return p === '~' ? home : p.startsWith('~/') ? join(home, p.slice(2)) : p;
}
