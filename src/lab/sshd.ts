// Starting and stopping lab hosts: each one's init (sshd, or systemd-nspawn for
// systemd hosts) runs as PID 1 of a new PID namespace, in new mount and UTS
// namespaces, inside the host's network namespace (see launcher.ts).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { LabError } from '../errors.js';
import { START_HOSTS } from './launcher.js';
import {
  childrenByParent, childrenOf, findByArgv, hasLocalAddress, isProcessAlive, procState, readStat, readStatSync, signalRecorded, tcpListening, waitEnded,
} from './proc.js';
import { toolEnv } from './run.js';
import type { HostKind, RecordedPid } from './state.js';

export interface LaunchSpec {
  kind: HostKind;
  netns: string;
  rootfs: string;
  dir: string;
  name: string;
  repo: string;
  skeleton: string;
  /** `10.213.0.11/24` to configure em1 (a new namespace), null to leave the network as it is. */
  address: string | null;
  /** Ready only once the namespace has this address too (systemd hosts configure em1 themselves at boot). */
  waitForAddress?: string;
}

export interface Launched {
  init: RecordedPid;
  unshare: RecordedPid;
}

export function consoleLog(dir: string): string {
  return path.join(dir, 'console.log');
}

async function tail(file: string): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-8).join('\n');
}

/**
 * Start hosts (one spawned process for all of them) and wait until each one's
 * sshd listens. Settles per host: one host failing does not hide the others.
 */
export async function launchHosts(
  launcher: string,
  specs: readonly LaunchSpec[],
  /** Records each unshare pid at once, so an interrupted lab up still knows the process. */
  onSpawn: (name: string, unshare: RecordedPid) => Promise<void>,
  readyTimeoutMs = 60_000,
): Promise<PromiseSettledResult<Launched>[]> {
  if (specs.length === 0) return [];
  const byName = new Map(specs.map((s) => [s.name, s]));
  const started = new Map<string, RecordedPid>();
  const endedAtOnce = new Set<string>();
  const recorded: Promise<void>[] = [];
  const child = spawn('sh', ['-c', START_HOSTS, 'sh', launcher], { detached: true, stdio: ['pipe', 'pipe', 'pipe'], env: toolEnv() });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const closed = new Promise<void>((resolve, reject) => {
    child.on('error', (e) => reject(new LabError(`cannot start lab hosts: ${e.message}`, { cause: e })));
    child.on('close', () => resolve());
  });
  createInterface({ input: child.stdout }).on('line', (line) => {
    const [name, pidText] = line.split(' ');
    if (name === undefined || !byName.has(name)) return;
    const st = readStatSync(Number(pidText));
    if (!st) return void endedAtOnce.add(name);
    const unshare = { pid: Number(pidText), startTime: st.startTime };
    started.set(name, unshare);
    recorded.push(onSpawn(name, unshare));
  });
  child.stdin.end(specs.map((s) =>
    [s.netns, s.kind, s.rootfs, s.dir, s.name, s.repo, s.skeleton, s.address ?? '-'].join(' ') + '\n').join(''));
  await closed;
  child.unref();
  await Promise.all(recorded);
  const outcome = await waitAllReady(specs.filter((s) => started.has(s.name)), started, Date.now() + readyTimeoutMs);
  return Promise.all(specs.map(async (s): Promise<PromiseSettledResult<Launched>> => {
    const o = outcome.get(s.name);
    if (o && 'init' in o) return { status: 'fulfilled', value: o };
    const why = o?.error ?? (endedAtOnce.has(s.name) ? 'ended at once' : `was not started: ${stderr.trim() || 'no pid reported'}`);
    return { status: 'rejected', reason: new LabError(`${s.name} ${why}:\n${await tail(consoleLog(s.dir))}`) };
  }));
}

/**
 * One poll loop for all hosts (not one per host: with 50 hosts starting at
 * once, per-host polling of /proc cost more CPU than the hosts). A host is
 * ready when its init, the child of its unshare, has a socket listening on
 * port 22 in the host's namespace: read from /proc, because probing with a
 * connection makes sshd fork and re-exec itself for nothing.
 */
async function waitAllReady(
  specs: readonly LaunchSpec[], started: ReadonlyMap<string, RecordedPid>, deadline: number,
): Promise<Map<string, Launched | { error: string }>> {
  const done = new Map<string, Launched | { error: string }>();
  const inits = new Map<string, RecordedPid>();
  for (let delay = 10; done.size < specs.length; delay = Math.min(delay * 2, 100)) {
    await sleep(delay);
    const waitingForInit = specs.filter((s) => !done.has(s.name) && !inits.has(s.name));
    const kids = waitingForInit.length ? await childrenByParent(waitingForInit.map((s) => started.get(s.name)?.pid ?? 0)) : new Map<number, number>();
    for (const s of specs) {
      if (done.has(s.name)) continue;
      const unshare = started.get(s.name);
      if (!unshare) continue;
      let init = inits.get(s.name);
      if (!init) {
        const kid = kids.get(unshare.pid);
        const st = kid === undefined ? null : readStatSync(kid);
        if (kid !== undefined && st) inits.set(s.name, (init = { pid: kid, startTime: st.startTime }));
        else if (!isProcessAlive(unshare.pid, unshare.startTime)) done.set(s.name, { error: 'did not start' });
      }
      if (!init) continue;
      if (listeningOn(init.pid, 22) && (!s.waitForAddress || addressUp(init.pid, s.waitForAddress))) done.set(s.name, { init, unshare });
      else if (!isProcessAlive(init.pid, init.startTime)) done.set(s.name, { error: 'sshd ended before listening' });
    }
    if (Date.now() > deadline) {
      for (const s of specs) {
        if (done.has(s.name)) continue;
        const init = inits.get(s.name);
        if (init) signalRecorded(init.pid, init.startTime, 'SIGKILL');
        done.set(s.name, { error: `sshd did not listen on port 22 in time${s.waitForAddress ? ` (or em1 did not get ${s.waitForAddress})` : ''}` });
      }
    }
  }
  return done;
}

function addressUp(pid: number, address: string): boolean {
  try {
    return hasLocalAddress(readFileSync(`/proc/${pid}/net/fib_trie`, 'utf8'), address);
  } catch {
    return false;
  }
}

function listeningOn(pid: number, port: number): boolean {
  return ['tcp', 'tcp6'].some((f) => {
    try {
      return tcpListening(readFileSync(`/proc/${pid}/net/${f}`, 'utf8'), port);
    } catch {
      return false;
    }
  });
}

/**
 * Whether argv is this host's launch: `nsenter … unshare … /bin/sh
 * LAUNCHER kind rootfs DIR …`, the unshare it became, or the init shell
 * before it execs sshd. Exact paths, never a process name.
 */
export function isLaunchOf(argv: readonly string[], launcher: string, dir: string): boolean {
  const i = argv.indexOf(launcher);
  return i > 0 && argv[i + 3] === dir;
}

export interface StoppableHost {
  name: string;
  dir: string;
  init: RecordedPid | null;
  unshare: RecordedPid | null;
}

/**
 * Killing a PID namespace's init ends every process in it. Wait for it and
 * for the unshare parent to be gone or a zombie (a zombie stays until the
 * machine's PID 1 reaps it; `kill -0` would wait for that). A host whose
 * record is incomplete (lab up was killed between starting it and writing
 * the state) is found by its exact launch arguments instead.
 */
export async function stopHost(h: StoppableHost, launcher: string): Promise<void> {
  const initAlive = h.init !== null && procState(await readStat(h.init.pid), h.init.startTime) === 'running';
  const parents: RecordedPid[] = initAlive ? [] : await findByArgv((argv) => isLaunchOf(argv, launcher, h.dir));
  if (h.unshare && !initAlive && !parents.some((p) => p.pid === h.unshare?.pid)) parents.push(h.unshare);
  const targets: RecordedPid[] = [];
  for (const p of parents) {
    for (const kid of await childrenOf(p.pid)) {
      const st = await readStat(kid);
      if (st) targets.push({ pid: kid, startTime: st.startTime });
    }
  }
  // Children (the namespace's init) first: killing only unshare would orphan them.
  targets.push(...(h.init ? [h.init] : []), ...parents, ...(h.unshare && initAlive ? [h.unshare] : []));
  for (const p of targets) {
    signalRecorded(p.pid, p.startTime, 'SIGKILL');
    if (!(await waitEnded(p.pid, p.startTime, 10_000))) throw new LabError(`${h.name}: pid ${p.pid} did not end after SIGKILL`);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
