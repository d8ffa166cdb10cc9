// `lab down`: remove exactly what `lab up` recorded — processes (by recorded pid
// and start time; a host whose record a crash left incomplete by its exact
// launch arguments; never by a process name), namespaces, links, switches,
// per-host directories and the runtime files — and nothing else. The cache (rootfs,
// repository) and the lab's identity (SSH key pair, become password, host
// keys) stay, so the next `lab up` is fast and known_hosts entries stay valid.
import { rm, rmdir } from 'node:fs/promises';
import { destroyHosts } from './host.js';
import { acquireLock } from './lock.js';
import { restoreLimits } from './limits.js';
import { deleteLink } from './netns.js';
import { labDirs, labFiles } from './paths.js';
import { loadState, StateStore } from './state.js';
import { requireRoot } from './up.js';

export interface DownResult {
  hosts: number;
  switches: number;
}

export async function bringLabDown(say: (line: string) => void): Promise<DownResult> {
  requireRoot();
  const { labDir } = labDirs();
  const files = labFiles(labDir);
  const lock = await acquireLock(files.lock, { waitMs: 60 * 60_000, onWait: (pid) => say(`waiting for pid ${pid} (another lab command)`) });
  try {
    const state = await loadState(files.state);
    if (!state) {
      say(`no lab is recorded in ${labDir}: nothing to remove`);
      return { hosts: 0, switches: 0 };
    }
    const store = new StateStore(files.state, state);
    await destroyHosts(store, state.hosts, files.launcher);
    // Put back in the reverse order of raising.
    await restoreLimits(store, [...state.settings].reverse(), say);
    for (const sw of state.switches) {
      await deleteLink(sw);
      await store.update((s) => void (s.switches = s.switches.filter((x) => x !== sw)));
    }
    for (const f of [files.inventory, files.knownHosts, files.launcher, files.state]) await rm(f, { force: true });
    await rm(files.skeleton, { recursive: true, force: true });
    await rmdir(files.hostsDir).catch(() => undefined); // only if empty: nothing else is ours to delete
    say(`lab down: removed ${state.hosts.length} hosts and ${state.switches.length} switches`);
    return { hosts: state.hosts.length, switches: state.switches.length };
  } finally {
    await lock.release();
  }
}
