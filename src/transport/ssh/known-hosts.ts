// OpenSSH known_hosts: parsing, host matching and the verdict for an offered host
// key (SPEC 7). Pure: no I/O, so every rule is unit-tested; known-hosts-file.ts reads
// and appends the files.
//
// Written by hand (about 200 lines) rather than taken from npm: the only package
// there (`known-hosts` 0.1.0) splits lines into fields but knows nothing of hashed
// entries, `[host]:port`, negated patterns or markers, which is where the safety is.

import { createHash, createHmac } from 'node:crypto';

/** One usable line of a known_hosts file. */
export interface KnownHostEntry {
  file: string;
  /** 1-based line number, for "remove the old entry FILE:LINE". */
  line: number;
  /** `@revoked` refuses the key; `@cert-authority` lines are kept but never match (see checkHostKey). */
  marker: 'revoked' | 'cert-authority' | null;
  /** The host field as written: comma-separated patterns, or one `|1|salt|hash`. */
  hosts: string;
  keyType: string;
  /** The key blob (base64-decoded third field), as the server sends it. */
  key: Buffer;
}

/** A key the server offered, in SSH wire format (what ssh2's hostVerifier receives). */
export interface OfferedKey {
  type: string;
  blob: Buffer;
}

export type HostKeyVerdict =
  | { kind: 'match'; entry: KnownHostEntry }
  | { kind: 'revoked'; entry: KnownHostEntry }
  /** Entries exist for the host but none holds this key: never accepted. */
  | { kind: 'changed'; entries: KnownHostEntry[] }
  /** No entry for the host; `certAuthorities` counts the @cert-authority lines that named it. */
  | { kind: 'unknown'; certAuthorities: number };

/** The name OpenSSH looks up and records: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** Parse one known_hosts file; lines that cannot be a host key entry are skipped, as OpenSSH does. */
export function parseKnownHosts(text: string, file: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const trimmed = (lines[i] ?? '').trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const fields = trimmed.split(/[ \t]+/);
    let marker: KnownHostEntry['marker'] = null;
    const first = fields[0] ?? '';
    if (first.startsWith('@')) {
      if (first === '@revoked') marker = 'revoked';
      else if (first === '@cert-authority') marker = 'cert-authority';
      else continue; // unknown marker: OpenSSH ignores the line
      fields.shift();
    }
    const [hosts, keyType, keyB64] = fields;
    if (!hosts || !keyType || !keyB64) continue;
    const key = Buffer.from(keyB64, 'base64');
    // The blob starts with its own type name; a mismatch means a corrupt line.
    if (readKeyType(key) !== keyType) continue;
    entries.push({ file, line: i + 1, marker, hosts, keyType, key });
  }
  return entries;
}

/** The key type named at the start of an SSH wire-format public key blob. */
export function readKeyType(blob: Buffer): string | null {
  if (blob.length < 4) return null;
  const len = blob.readUInt32BE(0);
  if (len === 0 || len > 64 || 4 + len > blob.length) return null;
  return blob.subarray(4, 4 + len).toString('latin1');
}

export function offeredKey(blob: Buffer): OfferedKey {
  const type = readKeyType(blob);
  if (type === null) throw new TypeError('malformed host key blob');
  return { type, blob };
}

/** OpenSSH-style fingerprint: `SHA256:` + unpadded base64 of the blob's SHA-256. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

// Each pattern is compiled once: the same few patterns are tried for every host.
const globs = new Map<string, RegExp>();

/** Glob match with `*` and `?`, case-insensitive, like OpenSSH's match_pattern. */
function matchGlob(name: string, pattern: string): boolean {
  if (!pattern.includes('*') && !pattern.includes('?')) return name.toLowerCase() === pattern.toLowerCase();
  let re = globs.get(pattern);
  if (!re) {
    re = new RegExp(`^${pattern.toLowerCase().replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 's');
    globs.set(pattern, re);
  }
  return re.test(name.toLowerCase());
}

/** `|1|base64(salt)|base64(HMAC-SHA1(salt, name))`, as written by `ssh-keygen -H`. */
function matchHashed(name: string, field: string): boolean {
  const parts = field.split('|');
  if (parts.length !== 4 || parts[1] !== '1') return false;
  const salt = Buffer.from(parts[2] ?? '', 'base64');
  const want = Buffer.from(parts[3] ?? '', 'base64');
  if (salt.length === 0 || want.length !== 20) return false;
  return createHmac('sha1', salt).update(name).digest().equals(want);
}

/**
 * Does an entry's host field name `name` (already in `[host]:port` form when needed)?
 * A matching negated pattern (`!pattern`) rules the whole line out, as in OpenSSH.
 */
export function hostFieldMatches(hosts: string, name: string): boolean {
  if (hosts.startsWith('|')) return matchHashed(name, hosts);
  let positive = false;
  for (const raw of hosts.split(',')) {
    if (raw === '') continue;
    const negated = raw.startsWith('!');
    const pattern = negated ? raw.slice(1) : raw;
    if (matchGlob(name, pattern)) {
      if (negated) return false;
      positive = true;
    }
  }
  return positive;
}

/** Entries whose host field names any of `names` (e.g. the address and the inventory alias). */
export function entriesForHost(entries: readonly KnownHostEntry[], names: readonly string[]): KnownHostEntry[] {
  return entries.filter((e) => names.some((n) => hostFieldMatches(e.hosts, n)));
}

/**
 * A file's entries indexed by the literal names they list, so looking a host up in a
 * known_hosts of a thousand hosts does not try a thousand lines. Lines with wildcards,
 * negations or hashed names are still tried one by one.
 */
export class KnownHostsIndex {
  private readonly byName = new Map<string, number[]>();
  private readonly scanned: number[] = [];

  constructor(readonly entries: readonly KnownHostEntry[]) {
    entries.forEach((e, i) => {
      const patterns = e.hosts.split(',').filter((p) => p !== '');
      if (e.hosts.startsWith('|') || patterns.some((p) => /[*?!]/.test(p))) {
        this.scanned.push(i);
        return;
      }
      for (const p of new Set(patterns.map((x) => x.toLowerCase()))) {
        const list = this.byName.get(p);
        if (list) list.push(i);
        else this.byName.set(p, [i]);
      }
    });
  }

  /** As entriesForHost, in the file's order. */
  lookup(names: readonly string[]): KnownHostEntry[] {
    const hits = new Set<number>();
    for (const n of names) for (const i of this.byName.get(n.toLowerCase()) ?? []) hits.add(i);
    for (const i of this.scanned) if (names.some((n) => hostFieldMatches(this.entries[i]!.hosts, n))) hits.add(i);
    return [...hits].sort((a, b) => a - b).map((i) => this.entries[i]!);
  }
}

/**
 * The verdict for a key the server offered, given every entry naming the host.
 * `@cert-authority` lines never match: ssh2 does not negotiate host certificates, so
 * a server only ever shows us a plain key; they also do not count as "entries exist",
 * otherwise a host known only through its CA would be reported as changed.
 *
 * With `names` (the inventory name, the address, `[address]:port`), every name must
 * agree: one whose entries hold keys of the offered type, none of them this key,
 * makes the key changed even when another name's entry matches — otherwise a stale
 * or planted entry under the inventory name would vouch for any address. Entries of
 * other key types do not contradict (a host has several keys).
 */
export function checkHostKey(hostEntries: readonly KnownHostEntry[], offered: OfferedKey, names?: readonly string[]): HostKeyVerdict {
  const revoked = hostEntries.find((e) => e.marker === 'revoked' && e.key.equals(offered.blob));
  if (revoked) return { kind: 'revoked', entry: revoked };
  const plain = hostEntries.filter((e) => e.marker === null);
  const holds = (e: KnownHostEntry) => e.keyType === offered.type && e.key.equals(offered.blob);
  const perName = names ? names.map((n) => plain.filter((e) => hostFieldMatches(e.hosts, n))) : [plain];
  const against = perName.filter((es) => es.some((e) => e.keyType === offered.type) && !es.some(holds));
  if (against.length > 0) return { kind: 'changed', entries: [...new Set(against.flat())] };
  const match = plain.find(holds);
  if (match) return { kind: 'match', entry: match };
  if (plain.length > 0) return { kind: 'changed', entries: plain };
  return { kind: 'unknown', certAuthorities: hostEntries.filter((e) => e.marker === 'cert-authority').length };
}

// Signature algorithms each known key type can be verified with, best first.
const ALGORITHMS_FOR_KEY_TYPE: Record<string, readonly string[]> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
  'ssh-dss': ['ssh-dss'],
};
const KEY_TYPE_PREFERENCE = Object.keys(ALGORITHMS_FOR_KEY_TYPE);

/**
 * The host key algorithms to offer for a host, as OpenSSH does: only the types
 * already recorded for it, so a host known by its ed25519 key is not asked for its
 * RSA key and then wrongly reported as changed. Empty when nothing usable is known
 * (the caller then offers its defaults).
 */
export function hostKeyAlgorithmsFor(hostEntries: readonly KnownHostEntry[]): string[] {
  const types = new Set(hostEntries.filter((e) => e.marker === null).map((e) => e.keyType));
  return KEY_TYPE_PREFERENCE.filter((t) => types.has(t)).flatMap((t) => ALGORITHMS_FOR_KEY_TYPE[t] ?? []);
}

/** `|1|base64(salt)|base64(HMAC-SHA1(salt, name))`: OpenSSH's HashKnownHosts form of a name. */
export function hashHostName(name: string, salt: Buffer): string {
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}

/**
 * The line to append for a first-seen key; with a `salt` (20 random bytes, as
 * OpenSSH uses) the host is written hashed, so the file does not list the fleet.
 */
export function formatKnownHostsLine(host: string, port: number, offered: OfferedKey, salt?: Buffer): string {
  return formatKnownHostsEntry(knownHostsName(host, port), offered, salt);
}

/** As formatKnownHostsLine, for a name already in its known_hosts form (or a HostKeyAlias, which never takes a port). */
export function formatKnownHostsEntry(name: string, offered: OfferedKey, salt?: Buffer): string {
  return `${salt ? hashHostName(name, salt) : name} ${offered.type} ${offered.blob.toString('base64')}\n`;
}
