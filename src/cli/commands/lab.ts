// `kvmplay lab up | down | status` (SPEC 9): options in, lines out, exit code back.
import { LabError, OptionsError } from '../../errors.js';
import { bringLabDown } from '../../lab/down.js';
import { labDirs, MAX_HOSTS } from '../../lab/paths.js';
import { labHostStatuses, statusJson, statusTable } from '../../lab/status.js';
import { bringLabUp } from '../../lab/up.js';

export interface LabUpOptions {
  hosts: number;
  light: boolean;
  systemd: boolean;
}

function sayTo(out: NodeJS.WritableStream): (line: string) => void {
  return (line) => void out.write(`${line}\n`);
}

/** Progress lines, then the inventory's absolute path as the last line. */
export async function labUp(o: LabUpOptions, out: NodeJS.WritableStream): Promise<number> {
  if (o.systemd) throw new OptionsError('--systemd lab hosts come with issue 5; not yet available');
  if (!Number.isInteger(o.hosts) || o.hosts < 1 || o.hosts > MAX_HOSTS) {
    throw new OptionsError(`--hosts must be a whole number from 1 to ${MAX_HOSTS} (the lab subnet's size)`);
  }
  const inventory = await bringLabUp({ hosts: o.hosts, kind: o.light ? 'light' : 'regular' }, sayTo(out));
  out.write(`${inventory}\n`);
  return 0;
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
