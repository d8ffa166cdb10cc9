// --shard K/N: one machine's slice of a run's hosts, so N machines of a scheduler
// (a Kubernetes Indexed Job, a CI matrix) share one run. The slice depends only on
// the host names: hosts are ordered by the SHA-1 of their inventory name (ties by
// name), and the i-th (0-based) goes to shard (i mod N) + 1. Every machine computes
// the same slices, each host is in exactly one, and their sizes differ by at most one.
// `run` slices the hosts all its plays would run on (after --limit), an implicit
// localhost included, before any task; a host made during the run (add_host) is in
// no shard, as it would be in every one.
import { createHash } from 'node:crypto';
import { OptionsError } from '../errors.js';

/** Shard `index` (1-based) of `count`. */
export interface Shard {
  index: number;
  count: number;
}

/** The environment variables a shard can come from (the flag wins over them). */
export const SHARD_ENV = 'KVMPLAY_SHARD';
export const SHARDS_ENV = 'KVMPLAY_SHARDS';
export const JOB_INDEX_ENV = 'JOB_COMPLETION_INDEX';

/** `K/N` with 1 <= K <= N; `source` names where it came from in the error. */
export function parseShard(text: string, source = '--shard'): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const shard = m ? { index: Number(m[1]), count: Number(m[2]) } : undefined;
  if (!shard || shard.count < 1 || shard.index < 1 || shard.index > shard.count || !Number.isSafeInteger(shard.count)) {
    throw new OptionsError(`${source} must be K/N with 1 <= K <= N (shard K of N, e.g. 2/4), got ${JSON.stringify(text)}`);
  }
  return shard;
}

/**
 * The shard of this run: --shard, else KVMPLAY_SHARD=K/N, else (a Kubernetes Indexed
 * Job) KVMPLAY_SHARDS=N with K = JOB_COMPLETION_INDEX + 1. Undefined: no sharding.
 * JOB_COMPLETION_INDEX alone is not a request to shard (any Indexed Job sets it);
 * KVMPLAY_SHARDS without an index is an error, or every pod would run every host.
 */
export function resolveShard(flag: Shard | undefined, env: NodeJS.ProcessEnv = process.env): Shard | undefined {
  if (flag) return flag;
  const given = env[SHARD_ENV];
  if (given !== undefined && given !== '') return parseShard(given, SHARD_ENV);
  const count = env[SHARDS_ENV];
  if (count === undefined || count === '') return undefined;
  if (!/^\s*\d+\s*$/.test(count) || Number(count) < 1) {
    throw new OptionsError(`${SHARDS_ENV} must be a whole number of shards >= 1, got ${JSON.stringify(count)}`);
  }
  const jobIndex = env[JOB_INDEX_ENV];
  if (jobIndex === undefined || jobIndex === '') {
    throw new OptionsError(`${SHARDS_ENV}=${count.trim()} needs ${JOB_INDEX_ENV} (set by a Kubernetes Indexed Job) or ${SHARD_ENV}=K/N`);
  }
  if (!/^\s*\d+\s*$/.test(jobIndex)) {
    throw new OptionsError(`${JOB_INDEX_ENV} must be a whole number >= 0, got ${JSON.stringify(jobIndex)}`);
  }
  return parseShard(`${Number(jobIndex) + 1}/${Number(count)}`, `${JOB_INDEX_ENV}+1 / ${SHARDS_ENV}`);
}

/** The hosts in shard order: by the SHA-1 of the name, ties by name (code units, as on every machine). */
export function shardOrder(hosts: readonly string[]): string[] {
  const keyed = [...new Set(hosts)].map((name) => ({ name, hash: createHash('sha1').update(name, 'utf8').digest('hex') }));
  keyed.sort((a, b) => compare(a.hash, b.hash) || compare(a.name, b.name));
  return keyed.map((k) => k.name);
}

/** The hosts of `shard`, in the order they were given. */
export function shardHosts(hosts: readonly string[], shard: Shard): string[] {
  const mine = new Set(shardOrder(hosts).filter((_, i) => i % shard.count === shard.index - 1));
  return [...new Set(hosts)].filter((h) => mine.has(h));
}

/**
 * The slice as a host pattern for --limit: plain names, each matched as is (a
 * trailing comma keeps a lone IPv6-like name whole); `!all` when the slice is empty
 * (more shards than hosts), which matches nothing, as an empty pattern would match all.
 */
export function shardLimit(hosts: readonly string[], shard: Shard): string {
  const mine = shardHosts(hosts, shard);
  return mine.length === 0 ? '!all' : `${mine.join(',')},`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
