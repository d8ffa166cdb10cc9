// `pause` (ansible.builtin.pause): wait `seconds` or `minutes` on the control machine,
// in check mode too (Ansible's pause fully supports it); the host is never contacted.
// Ctrl-C (ctx.signal) ends the wait. Without a duration Ansible waits for Enter at a
// terminal; kvmplay runs without one, so that fails the task with a clear message.
// (ansible-core, when stdin is not a terminal, warns "Not waiting for response to
// prompt as stdin is not interactive" and goes on: kvmplay refuses instead, so a
// playbook that relies on a human answering is never silently waved through.) With a
// duration, `prompt` is only a message shown before the wait, as in Ansible.
// Ansible runs pause once for the play's hosts (BYPASS_HOST_LOOP); kvmplay runs it
// per host, the hosts' pauses overlapping.
import { setTimeout as sleepFor } from 'node:timers/promises';
import { z } from 'zod';
import { argumentSpec, boolish } from '../args.js';
import { pyTimestamp } from '../system/command-run.js';
import type { Plan, PlanFailure } from '../runner.js';
import { defineModule } from '../runner.js';
import { NEVER_APPLIED, type NoChange } from './no-change.js';

/** Python's int() as Ansible's pause calls it: a float is truncated, text must be a whole number ("10", " 5", "1_000"). */
export const pythonInt = z
  .union([z.number(), z.string().regex(/^\s*[+-]?\d+(_\d+)*\s*$/, { message: 'must be a whole number (Python int())' })])
  .transform((v) => (typeof v === 'number' ? Math.trunc(v) : Number(v.replace(/_/g, '').trim())));

/** Time as the waiting modules see it: real in a run, simulated in unit tests. */
export interface Clock {
  /** Milliseconds (Date.now()). */
  now(): number;
  /** Wait `ms`; rejects when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const REAL_CLOCK: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => sleepFor(ms, undefined, { signal }),
};

export const PauseArgs = argumentSpec(
  {
    seconds: pythonInt.optional(),
    minutes: pythonInt.optional(),
    prompt: z.string().optional(),
    echo: boolish.default(true),
  },
  { mutuallyExclusive: [['minutes', 'seconds']] },
);
export type PauseArgs = z.output<typeof PauseArgs>;

export const NEEDS_TERMINAL = 'pause without seconds or minutes waits for Enter at a terminal, and kvmplay runs without one: '
  + 'give seconds: or minutes: to pause for a set time';

/** How the pause went: it waited (from start to stop, in ms), or it would need a terminal. */
export type Paused = { kind: 'paused'; start: Date; stop: Date } | { kind: 'needs-terminal' };

/** The wait in seconds: minutes × 60 or seconds, at least 1 (Ansible waits 1 s for 0 or less); none: wait for Enter. */
export function pauseSeconds(a: Pick<PauseArgs, 'seconds' | 'minutes'>): number | undefined {
  const s = a.minutes !== undefined ? a.minutes * 60 : a.seconds;
  return s === undefined ? undefined : Math.max(1, s);
}

export async function pause(a: PauseArgs, signal: AbortSignal, clock: Clock = REAL_CLOCK): Promise<Paused> {
  const seconds = pauseSeconds(a);
  if (seconds === undefined) return { kind: 'needs-terminal' };
  const start = new Date(clock.now());
  await clock.sleep(seconds * 1000, signal);
  return { kind: 'paused', start, stop: new Date(clock.now()) };
}

/** Python's str() of round(x, 2): `1.0`, `0.02`, `60.5`. */
export function pyRound2(x: number): string {
  const r = Math.round(x * 100) / 100;
  return Number.isInteger(r) ? r.toFixed(1) : String(r);
}

/** Pure: Ansible's result (stdout "Paused for 1.0 seconds", start/stop/delta, echo, user_input). */
export function planPause(a: PauseArgs, p: Paused): Plan<NoChange> | PlanFailure {
  if (p.kind === 'needs-terminal') {
    return { fail: a.prompt === undefined ? NEEDS_TERMINAL : `${NEEDS_TERMINAL} (prompt: ${a.prompt})`, data: { echo: a.echo, user_input: '' } };
  }
  const s = (p.stop.getTime() - p.start.getTime()) / 1000;
  const stdout = a.minutes !== undefined ? `Paused for ${pyRound2(s / 60)} minutes` : `Paused for ${pyRound2(s)} seconds`;
  return {
    changes: [],
    okMsg: a.prompt === undefined ? stdout : `${a.prompt}\n${stdout}`,
    rc: 0,
    stdout,
    stderr: '',
    data: { start: pyTimestamp(p.start), stop: pyTimestamp(p.stop), delta: Math.trunc(s), echo: a.echo, user_input: '' },
  };
}

export const pauseModule = defineModule({
  names: ['pause'],
  args: PauseArgs,
  gather: (_host, a, ctx) => pause(a, ctx.signal),
  plan: planPause,
  ...NEVER_APPLIED,
});
