// `lab status`: the recorded hosts and what the control machine shows of them.
import { observeHost } from './host.js';
import { labDirs, labFiles } from './paths.js';
import type { Condition } from './plan.js';
import { loadState, type HostKind } from './state.js';

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
  return Promise.all(state.hosts.map(async (h) => ({
    name: h.name, address: h.address, netns: h.netns, sshd_pid: h.init?.pid ?? null, state: await observeHost(h), kind: h.kind,
  })));
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
