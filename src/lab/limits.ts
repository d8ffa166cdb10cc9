// Kernel settings a large lab needs on the control machine. The neighbour
// (ARP/NDP) table is one table for every network namespace: the control side
// holds an entry per host and each host one for the control side, so 1,000
// hosts need about 2,000 entries, past the default gc_thresh3 of 1,024 (then
// "neighbour table overflow" and hosts that cannot be reached). `lab up`
// raises a setting only when it is too low for the lab, records the value it
// found, and `lab down` puts it back.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RaisedSetting, StateStore } from './state.js';

export interface SettingNeed {
  /** Path under /proc/sys. */
  key: string;
  /** Below this the lab is at risk. */
  atLeast: number;
  /** What to set when raising: headroom above `atLeast`. */
  raiseTo: number;
}

const FAMILIES = ['ipv4', 'ipv6'] as const;

/**
 * Neighbour entries: two per host (control side and host side) plus 256 for
 * the rest of the machine must stay under gc_thresh3 (hard limit), and two
 * per host under gc_thresh2 (above it for 5 s, the kernel prunes entries).
 * Measured with 1,000 light hosts: 2,000 ARP entries once every host was
 * contacted, and about 2,550 IPv6 ones (the hosts' em1/em2 multicast
 * entries) from the start. The defaults (512/1024) hold up to about 250
 * hosts, so smaller labs change nothing.
 */
export function neighbourNeeds(hosts: number): SettingNeed[] {
  return FAMILIES.flatMap((f) => [
    // gc_thresh3 first: raised in this order and put back in the reverse one, thresh2 never passes thresh3.
    { key: `net/${f}/neigh/default/gc_thresh3`, atLeast: 2 * hosts + 256, raiseTo: 4 * hosts + 1024 },
    { key: `net/${f}/neigh/default/gc_thresh2`, atLeast: 2 * hosts, raiseTo: 3 * hosts + 512 },
  ]);
}

/**
 * Processes: each host is its sshd plus the `unshare` that waits for it, so
 * 1,000 hosts are about 2,000 pids on top of the machine's own. The default
 * pid_max (32,768) is plenty; a machine set lower is raised. RLIMIT_NPROC does
 * not apply: the lab runs as root with CAP_SYS_ADMIN, which the kernel exempts.
 */
export function processNeeds(hosts: number): SettingNeed[] {
  return [{ key: 'kernel/pid_max', atLeast: 2 * hosts + 1024, raiseTo: Math.max(32_768, 4 * hosts + 8192) }];
}

/** Everything a lab of `hosts` hosts needs, in the order to raise it. */
export function labNeeds(hosts: number): SettingNeed[] {
  return [...neighbourNeeds(hosts), ...processNeeds(hosts)];
}

/**
 * The hard limit on open files from /proc/PID/limits text (null when
 * unlimited or unreadable). Node raises its soft limit to the hard one at
 * start; `kvmplay run`/`ping` keep one connection (a descriptor) per host.
 */
export function hardOpenFilesLimit(limitsText: string): number | null {
  const m = /^Max open files\s+\S+\s+(\d+)\s/m.exec(limitsText);
  return m ? Number(m[1]) : null;
}

/** Descriptors kvmplay needs to drive every host of the lab at once, with room for its own. */
export function openFilesNeeded(hosts: number): number {
  return hosts + 256;
}

/** The settings to write, given the current values: only those below what the lab needs. */
export function settingsToRaise(needs: readonly SettingNeed[], current: ReadonlyMap<string, number>): SettingNeed[] {
  return needs.filter((n) => {
    const now = current.get(n.key);
    return now !== undefined && now < n.atLeast;
  });
}

function sysctlPath(key: string): string {
  return path.join('/proc/sys', key);
}

async function readSetting(key: string): Promise<string | null> {
  return (await readFile(sysctlPath(key), 'utf8').catch(() => null))?.trim() ?? null;
}

/**
 * Raise what is too low for `hosts` hosts. The value found is recorded (before
 * writing) only the first time: a later, larger lab up keeps the original.
 */
export async function raiseLimits(store: StateStore, hosts: number, say: (line: string) => void): Promise<void> {
  const needs = labNeeds(hosts);
  const nofile = hardOpenFilesLimit(await readFile('/proc/self/limits', 'utf8').catch(() => ''));
  if (nofile !== null && nofile < openFilesNeeded(hosts)) {
    say(`warning: the hard limit on open files is ${nofile}: driving all ${hosts} lab hosts at once takes about ${openFilesNeeded(hosts)} (raise it with \`ulimit -Hn\` or LimitNOFILE)`);
  }
  const current = new Map<string, number>();
  for (const n of needs) {
    const v = await readSetting(n.key);
    if (v !== null && /^\d+$/.test(v)) current.set(n.key, Number(v));
  }
  for (const n of settingsToRaise(needs, current)) {
    const previous = String(current.get(n.key));
    const set = String(n.raiseTo);
    await store.update((s) => {
      const known = s.settings.find((x) => x.key === n.key);
      if (known) known.set = set;
      else s.settings.push({ key: n.key, previous, set });
    });
    await writeFile(sysctlPath(n.key), `${set}\n`);
    say(`lab: ${n.key.replace(/\//g, '.')} ${previous} -> ${set} (put back by lab down)`);
  }
}

/**
 * Put back what `lab up` raised, unless someone changed it since (then the
 * newer value stays and is reported).
 */
export async function restoreLimits(store: StateStore, settings: readonly RaisedSetting[], say: (line: string) => void): Promise<void> {
  for (const r of settings) {
    const now = await readSetting(r.key);
    if (now === r.set) await writeFile(sysctlPath(r.key), `${r.previous}\n`);
    else if (now !== null) say(`lab down: ${r.key.replace(/\//g, '.')} is ${now}, not the lab's ${r.set}: left as it is`);
    await store.update((s) => void (s.settings = s.settings.filter((x) => x.key !== r.key)));
  }
}
