// `reboot` (ansible.builtin.reboot): reboot the host, wait for it to go down and come
// back (its boot id changes), then for the test command to succeed; on new connections
// (Host.reconnect), as Ansible's action plugin resets its connection.
//
// Never on this machine's kernel: a lab host is a network namespace sharing the control
// machine's kernel, and the control machine can be an inventory host too. The gather
// compares the host's kernel boot id with the control machine's; equal, the task fails
// (in check mode too) before anything runs. The lab's inventory marks its hosts
// (`lab_netns`): refused as well, whatever the kernel says.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { InterruptedError, TaskError, UnreachableError } from '../../errors.js';
import type { Host } from '../../transport/host.js';
import { argumentSpec } from '../args.js';
import { pythonInt, REAL_CLOCK, type Clock } from '../engine/pause.js';
import type { ModuleContext } from '../module.js';
import { SECTION_FN, splitSections } from '../probe-sections.js';
import { runOptions, script } from '../remote.js';
import { defineModule, type Plan, type PlanFailure, type StepResult } from '../runner.js';
import { strList } from './user/user-args.js';

export const BOOT_ID_PATH = '/proc/sys/kernel/random/boot_id';
const DEFAULT_SEARCH_PATHS = ['/sbin', '/bin', '/usr/sbin', '/usr/bin', '/usr/local/sbin'];

export const RebootArgs = argumentSpec({
  pre_reboot_delay: pythonInt.default(0),
  post_reboot_delay: pythonInt.default(0),
  reboot_timeout: pythonInt.default(600),
  connect_timeout: pythonInt.optional(),
  test_command: z.string().min(1).optional(),
  msg: z.string().default('Reboot initiated by Ansible'),
  search_paths: strList.default(DEFAULT_SEARCH_PATHS),
  boot_time_command: z.string().min(1).default(`cat ${BOOT_ID_PATH}`),
  reboot_command: z.string().min(1).optional(),
});
export type RebootArgs = z.infer<typeof RebootArgs>;

export interface RebootState {
  /** The host's kernel boot id (always read from /proc, whatever boot_time_command says). */
  bootId: string;
  /** The control machine's; null when it cannot be read (not Linux). */
  localBootId: string | null;
  /** The inventory marks the host as a lab host (`lab_netns`). */
  labHost: boolean;
  /** os-release ID (alpine, void: their own reboot commands). */
  distribution: string;
  /** The reboot command's program, found in search_paths; null when not found. */
  program: string | null;
  /** boot_time_command's output before the reboot, or why it failed. */
  bootTime: { ok: true; value: string } | { ok: false; msg: string };
}

/** Ansible's shutdown program and its arguments for a distribution (or the reboot_command's words). */
export function rebootCommand(a: RebootArgs, distribution: string): { program: string; args: string } {
  if (a.reboot_command !== undefined) {
    const [program = '', ...rest] = a.reboot_command.split(' ');
    return { program, args: rest.join(' ') };
  }
  const delay = Math.max(0, a.pre_reboot_delay);
  const fmt = (t: string): string => t.replace('{delay_min}', String(Math.floor(delay / 60))).replace('{delay_sec}', String(delay)).replace('{message}', a.msg);
  if (distribution === 'alpine') return { program: 'reboot', args: '' };
  if (distribution === 'void') return { program: 'shutdown', args: fmt('-r +{delay_min} "{message}"') };
  return { program: 'shutdown', args: fmt('-r {delay_min} "{message}"') };
}

// $1 the program to find; the rest: search paths. The boot time command runs after (as a shell string).
export const REBOOT_PROBE = [
  SECTION_FN,
  'prog=$1; shift',
  `sec bootid; cat ${BOOT_ID_PATH}`,
  'sec os; ( . /etc/os-release 2>/dev/null; printf "%s\\n" "$ID" )',
  'sec program',
  'case $prog in /*) printf "%s\\n" "$prog";; *) for p in "$@"; do if [ -e "$p/$prog" ]; then printf "%s\\n" "$p/$prog"; break; fi; done;; esac',
].join('\n');

async function gatherReboot(host: Host, a: RebootArgs, ctx: ModuleContext): Promise<RebootState> {
  const localBootId = await readFile(BOOT_ID_PATH, 'utf8').then((t) => t.trim(), () => null);
  const labHost = ctx.vars['lab_netns'] !== undefined;
  const first = rebootCommand(a, '');
  const r = await host.run(script(REBOOT_PROBE, first.program, ...a.search_paths), runOptions(ctx));
  if (r.rc !== 0) throw new TaskError(ctx.hostName, `reading the host's boot id failed: ${r.stderr.trim()}`, { rc: r.rc, stderr: r.stderr });
  const s = splitSections(r.stdout);
  const line = (k: string): string => (s.get(k) ?? '').split('\n').find((l) => l !== '') ?? '';
  const distribution = line('os').toLowerCase();
  const program = rebootCommand(a, distribution).program;
  // Alpine's program differs from the one looked for: look again (rare; one more round trip).
  const bootId = line('bootid');
  const base = { bootId, localBootId, labHost, distribution };
  // On this machine's kernel nothing more runs: the plan refuses.
  if (labHost || bootId === localBootId) return { ...base, program: null, bootTime: { ok: false, msg: 'not asked' } };
  const found = program === first.program ? line('program') : await findProgram(host, program, a, ctx);
  return { ...base, program: found || null, bootTime: await runBootTime(host, a, ctx) };
}

async function findProgram(host: Host, program: string, a: RebootArgs, ctx: ModuleContext): Promise<string> {
  const r = await host.run(script(REBOOT_PROBE, program, ...a.search_paths), runOptions(ctx));
  return (splitSections(r.stdout).get('program') ?? '').split('\n').find((l) => l !== '') ?? '';
}

async function runBootTime(host: Host, a: RebootArgs, ctx: ModuleContext): Promise<RebootState['bootTime']> {
  const r = await host.run(a.boot_time_command, runOptions(ctx));
  if (r.rc !== 0) return { ok: false, msg: `reboot: failed to get host boot time info, rc: ${r.rc ?? 'none'}, stdout: ${r.stdout}, stderr: ${r.stderr}` };
  return { ok: true, value: r.stdout.trim() };
}

export interface RebootChange {
  command: string;
  previousBootTime: string;
}

export function planReboot(a: RebootArgs, s: RebootState): Plan<RebootChange> | PlanFailure {
  const data = { rebooted: false, elapsed: 0 };
  if (s.labHost || (s.localBootId !== null && s.bootId === s.localBootId)) {
    const why = s.labHost ? 'it is a kvmplay lab host' : 'it runs on the kernel of the machine kvmplay runs on (a lab host, a container, or this machine itself)';
    return { fail: `reboot is not supported on this host: ${why}, so rebooting it would reboot the control machine`, data };
  }
  if (!s.bootTime.ok) return { fail: s.bootTime.msg, data: { ...data, reboot: false } };
  const cmd = rebootCommand(a, s.distribution);
  if (s.program === null) return { fail: `Unable to find command "${cmd.program}" in search paths: ${JSON.stringify(a.search_paths)}`, data };
  // Check mode: Ansible's plugin answers without touching the host.
  return { changes: [{ command: `${s.program} ${cmd.args}`, previousBootTime: s.bootTime.value }], data: { rebooted: true, elapsed: 0 } };
}

/** What happened: rebooted and back (elapsed s), or why not. */
export type RebootOutcome = { ok: true; elapsed: number } | { ok: false; rebooted: boolean; elapsed: number; msg: string };

/** Retry `action` with Ansible's backoff (2^n s + a fraction, at most 12 s) until it succeeds or `timeoutS` passes. */
async function untilSuccess(action: () => Promise<void>, timeoutS: number, what: string, ctx: ModuleContext, clock: Clock): Promise<void> {
  const end = clock.now() + timeoutS * 1000;
  let fails = 0;
  while (clock.now() < end) {
    try {
      await action();
      return;
    } catch (err) {
      if (err instanceof InterruptedError || ctx.signal.aborted) throw err;
      const jitter = Math.random();
      await clock.sleep(Math.min(2 ** fails, 12) * 1000 + jitter * 1000, ctx.signal);
      fails += 1;
    }
  }
  throw new RebootTimeout(`Timed out waiting for ${what} (timeout=${timeoutS})`);
}

class RebootTimeout extends Error {}

/** Run the reboot command, then wait for a new boot id and for test_command, each within reboot_timeout. */
export async function rebootAndWait(host: Host, a: RebootArgs, c: RebootChange, ctx: ModuleContext, clock: Clock = REAL_CLOCK): Promise<RebootOutcome> {
  let rc: number | null = 0;
  let out = { stdout: '', stderr: '' };
  try {
    const r = await host.run(c.command, runOptions(ctx, { timeoutMs: 60_000 }));
    // The connection may die with the host: no exit status then is the reboot going on.
    rc = r.signal !== undefined || r.rc === null ? 0 : r.rc;
    out = { stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    if (!(err instanceof UnreachableError)) throw err;
  }
  const start = clock.now();
  const elapsed = (): number => Math.floor((clock.now() - start) / 1000);
  if (rc !== 0) return { ok: false, rebooted: false, elapsed: elapsed(), msg: `Reboot command failed. Error was: '${out.stdout.trim()}, ${out.stderr.trim()}'` };
  if (a.post_reboot_delay > 0) await clock.sleep(a.post_reboot_delay * 1000, ctx.signal);
  const connectMs = a.connect_timeout !== undefined ? a.connect_timeout * 1000 : undefined;
  const fresh = async (): Promise<void> => host.reconnect(connectMs !== undefined ? { timeoutMs: connectMs } : {});
  try {
    await untilSuccess(async () => {
      await fresh();
      const r = await host.run(a.boot_time_command, runOptions(ctx, { timeoutMs: 60_000 }));
      const now = r.stdout.trim();
      if (r.rc !== 0 || now === '' || now === c.previousBootTime) throw new Error('boot time has not changed');
    }, a.reboot_timeout, 'last boot time check', ctx, clock);
    await untilSuccess(async () => {
      const r = await host.run(a.test_command ?? 'whoami', runOptions(ctx, { timeoutMs: 60_000 }));
      if (r.rc !== 0) {
        await fresh().catch(() => undefined);
        throw new Error(`Test command failed: ${r.stderr} ${r.stdout}`);
      }
    }, a.reboot_timeout, 'post-reboot test command', ctx, clock);
  } catch (err) {
    if (err instanceof RebootTimeout) return { ok: false, rebooted: true, elapsed: elapsed(), msg: err.message };
    throw err;
  }
  return { ok: true, elapsed: elapsed() };
}

export const rebootModule = defineModule({
  names: ['reboot'],
  args: RebootArgs,
  gather: gatherReboot,
  plan: planReboot,
  describe: () => 'reboot the host',
  async apply(host, a, c: RebootChange, ctx): Promise<StepResult> {
    const o = await rebootAndWait(host, a, c, ctx);
    // Not `changed` when it failed: Ansible's plugin reports changed only with the host back.
    if (!o.ok) return { failed: true, noop: true, msg: o.msg, data: { rebooted: o.rebooted, elapsed: o.elapsed } };
    return { msg: `rebooted, back after ${o.elapsed} s`, data: { rebooted: true, elapsed: o.elapsed } };
  },
});
