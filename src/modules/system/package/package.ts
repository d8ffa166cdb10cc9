// `package` (SPEC 6): apt / dnf / yum by the host's facts, with the KVM stack's
// names mapped per distribution. Gather installed state in one query, plan, apply
// unless check mode.
import { z } from 'zod';
import type { Host } from '../../../transport/host.js';
import { boolish } from '../../args.js';
import { factsFor } from '../facts/facts.js';
import type { LegacyModule, ModuleContext, ModuleResult } from '../../module.js';
import { mapPackageNames } from './package-names.js';
import { packageCommands, parseAptSimulate, parseCheckUpdate, parseDpkgQuery, parseRpmQuery, planIsEmpty, planPackages, queryCommand, type PackagePlan, type PkgMgr } from './package-plan.js';
import { mustRun, runOptions } from '../../remote.js';

// A name can never be taken for an option of apt-get/dnf (leading `-`) nor split.
const pkgName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9+._:~=*-]*$/, { message: 'must be a package name' });

const PackageArgs = z
  .object({
    name: z.union([pkgName, z.array(pkgName).min(1)]).transform((v) => (typeof v === 'string' ? [v] : v)),
    state: z.enum(['present', 'absent', 'latest']).default('present'),
    update_cache: boolish.default(false),
    install_recommends: boolish.default(false),
  })
  .strict();
export type PackageArgs = z.infer<typeof PackageArgs>;

/** Installs download and unpack: minutes on a slow mirror, far above a command's usual timeout. */
export const PACKAGE_TIMEOUT_MS = 15 * 60_000;

function describe(plan: PackagePlan): string {
  const parts = [
    plan.install.length ? `install ${plan.install.join(' ')}` : '',
    plan.upgrade.length ? `upgrade ${plan.upgrade.join(' ')}` : '',
    plan.remove.length ? `remove ${plan.remove.join(' ')}` : '',
  ].filter(Boolean);
  return parts.join('; ');
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

export const packageModule: LegacyModule<PackageArgs> = {
  name: 'package',
  args: PackageArgs,
  async run(host: Host, a: PackageArgs, ctx: ModuleContext): Promise<ModuleResult> {
    const timeoutMs = ctx.timeoutMs ?? PACKAGE_TIMEOUT_MS;
    const f = await factsFor(host, ctx, ['pkg_mgr', 'os_family', 'os_version', 'service_mgr']);
    const mgr = f['pkg_mgr'];
    if (mgr !== 'apt' && mgr !== 'dnf' && mgr !== 'yum') return { changed: false, failed: true, msg: `no supported package manager on this host (found: ${String(mgr)})` };
    const mapped = mapPackageNames(a.name, {
      family: String(f['os_family'] ?? ''),
      major: String(f['os_version'] ?? '').split('.')[0] ?? '',
      service_mgr: f['service_mgr'] === 'systemd' ? 'systemd' : 'sysv',
    }, a.state);
    const names = mapped.names;

    if (a.update_cache && !ctx.check) {
      const refresh = mgr === 'apt' ? ['apt-get', '-o', 'DPkg::Lock::Timeout=600', 'update'] : [mgr, '-q', 'makecache'];
      await mustRun(host, refresh, ctx, 'updating the package cache', { timeoutMs });
    }
    // dpkg-query/rpm exit 1 when some name is not installed: that is an answer, not an error.
    const q = await host.run(queryCommand(mgr, names), runOptions(ctx, { timeoutMs, become: false }));
    if (q.timedOut || q.rc === null || q.rc > 1) return { changed: false, failed: true, msg: `querying installed packages failed: ${q.stderr.trim()}`, rc: q.rc };
    const installed = mgr === 'apt' ? parseDpkgQuery(q.stdout) : parseRpmQuery(q.stdout);
    const ups = a.state === 'latest' ? await upgradable(host, mgr, names.filter((n) => installed.has(n)), ctx, timeoutMs) : [];
    const plan = planPackages(names, a.state, installed, ups);
    const data = { packages: names, notes: mapped.notes, ...plan };
    const noteText = mapped.notes.length ? ` (${mapped.notes.join('; ')})` : '';
    if (planIsEmpty(plan)) return { changed: false, msg: `all packages ${a.state === 'absent' ? 'absent' : a.state === 'latest' ? 'up to date' : 'present'}${noteText}`, data };
    if (ctx.check) return { changed: true, msg: `would ${describe(plan)}${noteText}`, data };

    let stdout = '';
    let stderr = '';
    for (const argv of packageCommands(mgr, plan, { installRecommends: a.install_recommends })) {
      const r = await host.run(argv, runOptions(ctx, { timeoutMs }));
      stdout += r.stdout;
      stderr += r.stderr;
      if (r.timedOut) return { changed: true, failed: true, msg: `${argv.slice(0, 4).join(' ')} timed out after ${Math.round(timeoutMs / 1000)} s`, stdout, stderr, data };
      if (r.rc !== 0) return { changed: true, failed: true, rc: r.rc, msg: `${mgr} failed (rc=${r.rc ?? 'none'}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`, stdout, stderr, data };
    }
    return { changed: true, msg: `${describe(plan)}${noteText}`, rc: 0, stdout, stderr, data };
  },
};
