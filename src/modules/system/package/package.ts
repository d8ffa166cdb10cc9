// `package` (SPEC 6): apt / dnf / yum by the host's facts, with the KVM stack's
// names mapped per distribution. Gather installed state in one query, plan with
// planPackages, apply with the package manager's commands.
import { z } from 'zod';
import type { Host } from '../../../transport/host.js';
import { boolish } from '../../args.js';
import { TaskError } from '../../../errors.js';
import { factsFor } from '../facts/facts.js';
import type { ModuleContext } from '../../module.js';
import { defineModule } from '../../runner.js';
import { mapPackageNames } from './package-names.js';
import { packageCommands, parseAptSimulate, parseCheckUpdate, parseDpkgQuery, parseRpmQuery, planIsEmpty, planPackages, queryCommand, type Installed, type PackagePlan, type PkgMgr } from './package-plan.js';
import { mustRun, runOptions } from '../../remote.js';

// A name can never be taken for an option of apt-get/dnf (leading `-`) nor split.
const pkgName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9+._:~=*-]*$/, { message: 'must be a package name' });

// Ansible's package passes every other argument to the manager's module; kvmplay's
// package maps the KVM stack's names per family and takes the common ones only.
const BACKEND_ONLY = [
  'cache_valid_time', 'purge', 'deb', 'default_release', 'force', 'clean', 'allow_unauthenticated', 'allow_downgrade',
  'allow_change_held_packages', 'upgrade', 'dpkg_options', 'autoremove', 'autoclean', 'fail_on_autoremove', 'policy_rc_d',
  'only_upgrade', 'force_apt_get', 'lock_timeout', 'update_cache_retries', 'update_cache_retry_max_delay', 'list', 'enablerepo',
  'disablerepo', 'conf_file', 'disable_gpg_check', 'installroot', 'releasever', 'exclude', 'skip_broken', 'update_only',
  'security', 'bugfix', 'enable_plugin', 'disable_plugin', 'disable_excludes', 'validate_certs', 'sslverify',
  'install_repoquery', 'download_only', 'download_dir', 'install_weak_deps', 'allowerasing', 'nobest', 'cacheonly', 'use_backend',
] as const;
const backendOnly = (name: string) => z.unknown().refine(() => false, {
  message: `"${name}" is not supported by kvmplay's package (it takes name, state, use, update_cache and install_recommends): use apt, dnf or yum for the package manager's own arguments`,
});

const PackageArgs = z
  .object({
    name: z.union([pkgName, z.array(pkgName).min(1)]).transform((v) => (typeof v === 'string' ? [v] : v)),
    state: z.enum(['present', 'absent', 'latest']).default('present'),
    /** Ansible's `use`: the package manager, or auto (the host's pkg_mgr fact). */
    use: z.string().refine((u) => ['auto', 'apt', 'dnf', 'yum'].includes(u), {
      message: 'is not a package manager kvmplay\'s package can use (auto, apt, dnf, yum)',
    }).default('auto'),
    update_cache: boolish.default(false),
    install_recommends: boolish.default(false),
    ...Object.fromEntries(BACKEND_ONLY.map((n) => [n, backendOnly(n).optional()])),
  })
  .strict();
export type PackageArgs = z.infer<typeof PackageArgs>;

/** Installs download and unpack: minutes on a slow mirror, far above a command's usual timeout. */
export const PACKAGE_TIMEOUT_MS = 15 * 60_000;

/** The plan's clauses: "install a b; remove c". */
function describePlan(plan: PackagePlan): string {
  const parts = [
    plan.install.length ? `install ${plan.install.join(' ')}` : '',
    plan.upgrade.length ? `upgrade ${plan.upgrade.join(' ')}` : '',
    plan.remove.length ? `remove ${plan.remove.join(' ')}` : '',
  ].filter(Boolean);
  return parts.join('; ');
}

/** Why names were mapped, after the message (not in check mode's "would …": its clauses split on "; "). */
function noteText(notes: readonly string[]): string {
  return notes.length ? ` (${notes.join('; ')})` : '';
}

async function upgradable(host: Host, mgr: PkgMgr, names: string[], ctx: ModuleContext, timeoutMs: number): Promise<string[]> {
  if (names.length === 0) return [];
  if (mgr === 'apt') {
    // Simulation needs no root and changes nothing: it lists what install would do.
    const r = await mustRun(host, ['apt-get', '-s', 'install', '--no-install-recommends', ...names], ctx, 'apt-get -s install', { timeoutMs, become: false });
    return parseAptSimulate(r.stdout, names);
  }
  const r = await host.run([mgr, '-q', 'check-update', ...names], runOptions(ctx, { timeoutMs }));
  return r.rc === 100 ? parseCheckUpdate(r.stdout, names) : [];
}

export interface PackageHostState {
  mgr: PkgMgr;
  /** The requested names mapped to this host's distribution, and why they were. */
  names: string[];
  notes: string[];
  installed: Installed;
  /** For `latest`: the installed names that have a newer version. */
  upgradable: string[];
}

async function gatherPackages(host: Host, a: PackageArgs, ctx: ModuleContext): Promise<PackageHostState> {
  const timeoutMs = ctx.timeoutMs ?? PACKAGE_TIMEOUT_MS;
  const f = await factsFor(host, ctx, ['pkg_mgr', 'os_family', 'os_version', 'service_mgr']);
  const mgr = a.use !== 'auto' ? a.use : f['pkg_mgr'];
  if (mgr !== 'apt' && mgr !== 'dnf' && mgr !== 'yum') throw new TaskError(ctx.hostName, `no supported package manager on this host (found: ${String(mgr)})`);
  const { names, notes } = mapPackageNames(a.name, {
    family: String(f['os_family'] ?? ''),
    major: String(f['os_version'] ?? '').split('.')[0] ?? '',
    service_mgr: f['service_mgr'] === 'systemd' ? 'systemd' : 'sysv',
  }, a.state);
  // dpkg-query/rpm exit 1 when some name is not installed: that is an answer, not an error.
  const q = await host.run(queryCommand(mgr, names), runOptions(ctx, { timeoutMs, become: false }));
  if (q.timedOut || q.rc === null || q.rc > 1) throw new TaskError(ctx.hostName, `querying installed packages failed: ${q.stderr.trim()}`, { rc: q.rc, stderr: q.stderr });
  const installed = mgr === 'apt' ? parseDpkgQuery(q.stdout) : parseRpmQuery(q.stdout);
  const ups = a.state === 'latest' ? await upgradable(host, mgr, names.filter((n) => installed.has(n)), ctx, timeoutMs) : [];
  return { mgr, names, notes, installed, upgradable: ups };
}

/**
 * Refreshing the cache (never in check mode), then the package manager's commands.
 * The installed and upgradable lists are gathered before the refresh: with `latest`,
 * a version only the refreshed lists know is upgraded on the next run.
 */
export type PackageChange = { kind: 'update_cache' } | { kind: 'packages'; plan: PackagePlan };

export const packageModule = defineModule({
  names: ['package'],
  args: PackageArgs,
  gather: gatherPackages,
  plan(a, s) {
    const plan = planPackages(s.names, a.state, s.installed, s.upgradable);
    const changes: PackageChange[] = [
      ...(a.update_cache ? [{ kind: 'update_cache' as const }] : []),
      ...(planIsEmpty(plan) ? [] : [{ kind: 'packages' as const, plan }]),
    ];
    return {
      changes,
      okMsg: `all packages ${a.state === 'absent' ? 'absent' : a.state === 'latest' ? 'up to date' : 'present'}${noteText(s.notes)}`,
      data: { packages: s.names, notes: s.notes, ...plan },
    };
  },
  describe: (c: PackageChange) => (c.kind === 'update_cache' ? 'update the package cache' : describePlan(c.plan)),
  // A refresh of the lists changes no package: never reported as a change (as Ansible's apt).
  counts: (c: PackageChange) => c.kind !== 'update_cache',
  async apply(host, a, c, ctx, s) {
    const timeoutMs = ctx.timeoutMs ?? PACKAGE_TIMEOUT_MS;
    if (c.kind === 'update_cache') {
      const refresh = s.mgr === 'apt' ? ['apt-get', '-o', 'DPkg::Lock::Timeout=600', 'update'] : [s.mgr, '-q', 'makecache'];
      await mustRun(host, refresh, ctx, 'updating the package cache', { timeoutMs });
      // As Ansible's apt and dnf: a refreshed cache alone does not make the task changed.
      return { noop: true };
    }
    let stdout = '';
    let stderr = '';
    for (const argv of packageCommands(s.mgr, c.plan, { installRecommends: a.install_recommends })) {
      const r = await host.run(argv, runOptions(ctx, { timeoutMs }));
      stdout += r.stdout;
      stderr += r.stderr;
      if (r.timedOut) return { failed: true, msg: `${argv.slice(0, 4).join(' ')} timed out after ${Math.round(timeoutMs / 1000)} s`, stdout, stderr };
      if (r.rc !== 0) return { failed: true, rc: r.rc, msg: `${s.mgr} failed (rc=${r.rc ?? 'none'}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`, stdout, stderr };
    }
    return { msg: `${describePlan(c.plan)}${noteText(s.notes)}`, rc: 0, stdout, stderr };
  },
});
