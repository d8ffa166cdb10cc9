// The apt module's decisions, pure and table-tested: Ansible's apt (ansible-core
// 2.14) step by step — clean, the cache refresh (and nothing else when no package is
// named), upgrade, .deb files, `*` with latest, autoclean/autoremove alone, then
// install (present, latest, fixed, build-dep) or remove — from what the probe read.
import type { Plan, PlanFailure, ResultData } from '../../runner.js';
import type { AptArgs } from './apt-args.js';
import type { AptHostState, AptPolicy } from './apt-probe.js';
import { newestVersion, simulatedInstalls } from './apt-probe.js';
import { compareDebVersions, dependencyNames, fnmatch, splitSpec, type PackageSpec } from './apt-spec.js';

/** apt-get's line when a run changes no package (Ansible's APT_GET_ZERO). */
export const APT_GET_ZERO = '\n0 upgraded, 0 newly installed';
export const APTITUDE_ZERO = '\n0 packages upgraded, 0 newly installed';
/** What autoremove and autoclean print when they do something (Ansible's CLEAN_OP_CHANGED_STR). */
export const CLEANUP_CHANGED = { autoremove: 'The following packages will be REMOVED', autoclean: 'Del ' } as const;

export type CleanupOp = keyof typeof CLEANUP_CHANGED;
export type UpgradeMode = 'dist' | 'full' | 'safe' | 'yes';

export type AptChange =
  | { kind: 'clean' }
  /**
   * `alone`: nothing else is asked, so the refresh is the task's outcome (Ansible's
   * changed=cache_updated); `keys`: the result carries cache_updated and cache_update_time.
   */
  | { kind: 'update_cache'; alone: boolean; keys: boolean }
  | { kind: 'upgrade'; mode: UpgradeMode; aptitude: boolean; willChange: boolean }
  | { kind: 'deb'; deps: string[]; debs: string[] }
  /** `deferred`: the names are resolved again after the refresh (the old lists do not know them all). */
  | { kind: 'install'; specs: string[]; names: string[]; buildDep: boolean; willChange: boolean; deferred?: string }
  | { kind: 'remove'; specs: string[] }
  | { kind: 'cleanup'; op: CleanupOp; willChange: boolean }
  /** Ansible's apt-mark manual of the named packages that apt installed as dependencies. */
  | { kind: 'mark_manual'; names: string[] };

/** What the module needs besides the probe: which simulation ran for which question. */
export interface AptState extends AptHostState {
  /** aptitude's simulation of an upgrade, when aptitude does it (probed separately). */
  aptitudeSim?: { output: string; rc: number } | null;
}

// ---------------------------------------------------------------- commands

export const APT_ENV: Readonly<Record<string, string>> = {
  DEBIAN_FRONTEND: 'noninteractive',
  DEBIAN_PRIORITY: 'critical',
  LANG: 'C.UTF-8',
  LC_ALL: 'C.UTF-8',
  LC_MESSAGES: 'C.UTF-8',
  LC_CTYPE: 'C.UTF-8',
};

export function dpkgOptionArgs(options: string): string[] {
  return options.split(',').filter(Boolean).flatMap((o) => ['-o', `Dpkg::Options::=--${o}`]);
}

const lock = (a: AptArgs): string[] => ['-o', `DPkg::Lock::Timeout=${a.lock_timeout}`];
const flag = (on: boolean, word: string): string[] => (on ? [word] : []);

/** The options Ansible appends to an install: release, recommends, allow-…. */
function installSuffix(a: AptArgs): string[] {
  return [
    ...(a.default_release ? ['-t', a.default_release] : []),
    ...(a.install_recommends === false ? ['-o', 'APT::Install-Recommends=no'] : a.install_recommends === true ? ['-o', 'APT::Install-Recommends=yes'] : []),
    ...flag(a.allow_unauthenticated, '--allow-unauthenticated'),
    ...flag(a.allow_downgrade, '--allow-downgrades'),
    ...flag(a.allow_change_held_packages, '--allow-change-held-packages'),
  ];
}

export function installArgv(a: AptArgs, specs: readonly string[], o: { buildDep: boolean; simulate?: boolean }): string[] {
  return [
    'apt-get', '-y', ...lock(a), ...dpkgOptionArgs(a.dpkg_options),
    ...flag(a.only_upgrade, '--only-upgrade'),
    ...flag(a.state === 'fixed', '--fix-broken'),
    ...flag(a.force, '--force-yes'),
    ...flag(a.autoremove && !o.buildDep, '--auto-remove'),
    ...flag(a.fail_on_autoremove, '--no-remove'),
    ...flag(o.simulate === true, '--simulate'),
    o.buildDep ? 'build-dep' : 'install',
    ...specs,
    ...installSuffix(a),
  ];
}

export function removeArgv(a: AptArgs, specs: readonly string[]): string[] {
  return ['apt-get', '-q', '-y', ...lock(a), ...dpkgOptionArgs(a.dpkg_options), ...flag(a.purge, '--purge'), ...flag(a.force, '--force-yes'), ...flag(a.autoremove, '--auto-remove'), 'remove', ...specs];
}

export function cleanupArgv(a: AptArgs, op: CleanupOp, simulate = false): string[] {
  return ['apt-get', '-y', ...lock(a), ...dpkgOptionArgs(a.dpkg_options), ...flag(a.purge, '--purge'), ...flag(a.force, '--force-yes'), op, ...flag(simulate, '--simulate')];
}

/** Ansible's upgrade(): apt-get unless aptitude is there and wanted (safe/yes/full). */
export function upgradeArgv(a: AptArgs, mode: UpgradeMode, aptitude: boolean, simulate = false): string[] {
  const useAptitude = aptitude && mode !== 'dist';
  const command = useAptitude
    ? [mode === 'full' ? 'full-upgrade' : 'safe-upgrade']
    : mode === 'dist' || mode === 'full' ? ['dist-upgrade', ...flag(a.autoremove, '--auto-remove')] : ['upgrade', '--with-new-pkgs', ...flag(a.autoremove, '--auto-remove')];
  return [
    useAptitude ? 'aptitude' : 'apt-get', '-y', ...(useAptitude ? [] : lock(a)), ...dpkgOptionArgs(a.dpkg_options),
    ...(a.force ? (useAptitude ? ['--assume-yes', '--allow-untrusted'] : ['--force-yes']) : []),
    ...flag(a.fail_on_autoremove, '--no-remove'),
    ...flag(a.allow_unauthenticated, '--allow-unauthenticated'),
    ...flag(a.allow_downgrade, '--allow-downgrades'),
    ...flag(simulate, '--simulate'),
    ...command,
    ...(a.default_release ? ['-t', a.default_release] : []),
  ];
}

export function dpkgInstallArgv(a: AptArgs, debs: readonly string[]): string[] {
  return ['dpkg', ...a.dpkg_options.split(',').filter(Boolean).map((o) => `--${o}`), ...flag(a.force, '--force-all'), '-i', ...debs];
}

/** Ansible's cleanup, upgrade and deb steps with apt-get; aptitude's own simulation is asked separately. */
export function upgradeMode(a: AptArgs): UpgradeMode | null {
  if (a.upgrade !== undefined && a.upgrade !== 'no') return a.upgrade;
  if (a.deb === undefined && a.state === 'latest' && (a.name ?? []).includes('*')) return 'yes';
  return null;
}

/** Which question the probe's simulation answers (its argv), if any. */
export function simulationArgv(a: AptArgs): string[] | null {
  const names = a.name ?? [];
  if (cacheOnly(a)) return null;
  const mode = upgradeMode(a);
  if (mode) return upgradeArgv(a, mode, false, true);
  const debs = debPaths(a);
  if (debs.length) return ['apt-get', '-s', 'install', ...debs];
  const packages = names.filter((n) => n !== '*');
  if (packages.length === 0 && a.autoclean) return cleanupArgv(a, 'autoclean', true);
  if (packages.length === 0 && a.autoremove) return cleanupArgv(a, 'autoremove', true);
  if (a.state === 'build-dep' && packages.length) return installArgv(a, packages, { buildDep: true, simulate: true });
  return null;
}

/** Ansible splits `deb` at commas into several files. */
export function debPaths(a: AptArgs): string[] {
  return a.deb === undefined ? [] : a.deb.split(',').map((d) => d.trim()).filter(Boolean);
}

function cacheOnly(a: AptArgs): boolean {
  return (a.update_cache === true || a.cache_valid_time > 0) && (a.name ?? []).length === 0 && a.upgrade === undefined && a.deb === undefined;
}

/** The names the probe asks about: the specs' names (a .deb's package is read from the file). */
export function probedNames(a: AptArgs): string[] {
  return [...new Set((a.name ?? []).filter((n) => n !== '*').map((n) => splitSpec(n).name))];
}

// ---------------------------------------------------------------- package status

interface Status {
  installed: boolean;
  /** The installed version meets the spec. */
  versionInstalled: boolean;
  /** The version to install (true: a virtual name apt resolves), or null. */
  installable: string | true | null;
  /** dpkg still has the package's files (installed, or removed with its configuration left). */
  hasFiles: boolean;
}

/** Ansible's package_best_match: the candidate, or with `=`, the newest version matching the pattern. */
function bestMatch(spec: PackageSpec, p: AptPolicy): string | null {
  if (spec.cmp === '=') return newestVersion(p.versions.filter((v) => fnmatch(v, spec.version ?? '')));
  return p.candidate;
}

/** Ansible's package_status, from the probe instead of python-apt. */
function packageStatus(spec: PackageSpec, s: AptHostState, forInstall: boolean): Status | { fail: string } {
  const p = s.policy.get(spec.name);
  if (!p || p.versions.length === 0) {
    if (!forInstall) return { installed: false, versionInstalled: false, installable: null, hasFiles: false };
    const providers = s.providers.get(spec.name) ?? [];
    if (providers.length === 0) return { fail: `No package matching '${spec.name}' is available` };
    // A virtual name with one installed provider is that provider (no re-install).
    if (providers.length === 1 && providers[0]!.installed) return { installed: true, versionInstalled: true, installable: null, hasFiles: true };
    return { installed: false, versionInstalled: false, installable: true, hasFiles: false };
  }
  const entry = s.status.get(spec.name);
  const installed = entry?.state === 'installed';
  const hasFiles = entry !== undefined && entry.state !== 'not-installed';
  const best = bestMatch(spec, p);
  if (!installed) return { installed, versionInstalled: false, installable: best, hasFiles };
  const current = p.installed ?? entry.version;
  const v = spec.version ?? '';
  if (spec.cmp === '=') {
    return { installed, versionInstalled: fnmatch(current, v), installable: best !== null && best !== current && fnmatch(best, v) ? best : null, hasFiles };
  }
  if (spec.cmp === '>=') {
    return { installed, versionInstalled: compareDebVersions(current, v) >= 0, installable: best !== null && best !== current && compareDebVersions(best, v) >= 0 ? best : null, hasFiles };
  }
  return { installed, versionInstalled: true, installable: best !== null && best !== current ? best : null, hasFiles };
}

/** Ansible's install(): the specs apt-get is given (versions pinned as Ansible pins them). */
export function installSpecs(a: AptArgs, packages: readonly string[], s: AptHostState): { specs: string[] } | { fail: string } {
  const specs: string[] = [];
  const upgrade = a.state === 'latest';
  for (const raw of packages) {
    if (a.state === 'build-dep') {
      specs.push(raw);
      continue;
    }
    const spec = splitSpec(raw);
    const st = packageStatus(spec, s, true);
    if ('fail' in st) return st;
    if (!st.installed && a.only_upgrade) continue;
    if (!st.versionInstalled && !st.installable) return { fail: `no available installation candidate for ${raw}` };
    if (st.installable && ((!st.installed && !a.only_upgrade) || upgrade || !st.versionInstalled)) {
      specs.push(st.installable !== true ? `${spec.name}=${st.installable}` : spec.version !== null ? `${spec.name}=${spec.version}` : spec.name);
    } else if (st.versionInstalled && st.installable && spec.cmp === '=') {
      // Ansible's legacy case: a version pattern matching both the installed and a newer version.
      specs.push(`${spec.name}=${spec.version ?? ''}`);
    }
  }
  return { specs };
}

/** Ansible's remove(): installed ones, and with purge those whose configuration is left. */
export function removeSpecs(a: AptArgs, packages: readonly string[], s: AptHostState): string[] {
  return packages.filter((raw) => {
    const st = packageStatus(splitSpec(raw), s, false);
    return !('fail' in st) && (st.versionInstalled || (st.hasFiles && a.purge));
  });
}

// ---------------------------------------------------------------- the plan

function cacheDue(a: AptArgs, s: AptHostState): boolean {
  if (a.update_cache !== true && a.cache_valid_time === 0) return false;
  return !(s.stamp + a.cache_valid_time >= s.now);
}

function simulationChanges(output: string, zero: string): boolean {
  return !output.includes(zero);
}

/** What a failed apt-get said: its E:/W: lines (Ansible shows stderr), else all of it. */
export function aptErrors(output: string): string {
  const lines = output.split('\n').filter((l) => /^[EW]: /.test(l));
  return lines.length ? lines.join('\n') : output.trim();
}

export function planApt(a: AptArgs, s: AptState): Plan<AptChange> | PlanFailure {
  const names = a.name ?? [];
  const changes: AptChange[] = [];
  const nothingElse = names.length === 0 && a.upgrade === undefined && a.deb === undefined;
  // Ansible cleans first and goes on: its "clean alone exits changed" test reads upgrade
  // before its 'no' default becomes None, so it never exits there, and clean never counts.
  if (a.clean) changes.push({ kind: 'clean' });
  const asked = a.update_cache === true || a.cache_valid_time > 0;
  const due = cacheDue(a, s);
  // Check mode's values (Ansible: a due refresh counts as done); a real refresh replaces them.
  const cache: ResultData = { cache_updated: due, cache_update_time: s.stamp };
  const update = { kind: 'update_cache' as const, alone: nothingElse, keys: true };
  if (due) changes.push(update);
  if (asked && nothingElse) return { changes, data: cache, okMsg: due ? 'the package lists did not change' : 'the package lists are recent enough (cache_valid_time)' };
  // Only the install path registers the cache's keys (Ansible's other paths exit without them).
  update.keys = false;

  const sim = s.sim;
  const mode = upgradeMode(a);
  if (mode) {
    if (names.some((n) => n !== '*') && a.upgrade === undefined) return { fail: 'unable to install additional packages when upgrading all installed packages' };
    const aptitude = s.aptitude && !a.force_apt_get && mode !== 'dist';
    const run = aptitude ? s.aptitudeSim : sim;
    if (run && run.rc !== 0) return { fail: `'${upgradeArgv(a, mode, aptitude).join(' ')}' failed: ${aptErrors(run.output)}`, rc: run.rc, stdout: run.output };
    changes.push({ kind: 'upgrade', mode, aptitude, willChange: run ? simulationChanges(run.output, aptitude ? APTITUDE_ZERO : APT_GET_ZERO) : true });
    return { changes };
  }

  const debs = debPaths(a);
  if (debs.length) return planDebs(a, s, debs, changes);

  const packages = names.filter((n) => n !== '*');
  if (packages.length === 0 && (a.autoclean || a.autoremove)) {
    const op: CleanupOp = a.autoclean ? 'autoclean' : 'autoremove';
    if (sim && sim.rc !== 0) return { fail: `'apt-get ${op}' failed: ${aptErrors(sim.output)}`, rc: sim.rc, stdout: sim.output };
    changes.push({ kind: 'cleanup', op, willChange: sim ? sim.output.includes(CLEANUP_CHANGED[op]) : true });
    return { changes };
  }

  if (a.state === 'absent') {
    const specs = removeSpecs(a, packages, s);
    if (specs.length) changes.push({ kind: 'remove', specs });
    return { changes, okMsg: 'no package to remove' };
  }

  update.keys = true;
  const planned = installSpecs(a, packages, s);
  if ('fail' in planned) {
    // Lists refreshed first may know the missing name: decide again after the refresh.
    if (!due) return { fail: planned.fail, data: cache };
    changes.push({ kind: 'install', specs: packages, names: probedNames(a), buildDep: false, willChange: true, deferred: planned.fail });
    return { changes, data: cache };
  }
  const buildDep = a.state === 'build-dep';
  if (buildDep && planned.specs.length && sim && sim.rc !== 0) {
    return { fail: `'${installArgv(a, planned.specs, { buildDep }).join(' ')}' failed: ${aptErrors(sim.output)}`, rc: sim.rc, stdout: sim.output, data: cache };
  }
  if (planned.specs.length) {
    const willChange = buildDep ? (sim ? simulationChanges(sim.output, APT_GET_ZERO) : true) : true;
    changes.push({ kind: 'install', specs: planned.specs, names: probedNames(a), buildDep, willChange });
  } else if (due && !buildDep && packages.length) {
    // Nothing to do with the old lists; the refreshed ones may bring newer versions (latest, >=).
    changes.push({ kind: 'install', specs: [], names: probedNames(a), buildDep, willChange: false });
  }
  if (!buildDep) {
    const manual = probedNames(a).filter((n) => s.auto.has(n) && s.status.get(n)?.state === 'installed');
    if (manual.length) changes.push({ kind: 'mark_manual', names: manual });
  }
  return { changes, data: cache, okMsg: a.state === 'latest' ? 'all packages up to date' : 'all packages present' };
}

function planDebs(a: AptArgs, s: AptState, debs: string[], changes: AptChange[]): Plan<AptChange> | PlanFailure {
  if (a.state !== 'present') return { fail: 'deb only supports state=present' };
  const todo: string[] = [];
  const direct = new Set<string>();
  const own = new Set<string>();
  for (const path of debs) {
    const d = s.debs.find((x) => x.path === path);
    if (!d || d.error !== null) return { fail: `Unable to install package: ${d?.error ?? `cannot read ${path}`}` };
    own.add(d.package);
    if (d.installedVersion !== '') {
      const cmp = compareDebVersions(d.version, d.installedVersion);
      if (cmp === 0) continue;
      if (cmp < 0 && !a.allow_downgrade && !a.force) return { fail: 'A later version is already installed' };
    }
    for (const n of dependencyNames(d.depends)) direct.add(n);
    todo.push(path);
  }
  if (todo.length === 0) return { changes, data: { stdout: '', stderr: '' }, okMsg: 'the packages are installed in these versions' };
  const sim = s.sim;
  if (sim && sim.rc !== 0 && !a.force) return { fail: `Dependency is not satisfiable: ${aptErrors(sim.output)}` };
  // The .debs' own missing dependencies, installed by apt first (Ansible's missing_deps).
  const deps = sim ? simulatedInstalls(sim.output).filter((n) => direct.has(n) && !own.has(n)) : [];
  changes.push({ kind: 'deb', deps, debs: todo });
  return { changes };
}

/** The change's description: what is done ("install libaio1=0.3.113-4"). */
export function describeApt(c: AptChange): string {
  switch (c.kind) {
    case 'clean': return 'clean the package cache';
    case 'update_cache': return 'update the package cache';
    case 'upgrade': return `${c.mode === 'dist' || c.mode === 'full' ? 'dist-upgrade' : 'upgrade'} the packages`;
    case 'deb': return `install ${c.debs.join(' ')}${c.deps.length ? ` (with ${c.deps.join(' ')})` : ''}`;
    case 'install': return `${c.buildDep ? 'install the build dependencies of' : 'install'} ${c.specs.join(' ')}`;
    case 'remove': return `remove ${c.specs.join(' ')}`;
    case 'cleanup': return `${c.op} the packages`;
    case 'mark_manual': return `mark ${c.names.join(' ')} as installed manually`;
  }
}

/** Which changes check mode reports: those Ansible's check mode counts as changed. */
export function countsApt(c: AptChange): boolean {
  switch (c.kind) {
    case 'update_cache': return c.alone;
    case 'upgrade':
    case 'install':
    case 'cleanup': return c.willChange;
    case 'mark_manual':
    case 'clean': return false;
    default: return true;
  }
}

/** Ansible's parse_diff: apt's output from its "Reading state information..." line to the summary line. */
export function preparedDiff(output: string): string {
  const lines = output.split('\n');
  let start = lines.indexOf('Resolving dependencies...');
  if (start < 0) start = lines.indexOf('Reading state information...');
  const end = lines.findIndex((l) => /^[0-9]+ (packages )?upgraded/.test(l));
  return lines.slice(start + 1, end < 0 ? lines.length : end + 1).join('\n');
}
