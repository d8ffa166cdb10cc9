// The part of the facts probe that feeds Ansible's fact names (ansible-facts.ts): raw
// reads of the files and commands Ansible's `setup` collectors read
// (ansible/module_utils/facts/), printed in marked sections of the same one round trip,
// so the mapping stays a pure function of the output. POSIX sh, no python, no root
// (what needs root — /proc/1/environ, dmidecode — is read when allowed, as Ansible
// does). Sections: env, ans (key=value), files (file dump), distro-release, pid1-*,
// modules, vxid, cpuinfo, dmidecode, lsb, net, ip-primary, ip-secondary, route-v4/v6.

/** The paths Ansible's pkg_mgr collector tests, in its order (PKG_MGRS; the last found wins). */
export const PKG_MGR_PATHS: ReadonlyArray<readonly [string, string]> = [
  ['/usr/bin/rpm-ostree', 'atomic_container'], ['/usr/bin/yum', 'yum'], ['/usr/bin/dnf', 'dnf'],
  ['/usr/bin/apt-get', 'apt'], ['/usr/bin/zypper', 'zypper'], ['/usr/sbin/urpmi', 'urpmi'],
  ['/usr/bin/pacman', 'pacman'], ['/bin/opkg', 'opkg'], ['/usr/pkg/bin/pkgin', 'pkgin'],
  ['/opt/local/bin/pkgin', 'pkgin'], ['/opt/tools/bin/pkgin', 'pkgin'], ['/opt/local/bin/port', 'macports'],
  ['/usr/local/bin/brew', 'homebrew'], ['/opt/homebrew/bin/brew', 'homebrew'], ['/sbin/apk', 'apk'],
  ['/usr/sbin/pkg', 'pkgng'], ['/usr/sbin/swlist', 'swdepot'], ['/usr/bin/emerge', 'portage'],
  ['/usr/sbin/pkgadd', 'svr4pkg'], ['/usr/bin/pkg', 'pkg5'], ['/usr/bin/xbps-install', 'xbps'],
  ['/usr/local/sbin/pkg', 'pkgng'], ['/usr/bin/swupd', 'swupd'], ['/usr/sbin/sorcery', 'sorcery'],
  ['/usr/bin/installp', 'installp'], ['/QOpenSys/pkgs/bin/yum', 'yum'],
];

/** Files whose existence alone matters (virtual, service_mgr, pkg_mgr, apparmor collectors). */
export const EXISTS_PATHS: readonly string[] = [
  '/proc/vz', '/proc/lve', '/proc/bc', '/.dockerenv', '/.dockerinit', '/proc/xen', '/rhev/', '/dev/kvm',
  '/run/ostree-booted', '/usr/bin/rpm', '/sys/kernel/security/apparmor',
  '/run/systemd/system/', '/dev/.run/systemd/', '/dev/.systemd/', '/etc/init/', '/sbin/openrc', '/etc/init.d/',
  ...PKG_MGR_PATHS.map(([path]) => path),
];

/** Ansible's distribution files (DistributionFiles.OSDIST_LIST), in its order, without repeats. */
export const DIST_FILES: readonly string[] = [
  '/etc/altlinux-release', '/etc/oracle-release', '/etc/slackware-version', '/etc/centos-release',
  '/etc/redhat-release', '/etc/vmware-release', '/etc/openwrt_release', '/etc/os-release', '/etc/system-release',
  '/etc/alpine-release', '/etc/arch-release', '/etc/SuSE-release', '/etc/gentoo-release', '/etc/lsb-release',
  '/etc/sourcemage-release', '/usr/lib/os-release', '/etc/coreos/update.conf',
];

export const SSH_KEY_DIRS = ['/etc/ssh', '/etc/openssh', '/etc'] as const;
export const SSH_KEY_ALGOS = ['dsa', 'rsa', 'ecdsa', 'ed25519'] as const;

const DMI = '/sys/devices/virtual/dmi/id';

/** Files read whole (get_file_content / get_file_lines in Ansible). */
export const DUMPED_FILES: readonly string[] = [
  ...DIST_FILES, '/etc/debian_version',
  '/var/lib/dbus/machine-id', '/etc/machine-id', '/etc/resolv.conf', '/proc/meminfo', '/proc/uptime', '/proc/1/comm',
  '/run/systemd/container', '/proc/xen/capabilities', '/sys/hypervisor/type', '/proc/1/cgroup',
  `${DMI}/product_name`, `${DMI}/sys_vendor`, `${DMI}/product_family`, `${DMI}/bios_vendor`,
  '/proc/sys/crypto/fips_enabled', '/etc/selinux/config', '/sys/fs/selinux/enforce', '/sys/fs/selinux/policyvers',
  ...SSH_KEY_DIRS.flatMap((dir) => SSH_KEY_ALGOS.map((algo) => `${dir}/ssh_host_${algo}_key.pub`)),
];

/**
 * The /sys/class/net/<dev>/ attributes the network collector reads (`device` and
 * `module` are links). Read with the `read` builtin (one line each, no fork per file):
 * a file that cannot be read (`speed` of a loopback: EINVAL) or a directory (`bridge`)
 * is reported as present without a value, as Ansible's get_file_content gives None.
 */
const NET_ATTRS = [
  'address', 'mtu', 'operstate', 'type', 'speed', 'flags', 'bridge', 'bridge/bridge_id', 'bridge/stp_state',
  'bonding', 'bonding/slaves', 'bonding/mode', 'bonding/miimon', 'bonding/lacp_rate', 'bonding/primary',
  'bonding/all_slaves_active', 'bonding_slave', 'bonding_slave/perm_hwaddr',
];

/** /proc/cpuinfo keys the hardware and virtual collectors look at; `flags` is reduced to whether it has `vme`. */
const CPUINFO_KEYS = ['model name', 'Processor', 'vendor_id', 'cpu', 'Vendor', 'processor', 'physical id', 'core id',
  'cpu cores', 'siblings', '# processors', 'ncpus active', 'machine'];

const words = (xs: readonly string[]): string => xs.map((x) => `'${x}'`).join(' ');

/**
 * Runs first, before the probe touches PATH: the `env` fact is the login environment.
 * NUL-separated where `env -0` exists, newlines inside values carried as \x01.
 */
export const ANSIBLE_ENV_SCRIPT = `sec env
if env -0 >/dev/null 2>&1; then env -0 | tr '\\012\\000' '\\001\\012'; else env; fi`;

// Shell: \\ and \${ are escaped for the template literal; nothing else is interpolated
// but the constant lists above.
export const ANSIBLE_PROBE_SCRIPT = `sec ans
printf 'uname_s=%s\\nuname_n=%s\\nuname_r=%s\\nuname_v=%s\\nuname_m=%s\\n' "$(uname -s)" "$(uname -n)" "$(uname -r)" "$(uname -v)" "$(uname -m)"
printf 'long_bit=%s\\n' "$(getconf LONG_BIT 2>/dev/null)"
a=$(getent ahosts "$(uname -n)" 2>/dev/null | awk 'NR == 1 {print $1}')
[ -n "$a" ] && printf 'fqdn_hosts=%s\\n' "$(getent hosts "$a" 2>/dev/null | head -n 1)"
printf 'date=%s\\n' "$(LC_ALL=C date '+%Y|%m|%A|%w|%W|%d|%H|%M|%S|%s|%N|%Z|%z')"
t=$(( $(date +%s) / 31557600 * 31557600 ))
printf 'tz_jan=%s\\ntz_jul=%s\\n' "$(date -d "@$t" '+%z|%Z' 2>/dev/null)" "$(date -d "@$((t + 15778800))" '+%z|%Z' 2>/dev/null)"
u=\${LOGNAME:-\${USER:-\${LNAME:-\${USERNAME:-}}}}
[ -n "$u" ] || u=$(id -un 2>/dev/null)
printf 'user=%s\\n' "$u"
pw=$(getent passwd "$u" 2>/dev/null || awk -F: -v u="$u" '$1 == u' /etc/passwd 2>/dev/null)
[ -n "$pw" ] || pw=$(getent passwd "$(id -u)" 2>/dev/null)
printf 'passwd=%s\\n' "$(printf '%s\\n' "$pw" | head -n 1)"
printf 'ids=%s %s %s\\n' "$(id -ru 2>/dev/null)" "$(id -u 2>/dev/null)" "$(id -rg 2>/dev/null)"
for c in ip systemctl initctl; do command -v "$c" >/dev/null 2>&1 && printf 'bin=%s\\n' "$c"; done
[ -L /sbin/init ] && printf 'sbin_init=%s\\n' "$(readlink /sbin/init)"
c=$(cat /proc/1/comm 2>/dev/null)
if [ -z "$c" ]; then o=$(ps -p 1 -o comm 2>/dev/null | tail -n 1); printf 'ps1=%s|%s\\n' "$?" "$o"; fi
[ -e /usr/bin/rpm ] && { if /usr/bin/rpm -q --whatprovides /usr/bin/apt-get >/dev/null 2>&1; then echo apt_rpm=yes; else echo apt_rpm=no; fi; }
[ -d /rhev/ ] && cat /proc/[0-9]*/comm 2>/dev/null | grep -qxE 'vdsmd?' && echo vdsm=yes
printf 'root_stat=%s\\n' "$(stat -c '%d:%i' / 2>/dev/null)"
printf 'proc1_root_stat=%s\\n' "$(stat -c '%d:%i' /proc/1/root/. 2>/dev/null)"
printf 'root_fstype=%s\\n' "$(stat -f -c %T / 2>/dev/null)"
for p in ${words(EXISTS_PATHS)}; do [ -e "$p" ] && printf 'exists=%s\\n' "$p"; done
sec files
for f in ${words(DUMPED_FILES)}; do if [ -r "$f" ] && [ ! -d "$f" ]; then printf '\\n@@file %s\\n' "$f"; cat "$f" 2>/dev/null; elif [ -e "$f" ]; then printf '\\n@@unreadable %s\\n' "$f"; fi; done
sec distro-release
for f in /etc/*[-_]release /etc/*[-_]version; do [ -f "$f" ] && printf '%s\\t%s\\n' "\${f#/etc/}" "$(head -n 1 "$f" 2>/dev/null)"; done
sec pid1-environ
tr '\\000' '\\012' < /proc/1/environ 2>/dev/null
sec modules
[ -r /proc/modules ] && cut -d ' ' -f 1 /proc/modules 2>/dev/null
sec vxid
grep '^VxID' /proc/self/status 2>/dev/null
sec cpuinfo
awk -F: 'BEGIN { split("${CPUINFO_KEYS.join('|')}", ks, "|"); for (i in ks) want[ks[i]] = 1 }
{ k = $1; gsub(/^[ \\t]+|[ \\t]+$/, "", k) }
k in want { print; next }
k == "flags" { print ((index($2, "vme") > 0) ? "flags: vme" : "flags: -") }' /proc/cpuinfo 2>/dev/null
sec dmidecode
command -v dmidecode >/dev/null 2>&1 && { dmidecode -s system-product-name 2>/dev/null; echo "@@rc $?"; }
sec lsb
command -v lsb_release >/dev/null 2>&1 && { lsb_release -a 2>/dev/null; echo "@@rc $?"; }
sec net
set -f
for d in $(ls -f /sys/class/net 2>/dev/null || ls /sys/class/net 2>/dev/null); do
  p=/sys/class/net/$d
  case $d in .|..) continue;; esac
  [ -d "$p" ] || continue
  printf '@@dev %s\\n' "$d"
  for f in ${words(NET_ATTRS)}; do
    v=; if [ -e "$p/$f" ]; then if { IFS= read -r v < "$p/$f"; } 2>/dev/null || [ -n "$v" ]; then printf '@@attr %s=%s\\n' "$f" "$v"; else printf '@@attr %s\\n' "$f"; fi; fi
  done
  [ -e "$p/device" ] && printf '@@attr device=%s\\n' "$(readlink "$p/device")"
  [ -e "$p/device/driver/module" ] && printf '@@attr module=%s\\n' "$(readlink -f "$p/device/driver/module")"
  if [ -d "$p/bridge" ]; then for b in $(ls -f "$p/brif" 2>/dev/null); do case $b in .*) ;; *) printf '@@brif %s\\n' "$b";; esac; done; fi
done
set +f
sec ip-primary
if ! ip addr show primary 2>/dev/null; then echo '@@noprimary'; ip addr show 2>/dev/null; fi
sec ip-secondary
ip addr show secondary 2>/dev/null || echo '@@failed'
sec route-v4
ip -4 route get 8.8.8.8 2>/dev/null
sec route-v6
ip -6 route get 2404:6800:400a:800::1012 2>/dev/null`;

/** What the probe printed, read into the shapes the mappers use. */
export interface AnsibleProbe {
  /** `ans` section: key → value (the last one when repeated). */
  kv: ReadonlyMap<string, string>;
  bins: ReadonlySet<string>;
  exists: ReadonlySet<string>;
  /** Dumped files: path → raw content, or null when it exists but could not be read. */
  files: ReadonlyMap<string, string | null>;
  /** Raw text of a section ('' when absent). */
  section(name: string): string;
  has(name: string): boolean;
}

export function readAnsibleProbe(sections: ReadonlyMap<string, string>): AnsibleProbe {
  const kv = new Map<string, string>();
  const bins = new Set<string>();
  const exists = new Set<string>();
  for (const line of (sections.get('ans') ?? '').split('\n')) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1);
    if (key === 'exists') exists.add(value);
    else if (key === 'bin') bins.add(value);
    else kv.set(key, value);
  }
  return {
    kv, bins, exists,
    files: readFileDump(sections.get('files') ?? ''),
    section: (name) => sections.get(name) ?? '',
    has: (name) => sections.has(name),
  };
}

/** `@@file PATH` + content / `@@unreadable PATH` blocks. The newline before each marker is the probe's. */
export function readFileDump(text: string): Map<string, string | null> {
  const out = new Map<string, string | null>();
  let path: string | undefined;
  let lines: string[] = [];
  const flush = (): void => {
    if (path !== undefined) out.set(path, lines.join('\n'));
  };
  for (const line of text.split('\n')) {
    const m = /^@@(file|unreadable) (\/.*)$/.exec(line);
    if (!m) {
      lines.push(line);
      continue;
    }
    flush();
    path = undefined;
    lines = [];
    if (m[1] === 'file') path = m[2]!;
    else out.set(m[2]!, null);
  }
  flush();
  return out;
}

/**
 * Ansible's get_file_content: the content stripped of surrounding whitespace, or
 * undefined when the file is missing, unreadable or empty.
 */
export function fileContent(probe: AnsibleProbe, path: string): string | undefined {
  const raw = probe.files.get(path);
  const text = raw?.trim();
  return text ? text : undefined;
}

/** Ansible's get_file_lines: the stripped content's lines ([] when there is none). */
export function fileLines(probe: AnsibleProbe, path: string): string[] {
  return fileContent(probe, path)?.split('\n') ?? [];
}
