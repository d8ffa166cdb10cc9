// `package_facts` (Ansible's ansible.builtin.package_facts): the installed packages as
// `ansible_facts.packages` (name → a list of {name, version, arch, source, …}), from apt
// (dpkg) or rpm, in one round trip (package-facts-parse.ts). Read-only: never changed.
import { z } from 'zod';
import { TaskError } from '../../../errors.js';
import { runOptions, script } from '../../remote.js';
import { defineModule } from '../../runner.js';
import type { NoChange } from '../facts/facts.js';
import { PACKAGE_FACTS_SCRIPT, parsePackageFacts, type ManagerRead, type PackageFact } from './package-facts-parse.js';

/** The managers kvmplay reads, and the names Ansible (2.18) takes as aliases of them. */
const READ = ['apt', 'rpm'] as const;
type Read = (typeof READ)[number];
const ALIASES: Readonly<Record<string, Read>> = { apt: 'apt', rpm: 'rpm', yum: 'rpm', dnf: 'rpm', dnf5: 'rpm', zypper: 'rpm' };
/** Ansible's other managers: hosts kvmplay does not run on (BSD, Arch, Gentoo, Alpine). */
const REFUSED = ['portage', 'pkg', 'pkg5', 'pkgng', 'pacman', 'apk', 'pkg_info', 'openbsd_pkg'];

/** Ansible's `list` of `str`: a list, or a string split at commas. */
const ManagerList = z.union([z.string(), z.array(z.string())])
  .transform((v) => (typeof v === 'string' ? v.split(',') : v).map((m) => m.trim().toLowerCase()).filter((m) => m !== ''))
  .superRefine((list, ctx) => {
    const refused = list.filter((m) => REFUSED.includes(m));
    if (refused.length) ctx.addIssue({ code: 'custom', message: `manager ${refused.map((m) => `"${m}"`).join(', ')} is not supported by kvmplay: it reads apt (dpkg) and rpm packages` });
    const unknown = list.filter((m) => m !== 'auto' && !(m in ALIASES) && !REFUSED.includes(m));
    if (unknown.length) ctx.addIssue({ code: 'custom', message: `Unsupported package managers requested: ${unknown.join(', ')}` });
  });

const PackageFactsArgs = z.object({
  manager: ManagerList.default(['auto']),
  strategy: z.enum(['first', 'all']).default('first'),
}).strict();
type PackageFactsArgs = z.output<typeof PackageFactsArgs>;

/** The managers to try, in order, deduplicated; `auto` adds apt then rpm after the ones named. */
export function managersOf(list: readonly string[]): Read[] {
  const named = list.filter((m) => m !== 'auto').map((m) => ALIASES[m]).filter((m): m is Read => m !== undefined);
  return [...new Set([...named, ...(list.includes('auto') ? READ : [])])];
}

const pyList = (xs: readonly string[]): string => `[${xs.map((x) => `'${x}'`).join(', ')}]`;

export interface PackageFactsState {
  managers: Read[];
  read: Record<Read, ManagerRead>;
}

export function planPackageFacts(a: PackageFactsArgs, s: PackageFactsState) {
  const packages: Record<string, PackageFact[]> = {};
  const warnings: string[] = [];
  let found = 0;
  for (const m of s.managers) {
    if (found > 0 && a.strategy === 'first') break;
    const r = s.read[m];
    if (!r.available) continue;
    if (r.error !== undefined) {
      if (a.manager.includes(m)) warnings.push(`Failed to retrieve packages with ${m}: ${r.error}`);
      continue;
    }
    found += 1;
    Object.assign(packages, r.packages);
  }
  if (found === 0) {
    return { fail: `Could not detect a supported package manager from the following list: ${pyList(s.managers)}, or the required Python library is not installed. Check warnings for details.`, ...(warnings.length ? { data: { warnings } } : {}) };
  }
  return {
    changes: [] as NoChange[],
    okMsg: `${Object.keys(packages).length} packages`,
    data: { ansible_facts: { packages }, ...(warnings.length ? { warnings } : {}) },
  };
}

export const packageFactsModule = defineModule({
  names: ['package_facts'],
  args: PackageFactsArgs,
  async gather(host, a, ctx): Promise<PackageFactsState> {
    const managers = managersOf(a.manager);
    // dpkg's status and the apt lists are world-readable: no become needed.
    const r = await host.run(script(PACKAGE_FACTS_SCRIPT, ...managers), runOptions(ctx, { become: false }));
    if (r.rc !== 0) throw new TaskError(ctx.hostName, `reading installed packages failed (rc=${r.rc ?? 'none'}): ${r.stderr.trim()}`, { rc: r.rc, stderr: r.stderr });
    return { managers, read: parsePackageFacts(r.stdout) };
  },
  plan: planPackageFacts,
  describe: (c: NoChange) => c,
  apply: async () => undefined,
});
