// Each systemd lab host runs in cgroups of its own, `kvmplay-lab/NAME` in each
// hierarchy systemd uses (the launcher moves itself there before systemd-nspawn):
// nspawn --keep-unit puts a container under its caller's cgroup, so hosts started
// by one kvmplay shared one, and one host's systemd removed or joined the cgroups of
// the other's units ("Failed at step CGROUP spawning …"). `lab down` removes them.
import { readdir, rmdir } from 'node:fs/promises';
import path from 'node:path';

/** Where the hierarchies systemd uses are mounted: legacy name=systemd, and unified (cgroup v2). */
export const CGROUP_HIERARCHIES: readonly string[] = ['/sys/fs/cgroup/systemd', '/sys/fs/cgroup/unified'];
export const LAB_CGROUP = 'kvmplay-lab';

/** A host's cgroup in each hierarchy. */
export function hostCgroups(name: string, hierarchies: readonly string[] = CGROUP_HIERARCHIES): string[] {
  return hierarchies.map((h) => path.join(h, LAB_CGROUP, name));
}

/**
 * Removes a host's cgroups once its processes have ended, deepest first (a cgroup
 * goes with rmdir, empty of processes and of child cgroups), then `kvmplay-lab`
 * where no other host's is left.
 */
export async function removeHostCgroups(name: string, hierarchies: readonly string[] = CGROUP_HIERARCHIES): Promise<void> {
  for (const dir of hostCgroups(name, hierarchies)) await removeTree(dir);
  for (const h of hierarchies) await rmdir(path.join(h, LAB_CGROUP)).catch(() => undefined);
}

async function removeTree(dir: string): Promise<void> {
  let children: string[];
  try {
    children = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => path.join(dir, e.name));
  } catch (e) {
    if (code(e) === 'ENOENT') return;
    throw e;
  }
  for (const child of children) await removeTree(child);
  // The kernel may still be ending the host's last processes: EBUSY for a moment.
  for (let tries = 0; ; tries++) {
    try {
      await rmdir(dir);
      return;
    } catch (e) {
      if (code(e) === 'ENOENT') return;
      if (code(e) !== 'EBUSY' || tries >= 50) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

function code(e: unknown): string | undefined {
  return e && typeof e === 'object' && 'code' in e ? String(e.code) : undefined;
}
