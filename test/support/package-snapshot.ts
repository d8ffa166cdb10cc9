// A lab host's Debian packages, kept before an e2e test installs or removes some and put
// back afterwards: packages are host-wide, and what one test leaves on a host changes
// what the next one sees (autoremove, facts, dependents removed with a package).
import type { TwinLab } from './twin.js';

/** What dpkg has installed, which of those apt marks as installed automatically, and the removed packages whose configuration dpkg keeps. */
export interface PackageSnapshot { installed: string[]; auto: string[]; configOnly: string[] }

const ENV = 'export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8';
// The packages in one dpkg status ("i" installed, "c" configuration files only), whatever the selection.
const IN_STATUS = `dpkg-query -W -f '\${db:Status-Abbrev} \${Package}\\n' | awk -v s="$1" 'substr($1, 2, 1) == s { print $2 }' | sort`;
const INSTALL = `${ENV}; [ $# -eq 0 ] || apt-get install -y -q "$@" >/dev/null`;
const PURGE = `${ENV}; [ $# -eq 0 ] || apt-get purge -y -q "$@" >/dev/null`;
const MARK = 'mark=$1; shift; [ $# -eq 0 ] || apt-mark "$mark" "$@" >/dev/null';

const words = (text: string): string[] => text.split(/\s+/).filter(Boolean);
const without = (list: string[], drop: string[]): string[] => list.filter((p) => !drop.includes(p));

export async function installedPackages(lab: TwinLab, host: string): Promise<string[]> {
  return words(await lab.sh(host, IN_STATUS, 'i'));
}

export async function snapshotPackages(lab: TwinLab, host: string): Promise<PackageSnapshot> {
  return {
    installed: await installedPackages(lab, host),
    auto: words(await lab.sh(host, 'apt-mark showauto')),
    configOnly: words(await lab.sh(host, IN_STATUS, 'c')),
  };
}

/** Mark every automatically installed package manual: autoremove then sees only what comes after. */
export async function markAllManual(lab: TwinLab, host: string, had: PackageSnapshot): Promise<void> {
  await lab.sh(host, MARK, 'manual', ...had.auto);
}

/**
 * Back to `had`: the packages installed since go (purged, as does the configuration left
 * by packages installed and removed since), those removed since come back (the lab's
 * local repository has one version of each; configuration kept by a removal is used
 * again), and every installed package gets its auto or manual mark back.
 */
export async function restorePackages(lab: TwinLab, host: string, had: PackageSnapshot): Promise<void> {
  const now = await installedPackages(lab, host);
  const leftConfig = without(words(await lab.sh(host, IN_STATUS, 'c')), [...had.installed, ...had.configOnly]);
  await lab.sh(host, PURGE, ...without(now, had.installed), ...leftConfig);
  await lab.sh(host, INSTALL, ...without(had.installed, now));
  const installed = await installedPackages(lab, host);
  await lab.sh(host, MARK, 'manual', ...without(installed, had.auto));
  await lab.sh(host, MARK, 'auto', ...installed.filter((p) => had.auto.includes(p)));
}
