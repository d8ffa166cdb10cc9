// Ansible's platform, user, date_time, env, dns, selinux, apparmor, fips, ssh host key,
// lsb, chroot, service_mgr and pkg_mgr facts from the probe's raw reads, each with the
// semantics of its collector in ansible/module_utils/facts/system/.
import { fileContent, fileLines, PKG_MGR_PATHS, SSH_KEY_ALGOS, SSH_KEY_DIRS, type AnsibleProbe } from './ansible-probe.js';

type Facts = Record<string, unknown>;

/** platform.py: uname, userspace bits (getconf LONG_BIT for Python's own ELF class), fqdn, machine_id. */
export function platformFacts(p: AnsibleProbe): Facts {
  const node = p.kv.get('uname_n') ?? '';
  const machine = p.kv.get('uname_m') ?? '';
  const bits = p.kv.get('long_bit') ?? '';
  const fqdn = fqdnOf(node, p.kv.get('fqdn_hosts'));
  const out: Facts = {
    system: p.kv.get('uname_s') ?? '',
    kernel: p.kv.get('uname_r') ?? '',
    kernel_version: p.kv.get('uname_v') ?? '',
    machine,
    fqdn,
    hostname: node.split('.')[0] ?? '',
    nodename: node,
    domain: fqdn.split('.').slice(1).join('.'),
    userspace_bits: bits,
  };
  const userspace = bits === '64' ? 'x86_64' : bits === '32' ? 'i386' : undefined;
  if (machine === 'x86_64') {
    out['architecture'] = machine;
    if (userspace) out['userspace_architecture'] = userspace;
  } else if (/i([3456]86|86pc)/.test(machine)) {
    out['architecture'] = 'i386';
    if (userspace) out['userspace_architecture'] = userspace;
  } else {
    out['architecture'] = machine;
  }
  const machineId = fileContent(p, '/var/lib/dbus/machine-id') ?? fileContent(p, '/etc/machine-id');
  if (machineId) out['machine_id'] = machineId.split('\n')[0];
  return out;
}

/**
 * socket.getfqdn(): the node name resolved (getaddrinfo's first address) and that
 * address looked up again (gethostbyaddr: `getent hosts ADDR` = address, name, aliases);
 * the first of name and aliases with a dot, else the name; the node name when a lookup fails.
 */
export function fqdnOf(node: string, hostsLine: string | undefined): string {
  const names = (hostsLine ?? '').trim().split(/\s+/).slice(1);
  if (names.length === 0) return node;
  return names.find((n) => n.includes('.')) ?? names[0]!;
}

/** user.py: getpass.getuser() (LOGNAME, USER, LNAME, USERNAME, else the uid's name) and its passwd entry. */
export function userFacts(p: AnsibleProbe): Facts {
  const out: Facts = {};
  const user = p.kv.get('user');
  if (!user) return out;
  out['user_id'] = user;
  const pw = (p.kv.get('passwd') ?? '').split(':');
  if (pw.length >= 7) {
    out['user_uid'] = Number(pw[2]);
    out['user_gid'] = Number(pw[3]);
    out['user_gecos'] = pw[4];
    out['user_dir'] = pw[5];
    out['user_shell'] = pw.slice(6).join(':');
  }
  const [ruid, euid, rgid] = (p.kv.get('ids') ?? '').split(' ').map((x) => (/^\d+$/.test(x) ? Number(x) : undefined));
  if (ruid !== undefined) out['real_user_id'] = ruid;
  if (euid !== undefined) out['effective_user_id'] = euid;
  // Ansible reports os.getgid() for both (its effective_group_id is the real gid).
  if (rgid !== undefined) {
    out['real_group_id'] = rgid;
    out['effective_group_id'] = rgid;
  }
  return out;
}

/** env.py: the module's environment; here the login environment the probe started in. */
export function envFacts(p: AnsibleProbe): Facts {
  if (!p.has('env')) return {};
  const env: Record<string, string> = {};
  for (const line of p.section('env').split('\n')) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    Object.defineProperty(env, line.slice(0, eq), { value: line.slice(eq + 1).replace(/\x01/g, '\n'), enumerable: true, writable: true, configurable: true });
  }
  return { env };
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/**
 * date_time.py from one `date` on the host (local fields, %s, %N) plus the zone names
 * of early January and mid-year, which is how CPython sets time.tzname (tz_dst).
 */
export function dateTimeFacts(p: AnsibleProbe): Facts {
  const parts = (p.kv.get('date') ?? '').split('|');
  if (parts.length !== 13 || !/^\d+$/.test(parts[9]!)) return {};
  const [year, month, weekday, weekdayNumber, weeknumber, day, hour, minute, second, epoch, nanos, tz, tzOffset] = parts as [string, string, string, string, string, string, string, string, string, string, string, string, string];
  // busybox date has no %N: microseconds then read 0, as Python's would on a clock without them.
  const micro = /^\d{6,}$/.test(nanos) ? nanos.slice(0, 6) : '000000';
  const utc = new Date(Number(epoch) * 1000);
  const utcStr = `${utc.getUTCFullYear()}-${pad(utc.getUTCMonth() + 1)}-${pad(utc.getUTCDate())}T${pad(utc.getUTCHours())}:${pad(utc.getUTCMinutes())}:${pad(utc.getUTCSeconds())}`;
  return {
    date_time: {
      year, month, weekday, weekday_number: weekdayNumber, weeknumber, day, hour, minute, second,
      epoch, epoch_int: String(parseInt(epoch, 10)),
      date: `${year}-${month}-${day}`,
      time: `${hour}:${minute}:${second}`,
      iso8601_micro: `${utcStr}.${micro}Z`,
      iso8601: `${utcStr}Z`,
      iso8601_basic: `${year}${month}${day}T${hour}${minute}${second}${micro}`,
      iso8601_basic_short: `${year}${month}${day}T${hour}${minute}${second}`,
      tz,
      tz_dst: tzDst(p.kv.get('tz_jan'), p.kv.get('tz_jul'), tz),
      tz_offset: tzOffset,
    },
  };
}

/** time.tzname[1]: July's zone name, or January's where DST is reversed (southern hemisphere). */
function tzDst(jan: string | undefined, jul: string | undefined, fallback: string): string {
  const read = (s: string | undefined): { west: number; name: string } | undefined => {
    const m = /^([+-])(\d\d)(\d\d)\|(.*)$/.exec(s ?? '');
    if (!m) return undefined;
    const east = (Number(m[2]) * 3600 + Number(m[3]) * 60) * (m[1] === '-' ? -1 : 1);
    return { west: -east, name: m[4]! };
  };
  const j = read(jan);
  const y = read(jul);
  if (!j || !y) return fallback;
  return j.west < y.west ? j.name : y.name;
}

/** dns.py: /etc/resolv.conf. */
export function dnsFacts(p: AnsibleProbe): Facts {
  const dns: Record<string, unknown> = {};
  for (const line of (p.files.get('/etc/resolv.conf') ?? '').split('\n')) {
    if (line.startsWith('#') || line.startsWith(';') || line.trim() === '') continue;
    const t = line.trim().split(/\s+/);
    const rest = t.slice(1);
    if (t[0] === 'nameserver') dns['nameservers'] = [...((dns['nameservers'] as string[] | undefined) ?? []), ...rest];
    else if (t[0] === 'domain') {
      if (rest.length) dns['domain'] = rest[0];
    } else if (t[0] === 'search') dns['search'] = rest;
    else if (t[0] === 'sortlist') dns['sortlist'] = rest;
    else if (t[0] === 'options') {
      const options: Record<string, string | true> = {};
      for (const o of rest) {
        const i = o.indexOf(':');
        const value = i >= 0 ? o.slice(i + 1) : '';
        options[i >= 0 ? o.slice(0, i) : o] = value || true;
      }
      dns['options'] = options;
    }
  }
  return { dns };
}

const SELINUX_MODES: Readonly<Record<string, string>> = { enforcing: 'enforcing', permissive: 'permissive', disabled: 'disabled' };

/**
 * selinux.py through libselinux: enabled when selinuxfs is mounted; mode from its
 * `enforce`, config_mode/type from /etc/selinux/config. (Ansible says "Missing selinux
 * Python library" where libselinux is absent; kvmplay needs no Python and reads the kernel.)
 */
export function selinuxFacts(p: AnsibleProbe): Facts {
  const enforce = fileContent(p, '/sys/fs/selinux/enforce');
  if (!p.files.has('/sys/fs/selinux/enforce')) return { selinux: { status: 'disabled' } };
  const config: Record<string, string> = {};
  for (const line of fileLines(p, '/etc/selinux/config')) {
    const m = /^\s*(SELINUX|SELINUXTYPE)\s*=\s*(\S*)/.exec(line);
    if (m) config[m[1]!] = m[2]!;
  }
  const policyvers = fileContent(p, '/sys/fs/selinux/policyvers');
  return {
    selinux: {
      status: 'enabled',
      policyvers: policyvers && /^\d+$/.test(policyvers) ? Number(policyvers) : 'unknown',
      config_mode: SELINUX_MODES[config['SELINUX'] ?? ''] ?? 'unknown',
      mode: enforce === '1' ? 'enforcing' : enforce === '0' ? 'permissive' : 'unknown',
      type: config['SELINUXTYPE'] || 'unknown',
    },
  };
}

/** apparmor.py, fips.py, ssh_pub_keys.py, uptime (hardware/linux.py), lsb.py, chroot.py. */
export function miscFacts(p: AnsibleProbe): Facts {
  const out: Facts = {
    apparmor: { status: p.exists.has('/sys/kernel/security/apparmor') ? 'enabled' : 'disabled' },
    fips: fileContent(p, '/proc/sys/crypto/fips_enabled') === '1',
  };
  // The first key directory with any key is used (a later one is never mixed in).
  for (const dir of SSH_KEY_DIRS) {
    let found = false;
    for (const algo of SSH_KEY_ALGOS) {
      const data = fileContent(p, `${dir}/ssh_host_${algo}_key.pub`);
      if (data === undefined) continue;
      const [keytype, key] = data.split(/\s+/);
      out[`ssh_host_key_${algo}_public`] = key;
      out[`ssh_host_key_${algo}_public_keytype`] = keytype;
      found = true;
    }
    if (found) break;
  }
  const uptime = fileContent(p, '/proc/uptime');
  if (uptime) out['uptime_seconds'] = Math.trunc(Number(uptime.split(' ')[0]));
  out['lsb'] = lsbFacts(p);
  const chroot = isChroot(p);
  if (chroot !== undefined) out['is_chroot'] = chroot;
  return out;
}

function lsbFacts(p: AnsibleProbe): Record<string, string> {
  let lsb: Record<string, string> = {};
  const bin = p.section('lsb');
  if (/^@@rc 0$/m.test(bin)) {
    for (const line of bin.split('\n')) {
      if (!line.includes(':') || line.startsWith('@@')) continue;
      const value = line.slice(line.indexOf(':') + 1).trim();
      if (line.includes('LSB Version:')) lsb['release'] = value;
      else if (line.includes('Distributor ID:')) lsb['id'] = value;
      else if (line.includes('Description:')) lsb['description'] = value;
      else if (line.includes('Release:')) lsb['release'] = value;
      else if (line.includes('Codename:')) lsb['codename'] = value;
    }
  }
  if (Object.keys(lsb).length === 0 && p.files.has('/etc/lsb-release')) {
    lsb = {};
    for (const line of fileLines(p, '/etc/lsb-release')) {
      const value = line.slice(line.indexOf('=') + 1).trim();
      if (line.includes('DISTRIB_ID')) lsb['id'] = value;
      else if (line.includes('DISTRIB_RELEASE')) lsb['release'] = value;
      else if (line.includes('DISTRIB_DESCRIPTION')) lsb['description'] = value;
      else if (line.includes('DISTRIB_CODENAME')) lsb['codename'] = value;
    }
  }
  if (lsb['release'] !== undefined) lsb['major_release'] = lsb['release'].split('.')[0]!;
  for (const [k, v] of Object.entries(lsb)) if (v) lsb[k] = v.replace(/^['"\\]+|['"\\]+$/g, '');
  return lsb;
}

/** chroot.py: `/` is not PID 1's root (as root), else its inode is not the filesystem's root inode. */
function isChroot(p: AnsibleProbe): boolean | undefined {
  const env = envFacts(p)['env'] as Record<string, string> | undefined;
  if (env?.['debian_chroot']) return true;
  const root = p.kv.get('root_stat') ?? '';
  if (!root) return undefined;
  const pid1 = p.kv.get('proc1_root_stat') ?? '';
  if (pid1) return root !== pid1;
  const fs = p.kv.get('root_fstype') ?? '';
  const rootIno = fs.includes('btrfs') ? 256 : fs.includes('xfs') ? 128 : 2;
  return Number(root.split(':')[1]) !== rootIno;
}

const PROC1_NAMES: Readonly<Record<string, string>> = { procd: 'openwrt_init', 'runit-init': 'runit', svscan: 'svc', 'openrc-init': 'openrc' };

/** service_mgr.py on Linux: PID 1's name when it tells, else systemd/upstart/openrc/sysvinit by their traces. */
export function serviceMgrFact(p: AnsibleProbe, distribution: string): string {
  let proc1: string | undefined = fileContent(p, '/proc/1/comm');
  if (proc1 === undefined) {
    const m = /^(\d+)\|(.*)$/.exec(p.kv.get('ps1') ?? '');
    const out = m?.[2] ?? '';
    proc1 = !m || m[1] !== '0' || !out.trim() || /^ *[0-9]+ /.test(`${out}\n`) || out === 'COMMAND' ? undefined : out;
  }
  if (proc1 === undefined && p.kv.has('sbin_init')) proc1 = p.kv.get('sbin_init');
  if (proc1 !== undefined) proc1 = (proc1.split('/').pop() ?? '').trim();
  if (proc1 !== undefined && (proc1 === 'init' || proc1.endsWith('sh'))) proc1 = undefined;
  if (proc1 !== undefined) return PROC1_NAMES[proc1] ?? proc1;
  if (distribution === 'OpenWrt') return 'openwrt_init';
  const systemctl = p.bins.has('systemctl');
  if (systemctl && ['/run/systemd/system/', '/dev/.run/systemd/', '/dev/.systemd/'].some((c) => p.exists.has(c))) return 'systemd';
  if (p.bins.has('initctl') && p.exists.has('/etc/init/')) return 'upstart';
  if (p.exists.has('/sbin/openrc')) return 'openrc';
  if (systemctl && (p.kv.get('sbin_init') ?? '').split('/').pop() === 'systemd') return 'systemd';
  if (p.exists.has('/etc/init.d/')) return 'sysvinit';
  return 'service';
}

/** pkg_mgr.py: the last package manager found, then the distribution family's official one. */
export function pkgMgrFact(p: AnsibleProbe, d: { distribution: string; major: string; osFamily: string }): string {
  let name = 'unknown';
  for (const [path, mgr] of PKG_MGR_PATHS) {
    if (d.osFamily === 'Altlinux' && path === '/usr/bin/pkg') continue;
    if (p.exists.has(path)) name = mgr;
  }
  const has = (mgr: string): boolean => PKG_MGR_PATHS.some(([path, m]) => m === mgr && p.exists.has(path));
  const major = /^\s*[+-]?\d+\s*$/.test(d.major) ? parseInt(d.major, 10) : NaN;
  if (d.osFamily === 'RedHat') {
    if (p.exists.has('/run/ostree-booted')) name = 'atomic_container';
    else if (d.distribution === 'Fedora' || d.distribution === 'Amazon') {
      const yumBefore = d.distribution === 'Fedora' ? 23 : 2022;
      if (Number.isNaN(major)) name = 'dnf';
      else if (major < yumBefore) name = has('yum') ? 'yum' : name;
      else name = has('dnf') ? 'dnf' : name;
    } else name = major < 8 ? 'yum' : 'dnf';
  } else if (d.osFamily === 'Debian' && name !== 'apt') name = 'apt';
  else if (d.osFamily === 'Altlinux' && name === 'apt') name = 'apt_rpm';
  if (name === 'apt' && p.kv.get('apt_rpm') === 'yes') name = 'apt_rpm';
  return name;
}
