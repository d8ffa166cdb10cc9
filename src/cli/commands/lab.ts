// `kvmplay lab up | down | status | guest-image` (SPEC 9): options in, lines out, exit code back.
import { LabError, OptionsError } from '../../errors.js';
import { bringLabDown } from '../../lab/down.js';
import { ensureDebianGuestImage } from '../../lab/guest-debian.js';
import { labDirs, MAX_HOSTS } from '../../lab/paths.js';
import { labHostStatuses, runningShape, statusJson, statusTable } from '../../lab/status.js';
import { bringLabUp } from '../../lab/up.js';

export interface LabUpOptions {
  /** Absent with no --light/--systemd either: the running lab as it is, else 3 hosts. */
  hosts?: number;
  light: boolean;
  /** true: every host; a number: that many of the hosts, the last ones. */
  systemd: boolean | number;
  /** Also build the Debian cloud-init guest image if the cache lacks it (after the hosts start). */
  guestImages?: boolean;
}

const DEFAULT_HOSTS = 3;

function sayTo(out: NodeJS.WritableStream): (line: string) => void {
  return (line) => void out.write(`${line}\n`);
}

/** Progress lines, then the inventory's absolute path as the last line. */
export async function labUp(options: LabUpOptions, out: NodeJS.WritableStream): Promise<number> {
  const o = await withShape(options);
  if (!Number.isInteger(o.hosts) || o.hosts < 1 || o.hosts > MAX_HOSTS) {
    throw new OptionsError(`--hosts must be a whole number from 1 to ${MAX_HOSTS} (the lab subnet's size)`);
  }
  const systemd = o.systemd === true ? o.hosts : o.systemd === false ? 0 : o.systemd;
  if (!Number.isInteger(systemd) || systemd < 0 || systemd > o.hosts) {
    throw new OptionsError(`--systemd N must be a whole number from 0 to --hosts (${o.hosts})`);
  }
  if (o.light && systemd > 0) throw new OptionsError('--light and --systemd cannot be combined (light hosts share a read-only root)');
  const inventory = await bringLabUp({ hosts: o.hosts, kind: o.light ? 'light' : 'regular', systemd }, sayTo(out));
  // After the hosts: they never wait for the image, which they never mount.
  if (o.guestImages) await ensureDebianGuestImage(labDirs().cacheDir, sayTo(out));
  out.write(`${inventory}\n`);
  return 0;
}

/** `lab guest-image`: the Debian guest image's folder as the last line, built first if the cache lacks it. */
export async function labGuestImage(out: NodeJS.WritableStream): Promise<number> {
  const image = await ensureDebianGuestImage(labDirs().cacheDir, sayTo(out));
  out.write(`${image.dir}\n`);
  return 0;
}

/**
 * `lab up` on a running lab reuses it (SPEC 9): without shape options, the
 * shape is the running lab's, so a bare `lab up` never rebuilds hosts.
 */
async function withShape(o: LabUpOptions): Promise<LabUpOptions & { hosts: number }> {
  if (o.hosts !== undefined) return { ...o, hosts: o.hosts };
  const running = o.light || o.systemd !== false ? null : await runningShape();
  if (running) return { ...o, hosts: running.hosts, light: running.kind === 'light', systemd: running.systemd };
  return { ...o, hosts: DEFAULT_HOSTS };
}

export async function labDown(out: NodeJS.WritableStream): Promise<number> {
  await bringLabDown(sayTo(out));
  return 0;
}

export async function labStatus(o: { json: boolean }, out: NodeJS.WritableStream): Promise<number> {
  if (process.getuid?.() !== 0) throw new LabError('lab status needs root (the lab state is readable by root only)');
  const hosts = await labHostStatuses();
  if (o.json) out.write(`${statusJson(hosts)}\n`);
  else if (hosts.length === 0) out.write(`no lab is up (${labDirs().labDir})\n`);
  else out.write(statusTable(hosts));
  return 0;
}
