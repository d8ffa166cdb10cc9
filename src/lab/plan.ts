// What `lab up` must do to turn the lab it finds into the lab it was asked for.
// Pure: recorded hosts with their observed condition in, actions out.
import { hostIndex, hostName } from './paths.js';
import type { HostKind } from './state.js';

/** What the control machine shows of a recorded host. */
export type Condition = 'running' | 'stopped' | 'missing';

export interface ObservedHost {
  name: string;
  index: number;
  kind: HostKind;
  rootfs: string;
  condition: Condition;
}

export interface Wanted {
  hosts: number;
  /** Kind of the first hosts; the last `systemd` hosts are of kind systemd. */
  kind: HostKind;
  systemd: number;
  /** Cache entry the hosts must be built on. */
  rootfs: string;
}

export interface LabPlan {
  /** Running hosts of the right kind: left alone. */
  keep: string[];
  /** sshd ended but the namespace is there: started again with the same disk. */
  restart: string[];
  /** Wrong kind or rootfs, or the namespace is gone: torn down, then created. */
  recreate: string[];
  /** Not there yet. */
  create: string[];
  /** Beyond the wanted count. */
  remove: string[];
}

export function wantedKind(want: Pick<Wanted, 'hosts' | 'kind' | 'systemd'>, index: number): HostKind {
  return index > want.hosts - want.systemd ? 'systemd' : want.kind;
}

export function planLab(current: readonly ObservedHost[], want: Wanted): LabPlan {
  const plan: LabPlan = { keep: [], restart: [], recreate: [], create: [], remove: [] };
  const byName = new Map(current.map((h) => [h.name, h]));
  for (let i = 1; i <= want.hosts; i++) {
    const name = hostName(i);
    const h = byName.get(name);
    if (!h) plan.create.push(name);
    else if (h.kind !== wantedKind(want, i) || h.rootfs !== want.rootfs || h.condition === 'missing') plan.recreate.push(name);
    else if (h.condition === 'stopped') plan.restart.push(name);
    else plan.keep.push(name);
  }
  for (const h of current) {
    if (h.index > want.hosts) plan.remove.push(h.name);
  }
  return plan;
}

/**
 * Host names as runs of consecutive hosts (`lab01…lab1000`, `lab03`): a
 * 1,000-host plan stays one short line.
 */
export function describeNames(names: readonly string[]): string {
  const indices = names.map((n) => hostIndex(n));
  if (indices.some((i) => i === null)) return names.join(' ');
  const sorted = (indices as number[]).slice().sort((a, b) => a - b);
  const runs: string[] = [];
  for (let k = 0; k < sorted.length;) {
    let end = k;
    while (end + 1 < sorted.length && sorted[end + 1] === sorted[end]! + 1) end++;
    const [a, b] = [sorted[k]!, sorted[end]!];
    runs.push(a === b ? hostName(a) : end === k + 1 ? `${hostName(a)} ${hostName(b)}` : `${hostName(a)}…${hostName(b)}`);
    k = end + 1;
  }
  return runs.join(' ');
}

export function planIsNoop(p: LabPlan): boolean {
  return p.restart.length + p.recreate.length + p.create.length + p.remove.length === 0;
}
