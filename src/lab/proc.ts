// Processes seen through /proc. A recorded pid is only trusted together with its
// start time, so a pid reused by an unrelated process is never signalled.
import { readdir, readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';

export type ProcState = 'running' | 'zombie' | 'gone';

export interface ProcStat {
  state: string;
  ppid: number;
  /** Clock ticks after boot (field 22): with the pid, identifies one process. */
  startTime: number;
}

/** Fields of /proc/PID/stat after the command name, which may hold spaces and ')'. */
export function parseStat(text: string): ProcStat | null {
  const end = text.lastIndexOf(')');
  if (end < 0) return null;
  const f = text.slice(end + 2).split(' ');
  const ppid = Number(f[1]);
  const startTime = Number(f[19]);
  if (!f[0] || !Number.isFinite(ppid) || !Number.isFinite(startTime)) return null;
  return { state: f[0], ppid, startTime };
}

export function readStatSync(pid: number): ProcStat | null {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

export async function readStat(pid: number): Promise<ProcStat | null> {
  try {
    return parseStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

/**
 * A zombie counts as ended: `kill -0` succeeds on it, which is why waiting on
 * `kill -0` after killing a PID namespace's init takes minutes (LAB-NOTES).
 */
export function procState(stat: ProcStat | null, startTime?: number): ProcState {
  if (!stat || (startTime !== undefined && stat.startTime !== startTime)) return 'gone';
  return stat.state === 'Z' || stat.state === 'X' ? 'zombie' : 'running';
}

export function isProcessAlive(pid: number, startTime?: number): boolean {
  return procState(readStatSync(pid), startTime) === 'running';
}

/**
 * Children of a process, by scanning /proc (this kernel has no
 * /proc/PID/task/TID/children). Pids above the parent's are read first: a
 * child just forked almost always has one, and reading every process's stat
 * for each of many hosts started at once is slow.
 */
export async function childrenOf(ppid: number): Promise<number[]> {
  const pids = (await readdir('/proc')).filter((e) => /^\d+$/.test(e)).map(Number);
  const kidsAmong = (list: number[]) => list.filter((pid) => readStatSync(pid)?.ppid === ppid);
  const likely = kidsAmong(pids.filter((p) => p > ppid));
  return likely.length ? likely : kidsAmong(pids.filter((p) => p <= ppid));
}

/**
 * The first child of each of several parents, in one pass over /proc. Every pid is
 * read: with pid_max at 32768, a lab of a thousand hosts wraps pids around, and a
 * child can have a lower pid than its parent (its init then went unnoticed, and
 * the host was reported as never listening although its sshd served).
 */
export async function childrenByParent(parents: readonly number[]): Promise<Map<number, number>> {
  const wanted = new Set(parents);
  const found = new Map<number, number>();
  for (const e of await readdir('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    const ppid = readStatSync(Number(e))?.ppid;
    if (ppid !== undefined && wanted.has(ppid) && !found.has(ppid)) found.set(ppid, Number(e));
  }
  return found;
}

/** Wait until the process has ended (gone or zombie); false on timeout. */
export async function waitEnded(pid: number, startTime: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
    if (procState(await readStat(pid), startTime) !== 'running') return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, delay));
  }
}

/** Signal a recorded process only if it is still the same process. */
export function signalRecorded(pid: number, startTime: number, signal: NodeJS.Signals): boolean {
  if (!isProcessAlive(pid, startTime)) return false;
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Whether /proc/PID/net/tcp{,6} text shows a socket in LISTEN (0A) on the port. */
export function tcpListening(procNetTcp: string, port: number): boolean {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return procNetTcp.split('\n').slice(1).some((line) => {
    const f = line.trim().split(/\s+/);
    return f[1]?.endsWith(`:${hexPort}`) === true && f[3] === '0A';
  });
}

/** Processes whose argv passes the test (for finding lab processes a crash left unrecorded). */
export async function findByArgv(test: (argv: string[]) => boolean): Promise<RecordedProcess[]> {
  const found: RecordedProcess[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const argv = (await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).split('\0');
    if (!test(argv)) continue;
    const st = await readStat(Number(entry));
    if (st && procState(st) === 'running') found.push({ pid: Number(entry), startTime: st.startTime });
  }
  return found;
}

export interface RecordedProcess {
  pid: number;
  startTime: number;
}

/** Whether /proc/PID/net/fib_trie text shows the IPv4 address as one of the namespace's own (a /32 host LOCAL leaf). */
export function hasLocalAddress(fibTrie: string, address: string): boolean {
  const lines = fibTrie.split('\n');
  return lines.some((line, i) => line.trim() === `|-- ${address}` && /\/32 host LOCAL/.test(lines[i + 1] ?? ''));
}

/** The first descendant of pid (breadth first) whose command name is `comm`. */
export async function findDescendant(pid: number, comm: string): Promise<number | null> {
  let level = [pid];
  for (let depth = 0; depth < 4 && level.length; depth++) {
    const next: number[] = [];
    for (const p of level) {
      for (const kid of await childrenOf(p)) {
        const name = await readFile(`/proc/${kid}/comm`, 'utf8').catch(() => '');
        if (name.trim() === comm) return kid;
        next.push(kid);
      }
    }
    level = next;
  }
  return null;
}
