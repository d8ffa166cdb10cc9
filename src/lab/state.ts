// The lab's record of what `lab up` made, so `lab down` removes exactly that.
// Each resource is recorded before it is created: an interrupted `lab up`
// leaves a state that `lab down` can still clean up.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { LabError } from '../errors.js';

/** regular: sshd as init, own overlay; light: shared read-only root; systemd: systemd-nspawn --boot. */
export const HostKind = z.enum(['regular', 'light', 'systemd']);
export type HostKind = z.infer<typeof HostKind>;

const Pid = z.object({ pid: z.number().int().positive(), startTime: z.number().int().nonnegative() });
export type RecordedPid = z.infer<typeof Pid>;

export const HostRecord = z.object({
  name: z.string(),
  index: z.number().int().positive(),
  kind: HostKind,
  address: z.string(),
  netns: z.string(),
  /** Control-side veth ends (deleting one deletes its pair). */
  links: z.array(z.string()),
  /** Runtime directory (overlay upper/work or layer, mountpoint, console log). */
  dir: z.string(),
  /** Cache entry whose rootfs is this host's lower layer. */
  rootfs: z.string(),
  /** PID 1 of the host's PID namespace (sshd), as seen from the control machine. */
  init: Pid.nullable(),
  /** The `unshare` parent, which stays a zombie until reaped. */
  unshare: Pid.nullable(),
});
export type HostRecord = z.infer<typeof HostRecord>;

/** A kernel setting `lab up` raised: put back at `lab down` if it still holds the lab's value. */
export const RaisedSetting = z.object({
  /** Path under /proc/sys, e.g. `net/ipv4/neigh/default/gc_thresh3`. */
  key: z.string(),
  previous: z.string(),
  set: z.string(),
});
export type RaisedSetting = z.infer<typeof RaisedSetting>;

export const LabState = z.object({
  version: z.literal(1),
  /** Switch bridges this lab created (never ones that existed before). */
  switches: z.array(z.string()),
  /** Kernel settings this lab raised (absent in states of older labs). */
  settings: z.array(RaisedSetting).default([]),
  hosts: z.array(HostRecord),
});
export type LabState = z.infer<typeof LabState>;

export function emptyState(): LabState {
  return { version: 1, switches: [], settings: [], hosts: [] };
}

export async function loadState(file: string): Promise<LabState | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new LabError(`cannot read ${file}: ${(e as Error).message}`, { cause: e });
  }
  try {
    return LabState.parse(JSON.parse(text));
  } catch (e) {
    throw new LabError(`${file} is not a lab state this kvmplay understands: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * Serialises updates from hosts brought up in parallel: each update sees the
 * previous one's result and the file is replaced atomically (temp + rename).
 * Updates made while a write is under way go out together in the next write:
 * with 1,000 hosts, one write per update rewrote a 400 KB file thousands of
 * times. An update resolves once a write containing it is on disk.
 */
export class StateStore {
  private current: LabState;
  private pending: { change: (s: LabState) => void; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private writing = false;

  constructor(private readonly file: string, initial: LabState) {
    this.current = structuredClone(initial);
  }

  get value(): LabState {
    return structuredClone(this.current);
  }

  update(change: (s: LabState) => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ change, resolve, reject });
      if (!this.writing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.writing = true;
    while (this.pending.length) {
      const batch = this.pending;
      this.pending = [];
      const applied: typeof batch = [];
      for (const u of batch) {
        try {
          u.change(this.current);
          applied.push(u);
        } catch (e) {
          u.reject(e);
        }
      }
      try {
        await writeStateFile(this.file, this.current);
        for (const u of applied) u.resolve();
      } catch (e) {
        for (const u of applied) u.reject(e);
      }
    }
    this.writing = false;
  }

  setHost(host: HostRecord): Promise<void> {
    return this.update((s) => {
      s.hosts = s.hosts.filter((h) => h.name !== host.name).concat(host).sort((a, b) => a.index - b.index);
    });
  }

  removeHost(name: string): Promise<void> {
    return this.update((s) => {
      s.hosts = s.hosts.filter((h) => h.name !== name);
    });
  }
}

export async function writeStateFile(file: string, state: LabState): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  await rename(tmp, file);
}
