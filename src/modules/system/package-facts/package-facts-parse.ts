// `package_facts`' probe and its reading. apt: what Ansible gets from python-apt's cache
// (name, version, arch, category, origin, source), read here without python-apt: the
// installed packages from dpkg, and `origin` as python-apt has it — the Origin of the
// first repository index (/var/lib/apt/lists/*_Packages) that carries the installed
// version, '' when only dpkg's status has it. rpm: `rpm -qa`. Pure parsing.
import { SECTION_FN, splitSections } from '../../probe-sections.js';

export interface AptPackage {
  name: string;
  version: string;
  arch: string;
  category: string;
  origin: string;
  source: 'apt';
}

export interface RpmPackage {
  name: string;
  version: string;
  release: string;
  epoch: number | null;
  arch: string | null;
  source: 'rpm';
}

export type PackageFact = AptPackage | RpmPackage;

// Positional parameters: the managers to read (apt, rpm). The awk join keeps the output to
// the installed versions found in an index, not the whole index (a full mirror's is ~60k stanzas).
export const PACKAGE_FACTS_SCRIPT = [
  SECTION_FN,
  'PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin:/usr/bin:/bin"',
  'for m in "$@"; do case $m in',
  'apt)',
  '  command -v dpkg-query >/dev/null 2>&1 || { sec apt-missing; continue; }',
  '  sec apt-arch; dpkg --print-architecture 2>/dev/null',
  '  sec apt-err; { i=$(dpkg-query -W -f=\'${db:Status-Abbrev}\\t${Package}\\t${Version}\\t${Architecture}\\t${Section}\\n\' 2>&3); rc=$?; } 3>&1',
  '  sec apt-rc; echo "$rc"; sec apt; printf "%s\\n" "$i"',
  '  sec apt-release; for r in /var/lib/apt/lists/*Release; do [ -f "$r" ] && printf "%s\\t%s\\n" "$r" "$(sed -n "s/^Origin: //p" "$r" | head -n 1)"; done',
  '  sec apt-indexed',
  '  printf "%s\\n" "$i" | awk -F "\\t" \'',
  '    function flush() { if ((n " " v " " a) in want) print f "\\t" n "\\t" v "\\t" a; n = v = a = "" }',
  '    FNR == NR { want[$2 " " $3 " " $4] = 1; next }',
  '    FNR == 1 { flush(); f = FILENAME }',
  '    /^Package: / { n = substr($0, 10) } /^Version: / { v = substr($0, 10) } /^Architecture: / { a = substr($0, 15) }',
  '    /^$/ { flush() }',
  '    END { flush() }\' - /var/lib/apt/lists/*_Packages 2>/dev/null',
  '  ;;',
  'rpm)',
  '  command -v rpm >/dev/null 2>&1 || { sec rpm-missing; continue; }',
  '  sec rpm-err; { o=$(rpm -qa --qf "%{NAME}\\t%{VERSION}\\t%{RELEASE}\\t%{EPOCH}\\t%{ARCH}\\n" 2>&3); rc=$?; } 3>&1',
  '  sec rpm-rc; echo "$rc"; sec rpm; printf "%s\\n" "$o"',
  '  ;;',
  'esac; done',
  'exit 0',
].join('\n');

export interface ManagerRead {
  /** The tool is there (dpkg-query, rpm). */
  available: boolean;
  /** name → its installed versions (Ansible's dict of lists). */
  packages: Record<string, PackageFact[]>;
  /** Why the manager could not be read. */
  error?: string;
}

const int = (s: string | undefined): number => Number.parseInt((s ?? '').trim(), 10);
const lines = (s: string | undefined): string[] => (s ?? '').split('\n').filter((l) => l.trim() !== '');

/** The Release file a Packages index belongs to: the longest `…_` prefix they share ('' when none). */
function originOf(index: string, releases: ReadonlyArray<[string, string]>): string {
  let best: [string, string] | undefined;
  for (const [file, origin] of releases) {
    const prefix = file.replace(/(In)?Release$/, '');
    if (index.startsWith(prefix) && (best === undefined || prefix.length > best[0].length)) best = [prefix, origin];
  }
  return best?.[1] ?? '';
}

function addTo(packages: Record<string, PackageFact[]>, p: PackageFact): void {
  (packages[p.name] ??= []).push(p);
}

/** dpkg's installed packages, keyed as python-apt's cache names them (`name:arch` for a foreign architecture). */
export function readApt(s: Map<string, string>): ManagerRead {
  if (s.has('apt-missing') || !s.has('apt-rc')) return { available: false, packages: {} };
  if (int(s.get('apt-rc')) !== 0) return { available: true, packages: {}, error: `dpkg-query failed: ${(s.get('apt-err') ?? '').trim()}` };
  const native = (s.get('apt-arch') ?? '').trim();
  const releases = lines(s.get('apt-release')).map((l) => l.split('\t') as [string, string]).map(([f, o]) => [f, o ?? ''] as [string, string]);
  // The first index (glob order) with the installed version: python-apt's origins[0].
  const indexed = new Map<string, string>();
  for (const l of lines(s.get('apt-indexed'))) {
    const [file = '', n, v, a] = l.split('\t');
    const key = `${n} ${v} ${a}`;
    if (!indexed.has(key)) indexed.set(key, originOf(file, releases));
  }
  const packages: Record<string, PackageFact[]> = {};
  for (const l of lines(s.get('apt'))) {
    const [status = '', pkg = '', version = '', arch = '', section = ''] = l.split('\t');
    // Installed for apt (a current version): any state but not-installed and config-files.
    if (/^.[nc]/.test(status) || pkg === '') continue;
    const name = arch === native || arch === 'all' || arch === '' ? pkg : `${pkg}:${arch}`;
    addTo(packages, { name, version, arch, category: section, origin: indexed.get(`${pkg} ${version} ${arch}`) ?? '', source: 'apt' });
  }
  return { available: true, packages };
}

export function readRpm(s: Map<string, string>): ManagerRead {
  if (s.has('rpm-missing') || !s.has('rpm-rc')) return { available: false, packages: {} };
  if (int(s.get('rpm-rc')) !== 0) return { available: true, packages: {}, error: `rpm -qa failed: ${(s.get('rpm-err') ?? '').trim()}` };
  const packages: Record<string, PackageFact[]> = {};
  for (const l of lines(s.get('rpm'))) {
    const [name = '', version = '', release = '', epoch = '', arch = ''] = l.split('\t');
    const e = int(epoch);
    addTo(packages, { name, version, release, epoch: Number.isNaN(e) ? null : e, arch: arch === '(none)' ? null : arch, source: 'rpm' });
  }
  return { available: true, packages };
}

export function parsePackageFacts(stdout: string): { apt: ManagerRead; rpm: ManagerRead } {
  const s = splitSections(stdout);
  return { apt: readApt(s), rpm: readRpm(s) };
}
