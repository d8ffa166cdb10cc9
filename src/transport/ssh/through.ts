// Reaching a machine only a host can reach (a guest on the host's NAT network):
// the host becomes the last jump, with its own key, user and known_hosts, and the
// target is looked up and recorded in known_hosts under a name of its own
// (HostKeyAlias), since guests of different hosts share private addresses. Pure.
import type { ConnectionSpec, JumpSpec } from '../connection-spec.js';

export interface ThroughTarget {
  /** The target's own name: messages, and the known_hosts name (HostKeyAlias). */
  name: string;
  address: string;
  port: number;
  user: string;
  /** Keys for the target; default: the host's. */
  identityFiles?: string[];
  /** known_hosts files for the target; default: the host's. */
  knownHosts?: string[];
  connectTimeout?: number;
}

/** The ConnectionSpec of `target` reached through `via` (after `via`'s own jump chain). */
export function throughSpec(via: ConnectionSpec, target: ThroughTarget): ConnectionSpec {
  const hop: JumpSpec = {
    host: via.host, port: via.port, user: via.user,
    // The host's key is known under its inventory name or alias as well as its address.
    alias: via.hostKeyAlias ?? via.name,
    identityFiles: via.identityFiles,
    knownHosts: via.knownHosts,
  };
  return {
    name: target.name,
    host: target.address,
    port: target.port,
    user: target.user,
    identityFiles: target.identityFiles ?? via.identityFiles,
    jump: [...via.jump, hop],
    become: false,
    becomeUser: 'root',
    knownHosts: target.knownHosts ?? via.knownHosts,
    connectTimeout: target.connectTimeout ?? via.connectTimeout,
    hostKeyAlias: target.name,
    ...(via.serverAlive ? { serverAlive: via.serverAlive } : {}),
    ...(via.hashKnownHosts ? { hashKnownHosts: true } : {}),
  };
}
