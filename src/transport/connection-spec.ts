// How to reach one host: the connection keys of SPEC 3 after alias resolution.
// Produced by the inventory (pure), consumed by exec/ssh-host.ts.

/** A dead link is noticed after 15 s of silence: a probe every 5 s, 3 unanswered. */
export const DEFAULT_SERVER_ALIVE = { interval: 5, countMax: 3 } as const;

export interface JumpSpec {
  host: string;
  port: number;
  user?: string;
  /** The name the hop was given by, when ~/.ssh/config mapped it to another HostName (known_hosts look-ups). */
  alias?: string;
  /** The hop's own IdentityFile list from ~/.ssh/config (default: the target's). */
  identityFiles?: string[];
  /** The hop's own UserKnownHostsFile from ~/.ssh/config (default: the target's). */
  knownHosts?: string[];
}

/** A jump hop as written (`[user@]host[:port]`): what was not written comes from ~/.ssh/config. */
export interface JumpHop {
  host: string;
  port?: number;
  user?: string;
}

export interface ConnectionSpec {
  /** Inventory name of the host (for messages and known_hosts look-ups by alias). */
  name: string;
  /** `ansible_connection: local`: the host is the control machine, reached without SSH. */
  local?: boolean;
  /** Address or DNS name to connect to (`host` / `ansible_host`; default: name). */
  host: string;
  port: number;
  user: string;
  identityFiles: string[];
  password?: string;
  /** ProxyJump chain, outermost first (`user@host:port,user@host:port`). */
  jump: JumpSpec[];
  become: boolean;
  becomeUser: string;
  /**
   * What the host's own variables say (become/ansible_become, become_user/ansible_become_user):
   * in Ansible they beat the task's and the play's keywords and -b/--become-user.
   */
  becomeVars?: { become?: boolean; user?: string };
  becomePassword?: string;
  /** known_hosts files to check host keys against (default: ~/.ssh/known_hosts). */
  knownHosts: string[];
  /** Seconds to wait for TCP + handshake. */
  connectTimeout: number;
  /** Record first-seen keys hashed (`|1|salt|hash`, OpenSSH's HashKnownHosts); default plain. */
  hashKnownHosts?: boolean;
  /**
   * Dead-link detection (OpenSSH's ServerAliveInterval/ServerAliveCountMax): a probe every
   * `interval` seconds, the link declared dead after `countMax` intervals without an answer.
   * Default 5 s × 3; interval 0 turns probes off.
   */
  serverAlive?: { interval: number; countMax: number };
  /** IdentitiesOnly (ssh config): offer only the identity files, not the agent's keys. */
  identitiesOnly?: boolean;
  /** HostKeyAlias (ssh config or -o): the one name the host key is looked up and recorded under, instead of `host`/`[host]:port`. */
  hostKeyAlias?: string;
  /** StrictHostKeyChecking accept-new (ssh config or -o): record first-seen keys, as --accept-new-host-keys. */
  acceptNewHostKeys?: boolean;
  /** Settings kvmplay read but cannot honour (ssh options, Match criteria), for the user to see. */
  warnings?: string[];
}
