// `lab status`: the recorded hosts and what the control machine shows of them.
import { observeHost } from './host.js';
import { labDirs, labFiles } from './paths.js';
import type { Condition } from './plan.js';
import { findDescendant } from './proc.js';
import { loadState, type HostKind, type HostRecord } from './state.js';

/** The shape `lab status --json` prints per host (SPEC 9), plus the kind for the table. */
export interface HostStatus {
  name: string;
  address: string;
  netns: string;
  sshd_pid: number | null;
  state: Condition;
  kind: HostKind;
}

export async function labHostStatuses(): Promise<HostStatus[]> {
  const state = await loadState(labFiles(labDirs().labDir).state);
  if (!state) return [];
  return Promise.all(state.hosts.map(async (h) => {
    const condition = await observeHost(h);
    return { name: h.name, address: h.address, netns: h.netns, sshd_pid: await sshdPid(h, condition), state: condition, kind: h.kind };
  }));
}

/** A regular or light host's init is its sshd; a systemd host's sshd is a service under systemd-nspawn. */
async function sshdPid(h: HostRecord, condition: Condition): Promise<number | null> {
  if (!h.init) return null;
  if (h.kind !== 'systemd') return h.init.pid;
  return condition === 'running' ? findDescendant(h.init.pid, 'sshd') : null;
}

export function statusJson(hosts: readonly HostStatus[]): string {
  return JSON.stringify({
    hosts: hosts.map((h) => ({ name: h.name, address: h.address, netns: h.netns, sshd_pid: h.sshd_pid, state: h.state })),
  });
}

export function statusTable(hosts: readonly HostStatus[]): string {
  const rows = [['NAME', 'ADDRESS', 'NETNS', 'SSHD_PID', 'STATE', 'KIND'],
    ...hosts.map((h) => [h.name, h.address, h.netns, String(h.sshd_pid ?? '-'), h.state, h.kind])];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd()).join('\n') + '\n';
}

/** The shape of the recorded lab (hosts, kind of the first ones, systemd hosts at the end), or null if none. */
export async function runningShape(): Promise<{ hosts: number; kind: HostKind; systemd: number } | null> {
  const state = await loadState(labFiles(labDirs().labDir).state);
  if (!state || state.hosts.length === 0) return null;
  const systemd = state.hosts.filter((h) => h.kind === 'systemd').length;
  const first = state.hosts[0]!.kind;
  return { hosts: Math.max(...state.hosts.map((h) => h.index)), kind: first === 'systemd' ? 'regular' : first, systemd };
}
