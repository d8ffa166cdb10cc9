// `hostname` (ansible.builtin.hostname) on Linux: the strategy hostname.py picks
// (systemd's hostnamectl when systemd runs, else by distribution: /etc/hostname for
// Debian & co., /etc/sysconfig/network for RedHat & co., /etc/HOSTNAME for SLES 10-12,
// /etc/conf.d/hostname for Gentoo, /etc/hostname + `hostname -F` for Alpine), what it
// reads as the current and the permanent name, and what it writes. One probe; pure plan.
import { z } from 'zod';
import { TaskError } from '../../errors.js';
import type { Host } from '../../transport/host.js';
import { unifiedDiff } from '../../util/text.js';
import { argumentSpec } from '../args.js';
import { putFile } from '../files/put-file.js';
import type { ModuleContext } from '../module.js';
import { SECTION_FN, splitSections } from '../probe-sections.js';
import { mustRun, runOptions, script } from '../remote.js';
import { defineModule, type Plan, type PlanFailure, type ResultData } from '../runner.js';

export type Strategy = 'systemd' | 'file' | 'sles' | 'alpine' | 'redhat' | 'openrc';

const NOT_LINUX = ['freebsd', 'macos', 'macosx', 'darwin', 'openbsd', 'solaris'];

export const HostnameArgs = argumentSpec(
  {
    // Never an option of hostname/hostnamectl, never two lines.
    name: z.string().regex(/^[^-\s][^\s]*$/, { message: 'must be a host name (no blanks, no leading -)' }),
    use: z.enum(['alpine', 'debian', 'freebsd', 'generic', 'macos', 'macosx', 'darwin', 'openbsd', 'openrc', 'redhat', 'sles', 'solaris', 'systemd']).optional(),
  },
  { required: ['name'] },
).superRefine((a, ctx) => {
  if (a.use !== undefined && NOT_LINUX.includes(a.use)) {
    ctx.addIssue({ code: 'custom', path: ['use'], message: `"use: ${a.use}" is not supported by kvmplay (not a Linux strategy; kvmplay manages Linux hosts)` });
  }
  if (a.use === 'generic') {
    ctx.addIssue({ code: 'custom', path: ['use'], message: '"use: generic" is not supported by kvmplay (ansible-core\'s generic strategy cannot read a permanent name either: pick systemd, debian, redhat, sles, alpine or openrc)' });
  }
});
export type HostnameArgs = z.infer<typeof HostnameArgs>;

/** hostname.py's `use` → strategy ('debian' is hostnamectl there too). */
const BY_USE: Record<string, Strategy> = { systemd: 'systemd', debian: 'systemd', alpine: 'alpine', redhat: 'redhat', sles: 'sles', openrc: 'openrc' };

const FILE_DISTS = ['Debian', 'Kylin', 'Cumulus-linux', 'Kali', 'Parrot', 'Ubuntu', 'Linuxmint', 'Linaro', 'Devuan', 'Raspbian', 'Uos', 'Deepin', 'Neon', 'Void', 'Pop'];
const REDHAT_DISTS = ['Redhat', 'Centos', 'Anolis', 'Cloudlinuxserver', 'Cloudlinux', 'Alinux', 'Scientific', 'Oracle', 'Virtuozzo', 'Amazon', 'Altlinux', 'Eurolinux'];

/** Ansible's get_distribution(): os-release's ID capitalised (amzn → Amazon, rhel → Redhat). */
export function distributionName(id: string): string {
  const d = id ? id.charAt(0).toUpperCase() + id.slice(1).toLowerCase() : '';
  return d === 'Amzn' ? 'Amazon' : d === 'Rhel' ? 'Redhat' : d || 'OtherLinux';
}

/** The strategy for a host: `use`, else hostnamectl when systemd runs, else by distribution; null: none (hostname.py's Unimplemented). */
export function pickStrategy(use: string | undefined, systemd: boolean, distribution: string, version: string): Strategy | null {
  if (use !== undefined) return BY_USE[use] ?? null;
  if (systemd) return 'systemd';
  if (FILE_DISTS.includes(distribution)) return 'file';
  if (REDHAT_DISTS.includes(distribution)) return 'redhat';
  if (distribution === 'Alpine') return 'alpine';
  if (distribution === 'Gentoo') return 'openrc';
  const v = Number.parseFloat(version);
  if (distribution === 'Sles' && v >= 10 && v <= 12) return 'sles';
  return null;
}

export const STRATEGY_FILE: Record<Exclude<Strategy, 'systemd'>, string> = {
  file: '/etc/hostname', sles: '/etc/HOSTNAME', alpine: '/etc/hostname', redhat: '/etc/sysconfig/network', openrc: '/etc/conf.d/hostname',
};

export interface HostnameState {
  systemd: boolean;
  distribution: string;
  version: string;
  /** hostnamectl's transient and static names (systemd); null when hostnamectl failed or was not asked. */
  transient: string | null;
  static: string | null;
  hostnamectlError: string;
  /** The strategy's file: null when it is no regular file. */
  file: { path: string; content: string; mode: number } | null;
  /** socket.getfqdn() on the host (as it is before the change). */
  fqdn: string;
}

const FILES = ['/etc/hostname', '/etc/HOSTNAME', '/etc/sysconfig/network', '/etc/conf.d/hostname'];

// $1 yes|no|auto: ask hostnamectl (auto: when systemd runs). Every strategy's file that
// exists is read (they are small), so one round trip serves whichever strategy applies.
// getfqdn: the name's address looked up backwards, the first of its names with a dot.
export const HOSTNAME_PROBE = [
  SECTION_FN,
  'ctl=$1',
  'if command -v systemctl >/dev/null 2>&1 && { [ -e /run/systemd/system/ ] || [ -e /dev/.run/systemd/ ] || [ -e /dev/.systemd/ ]; }; then sd=yes; else sd=no; fi',
  'sec systemd; echo $sd',
  'sec os; ( . /etc/os-release 2>/dev/null; printf "%s\\n%s\\n" "$ID" "$VERSION_ID" )',
  '[ "$ctl" = auto ] && ctl=$sd',
  'if [ "$ctl" = yes ]; then',
  '  sec transient; hostnamectl --transient status 2>&1; echo "rc $?"',
  '  sec static; hostnamectl --static status 2>&1; echo "rc $?"',
  'fi',
  'i=0',
  `for file in ${FILES.join(' ')}; do i=$((i + 1))`,
  '  if [ -f "$file" ]; then sec "file$i"; stat -L -c %a -- "$file"; base64 < "$file" | tr -d "\\n"; echo; fi',
  'done',
  'h=$(hostname 2>/dev/null || uname -n); f=$h',
  'ip=$(getent hosts "$h" 2>/dev/null | awk "{print \\$1; exit}")',
  'if [ -n "$ip" ] && names=$(getent hosts "$ip" 2>/dev/null | awk "NR==1 {for (i = 2; i <= NF; i++) print \\$i}") && [ -n "$names" ]; then',
  '  f=$(printf "%s\\n" "$names" | grep -m1 "[.]" || printf "%s\\n" "$names" | head -n1)',
  'fi',
  'sec fqdn; printf "%s\\n" "$f"',
].join('\n');

export function parseHostnameProbe(stdout: string, use: string | undefined): HostnameState {
  const s = splitSections(stdout);
  const lines = (k: string): string[] => (s.get(k) ?? '').split('\n').filter((l, i, all) => !(l === '' && (i === 0 || i === all.length - 1)));
  const ctl = (k: string): { out: string | null; err: string } => {
    const l = lines(k);
    const rc = /^rc (\d+)$/.exec(l[l.length - 1] ?? '')?.[1];
    const text = l.slice(0, -1).join('\n');
    return rc === '0' ? { out: text.trim(), err: '' } : { out: null, err: rc === undefined ? '' : `Command failed rc=${rc}, out=${text}, err=` };
  };
  const t = ctl('transient');
  const st = ctl('static');
  const [id = '', version = ''] = lines('os');
  const systemd = lines('systemd')[0] === 'yes';
  const distribution = distributionName(id);
  const strategy = pickStrategy(use, systemd, distribution, version);
  const path = strategy === null || strategy === 'systemd' ? null : STRATEGY_FILE[strategy];
  const section = path === null ? undefined : `file${FILES.indexOf(path) + 1}`;
  const f = section === undefined ? [] : lines(section);
  return {
    systemd,
    distribution,
    version,
    transient: t.out,
    static: st.out,
    hostnamectlError: t.err || st.err,
    file: path !== null && section !== undefined && s.has(section) ? { path, mode: parseInt(f[0] ?? '644', 8), content: Buffer.from(f[1] ?? '', 'base64').toString('utf8') } : null,
    fqdn: lines('fqdn')[0] ?? '',
  };
}

/** Python's str.strip(). */
const strip = (s: string): string => s.replace(/^\s+|\s+$/g, '');

/** The permanent name as the strategy reads it from its file; a string error when it cannot. */
export function permanentName(strategy: Exclude<Strategy, 'systemd'>, file: HostnameState['file']): string | { error: string } {
  const path = STRATEGY_FILE[strategy];
  if (strategy === 'redhat') {
    // A missing file reads as no lines (get_file_lines): the same failure as a file without the entry.
    const line = (file?.content ?? '').split('\n').map(strip).find((l) => l.startsWith('HOSTNAME'));
    if (line === undefined) return { error: `Unable to locate HOSTNAME entry in ${path}` };
    return strip(line.split('=')[1] ?? '');
  }
  if (!file) return '';
  if (strategy === 'openrc') {
    const line = file.content.split('\n').map(strip).find((l) => l.startsWith('hostname='));
    // hostname.py returns None without such a line: it never equals a name.
    return line === undefined ? { error: '' } : line.slice(10).replace(/^"+|"+$/g, '');
  }
  return strip(file.content);
}

/** The file's content after setting `name` (each strategy's set_permanent_hostname). */
export function permanentContent(strategy: Exclude<Strategy, 'systemd'>, before: string, name: string): string {
  if (strategy === 'redhat') {
    const lines = before.match(/[^\n]*\n|[^\n]+$/g) ?? [];
    let found = false;
    const out = lines.map((l) => {
      if (!strip(l).startsWith('HOSTNAME')) return l;
      found = true;
      return `HOSTNAME=${name}\n`;
    });
    return `${out.join('')}${found ? '' : `HOSTNAME=${name}\n`}`;
  }
  if (strategy === 'openrc') {
    // Only an existing hostname= line is replaced (hostname.py adds none); the lines come back stripped.
    const lines = strip(before) === '' ? [] : strip(before).split(/\r\n|\n|\r/).map(strip);
    const i = lines.findIndex((l) => l.startsWith('hostname='));
    if (i >= 0) lines[i] = `hostname="${name}"`;
    return `${lines.join('\n')}\n`;
  }
  return `${name}\n`;
}

export type HostnameChange =
  | { kind: 'hostnamectl'; which: 'static' | 'transient'; name: string }
  | { kind: 'write'; path: string; content: string; mode: number }
  /** Alpine's set_current_hostname: `hostname -F /etc/hostname` (before the file is written, as hostname.py does). */
  | { kind: 'hostname-F'; path: string };

function facts(name: string, fqdn: string): ResultData {
  return { ansible_hostname: name.split('.')[0], ansible_nodename: name, ansible_fqdn: fqdn, ansible_domain: fqdn.split('.').slice(1).join('.') };
}

export function planHostname(a: HostnameArgs, s: HostnameState): Plan<HostnameChange> | PlanFailure {
  const strategy = pickStrategy(a.use, s.systemd, s.distribution, s.version);
  if (strategy === null) return { fail: `hostname module cannot be used on platform Linux (${s.distribution})` };
  let current: string;
  let permanent: string;
  const changes: HostnameChange[] = [];
  if (strategy === 'systemd') {
    if (s.transient === null || s.static === null) return { fail: s.hostnamectlError || 'Failed to find required executable "hostnamectl"' };
    if (a.name.length > 64 && (s.static !== a.name || s.transient !== a.name)) return { fail: 'name cannot be longer than 64 characters on systemd servers, try a shorter name' };
    current = s.transient;
    permanent = s.static;
    // Permanent first (NetworkManager complains otherwise), as hostname.py.
    if (permanent !== a.name) changes.push({ kind: 'hostnamectl', which: 'static', name: a.name });
    if (current !== a.name) changes.push({ kind: 'hostnamectl', which: 'transient', name: a.name });
  } else {
    const p = permanentName(strategy, s.file);
    if (typeof p !== 'string' && p.error !== '') return { fail: p.error };
    permanent = typeof p === 'string' ? p : '';
    // These strategies read the current name from the file too (hostname.py's BaseStrategy).
    current = permanent;
    const differs = typeof p !== 'string' || p !== a.name;
    const path = STRATEGY_FILE[strategy];
    if (differs) {
      if (strategy === 'alpine') changes.push({ kind: 'hostname-F', path });
      changes.push({ kind: 'write', path, content: permanentContent(strategy, s.file?.content ?? '', a.name), mode: s.file?.mode ?? 0o644 });
    }
  }
  const before = a.name !== current ? current : permanent;
  const data = { name: a.name, ansible_facts: facts(a.name, s.fqdn) };
  return {
    changes,
    data,
    okMsg: `hostname already ${a.name}`,
    diff: () => unifiedDiff('hostname', `hostname = ${before}\n`, `hostname = ${a.name}\n`),
  };
}

async function applyHostname(host: Host, c: HostnameChange, ctx: ModuleContext): Promise<void> {
  if (c.kind === 'write') {
    await putFile(host, ctx, { path: c.path, content: Buffer.from(c.content, 'utf8'), mode: c.mode, chown: null, keepOwner: null, backupTo: null });
    return;
  }
  const argv = c.kind === 'hostname-F' ? ['hostname', '-F', c.path]
    : c.which === 'static' ? ['hostnamectl', '--pretty', '--static', 'set-hostname', c.name] : ['hostnamectl', '--transient', 'set-hostname', c.name];
  const r = await host.run(argv, runOptions(ctx));
  if (r.rc !== 0) throw new TaskError(ctx.hostName, `Command failed rc=${r.rc ?? 'none'}, out=${r.stdout}, err=${r.stderr}`, { rc: r.rc, stdout: r.stdout, stderr: r.stderr });
}

export const hostnameModule = defineModule({
  names: ['hostname'],
  args: HostnameArgs,
  async gather(host, a, ctx) {
    const ctl = a.use === undefined ? 'auto' : BY_USE[a.use] === 'systemd' ? 'yes' : 'no';
    const r = await mustRun(host, script(HOSTNAME_PROBE, ctl), ctx, 'reading the host name');
    return parseHostnameProbe(r.stdout, a.use);
  },
  plan: planHostname,
  describe: (c: HostnameChange) => (c.kind === 'write' ? `write ${c.path}` : c.kind === 'hostname-F' ? `set the running name from ${c.path}` : `set the ${c.which} name to ${c.name}`),
  apply: (host, _a, c, ctx) => applyHostname(host, c, ctx),
});
