// `package` gather parsing and planning: pure, table-tested.

export type PkgMgr = 'apt' | 'dnf' | 'yum';
export type PackageState = 'present' | 'absent' | 'latest';

/** name → installed version. */
export type Installed = Map<string, string>;

/** `dpkg-query -W -f '${Package} ${Status} ${Version}\n'`: only "install ok installed" counts. */
export function parseDpkgQuery(stdout: string): Installed {
  const out: Installed = new Map();
  for (const line of stdout.split('\n')) {
    const m = /^(\S+) (\S+) (\S+) (\S+) ?(\S*)$/.exec(line.trim());
    if (m && m[4] === 'installed') out.set(m[1]!.replace(/:[a-z0-9]+$/, ''), m[5] ?? '');
  }
  return out;
}

/** `rpm -q --qf '%{NAME} %{VERSION}-%{RELEASE}\n'`: "package X is not installed" lines are skipped. */
export function parseRpmQuery(stdout: string): Installed {
  const out: Installed = new Map();
  for (const line of stdout.split('\n')) {
    const m = /^(\S+) (\S+)$/.exec(line.trim());
    if (m) out.set(m[1]!, m[2]!);
  }
  return out;
}

/** `apt-get -s install …`: the `Inst NAME [old] (new …)` lines of packages named in `names`. */
export function parseAptSimulate(stdout: string, names: readonly string[]): string[] {
  const out: string[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^Inst (\S+)/.exec(line);
    if (m && names.includes(m[1]!)) out.push(m[1]!);
  }
  return out;
}

/** `dnf/yum check-update …` (rc 100): `NAME.ARCH VERSION REPO` lines of packages named in `names`. */
export function parseCheckUpdate(stdout: string, names: readonly string[]): string[] {
  const out: string[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^(\S+)\.[A-Za-z0-9_]+\s+\S+\s+\S+$/.exec(line.trim());
    if (m && names.includes(m[1]!) && !out.includes(m[1]!)) out.push(m[1]!);
  }
  return out;
}

export interface PackagePlan {
  install: string[];
  upgrade: string[];
  remove: string[];
}

export function planPackages(names: readonly string[], state: PackageState, installed: Installed, upgradable: readonly string[] = []): PackagePlan {
  if (state === 'absent') return { install: [], upgrade: [], remove: names.filter((n) => installed.has(n)) };
  const install = names.filter((n) => !installed.has(n));
  const upgrade = state === 'latest' ? names.filter((n) => installed.has(n) && upgradable.includes(n)) : [];
  return { install, upgrade, remove: [] };
}

export function planIsEmpty(p: PackagePlan): boolean {
  return p.install.length + p.upgrade.length + p.remove.length === 0;
}

export interface CommandOpts {
  installRecommends: boolean;
}

// Non-interactive: no debconf prompts, keep locally changed config files, and wait
// for another apt (unattended-upgrades) instead of failing on the lock.
const APT = ['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', '-y', '-o', 'DPkg::Lock::Timeout=600', '-o', 'Dpkg::Options::=--force-confdef', '-o', 'Dpkg::Options::=--force-confold'];

/** The argv list that applies a plan, in order. */
export function packageCommands(mgr: PkgMgr, plan: PackagePlan, o: CommandOpts): string[][] {
  const cmds: string[][] = [];
  if (mgr === 'apt') {
    const rec = o.installRecommends ? [] : ['--no-install-recommends'];
    if (plan.install.length || plan.upgrade.length) cmds.push([...APT, 'install', ...rec, ...plan.install, ...plan.upgrade]);
    if (plan.remove.length) cmds.push([...APT, 'remove', ...plan.remove]);
  } else {
    const weak = o.installRecommends ? [] : ['--setopt=install_weak_deps=False'];
    if (plan.install.length) cmds.push([mgr, '-y', ...(mgr === 'dnf' ? weak : []), 'install', ...plan.install]);
    if (plan.upgrade.length) cmds.push([mgr, '-y', 'upgrade', ...plan.upgrade]);
    if (plan.remove.length) cmds.push([mgr, '-y', 'remove', ...plan.remove]);
  }
  return cmds;
}

export function queryCommand(mgr: PkgMgr, names: readonly string[]): string[] {
  return mgr === 'apt'
    ? ['dpkg-query', '-W', '-f', '${Package} ${Status} ${Version}\n', ...names]
    : ['rpm', '-q', '--qf', '%{NAME} %{VERSION}-%{RELEASE}\n', ...names];
}
