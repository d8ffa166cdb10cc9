// Ansible's distribution facts (system/distribution.py on Linux): a first guess from
// the `distro` library (os-release, else a /etc/*-release file), then the first of
// Ansible's distribution files that exists and parses, then os_family from the
// distribution name. lsb_release is not consulted for the guess (distro only falls back
// to it where os-release has no ID, i.e. on no supported distribution).
import { fileContent, fileLines, type AnsibleProbe } from './ansible-probe.js';
import { parseOsRelease } from './os-release.js';

type Facts = Record<string, unknown>;

const OS_FAMILY_MAP: Readonly<Record<string, readonly string[]>> = {
  RedHat: ['RedHat', 'RHEL', 'Fedora', 'CentOS', 'Scientific', 'SLC', 'Ascendos', 'CloudLinux', 'PSBM', 'OracleLinux', 'OVS',
    'OEL', 'Amazon', 'Virtuozzo', 'XenServer', 'Alibaba', 'EulerOS', 'openEuler', 'AlmaLinux', 'Rocky', 'TencentOS',
    'EuroLinux', 'Kylin Linux Advanced Server'],
  Debian: ['Debian', 'Ubuntu', 'Raspbian', 'Neon', 'KDE neon', 'Linux Mint', 'SteamOS', 'Devuan', 'Kali', 'Cumulus Linux',
    'Pop!_OS', 'Parrot', 'Pardus GNU/Linux', 'Uos', 'Deepin', 'OSMC'],
  Suse: ['SuSE', 'SLES', 'SLED', 'openSUSE', 'openSUSE Tumbleweed', 'SLES_SAP', 'SUSE_LINUX', 'openSUSE Leap'],
  Archlinux: ['Archlinux', 'Antergos', 'Manjaro'],
  Mandrake: ['Mandrake', 'Mandriva'],
  Solaris: ['Solaris', 'Nexenta', 'OmniOS', 'OpenIndiana', 'SmartOS'],
  Slackware: ['Slackware'], Altlinux: ['Altlinux'], SGML: ['SGML'], Gentoo: ['Gentoo', 'Funtoo'], Alpine: ['Alpine'],
  AIX: ['AIX'], 'HP-UX': ['HPUX'], Darwin: ['MacOSX'], FreeBSD: ['FreeBSD', 'TrueOS'],
  ClearLinux: ['Clear Linux OS', 'Clear Linux Mix'],
  DragonFly: ['DragonflyBSD', 'DragonFlyBSD', 'Gentoo/DragonflyBSD', 'Gentoo/DragonFlyBSD'], NetBSD: ['NetBSD'],
};
const OS_FAMILY = new Map(Object.entries(OS_FAMILY_MAP).flatMap(([family, names]) => names.map((n) => [n, family] as const)));

/** OSDIST_LIST: name, path, allowempty. */
const OSDIST_LIST: ReadonlyArray<readonly [string, string, boolean?]> = [
  ['Altlinux', '/etc/altlinux-release'], ['OracleLinux', '/etc/oracle-release'], ['Slackware', '/etc/slackware-version'],
  ['CentOS', '/etc/centos-release'], ['RedHat', '/etc/redhat-release'], ['VMwareESX', '/etc/vmware-release', true],
  ['OpenWrt', '/etc/openwrt_release'], ['Amazon', '/etc/os-release'], ['Amazon', '/etc/system-release'],
  ['Alpine', '/etc/alpine-release'], ['Archlinux', '/etc/arch-release', true], ['Archlinux', '/etc/os-release'],
  ['SUSE', '/etc/os-release'], ['SUSE', '/etc/SuSE-release'], ['Gentoo', '/etc/gentoo-release'],
  ['Debian', '/etc/os-release'], ['Debian', '/etc/lsb-release'], ['Mandriva', '/etc/lsb-release'],
  ['SMGL', '/etc/sourcemage-release'], ['ClearLinux', '/usr/lib/os-release'], ['Coreos', '/etc/coreos/update.conf'],
  ['Flatcar', '/etc/os-release'], ['NA', '/etc/os-release'],
];
const SEARCH_STRING: Readonly<Record<string, string>> = { OracleLinux: 'Oracle Linux', RedHat: 'Red Hat', Altlinux: 'ALT', SMGL: 'Source Mage GNU/Linux' };
const OS_RELEASE_ALIAS: Readonly<Record<string, string>> = { Archlinux: 'Arch Linux' };

const DISTRO_RELEASE_IGNORED = new Set(['debian_version', 'lsb-release', 'oem-release', 'os-release', 'system-release', 'plesk-release', 'iredmail-release']);

interface DistroInfo { name?: string; version_id?: string; codename?: string }

/** distro's parse of a release file's first line (matched reversed, as distro does). */
function parseDistroReleaseContent(line: string): DistroInfo {
  const reversed = [...line.trim()].reverse().join('');
  const m = /^(?:[^)]*\)(.*)\()? *(?:STL )?([\d.+\-a-z]*\d) *(?:esaeler *)?(.+)/.exec(reversed);
  const rev = (s: string): string => [...s].reverse().join('');
  if (m) {
    const info: DistroInfo = { name: rev(m[3]!) };
    if (m[2]) info.version_id = rev(m[2]);
    if (m[1]) info.codename = rev(m[1]);
    return info;
  }
  return line ? { name: line.trim() } : {};
}

/** The first /etc/*-release (or _version) file distro accepts, by sorted name. */
function distroReleaseInfo(p: AnsibleProbe): DistroInfo & { id?: string } {
  const entries = p.section('distro-release').split('\n').flatMap((l) => {
    const tab = l.indexOf('\t');
    return tab > 0 ? [[l.slice(0, tab), l.slice(tab + 1)] as const] : [];
  }).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [base, first] of entries) {
    if (DISTRO_RELEASE_IGNORED.has(base)) continue;
    const m = /^(\w+)[-_](release|version)$/.exec(base);
    if (!m) continue;
    const info = parseDistroReleaseContent(first);
    if (info.name !== undefined) return { ...info, id: info.name.toLowerCase().includes('cloudlinux') ? 'cloudlinux' : m[1]! };
  }
  return {};
}

/** The os-release distro reads (/etc, else /usr/lib), keys as given; `codename` derived as distro does. */
function osReleaseInfo(p: AnsibleProbe): { props: Record<string, string>; codename: string | undefined } {
  const raw = p.files.get('/etc/os-release') ?? p.files.get('/usr/lib/os-release') ?? p.section('os-release');
  const props = parseOsRelease(raw ?? '');
  let codename: string | undefined;
  if ('VERSION_CODENAME' in props) codename = props['VERSION_CODENAME'];
  else if ('UBUNTU_CODENAME' in props) codename = props['UBUNTU_CODENAME'];
  else if ('VERSION' in props) {
    const m = /(\(\D+\))|,(\s+)?\D+/.exec(props['VERSION']!);
    if (m) codename = m[0].replace(/^\(+|\)+$/g, '').replace(/^,+|,+$/g, '').trim();
  }
  return { props, codename };
}

/** Python's str.capitalize(). */
const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1).toLowerCase();

function guess(p: AnsibleProbe): Record<string, string> {
  const { props, codename: osCodename } = osReleaseInfo(p);
  const rel = distroReleaseInfo(p);
  const normalize = (id: string, table: Readonly<Record<string, string>>): string => {
    const n = id.toLowerCase().replace(/ /g, '_');
    return table[n] ?? n;
  };
  const id = props['ID'] ? normalize(props['ID'], { ol: 'oracle', 'opensuse-leap': 'opensuse' })
    : rel.id ? normalize(rel.id, { redhat: 'rhel' }) : '';
  let distribution = capitalize(id);
  if (distribution === 'Amzn') distribution = 'Amazon';
  else if (distribution === 'Rhel') distribution = 'Redhat';
  else if (!distribution) distribution = 'OtherLinux';

  const versions = [props['VERSION_ID'] ?? '', rel.version_id ?? '', parseDistroReleaseContent(props['PRETTY_NAME'] ?? '').version_id ?? ''];
  let version = '';
  if (id === 'centos' || id === 'debian') {
    for (const v of versions) if (v.split('.').length > version.split('.').length || version === '') version = v;
    if (id === 'centos') version = version.split('.').slice(0, 2).join('.');
  } else version = versions.find((v) => v !== '') ?? '';

  let codename: string | undefined;
  if ('VERSION_CODENAME' in props) codename = props['VERSION_CODENAME'];
  else if ('UBUNTU_CODENAME' in props) codename = props['UBUNTU_CODENAME'];
  if (codename === undefined) {
    codename = osCodename ?? rel.codename ?? '';
    if (codename === '') codename = undefined;
  }
  const v = version || 'NA';
  return {
    distribution,
    distribution_version: v,
    distribution_release: codename === undefined ? 'NA' : codename,
    distribution_major_version: v.split('.')[0] || 'NA',
  };
}

type Parsed = [boolean, Record<string, string>];

function parseDistFile(name: string, data: string, path: string, facts: Record<string, string>, p: AnsibleProbe): Parsed {
  const out: Record<string, string> = {};
  const search = (re: RegExp, text = data): RegExpExecArray | null => re.exec(text);
  switch (name) {
    case 'Slackware': {
      if (!data.includes('Slackware')) return [false, out];
      out['distribution'] = name;
      const v = search(/\w+[.]\w+\+?/);
      if (v) out['distribution_version'] = v[0];
      return [true, out];
    }
    case 'Amazon': {
      if (!data.includes('Amazon')) return [false, out];
      out['distribution'] = 'Amazon';
      if (path === '/etc/os-release') {
        const v = search(/VERSION_ID="(.*)"/);
        if (v) {
          out['distribution_version'] = v[1]!;
          const parts = v[1]!.split('.');
          out['distribution_major_version'] = parts[0]!;
          out['distribution_minor_version'] = parts.length > 1 ? parts[1]! : 'NA';
        }
      } else out['distribution_version'] = data.split(/\s+/).find((w) => /^\d+$/.test(w)) ?? 'NA';
      return [true, out];
    }
    case 'OpenWrt': {
      if (!data.includes('OpenWrt')) return [false, out];
      out['distribution'] = name;
      const v = search(/DISTRIB_RELEASE="(.*)"/);
      if (v) out['distribution_version'] = v[1]!;
      const r = search(/DISTRIB_CODENAME="(.*)"/);
      if (r) out['distribution_release'] = r[1]!;
      return [true, out];
    }
    case 'Alpine':
      return [true, { distribution: 'Alpine', distribution_version: data }];
    case 'SUSE':
      return parseSuse(data, path, facts);
    case 'Debian':
      return parseDebian(data, path, p);
    case 'Mandriva': {
      if (!data.includes('Mandriva')) return [false, out];
      const v = search(/DISTRIB_RELEASE="(.*)"/);
      if (v) out['distribution_version'] = v[1]!;
      const r = search(/DISTRIB_CODENAME="(.*)"/);
      if (r) out['distribution_release'] = r[1]!;
      out['distribution'] = name;
      return [true, out];
    }
    case 'NA':
      for (const line of data.split('\n')) {
        const d = /^NAME=(.*)/.exec(line);
        if (d) out['distribution'] = d[1]!.replace(/^"+|"+$/g, '');
        const v = /^VERSION=(.*)/.exec(line);
        if (v && facts['distribution_version'] === 'NA') out['distribution_version'] = v[1]!.replace(/^"+|"+$/g, '');
      }
      return [true, out];
    case 'Coreos': {
      if (guess(p)['distribution']!.toLowerCase() !== 'coreos' || !data) return [false, out];
      const r = search(/^GROUP=(.*)/);
      if (r) out['distribution_release'] = r[1]!.replace(/^"+|"+$/g, '');
      return [true, out];
    }
    case 'Flatcar': {
      if (guess(p)['distribution']!.toLowerCase() !== 'flatcar' || !data) return [false, out];
      const v = search(/VERSION=(.*)/);
      if (v) {
        const version = v[1]!.replace(/^"+|"+$/g, '');
        out['distribution_major_version'] = version.split('.')[0]!;
        out['distribution_version'] = version;
      }
      return [true, out];
    }
    case 'ClearLinux': {
      const n = search(/NAME="(.*)"/);
      if (n) {
        if (!n[1]!.includes('Clear Linux')) return [false, out];
        out['distribution'] = n[1]!;
      }
      const v = search(/VERSION_ID=(.*)/);
      if (v) {
        out['distribution_major_version'] = v[1]!;
        out['distribution_version'] = v[1]!;
      }
      const r = search(/ID=(.*)/);
      if (r) out['distribution_release'] = r[1]!;
      return [true, out];
    }
    case 'CentOS':
      if (data.includes('CentOS Stream')) return [true, { distribution_release: 'Stream' }];
      if (data.includes('TencentOS Server')) return [true, { distribution: 'TencentOS' }];
      return [false, out];
    default:
      return [false, out]; // no parser for it in Ansible either (Gentoo)
  }
}

function parseDebian(data: string, path: string, p: AnsibleProbe): Parsed {
  const out: Record<string, string> = {};
  const versionOf = (major: (v: string) => string): void => {
    const v = /VERSION_ID="(.*)"/.exec(data);
    if (v) {
      out['distribution_version'] = v[1]!;
      out['distribution_major_version'] = major(v[1]!);
    }
  };
  if (data.includes('Debian') || data.includes('Raspbian')) {
    out['distribution'] = 'Debian';
    const r = /PRETTY_NAME=[^(]+ \(?([^)]+?)\)/.exec(data);
    if (r) out['distribution_release'] = r[1]!;
    for (const line of fileLines(p, '/etc/debian_version')) {
      const m = /(\d+)\.(\d+)/.exec(line.trim());
      if (m) out['distribution_minor_version'] = m[2]!;
    }
  } else if (data.includes('Ubuntu')) out['distribution'] = 'Ubuntu';
  else if (data.includes('SteamOS')) out['distribution'] = 'SteamOS';
  else if ((path === '/etc/lsb-release' || path === '/etc/os-release') && (data.includes('Kali') || data.includes('Parrot'))) {
    out['distribution'] = data.includes('Kali') ? 'Kali' : 'Parrot';
    const r = /DISTRIB_RELEASE=(.*)/.exec(data);
    if (r) out['distribution_release'] = r[1]!;
  } else if (data.includes('Devuan')) {
    out['distribution'] = 'Devuan';
    const r = /PRETTY_NAME="?[^("]+ \(?([^) "]+)\)?/.exec(data);
    if (r) out['distribution_release'] = r[1]!;
    versionOf((v) => v);
  } else if (data.includes('Cumulus')) {
    out['distribution'] = 'Cumulus Linux';
    const v = /VERSION_ID=(.*)/.exec(data);
    if (v) {
      out['distribution_version'] = v[1]!;
      out['distribution_major_version'] = v[1]!.split('.')[0]!;
    }
    const r = /VERSION="(.*)"/.exec(data);
    if (r) out['distribution_release'] = r[1]!;
  } else if (data.includes('Mint')) {
    out['distribution'] = 'Linux Mint';
    versionOf((v) => v.split('.')[0]!);
  } else if (data.includes('UOS') || data.includes('Uos') || data.includes('uos') || data.includes('Deepin') || data.includes('deepin')) {
    out['distribution'] = data.includes('UOS') || data.includes('Uos') || data.includes('uos') ? 'Uos' : 'Deepin';
    const r = /VERSION_CODENAME="?([^"]+)"?/.exec(data);
    if (r) out['distribution_release'] = r[1]!;
    versionOf((v) => v.split('.')[0]!);
  } else return [false, out];
  return [true, out];
}

function parseSuse(data: string, path: string, facts: Record<string, string>): Parsed {
  const out: Record<string, string> = {};
  const lower = data.toLowerCase();
  if (!lower.includes('suse')) return [false, out];
  if (path === '/etc/os-release') {
    for (const line of data.split('\n')) {
      const d = /^NAME=(.*)/.exec(line);
      if (d) out['distribution'] = d[1]!.replace(/^"+|"+$/g, '');
      const v = /^VERSION_ID="?([0-9]+\.?[0-9]*)"?/.exec(line);
      if (v) {
        out['distribution_version'] = v[1]!;
        out['distribution_major_version'] = v[1]!.split('.')[0]!;
      }
      if (lower.includes('open')) {
        const r = /^VERSION_ID="?[0-9]+\.?([0-9]*)"?/.exec(line);
        if (r) out['distribution_release'] = r[1]!;
      } else if (lower.includes('enterprise') && line.includes('VERSION_ID')) {
        const r = /^VERSION_ID="?[0-9]+\.?([0-9]*)"?/.exec(line);
        out['distribution_release'] = r?.[1] ? r[1] : '0';
      }
    }
  } else if (path === '/etc/SuSE-release') {
    const lines = data.split('\n');
    if (lower.includes('open')) {
      out['distribution'] = lines[0]!.split(/\s+/)[0]!;
      for (const line of lines) {
        const r = /CODENAME *= *([^\n]+)/.exec(line);
        if (r) out['distribution_release'] = r[1]!.trim();
      }
    } else if (lower.includes('enterprise')) {
      if (data.includes('Server')) out['distribution'] = 'SLES';
      else if (data.includes('Desktop')) out['distribution'] = 'SLED';
      for (const line of lines) {
        const r = /PATCHLEVEL = ([0-9]+)/.exec(line);
        if (r) {
          out['distribution_release'] = r[1]!;
          out['distribution_version'] = `${facts['distribution_version']}.${r[1]}`;
        }
      }
    }
  }
  return [true, out];
}

/** distribution, distribution_version/_major_version/_release (+ _minor_version, _file_*), os_family. */
export function distributionFacts(p: AnsibleProbe): Facts {
  const facts: Record<string, string | boolean> = { ...guess(p) };
  for (const [name, path, allowEmpty] of OSDIST_LIST) {
    const raw = p.files.get(path);
    if (raw === undefined || raw === null || (!allowEmpty && raw.length === 0)) continue;
    if (allowEmpty) {
      Object.assign(facts, { distribution: name, distribution_file_path: path, distribution_file_variety: name });
      break;
    }
    const data = (fileContent(p, path) ?? '').replace(/^['"\\]+|['"\\]+$/g, '');
    let parsed: Parsed;
    if (name in SEARCH_STRING) {
      const s = SEARCH_STRING[name]!;
      parsed = [true, data.includes(s) ? { distribution: name, distribution_file_search_string: s } : { distribution: data.split(/\s+/)[0] ?? '' }];
    } else if (name in OS_RELEASE_ALIAS) {
      parsed = data.includes(OS_RELEASE_ALIAS[name]!) ? [true, { distribution: name }] : [false, {}];
    } else parsed = parseDistFile(name, data, path, facts as Record<string, string>, p);
    if (parsed[0]) {
      Object.assign(facts, { distribution: name, distribution_file_path: path, distribution_file_variety: name, distribution_file_parsed: true }, parsed[1]);
      break;
    }
  }
  const distribution = String(facts['distribution']);
  facts['os_family'] = OS_FAMILY.get(distribution) ?? distribution;
  return facts;
}

/** The files Ansible reads for the distribution (the probe must dump each of them). */
export const OSDIST_PATHS: readonly string[] = [...new Set(OSDIST_LIST.map(([, path]) => path))];
