// The read-only host commands of community.libvirt.virt (freemem, nodeinfo, virttype,
// info) from virsh's output, in the shapes and value types the collection registers
// (libvirt-python's numbers: nodeinfo's values as strings, memory in MiB; info's
// memory in KiB and CPU time in ns as strings, autostart as 0/1).
import { parseKeyValues, VirshParseError, type DomInfo } from '../virsh/index.js';
import { virtStatus } from './virt-plan.js';

/** `virsh freecell` without options: "Total: N KiB" → bytes (virNodeGetFreeMemory). */
export function parseFreeMemory(text: string): number {
  const m = /^Total:\s+(\d+) KiB$/m.exec(text);
  if (!m) throw new VirshParseError('freecell', 'no "Total: N KiB" line', text);
  return Number(m[1]) * 1024;
}

/** `virsh nodeinfo` → virt's nodeinfo dict (virNodeGetInfo, every value a string). */
export function parseNodeInfo(text: string): Record<string, string> {
  const kv = new Map(parseKeyValues(text));
  const need = (k: string): string => {
    const v = kv.get(k);
    if (v === undefined) throw new VirshParseError('nodeinfo', `no "${k}:" line`, text);
    return v;
  };
  const number = (k: string): string => {
    const m = /^(\d+)/.exec(need(k));
    if (!m) throw new VirshParseError('nodeinfo', `"${k}" is not a number`, text);
    return m[1] ?? '';
  };
  return {
    cpumodel: need('CPU model'),
    phymemory: String(Math.floor(Number(number('Memory size')) / 1024)),
    cpus: number('CPU(s)'),
    cpumhz: number('CPU frequency'),
    numanodes: number('NUMA cell(s)'),
    sockets: number('CPU socket(s)'),
    cpucores: number('Core(s) per socket'),
    cputhreads: number('Thread(s) per core'),
  };
}

/** `virsh version`'s "Running hypervisor: QEMU 7.2.0" → "QEMU" (virConnectGetType). */
export function parseHypervisorType(text: string): string {
  const m = /^Running hypervisor:\s+(\S+)/m.exec(text);
  if (!m) throw new VirshParseError('version', 'no "Running hypervisor:" line', text);
  return m[1] ?? '';
}

/** `virsh domstats --cpu-total`: each domain's cpu.time (ns), by name. */
export function parseCpuTimes(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let domain: string | null = null;
  for (const line of text.split('\n')) {
    const head = /^Domain: '(.*)'$/.exec(line);
    if (head) { domain = head[1] ?? ''; continue; }
    const time = /^\s+cpu\.time=(\d+)$/.exec(line);
    if (time && domain !== null) out.set(domain, time[1] ?? '0');
  }
  return out;
}

export interface VmInfo {
  state: string;
  maxMem: string;
  memory: string;
  nrVirtCpu: number;
  cpuTime: string;
  autostart: number;
}

/** One domain's entry of `command: info` (virDomainGetInfo + autostart). */
export function vmInfo(d: DomInfo, cpuTimeNs: string | undefined): VmInfo {
  return {
    state: virtStatus(d.state),
    maxMem: String(d.max_memory_kib ?? 0),
    memory: String(d.used_memory_kib ?? 0),
    nrVirtCpu: d.cpus,
    cpuTime: cpuTimeNs ?? '0',
    autostart: d.autostart ? 1 : 0,
  };
}
