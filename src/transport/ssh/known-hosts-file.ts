// Reading known_hosts files and recording first-seen keys (the I/O half of
// known-hosts.ts).

import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, open, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileStamp, StampedCache } from '../../util/file-stamp.js';
import {
  checkHostKey,
  formatKnownHostsEntry,
  KnownHostsIndex,
  parseKnownHosts,
  type HostKeyVerdict,
  type KnownHostEntry,
  type OfferedKey,
} from './known-hosts.js';

/** `~/…` as OpenSSH writes it in config; relative paths resolve from the working directory. */
export function expandHome(path: string): string {
  if (path === '~') return homedir();
  if (path.startsWith('~/')) return resolve(homedir(), path.slice(2));
  return resolve(path);
}

// Parsed files, kept while the file is unchanged (a thousand hosts of one run share
// one known_hosts; a key recorded meanwhile changes its size and mtime).
const parsed = new StampedCache<KnownHostsIndex>();

async function indexOf(file: string): Promise<KnownHostsIndex> {
  const path = expandHome(file);
  let stamp: string;
  let text: string;
  try {
    stamp = fileStamp(path);
    const known = parsed.get(path, stamp);
    if (known) return known;
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (isNotFound(err)) return new KnownHostsIndex([]);
    throw err;
  }
  return parsed.set(path, stamp, new KnownHostsIndex(parseKnownHosts(text, path)));
}

/** Every entry of every file; a missing file is simply empty (it is created on first record). */
export async function loadKnownHosts(files: readonly string[]): Promise<KnownHostEntry[]> {
  return (await Promise.all(files.map(indexOf))).flatMap((i) => i.entries);
}

/** The entries of every file naming any of `names`, in file order. */
export async function knownHostsEntriesFor(files: readonly string[], names: readonly string[]): Promise<KnownHostEntry[]> {
  return (await Promise.all(files.map(indexOf))).flatMap((i) => i.lookup(names));
}

function isNotFound(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'ENOENT';
}

// One append at a time per file within this process. This map is deliberately
// process-wide (not per RunContext): every SshHost of a run appending to the same
// file must queue behind the same lock, and a lock that is not shared locks nothing.
const appendQueues = new Map<string, Promise<unknown>>();

function withFileLock<T>(path: string, job: () => Promise<T>): Promise<T> {
  const previous = appendQueues.get(path) ?? Promise.resolve();
  const next = previous.then(job, job);
  const settled = next.then(() => undefined, () => undefined);
  appendQueues.set(path, settled);
  void settled.then(() => {
    if (appendQueues.get(path) === settled) appendQueues.delete(path);
  });
  return next;
}

/**
 * Record a first-seen key under `recordAs` (`host`, `[host]:port` or a HostKeyAlias) in
 * the first file (created with mode 0600), hashed with `hash`. Under the lock the
 * files are read again: another connection of this run (say, 50 targets behind one
 * jump host) may have recorded the same key meanwhile, in which case nothing is
 * written twice — or a different key, which is then a change and refused.
 */
export async function recordHostKey(
  files: readonly string[],
  names: readonly string[],
  recordAs: string,
  offered: OfferedKey,
  opts: { hash?: boolean } = {},
): Promise<HostKeyVerdict> {
  const first = files[0];
  if (first === undefined) throw new Error('no known_hosts file to record the key in');
  const path = expandHome(first);
  return withFileLock(path, async () => {
    const verdict = checkHostKey(await knownHostsEntriesFor(files, names), offered, names);
    if (verdict.kind !== 'unknown') return verdict;
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    await ensureEndsWithNewline(path);
    const salt = opts.hash ? randomBytes(20) : undefined;
    await appendFile(path, formatKnownHostsEntry(recordAs, offered, salt), { mode: 0o600 });
    return verdict;
  });
}

// A hand-edited file without a final newline would glue our line onto its last one.
async function ensureEndsWithNewline(path: string): Promise<void> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    if (isNotFound(err)) return;
    throw err;
  }
  try {
    const { size } = await handle.stat();
    if (size === 0) return;
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    if (last[0] !== 0x0a) await appendFile(path, '\n');
  } finally {
    await handle.close();
  }
}
