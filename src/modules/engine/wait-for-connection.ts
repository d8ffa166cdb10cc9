// `wait_for_connection` (ansible.builtin.wait_for_connection): wait until the host can
// be logged into and can run a command again — after a reboot, a network change, a
// new VM's first boot. Like Ansible's action plugin, every attempt starts a NEW
// connection (Ansible resets it) bounded by `connect_timeout`, then runs `true` (its
// ping module), with the task's become; a failed attempt — unreachable included —
// is retried every `sleep` seconds until `timeout` (counted after `delay`, as in
// Ansible) has passed, and then the task FAILS (it does not make the host
// unreachable): "timed out waiting for ping module test: <last error>". Skipped in
// check mode, as Ansible skips it. Returns `elapsed` (whole seconds, delay included).
import type { z } from 'zod';
import { InterruptedError, TaskError } from '../../errors.js';
import type { Host } from '../../transport/host.js';
import { argumentSpec } from '../args.js';
import type { ModuleContext, ModuleResult, RunModuleContext } from '../module.js';
import { defineModule, type Module, type Plan, type PlanFailure } from '../runner.js';
import { NEVER_APPLIED, type NoChange } from './no-change.js';
import { pythonInt, REAL_CLOCK, type Clock } from './pause.js';
import { reachHost } from './ping.js';

/** What Ansible's plugin returns in check mode is `skipped` alone; this is its log line. */
export const CHECK_MODE_SKIP = 'wait_for_connection: skipping for check_mode';
const WHAT = 'ping module test';

const seconds = pythonInt.refine((n) => n >= 0, { message: 'must not be negative' });

export const WaitForConnectionArgs = argumentSpec({
  connect_timeout: seconds.default(5),
  delay: seconds.default(0),
  sleep: seconds.default(1),
  timeout: seconds.default(600),
});
export type WaitForConnectionArgs = z.output<typeof WaitForConnectionArgs>;

/** How the wait ended: connected, or the error of the last attempt when time ran out. */
export type Connected = { elapsed: number } | { elapsed: number; timedOut: true; lastError: string };

/** One attempt: a new connection, then `true` on it; throws why it failed. */
async function attempt(host: Host, a: WaitForConnectionArgs, ctx: ModuleContext, leftMs: number): Promise<void> {
  await host.reconnect({ timeoutMs: Math.max(1000, Math.min(a.connect_timeout * 1000, leftMs)) });
  await reachHost(host, { ...ctx, timeoutMs: Math.max(a.connect_timeout * 1000, leftMs, 1000) });
}

export async function waitForConnection(host: Host, a: WaitForConnectionArgs, ctx: ModuleContext, clock: Clock = REAL_CLOCK): Promise<Connected> {
  const start = clock.now();
  const elapsed = (): number => Math.floor((clock.now() - start) / 1000);
  if (a.delay > 0) await clock.sleep(a.delay * 1000, ctx.signal);
  const end = clock.now() + a.timeout * 1000;
  let lastError = 'no attempt was made within the timeout';
  while (clock.now() < end) {
    try {
      await attempt(host, a, ctx, end - clock.now());
      return { elapsed: elapsed() };
    } catch (err) {
      // Ctrl-C or the task's deadline end the wait, which the engine reports (not as an
      // unreachable host); anything else is retried.
      if (err instanceof InterruptedError) throw err;
      if (ctx.signal.aborted) throw new TaskError(ctx.hostName, 'wait_for_connection: ended while waiting', {}, { cause: err });
      lastError = err instanceof Error ? err.message : String(err);
    }
    await clock.sleep(a.sleep * 1000, ctx.signal);
  }
  return { elapsed: elapsed(), timedOut: true, lastError };
}

/** Pure: Ansible's result — `elapsed`, and its message when time ran out. */
export function planWaitForConnection(c: Connected): Plan<NoChange> | PlanFailure {
  if ('timedOut' in c) return { fail: `timed out waiting for ${WHAT}: ${c.lastError}`, data: { elapsed: c.elapsed } };
  return { changes: [], okMsg: `connected after ${c.elapsed} s`, data: { elapsed: c.elapsed } };
}

const waitLifecycle = defineModule({
  names: ['wait_for_connection'],
  args: WaitForConnectionArgs,
  gather: (host, a, ctx) => waitForConnection(host, a, ctx),
  plan: (_a, c: Connected) => planWaitForConnection(c),
  ...NEVER_APPLIED,
});

/** Skipped in check mode (Ansible's plugin returns `skipped`); otherwise the lifecycle above. */
export const waitForConnectionModule: Module = {
  ...waitLifecycle,
  run: (host, parsedArgs, ctx: RunModuleContext): Promise<ModuleResult> =>
    ctx.check ? Promise.resolve({ changed: false, skipped: true, msg: CHECK_MODE_SKIP }) : waitLifecycle.run(host, parsedArgs, ctx),
};
