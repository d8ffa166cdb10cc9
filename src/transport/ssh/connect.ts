// Opening an authenticated ssh2 connection to a host, through its ProxyJump chain
// (SPEC 7). With ssh-host.ts, the only files that import ssh2.

import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileStamp, StampedCache } from '../../util/file-stamp.js';
import ssh2 from 'ssh2';
import type {
  AgentAuthMethod,
  AnyAuthMethod,
  AuthenticationType,
  Client as SshClient,
  ConnectConfig,
  NextAuthHandler,
  ParsedKey,
  PasswordAuthMethod,
  ServerHostKeyAlgorithm,
} from 'ssh2';
import type { Readable } from 'node:stream';
import { DEFAULT_SERVER_ALIVE, type ConnectionSpec } from '../connection-spec.js';
import { UnreachableError } from '../../errors.js';
import { expandHome } from './known-hosts-file.js';
import { describeNoCommonKeyType, prepareHostKeyCheck, type HopAddress } from './host-key-policy.js';
import { networkDeadline } from './network-clock.js';

const { Client, utils } = ssh2;

export interface TransportOptions {
  acceptNewHostKeys: boolean;
  /** ssh-agent socket; default $SSH_AUTH_SOCK. An empty string disables the agent. */
  agentSocket?: string;
  /** Passphrase for encrypted identity files; default $KVMPLAY_SSH_PASSPHRASE. */
  passphrase?: string;
}

/** A ready connection: the target's client and the jump clients it runs through (outermost first). */
export interface OpenConnection {
  client: SshClient;
  jumps: SshClient[];
}

// Fast and universally available in Node 20's OpenSSL. Curve25519 key exchange and
// AEAD ciphers (no separate MAC pass) are also OpenSSH's own first choices.
const ALGORITHMS: ConnectConfig['algorithms'] = {
  kex: ['curve25519-sha256', 'curve25519-sha256@libssh.org', 'ecdh-sha2-nistp256', 'diffie-hellman-group-exchange-sha256', 'diffie-hellman-group14-sha256', 'diffie-hellman-group16-sha512'],
  cipher: ['aes128-gcm@openssh.com', 'chacha20-poly1305@openssh.com', 'aes256-gcm@openssh.com', 'aes128-ctr', 'aes256-ctr'],
  hmac: ['hmac-sha2-256-etm@openssh.com', 'hmac-sha2-512-etm@openssh.com', 'hmac-sha2-256', 'hmac-sha2-512'],
  compress: ['none'],
};

const DEFAULT_IDENTITIES = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

/**
 * ssh2's keepalive settings for "dead after `countMax` × `interval` seconds without an
 * answer". ssh2 resets its count on each answer and gives up at the tick after
 * `keepaliveCountMax` unanswered probes, so it gets one less; with a single allowed
 * miss it probes twice as often (its count 0 would drop even a live link).
 */
export function ssh2Keepalive(alive: { interval: number; countMax: number }): { keepaliveInterval: number; keepaliveCountMax: number } {
  const ms = alive.interval * 1000;
  if (ms <= 0) return { keepaliveInterval: 0, keepaliveCountMax: 0 };
  const count = Math.max(alive.countMax, 1);
  return count === 1 ? { keepaliveInterval: ms / 2, keepaliveCountMax: 1 } : { keepaliveInterval: ms, keepaliveCountMax: count - 1 };
}

/** Connect to `spec` through its jump chain; every failure is an UnreachableError naming the host. */
export async function openConnection(spec: ConnectionSpec, opts: TransportOptions): Promise<OpenConnection> {
  const target = `${spec.name} (${spec.host}:${spec.port})`;
  const auth = await loadAuth(spec, opts);
  // A jump host named in ~/.ssh/config may have its own keys and known_hosts.
  const hops: Hop[] = await Promise.all([
    ...spec.jump.map(async (j): Promise<Hop> => ({
      host: j.host,
      port: j.port,
      user: j.user ?? spec.user,
      ...(j.alias !== undefined ? { alias: j.alias } : {}),
      auth: j.identityFiles ? await loadAuth({ ...spec, identityFiles: j.identityFiles }, opts) : auth,
      knownHosts: j.knownHosts ?? spec.knownHosts,
    })),
    {
      host: spec.host, port: spec.port, user: spec.user, alias: spec.name, auth, knownHosts: spec.knownHosts,
      ...(spec.hostKeyAlias !== undefined ? { hostKeyAlias: spec.hostKeyAlias } : {}),
    },
  ]);
  const clients: SshClient[] = [];
  try {
    for (const [i, hop] of hops.entries()) {
      const isTarget = i === hops.length - 1;
      const via = clients[clients.length - 1];
      const label = isTarget ? '' : `jump host ${hop.user}@${hop.host}:${hop.port}: `;
      try {
        const sock = via ? await forwardTo(via, hop, spec.connectTimeout) : undefined;
        clients.push(await connectHop({ ...hop, isTarget }, sock, hop.auth, spec, opts));
      } catch (err) {
        const reason = err instanceof HopError ? err.message : describeError(err, spec.connectTimeout);
        throw new UnreachableError(spec.name, `${target}: ${label}${reason}`, { cause: err });
      }
    }
  } catch (err) {
    for (const c of clients.reverse()) c.destroy();
    throw err;
  }
  const client = clients.pop();
  if (!client) throw new UnreachableError(spec.name, `${target}: nothing to connect to`);
  return { client, jumps: clients };
}

type Hop = HopAddress & { user: string; auth: AuthPlan; knownHosts: string[] };

/** A failure already worded for the user. */
class HopError extends Error {}

interface AuthPlan {
  /** A jump host gets keys and the agent only: the password is the target's (SPEC 7). */
  methods: (user: string, isTarget: boolean) => AnyAuthMethod[];
  notes: string[];
}

// Parsed identity files, kept while the file is unchanged: the hosts of a fleet usually
// share one key, and parsing it is a good part of a connection's own CPU.
const parsedKeys = new StampedCache<ReturnType<typeof utils.parseKey>>();

async function parsedKeyFile(file: string, passphrase: string | undefined): Promise<ReturnType<typeof utils.parseKey>> {
  const stamp = fileStamp(file);
  const cacheKey = `${file}\0${passphrase ?? ''}`;
  return parsedKeys.get(cacheKey, stamp) ?? parsedKeys.set(cacheKey, stamp, utils.parseKey(await readFile(file), passphrase));
}

async function loadAuth(spec: ConnectionSpec, opts: TransportOptions): Promise<AuthPlan> {
  const passphrase = opts.passphrase ?? process.env.KVMPLAY_SSH_PASSPHRASE;
  const explicit = spec.identityFiles.length > 0;
  const files = explicit ? spec.identityFiles.map(expandHome) : DEFAULT_IDENTITIES.map((f) => join(homedir(), '.ssh', f));
  const notes: string[] = [];
  const keys: ParsedKey[] = [];
  for (const file of files) {
    let parsed: ReturnType<typeof utils.parseKey>;
    try {
      parsed = await parsedKeyFile(file, passphrase);
    } catch (err) {
      // Like OpenSSH: a missing identity is a warning, other methods may still work.
      if (explicit) notes.push(`identity file ${file} unreadable (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
      continue;
    }
    if (parsed instanceof Error) {
      const encrypted = /encrypted|passphrase/i.test(parsed.message);
      notes.push(encrypted
        ? `identity file ${file} is encrypted: ${passphrase === undefined ? 'set KVMPLAY_SSH_PASSPHRASE' : 'wrong passphrase'}`
        : `identity file ${file} not usable: ${parsed.message}`);
      continue;
    }
    const found = Array.isArray(parsed) ? (parsed as ParsedKey[]) : [parsed];
    const usable = found.filter((k) => k.isPrivateKey());
    if (usable.length === 0) notes.push(`identity file ${file} holds no private key`);
    keys.push(...usable);
  }
  // IdentitiesOnly (ssh config): the agent's keys are not offered.
  const agent = spec.identitiesOnly ? undefined : opts.agentSocket ?? process.env.SSH_AUTH_SOCK;
  return {
    notes,
    methods: (username, isTarget) => [
      // Identity files named in the inventory first: an agent full of keys could
      // otherwise use up the server's MaxAuthTries before the right one is offered.
      ...keys.map((key): AnyAuthMethod => ({ type: 'publickey', username, key })),
      ...(agent ? [{ type: 'agent', username, agent } satisfies AgentAuthMethod] : []),
      ...(isTarget && spec.password !== undefined ? [{ type: 'password', username, password: spec.password } satisfies PasswordAuthMethod] : []),
    ],
  };
}

// ssh2 takes `false` for "no more methods to try"; @types/ssh2 does not list it.
const NO_MORE_METHODS = false as unknown as AuthenticationType;

// 'agent' is our name for publickey auth through the agent; servers only list 'publickey'.
const serverMethod = (t: AuthenticationType): string => (t === 'agent' ? 'publickey' : t);

async function connectHop(
  hop: HopAddress & { user: string; isTarget: boolean; knownHosts: string[] },
  sock: Readable | undefined,
  auth: AuthPlan,
  spec: ConnectionSpec,
  opts: TransportOptions,
): Promise<SshClient> {
  // OpenSSH's default when the inventory names no file.
  const files = hop.knownHosts.length > 0 ? hop.knownHosts : ['~/.ssh/known_hosts'];
  const acceptNew = opts.acceptNewHostKeys || spec.acceptNewHostKeys === true;
  const address: HopAddress = {
    host: hop.host,
    port: hop.port,
    ...(hop.alias !== undefined ? { alias: hop.alias } : {}),
    ...(hop.hostKeyAlias !== undefined ? { hostKeyAlias: hop.hostKeyAlias } : {}),
  };
  const check = await prepareHostKeyCheck({ files, acceptNew, hash: spec.hashKnownHosts === true }, address);
  return new Promise<SshClient>((resolve, reject) => {
    const client = new Client();
    const methods = auth.methods(hop.user, hop.isTarget);
    const tried: string[] = [];
    let allowed: string[] | null = null;
    let refusal: string | undefined;
    let settled = false;
    // Instead of ssh2's readyTimeout (wall time): see network-clock.ts.
    const deadline = networkDeadline(spec.connectTimeout * 1000, () => fail(new HopError(`connection timed out after ${spec.connectTimeout}s`)));
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      deadline.cancel();
      client.destroy();
      reject(err);
    };
    // A listener must stay for the client's whole life: an 'error' without one crashes node.
    client.on('error', (err: Error & { level?: string }) => {
      if (refusal !== undefined) return fail(new HopError(refusal));
      if (err.level === 'client-authentication') {
        const allowedText = allowed ? `; server accepts ${allowed.join(',')}` : '';
        const none = hop.isTarget ? 'no credentials: no identity file, agent or password'
          : 'no credentials: no identity file or agent (a jump host is never offered the target\'s password)';
        const what = tried.length > 0 ? [...new Set(tried)].join(',') : none;
        const notes = auth.notes.length > 0 ? `; ${auth.notes.join('; ')}` : '';
        return fail(new HopError(`authentication failed (${what}${allowedText})${notes}`));
      }
      if (/no matching host key/i.test(err.message) && check.entries.length > 0) {
        return fail(new HopError(describeNoCommonKeyType(check.entries)));
      }
      fail(err);
    });
    client.once('ready', () => {
      if (settled) return;
      settled = true;
      deadline.cancel();
      resolve(client);
    });
    client.once('close', () => fail(new HopError(refusal ?? 'connection closed by the server before login')));
    const config: ConnectConfig = {
      host: hop.host,
      port: hop.port,
      username: hop.user,
      readyTimeout: 0,
      ...ssh2Keepalive(spec.serverAlive ?? DEFAULT_SERVER_ALIVE),
      algorithms: { ...ALGORITHMS, ...(check.algorithms.length > 0 ? { serverHostKey: check.algorithms as ServerHostKeyAlgorithm[] } : {}) },
      // Not `async`: ssh2 treats any returned value, a Promise included, as the answer.
      hostVerifier: (key: Buffer, verify: (ok: boolean) => void): void => {
        check.decide(key).then((decision) => {
          if (!decision.ok) refusal = decision.reason;
          verify(decision.ok);
        }, (err: unknown) => {
          refusal = `cannot check the host key: ${err instanceof Error ? err.message : String(err)}`;
          verify(false);
        });
      },
      authHandler: (left: AuthenticationType[] | null, _partial: boolean | null, next: NextAuthHandler): void => {
        if (left) allowed = left;
        let candidate = methods.shift();
        // Skip what the server said it will not take (e.g. password when only publickey is allowed).
        while (candidate && left && !left.map(String).includes(serverMethod(candidate.type))) candidate = methods.shift();
        if (!candidate) return next(NO_MORE_METHODS);
        tried.push(serverMethod(candidate.type));
        next(candidate);
      },
      ...(sock ? { sock } : {}),
    };
    try {
      client.connect(config);
    } catch (err) {
      fail(err);
    }
  });
}

/** A direct-tcpip channel from the previous hop to the next one. */
function forwardTo(via: SshClient, hop: HopAddress, timeoutSeconds: number): Promise<Readable> {
  return new Promise((resolve, reject) => {
    // sshd's own connect to the next hop can take the kernel's full TCP timeout.
    const deadline = networkDeadline(timeoutSeconds * 1000, () => reject(new HopError(`connection timed out after ${timeoutSeconds}s`)));
    via.forwardOut('127.0.0.1', 0, hop.host, hop.port, (err, stream) => {
      deadline.cancel();
      if (err) {
        const why = /refused/i.test(err.message) ? 'connection refused' : err.message.replace(/^\(SSH\) Channel open failure: /, '');
        reject(new HopError(`${why} (through the jump host)`));
        return;
      }
      resolve(stream);
    });
  });
}

/** One line a user can act on, for a socket or handshake error. */
export function describeError(err: unknown, timeoutSeconds: number): string {
  if (err instanceof HopError) return err.message;
  const e = err as (Error & { code?: unknown; level?: string }) | undefined;
  switch (e?.code) {
    case 'ECONNREFUSED': return 'connection refused';
    case 'ETIMEDOUT': return `connection timed out after ${timeoutSeconds}s`;
    case 'EHOSTUNREACH': return 'no route to host';
    case 'ENETUNREACH': return 'network unreachable';
    case 'ENOTFOUND': case 'EAI_AGAIN': return 'cannot resolve the host name';
    case 'ECONNRESET': return 'connection reset by the server';
    default: break;
  }
  if (e?.level === 'client-timeout') return `connection timed out after ${timeoutSeconds}s`;
  if (e?.message && /Connection lost before handshake/i.test(e.message)) return 'connection closed by the server before the SSH handshake';
  return e?.message ?? String(err);
}
