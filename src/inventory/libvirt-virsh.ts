// What the libvirt inventory asks a hypervisor, in one round trip: a shell script run
// there (`sh -c SCRIPT sh LOCAL_URI MARKER`) that prints, for every domain, `virsh
// dominfo`, `virsh dumpxml` and, for an active domain, `virsh domifaddr --source lease`
// (then `--source arp` when the lease gave no IPv4 address), each section opened by
// a line starting with MARKER (random: no domain's XML can contain it). The parser
// turns that report into domains with the variables Ansible's plugin gives its hosts.

export const VIRSH_REPORT_SCRIPT = [
  'export LC_ALL=C',
  'uri=$1 m=$2',
  'command -v virsh >/dev/null 2>&1 || { echo "virsh is not installed" >&2; exit 127; }',
  'names=$(virsh -c "$uri" list --all --name) || exit 3',
  'printf "%s\\n" "$names" | while IFS= read -r n; do',
  '  [ -n "$n" ] || continue',
  '  info=$(virsh -c "$uri" dominfo --domain "$n" 2>&1) || continue', // undefined meanwhile
  '  printf "%s domain %s\\n%s\\n" "$m" "$n" "$info"',
  '  printf "%s xml\\n" "$m"; virsh -c "$uri" dumpxml --domain "$n" 2>/dev/null',
  '  state=$(printf "%s\\n" "$info" | sed -n "s/^State: *//p")',
  '  [ "$state" = "shut off" ] && continue',
  '  lease=$(virsh -c "$uri" domifaddr --domain "$n" --full --source lease 2>&1)',
  '  printf "%s lease\\n%s\\n" "$m" "$lease"',
  '  case $lease in *" ipv4 "*) continue;; esac',
  '  printf "%s arp\\n" "$m"; virsh -c "$uri" domifaddr --domain "$n" --full --source arp 2>&1',
  'done',
].join('\n');

/** Ansible's VIRDOMAINSTATE names, by virsh's words for them (virshDomainStateToString). */
const STATES: ReadonlyArray<[virsh: string, ansible: string]> = [
  ['no state', 'nostate'], ['running', 'running'], ['idle', 'blocked'], ['paused', 'paused'],
  ['in shutdown', 'shutdown'], ['shut off', 'shutoff'], ['crashed', 'crashed'], ['pmsuspended', 'pmsuspended'],
];

export interface DomainAddress {
  addr: string;
  prefix: number;
  /** libvirt's VIR_IP_ADDR_TYPE: 0 IPv4, 1 IPv6 (as Ansible's interface_addresses has it). */
  type: 0 | 1;
}

export interface DomainInterface {
  name: string;
  hwaddr: string;
  addrs: DomainAddress[];
}

export interface LibvirtDomain {
  name: string;
  uuid: string;
  /** Ansible's state name: running, shutoff, paused, … */
  state: string;
  /** Ansible's plugin's `info`: state_number, state, maxMem_kb, memory_kb, nrVirtCpu, cpuTime_ns. */
  info: { state_number: number; state: string; maxMem_kb: number; memory_kb: number; nrVirtCpu: number; cpuTime_ns: number };
  /** Interfaces with their addresses, from the DHCP leases (else the ARP table); [] when inactive. */
  interfaces: DomainInterface[];
  /** Where the addresses came from; or why there are none. */
  addressSource: 'lease' | 'arp' | 'none';
  /** virsh's complaint when neither source answered (e.g. "no ARP entry"). */
  addressError?: string;
  /** `virsh dumpxml` (Ansible's xml_desc). */
  xml: string;
}

export class VirshReportError extends Error {}

export function parseVirshReport(stdout: string, marker: string): LibvirtDomain[] {
  const domains: LibvirtDomain[] = [];
  let current: { name: string; sections: Map<string, string[]> } | undefined;
  let section: string[] = [];
  const flush = (): void => {
    if (current) domains.push(domainOf(current.name, current.sections));
  };
  for (const line of stdout.split('\n')) {
    if (!line.startsWith(`${marker} `)) {
      section.push(line);
      continue;
    }
    const head = line.slice(marker.length + 1);
    section = [];
    if (head.startsWith('domain ')) {
      flush();
      current = { name: head.slice('domain '.length), sections: new Map([['info', section]]) };
    } else if (current) current.sections.set(head, section);
    else throw new VirshReportError(`unexpected section "${head}" before any domain`);
  }
  flush();
  return domains;
}

function domainOf(name: string, sections: Map<string, string[]>): LibvirtDomain {
  const info = fieldsOf(sections.get('info') ?? []);
  const virshState = info.get('State') ?? 'no state';
  const stateNumber = STATES.findIndex(([w]) => w === virshState);
  const state = STATES[stateNumber]?.[1] ?? 'nostate';
  const lease = addressesOf(sections.get('lease'));
  const arp = addressesOf(sections.get('arp'));
  const withIpv4 = (r: ReturnType<typeof addressesOf>): boolean => r.interfaces.some((i) => i.addrs.some((a) => a.type === 0));
  const chosen = withIpv4(lease) ? 'lease' : withIpv4(arp) ? 'arp' : lease.interfaces.length ? 'lease' : 'none';
  const domain: LibvirtDomain = {
    name,
    uuid: info.get('UUID') ?? '',
    state,
    info: {
      state_number: Math.max(stateNumber, 0),
      state,
      maxMem_kb: kib(info.get('Max memory')),
      memory_kb: kib(info.get('Used memory')),
      nrVirtCpu: Number(info.get('CPU(s)') ?? 0) || 0,
      cpuTime_ns: cpuTime(info.get('CPU time')),
    },
    interfaces: chosen === 'arp' ? arp.interfaces : chosen === 'lease' ? lease.interfaces : [],
    addressSource: chosen,
    xml: (sections.get('xml') ?? []).join('\n').trim(),
  };
  const error = chosen === 'none' ? arp.error ?? lease.error : undefined;
  if (error) domain.addressError = error;
  return domain;
}

/** `Key:   value` lines of `virsh dominfo`. */
function fieldsOf(lines: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of lines) {
    const m = /^([^:]+):\s*(.*)$/.exec(line);
    if (m) out.set(m[1]!.trim(), m[2]!.trim());
  }
  return out;
}

/**
 * `virsh domifaddr --full`: a header, a rule, then `name mac protocol address/prefix`
 * lines; or `error: …` lines when the source had nothing to say.
 */
function addressesOf(lines: readonly string[] | undefined): { interfaces: DomainInterface[]; error?: string } {
  if (!lines) return { interfaces: [] };
  const errors = lines.filter((l) => l.startsWith('error:')).map((l) => l.slice('error:'.length).trim());
  const byName = new Map<string, DomainInterface>();
  for (const line of lines) {
    const m = /^\s*(\S+)\s+([0-9a-fA-F:]{17})\s+(ipv4|ipv6)\s+(\S+?)\/(\d+)\s*$/.exec(line);
    if (!m) continue;
    const [, iface, hwaddr, proto, addr, prefix] = m as unknown as [string, string, string, string, string, string];
    let entry = byName.get(iface);
    if (!entry) {
      entry = { name: iface, hwaddr, addrs: [] };
      byName.set(iface, entry);
    }
    entry.addrs.push({ addr, prefix: Number(prefix), type: proto === 'ipv4' ? 0 : 1 });
  }
  const out: { interfaces: DomainInterface[]; error?: string } = { interfaces: [...byName.values()] };
  if (errors.length) out.error = errors.join('; ');
  return out;
}

/** `131072 KiB` → 131072. */
function kib(text: string | undefined): number {
  const m = /^(\d+)\s*KiB$/.exec(text ?? '');
  return m ? Number(m[1]) : 0;
}

/** `3.7s` → 3700000000 (virsh prints a tenth of a second at most). */
function cpuTime(text: string | undefined): number {
  const m = /^(\d+(?:\.\d+)?)s$/.exec(text ?? '');
  return m ? Math.round(Number(m[1]) * 1e9) : 0;
}

/** The guest's address to connect to: the first IPv4 address of its interfaces. */
export function firstIpv4(d: LibvirtDomain): string | undefined {
  for (const i of d.interfaces) for (const a of i.addrs) if (a.type === 0) return a.addr;
  return undefined;
}
