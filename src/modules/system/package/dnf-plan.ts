// The dnf and yum modules' decisions, pure and table-tested: arguments (ansible-core
// 2.14's yumdnf argument_spec), the probe (rpm queries, and dnf's own answer where
// the module needs the resolver: check-update for latest, autoremove), the plan in
// Ansible's terms (_mark_package_install's cases, update_only, allow_downgrade,
// local .rpm files), the commands and the parsing of dnf's transaction output.
import { z } from 'zod';
import { argumentSpec, boolish } from '../../args.js';
import { SECTION_FN, splitSections } from '../../probe-sections.js';
import type { Plan, PlanFailure } from '../../runner.js';
import { intish, stringList } from './apt-args.js';
import { compareEvr, parseNevr, type Evr } from './rpm-version.js';

// ---------------------------------------------------------------- arguments

// A package specifier: a name, a glob, name-version(-release)(.arch), `name >= 1.0`, a
// file path (/usr/bin/vi) or a local .rpm; never an option (leading `-`), never a URL.
function dnfSpecProblem(spec: string): string | null {
  if (spec.includes('://')) return `"${spec}": packages from a URL are not supported by kvmplay: download the .rpm first (get_url) and name its path`;
  if (spec.startsWith('@') || (spec.includes('/') && !spec.startsWith('/'))) return `"${spec}": groups, environments and modules (@…) are not supported by kvmplay: name the packages`;
  if (spec.startsWith('-') || /[\n\0]/.test(spec) || spec === '') return `"${spec}" is not a package specifier`;
  if (/\s/.test(spec) && !/^\S+ (<|<=|=|>=|>) \S+$/.test(spec)) {
    return /[@<>=]/.test(spec)
      ? `"${spec}" is not a package specifier (a version comparison is written "name >= 1.0")`
      : 'It appears that a space separated string of packages was passed in as an argument. To operate on several packages, pass a comma separated string of packages or a list of packages.';
  }
  return null;
}

const dnfSpecs = stringList.superRefine((specs, ctx) => {
  for (const s of specs) {
    const problem = dnfSpecProblem(s);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }
});

const word = z.string().regex(/^[A-Za-z0-9_.*:@+-][A-Za-z0-9_.*:@+,/-]*$/, { message: 'must be a repository, plugin or package name (no spaces)' });
const words = stringList.pipe(z.array(word));
const path = z.string().regex(/^\/\S*$/, { message: 'must be an absolute path without spaces' });

const listRefused = z.unknown().refine(() => false, {
  message: '"list" is not supported by kvmplay: use package_facts, or command: dnf list / dnf repoquery',
});

const common = {
  name: dnfSpecs.optional(),
  list: listRefused.optional(),
  state: z.enum(['absent', 'present', 'installed', 'removed', 'latest']).optional(),
  enablerepo: words.optional(),
  disablerepo: words.optional(),
  conf_file: path.optional(),
  disable_gpg_check: boolish.default(false),
  installroot: path.default('/'),
  releasever: word.optional(),
  autoremove: boolish.default(false),
  exclude: words.optional(),
  skip_broken: boolish.default(false),
  update_cache: boolish.optional(),
  update_only: boolish.default(false),
  security: boolish.default(false),
  bugfix: boolish.default(false),
  enable_plugin: words.optional(),
  disable_plugin: words.optional(),
  disable_excludes: word.optional(),
  validate_certs: boolish.default(true),
  sslverify: boolish.default(true),
  allow_downgrade: boolish.default(false),
  install_repoquery: boolish.default(true),
  download_only: boolish.default(false),
  lock_timeout: intish.pipe(z.number().min(0)).default(30),
  install_weak_deps: boolish.default(true),
  download_dir: path.optional(),
  cacheonly: boolish.default(false),
};

// update_cache is aliased: its default is set afterwards (an alias would receive it too).
// Ansible's required_one_of (name, list, update_cache) is always met: update_cache has a default.
const aliases = { name: ['pkg'], update_cache: ['expire-cache'] } as const;

function checkAutoremove(a: { autoremove: boolean; state?: string | undefined }, ctx: z.RefinementCtx): void {
  if (a.autoremove && a.state !== undefined && a.state !== 'absent' && a.state !== 'removed') {
    ctx.addIssue({ code: 'custom', message: 'Autoremove should be used alone or with state=absent' });
  }
}

export const DnfArgs = argumentSpec(
  { ...common, allowerasing: boolish.default(false), nobest: boolish.default(false) },
  { aliases, mutuallyExclusive: [['name', 'list']] },
).superRefine(checkAutoremove).transform((a) => ({ ...a, update_cache: a.update_cache ?? false, use_backend: 'dnf' as const }));

export const YumArgs = argumentSpec(
  { ...common, use_backend: z.enum(['auto', 'yum', 'yum4', 'dnf']).default('auto') },
  { aliases, mutuallyExclusive: [['name', 'list']] },
).superRefine(checkAutoremove).transform((a) => ({ ...a, update_cache: a.update_cache ?? false, allowerasing: false, nobest: false }));

export type DnfArgs = z.output<typeof DnfArgs>;
export type YumArgs = z.output<typeof YumArgs>;
/** What both modules plan with. */
export type RpmArgs = DnfArgs | YumArgs;

export type RpmTool = 'dnf' | 'yum';

/** dnf runs dnf; yum runs yum (dnf's yum on EL8+), or dnf when use_backend says so. */
export function toolOf(a: RpmArgs): RpmTool {
  return a.use_backend === 'dnf' || a.use_backend === 'yum4' ? 'dnf' : 'yum';
}

/** Ansible: state defaults to installed, or to absent with autoremove. */
export function effectiveState(a: RpmArgs): 'present' | 'latest' | 'absent' {
  if (a.state === undefined && a.autoremove) return 'absent';
  if (a.state === 'absent' || a.state === 'removed') return 'absent';
  return a.state === 'latest' ? 'latest' : 'present';
}

// ---------------------------------------------------------------- commands

/** The options every dnf/yum command of the task takes. */
export function globalOptions(a: RpmArgs): string[] {
  return [
    ...(a.conf_file ? ['-c', a.conf_file] : []),
    ...(a.disable_gpg_check ? ['--nogpgcheck'] : []),
    ...(a.disablerepo ?? []).map((r) => `--disablerepo=${r}`),
    ...(a.enablerepo ?? []).map((r) => `--enablerepo=${r}`),
    ...(a.installroot !== '/' ? [`--installroot=${a.installroot}`] : []),
    ...(a.releasever ? [`--releasever=${a.releasever}`] : []),
    ...(a.exclude ?? []).map((x) => `--exclude=${x}`),
    ...(a.skip_broken ? ['--skip-broken'] : []),
    ...(a.security ? ['--security'] : []),
    ...(a.bugfix ? ['--bugfix'] : []),
    ...(a.enable_plugin ?? []).map((p) => `--enableplugin=${p}`),
    ...(a.disable_plugin ?? []).map((p) => `--disableplugin=${p}`),
    ...(a.disable_excludes ? [`--disableexcludes=${a.disable_excludes}`] : []),
    ...(!a.validate_certs || !a.sslverify ? ['--setopt=sslverify=False'] : []),
    ...(!a.install_weak_deps ? ['--setopt=install_weak_deps=False'] : []),
    ...(a.allowerasing ? ['--allowerasing'] : []),
    ...(a.nobest ? ['--nobest'] : []),
    ...(a.cacheonly ? ['--cacheonly'] : []),
    ...(a.download_only ? ['--downloadonly'] : []),
    ...(a.download_dir ? [`--downloaddir=${a.download_dir}`] : []),
  ];
}

export type RpmVerb = 'install' | 'upgrade' | 'downgrade' | 'remove' | 'autoremove';

export function rpmCommand(a: RpmArgs, verb: RpmVerb, specs: readonly string[]): string[] {
  return [toolOf(a), '-y', ...globalOptions(a), verb, ...specs];
}

/** The cache refresh: `dnf makecache --refresh`, `yum makecache` (yum 3 has no --refresh). */
export function makecacheCommand(a: RpmArgs): string[] {
  return [toolOf(a), ...globalOptions(a).filter((o) => o !== '--downloadonly' && !o.startsWith('--downloaddir')), 'makecache', ...(toolOf(a) === 'dnf' ? ['--refresh'] : [])];
}

// ---------------------------------------------------------------- probe

/**
 * $1 rpm root ('' for /), $2 package specifiers and $3 .rpm files, one a line; the
 * rest, when given, is dnf's answer to ask (check-update, autoremove --assumeno).
 */
export const RPM_PROBE = `${SECTION_FN}
command -v rpm >/dev/null || { echo 'rpm not found: this host does not use dnf/yum' >&2; exit 127; }
root=$1 specs=$2 files=$3
shift 3
qf='%{NAME}\\t%{EPOCHNUM}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\n'
q() { rpm \${root:+--root "$root"} "$@"; }
sec installed
printf '%s\\n' "$specs" | while IFS= read -r s; do
  [ -n "$s" ] || continue
  printf '@@spec %s\\n' "$s"
  case $s in
    *[*?[]*) q -qa --qf "$qf" "$s" 2>/dev/null ;;
    *) q -q --qf "$qf" "$s" 2>/dev/null | grep -v ' is not installed$' || q -q --qf "$qf" --whatprovides "$s" 2>/dev/null | grep -v '^no package provides' ;;
  esac
done
sec files
printf '%s\\n' "$files" | while IFS= read -r f; do
  [ -n "$f" ] || continue
  printf '@@file %s\\n' "$f"
  if ! n=$(rpm -qp --qf '%{NAME}' "$f" 2>&1); then printf '@@error %s\\n' "$n"; continue; fi
  rpm -qp --qf "$qf" "$f" 2>/dev/null
  printf '@@installed\\n'
  q -q --qf "$qf" "$n" 2>/dev/null | grep -v ' is not installed$'
done
sec query
if [ $# -gt 0 ]; then "$@" 2>&1; printf '\\n@@rc %s\\n' $?; fi
:`;

export interface RpmPackage extends Evr {
  name: string;
  arch: string;
}

export interface RpmFile {
  path: string;
  error: string | null;
  pkg: RpmPackage | null;
  installed: RpmPackage[];
}

export interface RpmHostState {
  /** Specifier → the installed packages it matches. */
  installed: Map<string, RpmPackage[]>;
  files: RpmFile[];
  /** dnf's answer (check-update or autoremove --assumeno), with its exit status. */
  query: { output: string; rc: number } | null;
}

function parsePackageLine(line: string): RpmPackage | null {
  const [name, epoch, version, release, arch] = line.split('\t');
  if (!name || version === undefined || release === undefined) return null;
  return { name, epoch: epoch === '(none)' || !epoch ? '0' : epoch, version, release, arch: arch ?? '' };
}

export function parseRpmProbe(stdout: string): RpmHostState {
  const s = splitSections(stdout);
  const installed = new Map<string, RpmPackage[]>();
  let spec: string | null = null;
  for (const line of (s.get('installed') ?? '').split('\n')) {
    const m = /^@@spec (.*)$/.exec(line);
    if (m) {
      spec = m[1]!;
      installed.set(spec, []);
      continue;
    }
    const p = spec === null ? null : parsePackageLine(line);
    if (p && spec !== null) installed.get(spec)!.push(p);
  }
  const files: RpmFile[] = [];
  let cur: RpmFile | null = null;
  let inInstalled = false;
  for (const line of (s.get('files') ?? '').split('\n')) {
    const f = /^@@file (.*)$/.exec(line);
    if (f) {
      cur = { path: f[1]!, error: null, pkg: null, installed: [] };
      files.push(cur);
      inInstalled = false;
      continue;
    }
    if (!cur) continue;
    const e = /^@@error (.*)$/.exec(line);
    if (e) cur.error = e[1]!.trim() || 'cannot read the package';
    else if (line === '@@installed') inInstalled = true;
    else {
      const p = parsePackageLine(line);
      if (p && inInstalled) cur.installed.push(p);
      else if (p) cur.pkg = p;
    }
  }
  const q = s.get('query') ?? '';
  const rc = /\n?@@rc (\d+)\n*$/.exec(q);
  return { installed, files, query: rc ? { output: q.slice(0, rc.index).replace(/^\n/, ''), rc: parseInt(rc[1]!, 10) } : null };
}

/** `dnf check-update` lines (`name.arch  version  repo`) until the obsoletes section: the names. */
export function parseCheckUpdateNames(output: string): string[] {
  const out: string[] = [];
  for (const line of output.split('\n')) {
    if (/^Obsoleting Packages/i.test(line)) break;
    const m = /^(\S+)\.([A-Za-z0-9_]+)\s+\S+\s+\S+\s*$/.exec(line);
    if (m && !out.includes(m[1]!)) out.push(m[1]!);
  }
  return out;
}

/** The final sections of a dnf transaction ("Installed:", "Removed:" …) → Ansible's results lines. */
export function transactionResults(output: string, downloadOnly = false): string[] {
  const out: string[] = [];
  let action: string | null = null;
  for (const line of output.split('\n')) {
    const head = /^(Installed|Upgraded|Downgraded|Reinstalled|Installed dependencies|Installed weak dependencies|Removed|Removed dependencies|Obsoleted):\s*$/.exec(line);
    if (head) {
      action = /^(Removed|Obsoleted)/.test(head[1]!) ? 'Removed' : downloadOnly ? 'Downloaded' : 'Installed';
      continue;
    }
    if (action && /^\s+\S/.test(line)) {
      for (const nevra of line.trim().split(/\s+/)) out.push(`${action}: ${nevra}`);
    } else if (action && line.trim() === '') action = null;
  }
  return out;
}

/** Nothing to do, by dnf's words (also yum 3's "No packages marked for …"). */
export function nothingToDo(output: string): boolean {
  return /^Nothing to do\.?$/m.test(output) || /^No packages marked for/m.test(output);
}

// ---------------------------------------------------------------- plan

export type RpmChange =
  | { kind: 'makecache' }
  | { kind: 'transaction'; verb: RpmVerb; specs: string[]; willChange: boolean };

export interface RpmPlanInput extends RpmHostState {
  tool: RpmTool;
}

/** What the probe asks dnf besides rpm: updates for latest, the autoremove transaction. */
export function probeQuery(a: RpmArgs, specs: readonly string[]): string[] | null {
  const state = effectiveState(a);
  const base = [toolOf(a), '-q', ...globalOptions(a).filter((o) => o !== '--downloadonly' && !o.startsWith('--downloaddir'))];
  // Not quiet: dnf -q would not print the transaction it declines.
  if (state === 'absent' && a.autoremove) return [toolOf(a), ...base.slice(2), '--assumeno', 'autoremove'];
  if (state === 'latest' || a.update_only) return [...base, 'check-update', ...specs.filter((s) => s !== '*')];
  return null;
}

/** Names that are .rpm files (installed from the file); the others are specifiers. */
export function splitFiles(names: readonly string[]): { specs: string[]; files: string[] } {
  return { specs: names.filter((n) => !n.endsWith('.rpm')), files: names.filter((n) => n.endsWith('.rpm')) };
}

const CHECK_MSG = 'Check mode: No changes made, but would have if not in check mode';

export function planRpm(a: RpmArgs, s: RpmPlanInput): Plan<RpmChange> | PlanFailure {
  const names = a.name ?? [];
  const changes: RpmChange[] = [];
  if (a.update_cache) changes.push({ kind: 'makecache' });
  if (names.length === 0 && !a.autoremove) return { changes, okMsg: 'Cache updated', data: { results: [] }, rc: 0 };
  const state = effectiveState(a);
  const { specs, files } = splitFiles(names);
  const results: string[] = [];
  const install: string[] = [];
  const upgrade: string[] = [];
  const downgrade: string[] = [];
  const remove: string[] = [];
  const q = s.query;
  if (q && q.rc !== 0 && q.rc !== 100 && !(state === 'absent' && a.autoremove)) {
    return { fail: `Failed to synchronize repodata: ${q.output.trim()}`, rc: 1, data: { results: [] } };
  }
  const updates = q && q.rc === 100 ? parseCheckUpdateNames(q.output) : [];

  if (state === 'absent') {
    if (files.length) return { fail: 'Cannot remove paths -- please specify package name.', data: { results: [] } };
    for (const spec of specs) if ((s.installed.get(spec) ?? []).length) remove.push(spec);
  } else {
    for (const f of files) {
      const file = s.files.find((x) => x.path === f);
      if (!file || file.error !== null || !file.pkg) return { fail: `Error occurred attempting remote rpm operation: ${file?.error ?? `cannot read ${f}`}`, rc: 1, data: { results: [] } };
      const pkg = file.pkg;
      const newest = file.installed.reduce<number | null>((m, i) => { const c = compareEvr(i, pkg); return m === null || c > m ? c : m; }, null);
      if (a.update_only && newest === null) continue;
      if (newest !== null && newest > 0) {
        if (a.allow_downgrade) downgrade.push(f);
        continue;
      }
      if (newest === 0) continue;
      install.push(f);
      results.push(`Installed ${f}`);
    }
    for (const spec of specs) {
      const have = s.installed.get(spec) ?? [];
      if (spec === '*' && state === 'latest') {
        if (updates.length) upgrade.push('*');
        continue;
      }
      if (a.update_only) {
        if (have.length === 0) results.push(`Packages providing ${spec} not installed due to update_only specified`);
        else if (have.some((p) => updates.includes(p.name))) upgrade.push(spec);
        continue;
      }
      const nevr = parseNevr(spec);
      const sameName = nevr ? (s.installed.get(nevr.name) ?? have).filter((p) => p.name === nevr.name) : [];
      if (nevr && sameName.some((p) => compareEvr(p, nevr) > 0)) {
        // Ansible's case 4: a newer version is installed; only allow_downgrade installs this one.
        if (a.allow_downgrade) downgrade.push(spec);
        continue;
      }
      if (have.length === 0) install.push(spec);
      else if (state === 'latest' && have.some((p) => updates.includes(p.name))) upgrade.push(spec);
    }
  }
  if (install.length) changes.push({ kind: 'transaction', verb: 'install', specs: install, willChange: true });
  if (upgrade.length) changes.push({ kind: 'transaction', verb: 'upgrade', specs: upgrade.filter((x) => x !== '*'), willChange: true });
  if (downgrade.length) changes.push({ kind: 'transaction', verb: 'downgrade', specs: downgrade, willChange: true });
  if (remove.length) changes.push({ kind: 'transaction', verb: 'remove', specs: remove, willChange: true });
  if (state === 'absent' && a.autoremove) {
    changes.push({ kind: 'transaction', verb: 'autoremove', specs: [], willChange: q ? !nothingToDo(q.output) && q.output.trim() !== '' : true });
  }
  const planned = [
    ...install.map((x) => `${a.download_only ? 'Downloaded' : 'Installed'}: ${x}`),
    ...upgrade.map((x) => `Installed: ${x}`),
    ...downgrade.map((x) => `Installed: ${x}`),
    ...remove.map((x) => `Removed: ${x}`),
  ];
  return { changes, okMsg: 'Nothing to do', checkMsg: CHECK_MSG, rc: 0, data: { results: [...results, ...planned] } };
}

export function describeRpm(c: RpmChange): string {
  return c.kind === 'makecache' ? 'update the package cache' : `${c.verb}${c.specs.length ? ` ${c.specs.join(' ')}` : ''}`;
}

/** Ansible: a refreshed cache alone changes nothing; an autoremove with nothing to remove neither. */
export function countsRpm(c: RpmChange): boolean {
  return c.kind === 'transaction' && c.willChange;
}
