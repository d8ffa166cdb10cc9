// `ping` (ansible.builtin.ping): prove the host can be logged into and can run a
// command, with become when the task has it. Unlike the other engine modules it
// contacts the host (it runs `true`), in check mode too, so an unreachable host
// shows as unreachable. Returns `ping: data`; `data: crash` fails the task after the
// round trip, as Ansible's module raises on the host.
import { z } from 'zod';
import { TaskError } from '../../errors.js';
import type { Host } from '../../transport/host.js';
import { argumentSpec } from '../args.js';
import type { ModuleContext } from '../module.js';
import { defineModule } from '../runner.js';
import { NEVER_APPLIED, type NoChange } from './no-change.js';

export const PONG = 'pong';
const PING_TIMEOUT_MS = 60_000;
/** Ansible's message when a module dies on the host (its `crash` raises Exception("boom")). */
export const MODULE_FAILURE = 'MODULE FAILURE\nSee stdout/stderr for the exact error';

export const PingArgs = argumentSpec({ data: z.union([z.string(), z.number()]).transform(String).optional() });
export type PingArgs = z.output<typeof PingArgs>;

/** Run `true` on the host; a refused sudo or a dead shell fails the task, no connection is UnreachableError. */
export async function reachHost(host: Host, ctx: ModuleContext): Promise<void> {
  const timeoutMs = ctx.timeoutMs ?? PING_TIMEOUT_MS;
  const r = await host.run(['true'], { become: ctx.become, signal: ctx.signal, timeoutMs });
  if (r.timedOut) throw new TaskError(host.name, `ping: \`true\` did not finish within ${Math.round(timeoutMs / 1000)} s`, { rc: r.rc, stderr: r.stderr });
  if (r.rc !== 0) {
    const why = r.stderr.trim();
    throw new TaskError(host.name, `ping: \`true\` failed (rc=${r.rc ?? r.signal ?? 'none'})${why ? `: ${why}` : ''}`, { rc: r.rc, stdout: r.stdout, stderr: r.stderr });
  }
}

export const pingModule = defineModule({
  names: ['ping'],
  args: PingArgs,
  gather: (host, _a, ctx) => reachHost(host, ctx),
  plan(a) {
    const data = a.data ?? PONG;
    if (data === 'crash') return { fail: MODULE_FAILURE, rc: 1, data: { module_stdout: '', module_stderr: 'Exception: boom\n' } };
    return { changes: [] as NoChange[], okMsg: data, data: { ping: data } };
  },
  ...NEVER_APPLIED,
});
