// `gather_facts` until the `facts` module exists (SPEC 6): a small fact set in ONE
// command round trip, parsed by a pure function. The script prints `key=value`
// lines, then the os-release file after a marker; os-release is parsed here rather
// than sourced on the host (it is data, and sourcing it would run it).
import { TaskError } from '../errors.js';
import type { Host } from './host.js';

export interface Facts {
  hostname: string;
  /** os-release ID (`debian`, `rhel`, `fedora`, …). */
  os_id: string;
  /** os-release VERSION_ID (`12`, `9.3`); '' when the OS gives none (Debian testing). */
  os_version: string;
  /** Ansible's os_family: `Debian`, `RedHat`, `Suse`, …, else the ID capitalised. */
  os_family: string;
  /** os-release PRETTY_NAME. */
  os_name: string;
  /** `uname -r`. */
  kernel: string;
  cpus: number;
  memory_mb: number;
  /** `systemd` when /run/systemd/system exists (systemd is PID 1), else `sysv`. */
  service_mgr: 'systemd' | 'sysv';
  /** The first of dnf, yum, apt found (Ansible's order: dnf before yum), else `unknown`. */
  pkg_mgr: 'dnf' | 'yum' | 'apt' | 'unknown';
  [key: string]: unknown;
}

const OS_RELEASE_MARKER = '--kvmplay-os-release--';

// POSIX sh only: lab hosts and minimal images have no bash. Nothing here needs root.
export const FACTS_SCRIPT = [
  'printf "hostname=%s\\n" "$(hostname 2>/dev/null || cat /etc/hostname 2>/dev/null)"',
  'printf "kernel=%s\\n" "$(uname -r 2>/dev/null)"',
  'printf "cpus=%s\\n" "$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null)"',
  'printf "memtotal_kb=%s\\n" "$(awk \'/^MemTotal:/ {print $2}\' /proc/meminfo 2>/dev/null)"',
  'if [ -d /run/systemd/system ]; then echo service_mgr=systemd; else echo service_mgr=sysv; fi',
  'for p in dnf yum apt-get; do command -v "$p" >/dev/null 2>&1 && printf "pkg=%s\\n" "$p"; done',
  `echo ${OS_RELEASE_MARKER}`,
  'cat /etc/os-release 2>/dev/null || cat /usr/lib/os-release 2>/dev/null',
  'true',
].join('\n');

const FAMILIES: Readonly<Record<string, string>> = {
  debian: 'Debian', ubuntu: 'Debian', raspbian: 'Debian', linuxmint: 'Debian',
  rhel: 'RedHat', centos: 'RedHat', fedora: 'RedHat', rocky: 'RedHat', almalinux: 'RedHat', ol: 'RedHat', amzn: 'RedHat',
  sles: 'Suse', opensuse: 'Suse', 'opensuse-leap': 'Suse', arch: 'Archlinux', alpine: 'Alpine',
};

/** os-release: KEY=value lines, values optionally quoted with shell quoting rules. */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (!m) continue;
    let v = m[2]!;
    if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v.endsWith(v[0])) {
      const q = v[0];
      v = v.slice(1, -1);
      if (q === '"') v = v.replace(/\\([\\"$`])/g, '$1');
    }
    out[m[1]!] = v;
  }
  return out;
}

export function osFamily(id: string, idLike: string): string {
  for (const candidate of [id, ...idLike.split(/\s+/)]) {
    const family = FAMILIES[candidate.toLowerCase()];
    if (family) return family;
  }
  return id ? id.charAt(0).toUpperCase() + id.slice(1) : 'unknown';
}

export function parseFacts(stdout: string): Facts {
  const at = stdout.indexOf(OS_RELEASE_MARKER);
  const head = at === -1 ? stdout : stdout.slice(0, at);
  const os = parseOsRelease(at === -1 ? '' : stdout.slice(at + OS_RELEASE_MARKER.length));
  const kv: Record<string, string> = {};
  const pkgs: string[] = [];
  for (const line of head.split('\n')) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1).trim();
    if (key === 'pkg') pkgs.push(value);
    else kv[key] = value;
  }
  const pkg = pkgs[0] === 'apt-get' ? 'apt' : pkgs[0];
  const int = (s: string | undefined): number => {
    const n = parseInt(s ?? '', 10);
    return Number.isFinite(n) ? n : 0;
  };
  const id = os['ID'] ?? '';
  return {
    hostname: kv['hostname'] ?? '',
    os_id: id,
    os_version: os['VERSION_ID'] ?? '',
    os_family: osFamily(id, os['ID_LIKE'] ?? ''),
    os_name: os['PRETTY_NAME'] ?? os['NAME'] ?? '',
    kernel: kv['kernel'] ?? '',
    cpus: int(kv['cpus']),
    memory_mb: Math.floor(int(kv['memtotal_kb']) / 1024),
    service_mgr: kv['service_mgr'] === 'systemd' ? 'systemd' : 'sysv',
    pkg_mgr: pkg === 'dnf' || pkg === 'yum' || pkg === 'apt' ? pkg : 'unknown',
  };
}

export async function gatherFacts(host: Host, opts: { signal: AbortSignal; timeoutMs: number }): Promise<Facts> {
  const r = await host.run(['sh', '-c', FACTS_SCRIPT], { signal: opts.signal, timeoutMs: opts.timeoutMs });
  if (r.timedOut) throw new TaskError(host.name, `gathering facts timed out after ${Math.round(opts.timeoutMs / 1000)} s`);
  if (r.rc !== 0) throw new TaskError(host.name, `gathering facts failed (rc=${r.rc ?? r.signal ?? 'none'}): ${r.stderr.trim()}`, { rc: r.rc, stderr: r.stderr });
  return parseFacts(r.stdout);
}
