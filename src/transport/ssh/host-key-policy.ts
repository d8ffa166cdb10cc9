// The host-key decision for one hop of a connection (SPEC 7): known → go on,
// changed or revoked → refuse always, unknown → refuse unless --accept-new-host-keys,
// which records the key first. Produces the messages a user acts on.

import { knownHostsEntriesFor, recordHostKey } from './known-hosts-file.js';
import {
  checkHostKey,
  fingerprint,
  hostKeyAlgorithmsFor,
  knownHostsName,
  offeredKey,
  type HostKeyVerdict,
  type KnownHostEntry,
  type OfferedKey,
} from './known-hosts.js';

export interface HostKeyPolicy {
  /** known_hosts files; new keys are recorded in the first. */
  files: readonly string[];
  acceptNew: boolean;
  /** Record new keys hashed (HashKnownHosts). */
  hash?: boolean;
}

export interface HopAddress {
  host: string;
  port: number;
  /** Another name the host is known by in known_hosts (the inventory name). */
  alias?: string;
  /** HostKeyAlias: the only name looked up and recorded, as written (no `[…]:port`), as OpenSSH does. */
  hostKeyAlias?: string;
}

export type HostKeyDecision = { ok: true; recorded: boolean } | { ok: false; reason: string };

export interface HostKeyCheck {
  /** Host key algorithms to offer (empty = the client's defaults). */
  algorithms: string[];
  /** Entries recorded for this host, for messages when negotiation itself fails. */
  entries: KnownHostEntry[];
  decide(blob: Buffer): Promise<HostKeyDecision>;
}

export function lookupNames(addr: HopAddress): string[] {
  if (addr.hostKeyAlias !== undefined) return [addr.hostKeyAlias];
  const names = [knownHostsName(addr.host, addr.port)];
  if (addr.alias !== undefined && addr.alias !== addr.host) names.push(knownHostsName(addr.alias, addr.port));
  return names;
}

/** Read known_hosts once for a hop, before connecting (the algorithms depend on it). */
export async function prepareHostKeyCheck(policy: HostKeyPolicy, addr: HopAddress): Promise<HostKeyCheck> {
  const names = lookupNames(addr);
  const entries = await knownHostsEntriesFor(policy.files, names);
  const underAlias = addr.hostKeyAlias !== undefined ? ` (looked up as HostKeyAlias "${addr.hostKeyAlias}")` : '';
  return {
    algorithms: hostKeyAlgorithmsFor(entries),
    entries,
    async decide(blob: Buffer): Promise<HostKeyDecision> {
      let offered: OfferedKey;
      try {
        offered = offeredKey(blob);
      } catch {
        return { ok: false, reason: 'server sent a malformed host key' };
      }
      const verdict = checkHostKey(entries, offered, names);
      if (verdict.kind === 'match') return { ok: true, recorded: false };
      if (verdict.kind !== 'unknown' || !policy.acceptNew) {
        return { ok: false, reason: describeRefusal(verdict, offered, policy.files) + underAlias };
      }
      // Re-checked under the file lock: a concurrent connection may have recorded it.
      // Recorded under names[0], the name ssh writes: the HostKeyAlias, else the address.
      const again = await recordHostKey(policy.files, names, names[0]!, offered, { hash: policy.hash === true });
      if (again.kind === 'unknown') return { ok: true, recorded: true };
      if (again.kind === 'match') return { ok: true, recorded: false };
      return { ok: false, reason: describeRefusal(again, offered, policy.files) + underAlias };
    },
  };
}

const where = (e: KnownHostEntry) => `${e.file}:${e.line}`;
const showKey = (type: string, blob: Buffer) => `${type} ${fingerprint(blob)}`;

export function describeRefusal(verdict: HostKeyVerdict, offered: OfferedKey, files: readonly string[]): string {
  const server = showKey(offered.type, offered.blob);
  switch (verdict.kind) {
    case 'revoked':
      return `host key ${server} is marked @revoked in ${where(verdict.entry)}; refusing`;
    case 'changed': {
      const old = verdict.entries.map((e) => `${showKey(e.keyType, e.key)} at ${where(e)}`).join(', ');
      return `host key CHANGED (server offers ${server}; known_hosts has ${old}): possible man-in-the-middle; `
        + `refusing (remove the old entry ${verdict.entries.map(where).join(', ')} to accept)`;
    }
    case 'unknown': {
      const ca = verdict.certAuthorities > 0
        ? `; its @cert-authority lines are not supported by kvmplay and do not vouch for it` : '';
      return `host key not in known_hosts (${files.join(', ') || 'no file given'})${ca}; `
        + `run with --accept-new-host-keys to record it (server key ${server})`;
    }
    case 'match':
      return 'host key matches';
  }
}

/** When the server has none of the key types we asked for: as suspicious as a changed key. */
export function describeNoCommonKeyType(entries: readonly KnownHostEntry[]): string {
  const plain = entries.filter((e) => e.marker === null);
  const known = plain.map((e) => `${e.keyType} at ${where(e)}`).join(', ');
  return `host key CHANGED? the server offers none of the key types recorded in known_hosts (${known}): `
    + `possible man-in-the-middle; refusing (remove the old entry ${plain.map(where).join(', ')} to accept)`;
}
