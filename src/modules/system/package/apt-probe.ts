// The apt module's gather: one script prints what Ansible's apt reads through
// python-apt (dpkg's status, apt's policy: candidate and versions, auto marks,
// providers of virtual names), the cache's age, the .deb files' control fields, and a
// simulation (`apt-get -s …`) where the module decides by apt's own answer (upgrade,
// build-dep, autoremove, autoclean, a .deb's dependencies). Pure parsing below.
import { SECTION_FN, splitSections } from '../../probe-sections.js';
import { compareDebVersions } from './apt-spec.js';

/**
 * $1 default release ('' none), $2 package names separated by spaces (validated
 * names: no glob, no space), $3 .deb paths separated by newlines; the rest, when
 * given, is the simulation's argv. `set -f`: the names are split, never globbed.
 */
export const APT_PROBE = `${SECTION_FN}
command -v apt-get >/dev/null || { echo 'apt-get not found: this host does not use apt' >&2; exit 127; }
set -f
rel=$1 names=$2 debs=$3
shift 3
sec status
[ -n "$names" ] && dpkg-query -W -f '\${Package}\\t\${Architecture}\\t\${Status}\\t\${Version}\\n' $names 2>/dev/null
sec policy
[ -n "$names" ] && apt-cache \${rel:+-o} \${rel:+"APT::Default-Release=$rel"} policy $names 2>/dev/null
sec auto
[ -n "$names" ] && apt-mark showauto $names 2>/dev/null
sec provides
for n in $names; do
  apt-cache policy "$n" 2>/dev/null | grep -Eq '^ (\\*\\*\\*|   ) [^ ]+ -?[0-9]+$' && continue
  apt-cache showpkg "$n" 2>/dev/null | awk '/^Reverse Provides:/ { p = 1; next } p && NF { print $1 }' | sort -u |
  while IFS= read -r p; do
    printf '%s\\t%s\\t%s\\n' "$n" "$p" "$(dpkg-query -W -f '\${Status}' "$p" 2>/dev/null)"
  done
done
sec stamp
if [ -e /var/lib/apt/periodic/update-success-stamp ]; then stat -c %Y /var/lib/apt/periodic/update-success-stamp
elif [ -e /var/lib/apt/lists ]; then stat -c %Y /var/lib/apt/lists
else echo 0; fi
sec now
date +%s
sec aptitude
command -v aptitude || :
sec debs
printf '%s\\n' "$debs" | while IFS= read -r d; do
  [ -n "$d" ] || continue
  printf '@@deb %s\\n' "$d"
  dpkg-deb -f "$d" Package Version Architecture Depends Pre-Depends 2>&1
  printf '@@rc %s\\n' $?
  p=$(dpkg-deb -f "$d" Package 2>/dev/null)
  [ -n "$p" ] && printf '@@installed %s\\n' "$(dpkg-query -W -f '\${Status}\\t\${Version}' "$p" 2>/dev/null)"
done
sec sim
if [ $# -gt 0 ]; then "$@" 2>&1; printf '\\n@@rc %s\\n' $?; fi
:`;

/** One package in dpkg's database: its status words (want, flag, state) and version. */
export interface DpkgEntry {
  name: string;
  arch: string;
  /** dpkg's current state: installed, config-files, not-installed, half-installed, … */
  state: string;
  version: string;
}

/** apt-cache policy of one name. */
export interface AptPolicy {
  installed: string | null;
  candidate: string | null;
  /** Every version apt knows (repositories and dpkg's status), newest first as apt lists them. */
  versions: string[];
}

export interface DebInfo {
  path: string;
  /** dpkg-deb's error when the file cannot be read. */
  error: string | null;
  package: string;
  version: string;
  arch: string;
  depends: string;
  /** The installed version of the .deb's package ('' when not installed). */
  installedVersion: string;
}

export interface Simulation {
  output: string;
  rc: number;
}

export interface AptHostState {
  status: Map<string, DpkgEntry>;
  policy: Map<string, AptPolicy>;
  /** The names apt-mark lists as automatically installed. */
  auto: Set<string>;
  /** Virtual name → its providers and whether each is installed. */
  providers: Map<string, Array<{ name: string; installed: boolean }>>;
  /** The package lists' age (Ansible's cache_update_time): the update stamp's or the lists folder's mtime. */
  stamp: number;
  /** The host's clock, seconds. */
  now: number;
  aptitude: boolean;
  debs: DebInfo[];
  sim: Simulation | null;
}

/** `dpkg-query -W -f '${Package}\t${Architecture}\t${Status}\t${Version}\n'` → entries by name and name:arch. */
export function parseDpkgStatus(text: string): Map<string, DpkgEntry> {
  const out = new Map<string, DpkgEntry>();
  for (const line of text.split('\n')) {
    const [name, arch, status, version] = line.split('\t');
    if (!name || arch === undefined || status === undefined) continue;
    const entry: DpkgEntry = { name, arch, state: status.split(' ')[2] ?? 'not-installed', version: version ?? '' };
    out.set(name, entry);
    out.set(`${name}:${arch}`, entry);
  }
  return out;
}

const none = (v: string | undefined): string | null => (v === undefined || v === '(none)' ? null : v);

/** `apt-cache policy NAMES`: a block per known name (unknown names print nothing). */
export function parseAptPolicy(text: string): Map<string, AptPolicy> {
  const out = new Map<string, AptPolicy>();
  let cur: AptPolicy | null = null;
  for (const line of text.split('\n')) {
    const head = /^(\S+):$/.exec(line);
    if (head) {
      cur = { installed: null, candidate: null, versions: [] };
      out.set(head[1]!, cur);
      continue;
    }
    if (!cur) continue;
    const field = /^ {2}(Installed|Candidate): (.*)$/.exec(line);
    if (field) {
      if (field[1] === 'Installed') cur.installed = none(field[2]);
      else cur.candidate = none(field[2]);
      continue;
    }
    const version = /^ (?:\*\*\*| {3}) (\S+) -?\d+$/.exec(line);
    if (version && !cur.versions.includes(version[1]!)) cur.versions.push(version[1]!);
  }
  return out;
}

function parseProviders(text: string): Map<string, Array<{ name: string; installed: boolean }>> {
  const out = new Map<string, Array<{ name: string; installed: boolean }>>();
  for (const line of text.split('\n')) {
    const [virtual, provider, status] = line.split('\t');
    if (!virtual || !provider) continue;
    const list = out.get(virtual) ?? [];
    list.push({ name: provider, installed: (status ?? '').split(' ')[2] === 'installed' });
    out.set(virtual, list);
  }
  return out;
}

function parseDebs(text: string): DebInfo[] {
  const out: DebInfo[] = [];
  let cur: DebInfo | null = null;
  let body: string[] = [];
  for (const line of text.split('\n')) {
    const deb = /^@@deb (.*)$/.exec(line);
    if (deb) {
      cur = { path: deb[1]!, error: null, package: '', version: '', arch: '', depends: '', installedVersion: '' };
      out.push(cur);
      body = [];
      continue;
    }
    if (!cur) continue;
    const rc = /^@@rc (\d+)$/.exec(line);
    if (rc) {
      if (rc[1] !== '0') cur.error = body.join('\n').trim() || `dpkg-deb exited with ${rc[1]}`;
      else {
        const fields = new Map<string, string>();
        for (const f of body) {
          const m = /^([A-Za-z-]+): ?(.*)$/.exec(f);
          if (m) fields.set(m[1]!, m[2]!);
        }
        cur.package = fields.get('Package') ?? '';
        cur.version = fields.get('Version') ?? '';
        cur.arch = fields.get('Architecture') ?? '';
        cur.depends = [fields.get('Pre-Depends'), fields.get('Depends')].filter(Boolean).join(', ');
      }
      continue;
    }
    const inst = /^@@installed (.*)$/.exec(line);
    if (inst) {
      const [status = '', version = ''] = inst[1]!.split('\t');
      if (status.split(' ')[2] === 'installed') cur.installedVersion = version;
      continue;
    }
    body.push(line);
  }
  return out;
}

/** The output of a simulation, without the `@@rc` line the probe adds. */
export function parseSimulation(text: string): Simulation | null {
  const m = /\n?@@rc (\d+)\n?$/.exec(text.replace(/\n+$/, '\n'));
  if (!m) return text.trim() === '' ? null : { output: text, rc: 0 };
  return { output: text.slice(0, m.index).replace(/^\n/, ''), rc: parseInt(m[1]!, 10) };
}

export function parseAptProbe(stdout: string): AptHostState {
  const s = splitSections(stdout);
  const sec = (n: string): string => s.get(n) ?? '';
  const num = (n: string): number => parseInt(sec(n).trim(), 10) || 0;
  return {
    status: parseDpkgStatus(sec('status')),
    policy: parseAptPolicy(sec('policy')),
    auto: new Set(sec('auto').split('\n').map((l) => l.trim()).filter(Boolean)),
    providers: parseProviders(sec('provides')),
    stamp: num('stamp'),
    now: num('now'),
    aptitude: sec('aptitude').trim() !== '',
    debs: parseDebs(sec('debs')),
    sim: s.has('sim') ? parseSimulation(sec('sim')) : null,
  };
}

/** The newest of `versions` (dpkg's order). */
export function newestVersion(versions: readonly string[]): string | null {
  return versions.reduce<string | null>((best, v) => (best === null || compareDebVersions(v, best) > 0 ? v : best), null);
}

/** `Inst NAME …` lines of an apt-get simulation. */
export function simulatedInstalls(output: string): string[] {
  const out: string[] = [];
  for (const line of output.split('\n')) {
    const m = /^Inst (\S+)/.exec(line);
    if (m && !out.includes(m[1]!)) out.push(m[1]!);
  }
  return out;
}
