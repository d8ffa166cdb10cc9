// `lab up`: reuse the lab if it already has the wanted shape, otherwise
// reconcile it (add, remove, restart, recreate hosts), then write known_hosts
// and the inventory so they always describe the lab as it is.
import { chmod, mkdir, rename, writeFile } from 'node:fs/promises';
import pLimit from 'p-limit';
import { LabError } from '../errors.js';
import { cacheEntry, ensureCache } from './cache.js';
import { destroyHosts, observeHost, prepareHost, settleAll, startHosts, stopForRestart, type HostContext } from './host.js';
import { inventoryText } from './inventory.js';
import { ensureHostKey, ensureIdentity, hashPassword, knownHostsText, type LabIdentity } from './keys.js';
import { acquireLock } from './lock.js';
import { raiseLimits } from './limits.js';
import { createHostNetworks, createSwitch, ensureControlAddress, ipForwardIsOff, linkExists } from './netns.js';
import { SWITCH1, SWITCH2, hostIndex, labDirs, labFiles } from './paths.js';
import { describeNames, planIsNoop, planLab, wantedKind, type LabPlan } from './plan.js';
import { cacheEntryName } from './recipe.js';
import { LAUNCHER, makeSkeleton } from './launcher.js';
import { emptyState, loadState, StateStore, type HostKind, type HostRecord, type LabState } from './state.js';

/** Hosts torn down or prepared at once (file and process work; starting is one batch). */
const PARALLEL = 8;

export interface UpRequest {
  hosts: number;
  /** Kind of the first hosts: regular or light. */
  kind: HostKind;
  /** How many of the hosts, counted from the last, are systemd hosts (0 to `hosts`). */
  systemd: number;
}

function describeShape(req: UpRequest): string {
  if (req.systemd === 0) return `${req.hosts} ${req.kind} hosts`;
  if (req.systemd === req.hosts) return `${req.hosts} systemd hosts`;
  return `${req.hosts - req.systemd} ${req.kind} + ${req.systemd} systemd hosts`;
}

export function requireRoot(): void {
  if (process.getuid?.() !== 0) throw new LabError('the lab needs root (network namespaces, mounts, bridges)');
}

async function writeAtomic(file: string, text: string, mode: number): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, text, { mode });
  await chmod(tmp, mode);
  await rename(tmp, file);
}

function describePlan(p: LabPlan): string {
  const parts = [
    p.create.length && `create ${describeNames(p.create)}`,
    p.recreate.length && `recreate ${describeNames(p.recreate)}`,
    p.restart.length && `restart ${describeNames(p.restart)}`,
    p.remove.length && `remove ${describeNames(p.remove)}`,
    p.keep.length && `keep ${p.keep.length}`,
  ].filter(Boolean);
  return parts.join('; ');
}

interface Reconcile {
  req: UpRequest;
  plan: LabPlan;
  state: LabState;
  store: StateStore;
  missingSwitches: string[];
  identity: LabIdentity;
  cacheDir: string;
  labDir: string;
  say: (line: string) => void;
}

/** Returns the inventory's absolute path. */
export async function bringLabUp(req: UpRequest, say: (line: string) => void): Promise<string> {
  requireRoot();
  const { cacheDir, labDir } = labDirs();
  const files = labFiles(labDir);
  await mkdir(labDir, { recursive: true, mode: 0o700 });
  const lock = await acquireLock(files.lock, { waitMs: 60 * 60_000, onWait: (pid) => say(`waiting for pid ${pid} (another lab command)`) });
  try {
    const state = (await loadState(files.state)) ?? emptyState();
    const observed = await Promise.all(state.hosts.map(async (h) => ({ ...h, condition: await observeHost(h) })));
    const plan = planLab(observed, { hosts: req.hosts, kind: req.kind, systemd: req.systemd, rootfs: cacheEntryName() });
    const missingSwitches: string[] = [];
    for (const sw of [SWITCH1, SWITCH2]) {
      if (!(await linkExists(sw))) missingSwitches.push(sw);
      else if (!state.switches.includes(sw)) {
        throw new LabError(`${sw} exists but this lab (${labDir}) did not create it: another lab directory, or a lab whose state was lost? Remove it with \`ip link del ${sw}\``);
      }
    }
    const identity = await ensureIdentity(labDir);
    if (!(await ipForwardIsOff())) say('warning: ip_forward is 1 on this machine (not set by the lab); lab hosts still have no route out');

    let failure: unknown = null;
    if (planIsNoop(plan) && missingSwitches.length === 0) {
      say(`lab is up: ${describeShape(req)} (reused)`);
    } else {
      const store = new StateStore(files.state, state);
      await reconcile({ req, plan, state, store, missingSwitches, identity, cacheDir, labDir, say }).catch((e: unknown) => {
        failure = e;
      });
    }

    // Also after a failure: the inventory lists exactly the hosts the state holds.
    const hosts = (await loadState(files.state))?.hosts ?? [];
    const keys = await Promise.all(hosts.map(async (h) => ({
      name: h.name, address: h.address, key: (await ensureHostKey(labDir, h.name)).publicKeyLine,
    })));
    await writeAtomic(files.knownHosts, knownHostsText(keys), 0o644);
    await writeAtomic(files.inventory, inventoryText({
      hosts, kind: req.kind, privateKey: identity.privateKey, publicKeyLine: identity.publicKeyLine, knownHosts: files.knownHosts, becomePassword: identity.becomePassword,
    }), 0o600);
    if (failure) throw failure;
    return files.inventory;
  } finally {
    await lock.release();
  }
}

async function reconcile(r: Reconcile): Promise<void> {
  const { plan, store, req } = r;
  const files = labFiles(r.labDir);
  const t0 = Date.now();
  r.say(`lab: ${describePlan(plan)}`);
  const cache = planNeedsCache(plan) ? await ensureCache(r.cacheDir, r.say) : cacheEntry(r.cacheDir);
  await writeAtomic(files.launcher, LAUNCHER, 0o755);
  await makeSkeleton(files.skeleton);
  for (const sw of r.missingSwitches) {
    if (!r.state.switches.includes(sw)) await store.update((s) => void s.switches.push(sw));
    await createSwitch(sw);
  }
  if (!r.missingSwitches.includes(SWITCH1)) await ensureControlAddress();
  await raiseLimits(store, req.hosts, r.say);
  const identity = { ...r.identity, becomePasswordHash: await hashPassword(r.identity.becomePassword) };
  const ctx: HostContext = { labDir: r.labDir, launcher: files.launcher, skeleton: files.skeleton, cache, identity, store };
  const rec = (name: string): HostRecord => {
    const h = r.state.hosts.find((x) => x.name === name);
    if (!h) throw new LabError(`internal: ${name} is not recorded`);
    return h;
  };
  const limit = pLimit(PARALLEL);
  // Tear down first (recreated hosts too), then files, then one `ip` for all
  // new namespaces, then one launch for all inits.
  await destroyHosts(store, [...plan.remove, ...plan.recreate].map(rec), files.launcher);
  const fresh = [...plan.recreate, ...plan.create].map(index).sort((a, b) => a - b);
  const prepared = await settleAll(fresh.map((i) => limit(() => prepareHost(ctx, i, wantedKind(req, i)))));
  await createHostNetworks(fresh);
  const stopped = await settleAll(plan.restart.map((n) => limit(() => stopForRestart(ctx, rec(n)))));
  await startHosts(ctx, [
    ...prepared.map((h) => ({ rec: h, configureNetwork: true })),
    ...stopped.map((h) => ({ rec: h, configureNetwork: false })),
  ]);
  r.say(`lab is up: ${describeShape(req)} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

function planNeedsCache(p: LabPlan): boolean {
  return p.create.length + p.recreate.length + p.restart.length > 0;
}

function index(name: string): number {
  const i = hostIndex(name);
  if (i === null) throw new LabError(`internal: ${name} is not a lab host name`);
  return i;
}
