// One lab host's life: prepare (record, files), start, restart, destroy. Every
// resource is recorded in the state before it is made, so `lab down` can undo
// a host that was only half created.
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import pLimit from 'p-limit';
import { LabError } from '../errors.js';
import type { CacheEntry } from './cache.js';
import { writeHostFiles } from './host-files.js';
import { removeHostCgroups } from './cgroups.js';
import { ensureHostKey, type LabSecrets } from './keys.js';
import { unmountUnder } from './mounts.js';
import { linkExists, netnsExists, removeHostNetworks } from './netns.js';
import { hostAddress, hostCidr, hostDir, hostName, hostPrefixLen, netnsName, outerLinks } from './paths.js';
import type { Condition } from './plan.js';
import { isProcessAlive } from './proc.js';
import { launchHosts, stopHost, type Launched } from './sshd.js';
import type { HostKind, HostRecord, RecordedPid, StateStore } from './state.js';

/**
 * Hosts started together. Each start is a few dozen short processes (mounts,
 * cp, sshd); on 2 cores, 50 light hosts in waves of 10-25 came up a little
 * faster than all at once (15.6-17.3 s vs 17.0-18.8 s, under a load of 30
 * from other work), and the machine stays usable meanwhile.
 */
const START_WAVE = 16;

export interface HostContext {
  labDir: string;
  launcher: string;
  skeleton: string;
  cache: CacheEntry;
  identity: LabSecrets;
  store: StateStore;
}

export async function observeHost(h: HostRecord): Promise<Condition> {
  if (!(await netnsExists(h.netns))) return 'missing';
  for (const l of h.links) if (!(await linkExists(l))) return 'missing';
  return h.init && isProcessAlive(h.init.pid, h.init.startTime) ? 'running' : 'stopped';
}

/**
 * Start hosts' inits. `configureNetwork`: a new namespace, whose em1/em2 the
 * launcher configures from inside; a restarted host keeps its network as it is.
 */
export async function startHosts(ctx: HostContext, hosts: readonly { rec: HostRecord; configureNetwork: boolean }[]): Promise<void> {
  const recs = new Map(hosts.map((h) => [h.rec.name, h.rec]));
  const recordSpawn = async (name: string, unshare: RecordedPid) => {
    const rec = recs.get(name);
    if (rec) await ctx.store.setHost({ ...rec, init: null, unshare });
  };
  const specs = hosts.map(({ rec, configureNetwork }) => ({
    kind: rec.kind, netns: rec.netns, rootfs: rootfsOf(ctx.cache, rec.kind), dir: rec.dir, name: rec.name, repo: ctx.cache.repo,
    skeleton: ctx.skeleton, address: configureNetwork ? hostCidr(rec.index) : null,
    waitForAddress: rec.kind === 'systemd' ? rec.address : undefined,
  }));
  const results: PromiseSettledResult<Launched>[] = [];
  for (let i = 0; i < specs.length; i += START_WAVE) {
    results.push(...(await launchHosts(ctx.launcher, specs.slice(i, i + START_WAVE), recordSpawn)));
  }
  const errors: string[] = [];
  for (const [i, r] of results.entries()) {
    const rec = hosts[i]?.rec;
    if (!rec) continue;
    if (r.status === 'fulfilled') await ctx.store.setHost({ ...rec, init: r.value.init, unshare: r.value.unshare });
    else errors.push(r.reason instanceof Error ? r.reason.message : String(r.reason));
  }
  if (errors.length) throw new LabError(`${errors.length} lab host(s) did not start (\`kvmplay lab down\` cleans up):\n${errors.join('\n')}`);
}

function rootfsOf(cache: CacheEntry, kind: HostKind): string {
  return kind === 'systemd' ? cache.systemdRootfs : cache.rootfs;
}

/** Record a new host, then write its own files. Its network and init come next, for many hosts at once. */
export async function prepareHost(ctx: HostContext, index: number, kind: HostKind): Promise<HostRecord> {
  const name = hostName(index);
  const rec: HostRecord = {
    name, index, kind, address: hostAddress(index), netns: netnsName(index), links: outerLinks(index),
    dir: hostDir(ctx.labDir, name), rootfs: ctx.cache.name, init: null, unshare: null,
  };
  await ctx.store.setHost(rec);
  await unmountUnder(rec.dir);
  await rm(rec.dir, { recursive: true, force: true }); // leftovers of an interrupted run
  await mkdir(path.join(rec.dir, 'root'), { recursive: true, mode: 0o755 });
  const hostKey = await ensureHostKey(ctx.labDir, name);
  const files = { rootfs: rootfsOf(ctx.cache, kind), name, address: rec.address, prefixLen: hostPrefixLen(index), identity: ctx.identity, hostKey };
  if (kind === 'regular' || kind === 'systemd') {
    await mkdir(path.join(rec.dir, 'work'));
    await writeHostFiles({ ...files, target: path.join(rec.dir, 'upper') });
  } else {
    await writeHostFiles({ ...files, target: path.join(rec.dir, 'layer') });
  }
  return rec;
}

/** sshd ended (killed by a test, or the machine rebooted): stop what is left, to start again on the same disk. */
export async function stopForRestart(ctx: HostContext, rec: HostRecord): Promise<HostRecord> {
  await stopHost(rec, ctx.launcher);
  // Its next boot starts from no cgroups, as after a reboot.
  if (rec.kind === 'systemd') await removeHostCgroups(rec.name);
  return { ...rec, init: null, unshare: null };
}

/**
 * Tear hosts down: inits first (each PID namespace ends with its init), then
 * all their links and namespaces in one `ip`, then their directories. A host
 * leaves the state only when all of it is gone.
 */
export async function destroyHosts(store: StateStore, recs: readonly HostRecord[], launcher: string): Promise<void> {
  const limit = pLimit(8);
  // All at once: stopping is a signal, then waiting for the kernel to end each namespace.
  await settleAll(recs.map((rec) => stopHost(rec, launcher)));
  await removeHostNetworks(recs);
  await settleAll(recs.map((rec) => limit(async () => {
    if (rec.kind === 'systemd') await removeHostCgroups(rec.name);
    await unmountUnder(rec.dir);
    await rm(rec.dir, { recursive: true, force: true });
    await store.removeHost(rec.name);
  })));
}

/** Wait for every job, then fail with all their messages. */
export async function settleAll<T>(jobs: Promise<T>[]): Promise<T[]> {
  const values: T[] = [];
  const reasons: unknown[] = [];
  for (const r of await Promise.allSettled(jobs)) {
    if (r.status === 'fulfilled') values.push(r.value);
    else reasons.push(r.reason);
  }
  if (reasons.length === 0) return values;
  const msgs = reasons.map((e) => (e instanceof Error ? e.message : String(e)));
  throw new LabError(`${reasons.length} lab host(s) failed (what is left stays recorded for \`kvmplay lab down\`):\n${msgs.join('\n')}`, { cause: reasons[0] });
}
