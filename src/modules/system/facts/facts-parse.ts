// The `facts` module's probe (SPEC 6): ONE POSIX `sh -c` script printing marked
// sections, parsed here by a pure function. The runner's `gather_facts` uses it too:
// os, kernel, cpus, memory, service and package managers, plus what a KVM hypervisor
// needs: cpu virtualization flags, /dev/kvm, the kvm module, interfaces, libvirt
// version and daemon layout. os-release is parsed here rather than sourced on the
// host (it is data, and sourcing it would run it). The same round trip reads what
// Ansible's `setup` reads (ansible-probe.ts): HostFacts carries Ansible's fact dict too
// (`ansible`, made by ansible-facts.ts), for `ansible_facts` and the `ansible_*` variables.
import { SECTION_FN, splitSections } from '../../probe-sections.js';
import { collectAnsibleFacts, type AnsibleFacts } from './ansible-facts.js';
import { ANSIBLE_ENV_SCRIPT, ANSIBLE_PROBE_SCRIPT } from './ansible-probe.js';
import { parseOsRelease } from './os-release.js';

export { parseOsRelease };

export interface InterfaceAddress {
  family: 'inet' | 'inet6';
  address: string;
  prefix: number;
}

export interface InterfaceFact {
  name: string;
  mac: string | null;
  /** `UP`, `DOWN`, `UNKNOWN` as `ip` reports operstate. */
  state: string;
  addresses: InterfaceAddress[];
  /** The bridge (or bond) this interface is a port of, or null. */
  master: string | null;
}

export interface HostFacts {
  hostname: string;
  os_id: string;
  os_version: string;
  /** The part of VERSION_ID before the first dot (`9` for `9.3`). */
  os_major: string;
  os_family: string;
  os_name: string;
  kernel: string;
  cpus: number;
  memory_mb: number;
  /** /proc/meminfo MemTotal in KiB. */
  memtotal_kb: number;
  service_mgr: 'systemd' | 'sysv';
  pkg_mgr: 'dnf' | 'yum' | 'apt' | 'unknown';
  /** /proc/cpuinfo vendor_id (`GenuineIntel`, `AuthenticAMD`), '' if unknown. */
  cpu_vendor: string;
  /** Which hardware virtualization flag the CPU has, if any. */
  cpu_virt_flag: 'vmx' | 'svm' | null;
  /** The `hypervisor` flag: this host is itself a guest. */
  cpu_hypervisor: boolean;
  /** true/false when /proc/modules or lsmod can tell; null = cannot tell (no module support). */
  kvm_module_loaded: boolean | null;
  dev_kvm: boolean;
  interfaces: InterfaceFact[];
  /**
   * Interface name → its first global IPv4 address with the prefix (`10.213.0.15/24`),
   * for interfaces that have one: `{{ facts.ipv4.em1 }}` (bridge-network.yaml's
   * default bridge takes em1's address, or br0's once em1 is its port).
   */
  ipv4: Record<string, string>;
  /** `9.0.0`, or null when neither libvirtd nor virsh is installed. */
  libvirt_version: string | null;
  /** Modular daemons (virtqemud …) rather than monolithic libvirtd; null when libvirt is absent. */
  libvirt_modular: boolean | null;
  /**
   * The same probe's facts under Ansible's names (what `ansible_facts` holds). Not
   * enumerable: `facts` keeps kvmplay's own names only, and copies of it (templates,
   * JSON) do not carry the Ansible dict twice. Read it with ansibleFactsOf().
   */
  readonly ansible?: AnsibleFacts;
  /** Not enumerable either: each Ansible fact's collector, what gather_subset selects by (fact-select.ts). */
  readonly ansibleCollectors?: ReadonlyMap<string, string>;
  [key: string]: unknown;
}

/** The Ansible-named facts a probe's HostFacts carries ({} for facts from elsewhere). */
export function ansibleFactsOf(facts: unknown): AnsibleFacts {
  const a = facts !== null && typeof facts === 'object' ? (facts as { ansible?: unknown }).ansible : undefined;
  return a !== null && typeof a === 'object' ? (a as AnsibleFacts) : {};
}

const FAMILIES: Readonly<Record<string, string>> = {
  debian: 'Debian', ubuntu: 'Debian', raspbian: 'Debian', linuxmint: 'Debian',
  rhel: 'RedHat', centos: 'RedHat', fedora: 'RedHat', rocky: 'RedHat', almalinux: 'RedHat', ol: 'RedHat', amzn: 'RedHat',
  sles: 'Suse', opensuse: 'Suse', 'opensuse-leap': 'Suse', arch: 'Archlinux', alpine: 'Alpine',
};

export function osFamily(id: string, idLike: string): string {
  for (const candidate of [id, ...idLike.split(/\s+/)]) {
    const family = FAMILIES[candidate.toLowerCase()];
    if (family) return family;
  }
  return id ? id.charAt(0).toUpperCase() + id.slice(1) : 'unknown';
}

// POSIX sh only (no bash on minimal hosts); needs no root. The sbin folders are added to
// PATH because libvirtd and lsmod live there and a non-root login shell often lacks
// them (Ansible's get_bin_path looks there too).
// `ip -j` is iproute2 ≥ 4.13; older ones print an error we ignore (interfaces = []).
// The `env` section comes first: Ansible's `env` fact is the environment before the PATH
// change. Ansible's own sections (ansible-probe.ts) come after kvmplay's.
export const HOST_FACTS_SCRIPT = [
  SECTION_FN,
  ANSIBLE_ENV_SCRIPT,
  'PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"',
  'sec kv',
  'printf "hostname=%s\\n" "$(hostname 2>/dev/null || cat /etc/hostname 2>/dev/null)"',
  'printf "kernel=%s\\n" "$(uname -r 2>/dev/null)"',
  'printf "cpus=%s\\n" "$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null)"',
  'printf "memtotal_kb=%s\\n" "$(awk \'/^MemTotal:/ {print $2}\' /proc/meminfo 2>/dev/null)"',
  'if [ -d /run/systemd/system ]; then echo service_mgr=systemd; else echo service_mgr=sysv; fi',
  'for p in dnf yum apt-get; do command -v "$p" >/dev/null 2>&1 && printf "pkg=%s\\n" "$p"; done',
  'if [ -e /dev/kvm ]; then echo dev_kvm=yes; else echo dev_kvm=no; fi',
  // Neither /proc/modules nor lsmod exists on kernels without module support: say so.
  'if [ -r /proc/modules ]; then if grep -qE "^kvm(_intel|_amd)? " /proc/modules; then echo kvm_module=yes; else echo kvm_module=no; fi',
  'elif command -v lsmod >/dev/null 2>&1; then if lsmod | grep -qE "^kvm(_intel|_amd)? "; then echo kvm_module=yes; else echo kvm_module=no; fi',
  'else echo kvm_module=unknown; fi',
  'printf "cpu_vendor=%s\\n" "$(grep -m1 "^vendor_id" /proc/cpuinfo 2>/dev/null | sed "s/^[^:]*: *//")"',
  'printf "cpu_flags=%s\\n" "$(grep -m1 "^flags" /proc/cpuinfo 2>/dev/null | sed "s/^[^:]*: *//")"',
  'printf "libvirtd_version=%s\\n" "$(libvirtd --version 2>/dev/null | head -n1)"',
  'printf "virsh_version=%s\\n" "$(virsh --version 2>/dev/null | head -n1)"',
  'command -v virtqemud >/dev/null 2>&1 && echo virtqemud_bin=yes',
  '[ -x /etc/init.d/libvirtd ] && echo libvirtd_initd=yes',
  // Unit states only matter under systemd; `is-enabled` prints one word per unit.
  'if [ -d /run/systemd/system ]; then for u in virtqemud.socket virtqemud.service libvirtd.socket libvirtd.service; do printf "unit:%s=%s\\n" "$u" "$(systemctl is-enabled "$u" 2>/dev/null | head -n1)"; done; fi',
  'sec os-release',
  'cat /etc/os-release 2>/dev/null || cat /usr/lib/os-release 2>/dev/null',
  'sec ip',
  'ip -j addr 2>/dev/null',
  ANSIBLE_PROBE_SCRIPT,
  'true',
].join('\n');


interface IpJsonAddr { family?: unknown; local?: unknown; prefixlen?: unknown; scope?: unknown }
interface IpJsonLink { ifname?: unknown; address?: unknown; operstate?: unknown; addr_info?: unknown; master?: unknown }

function ipJsonLinks(text: string): IpJsonLink[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.trim() || '[]');
  } catch {
    return []; // an `ip` without -j printed usage text: no interfaces rather than a failure
  }
  return Array.isArray(parsed) ? (parsed as IpJsonLink[]) : [];
}

/** `ip -j addr`'s links → interface name → first global IPv4 address as `a.b.c.d/nn`. */
function ipv4Map(links: readonly IpJsonLink[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of links) {
    if (typeof raw.ifname !== 'string' || raw.ifname === '__proto__') continue;
    const infos = Array.isArray(raw.addr_info) ? (raw.addr_info as IpJsonAddr[]) : [];
    const a = infos.find((i) => i.family === 'inet' && typeof i.local === 'string' && typeof i.prefixlen === 'number'
      // Older iproute2 prints no scope: loopback addresses are then told by their range.
      && (i.scope === undefined ? !i.local.startsWith('127.') : i.scope === 'global'));
    if (a) out[raw.ifname] = `${String(a.local)}/${String(a.prefixlen)}`;
  }
  return out;
}

export function parseIpJson(text: string): InterfaceFact[] {
  return interfaceFacts(ipJsonLinks(text));
}

function interfaceFacts(links: readonly IpJsonLink[]): InterfaceFact[] {
  return links.flatMap((raw: IpJsonLink): InterfaceFact[] => {
    if (typeof raw.ifname !== 'string') return [];
    const infos = Array.isArray(raw.addr_info) ? (raw.addr_info as IpJsonAddr[]) : [];
    const addresses = infos.flatMap((a): InterfaceAddress[] =>
      (a.family === 'inet' || a.family === 'inet6') && typeof a.local === 'string' && typeof a.prefixlen === 'number'
        ? [{ family: a.family, address: a.local, prefix: a.prefixlen }]
        : [],
    );
    return [{ name: raw.ifname, mac: typeof raw.address === 'string' ? raw.address : null, state: typeof raw.operstate === 'string' ? raw.operstate : 'UNKNOWN', addresses, master: typeof raw.master === 'string' ? raw.master : null }];
  });
}

/** `libvirtd (libvirt) 9.0.0` or `9.0.0` → `9.0.0`. */
function versionOf(line: string | undefined): string | null {
  const m = /(\d+\.\d+(?:\.\d+)?)/.exec(line ?? '');
  return m ? m[1]! : null;
}

function isEnabled(state: string | undefined): boolean {
  return state === 'enabled' || state === 'enabled-runtime' || state === 'static' || state === 'indirect' || state === 'alias';
}

/**
 * Modular (virtqemud …) vs monolithic libvirtd. Under systemd what is enabled decides;
 * when nothing is enabled yet (fresh install), the distribution's default: modular
 * on RHEL ≥ 9 and Fedora ≥ 35, monolithic elsewhere. sysv: modular only when there is
 * virtqemud and no libvirtd init script.
 */
function libvirtModular(kv: Record<string, string>, units: Record<string, string>, systemd: boolean, installed: boolean, family: string, id: string, major: number): boolean | null {
  if (!installed && kv['virtqemud_bin'] !== 'yes') return null;
  if (kv['virtqemud_bin'] !== 'yes') return false;
  if (!systemd) return kv['libvirtd_initd'] !== 'yes';
  if (isEnabled(units['libvirtd.socket']) || isEnabled(units['libvirtd.service'])) return false;
  if (isEnabled(units['virtqemud.socket']) || isEnabled(units['virtqemud.service'])) return true;
  return family === 'RedHat' && ((id === 'fedora' && major >= 35) || (id !== 'fedora' && major >= 9));
}

export function parseHostFacts(stdout: string): HostFacts {
  const sections = splitSections(stdout);
  const links = ipJsonLinks(sections.get('ip') ?? ''); // parsed once: interfaces and ipv4 come from it
  const kv: Record<string, string> = {};
  const units: Record<string, string> = {};
  const pkgs: string[] = [];
  for (const line of (sections.get('kv') ?? '').split('\n')) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1).trim();
    if (key === 'pkg') pkgs.push(value);
    else if (key.startsWith('unit:')) units[key.slice(5)] = value;
    else kv[key] = value;
  }
  const os = parseOsRelease(sections.get('os-release') ?? '');
  const int = (s: string | undefined): number => {
    const n = parseInt(s ?? '', 10);
    return Number.isFinite(n) ? n : 0;
  };
  const pkg = pkgs[0] === 'apt-get' ? 'apt' : pkgs[0];
  const id = os['ID'] ?? '';
  const version = os['VERSION_ID'] ?? '';
  const major = version.split('.')[0] ?? '';
  const family = osFamily(id, os['ID_LIKE'] ?? '');
  const flags = new Set((kv['cpu_flags'] ?? '').split(/\s+/).filter(Boolean));
  const serviceMgr = kv['service_mgr'] === 'systemd' ? 'systemd' : 'sysv';
  const libvirtVersion = versionOf(kv['libvirtd_version']) ?? versionOf(kv['virsh_version']);
  const kvmModule = kv['kvm_module'];
  const facts: HostFacts = {
    hostname: kv['hostname'] ?? '',
    os_id: id,
    os_version: version,
    os_major: major,
    os_family: family,
    os_name: os['PRETTY_NAME'] ?? os['NAME'] ?? '',
    kernel: kv['kernel'] ?? '',
    cpus: int(kv['cpus']),
    memory_mb: Math.floor(int(kv['memtotal_kb']) / 1024),
    memtotal_kb: int(kv['memtotal_kb']),
    service_mgr: serviceMgr,
    pkg_mgr: pkg === 'dnf' || pkg === 'yum' || pkg === 'apt' ? pkg : 'unknown',
    cpu_vendor: kv['cpu_vendor'] ?? '',
    cpu_virt_flag: flags.has('vmx') ? 'vmx' : flags.has('svm') ? 'svm' : null,
    cpu_hypervisor: flags.has('hypervisor'),
    kvm_module_loaded: kvmModule === 'yes' ? true : kvmModule === 'no' ? false : null,
    dev_kvm: kv['dev_kvm'] === 'yes',
    interfaces: interfaceFacts(links),
    ipv4: ipv4Map(links),
    libvirt_version: libvirtVersion,
    libvirt_modular: libvirtModular(kv, units, serviceMgr === 'systemd', libvirtVersion !== null, family, id, int(major)),
  };
  const ansible = collectAnsibleFacts(sections);
  Object.defineProperty(facts, 'ansible', { value: ansible.facts, enumerable: false });
  Object.defineProperty(facts, 'ansibleCollectors', { value: ansible.collectorOf, enumerable: false });
  return facts;
}

/**
 * Facts a probe made (they carry Ansible's dict too, perhaps empty: a gather_subset or
 * filter that selected nothing), as a facts task registers them.
 */
export function isHostFacts(v: unknown): v is HostFacts {
  return typeof v === 'object' && v !== null && 'os_family' in v && Object.hasOwn(v, 'ansible');
}
