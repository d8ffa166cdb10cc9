// `service` (SPEC 6): systemd or sysv, started/stopped/restarted/reloaded and
// enabled. For libvirt it manages what the host uses (modular virtqemud or
// monolithic libvirtd, with virtlogd first under sysv). Gather unit states in one
// round trip, plan one change per action; the last one verifies what must run does.
import { z } from 'zod';
import { TaskError } from '../../../errors.js';
import type { Host } from '../../../transport/host.js';
import { argumentSpec, boolish } from '../../args.js';
import { factsFor } from '../facts/facts.js';
import type { ModuleContext } from '../../module.js';
import { runOptions, script } from '../../remote.js';
import { defineModule } from '../../runner.js';
import { parseStatus, planService, resolveUnits, serviceCommands, STATUS_SCRIPT, type PlannedAction, type Resolved, type ServiceMgr, type UnitStatus } from './service-plan.js';

const ServiceArgs = argumentSpec(
  {
    // Never an option to systemctl/update-rc.d (leading `-`), never a path.
    name: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9@._:-]*$/, { message: 'must be a service name' }),
    state: z.enum(['started', 'stopped', 'restarted', 'reloaded']).optional(),
    enabled: boolish.optional(),
  },
  { requiredOneOf: [['state', 'enabled']] },
);
export type ServiceArgs = z.infer<typeof ServiceArgs>;

async function unitStatus(host: Host, ctx: ModuleContext, mgr: string, units: string[]): Promise<Map<string, UnitStatus>> {
  const r = await host.run(script(STATUS_SCRIPT, mgr, ...units), runOptions(ctx));
  if (r.rc !== 0) throw new TaskError(ctx.hostName, `reading service state failed: ${r.stderr.trim()}`, { rc: r.rc, stderr: r.stderr });
  return parseStatus(r.stdout);
}

export interface ServiceHostState {
  mgr: ServiceMgr;
  family: string;
  resolved: Resolved;
  before: Map<string, UnitStatus>;
}

/** One action; the last one carries the note and, when the units must run, what to verify after. */
export interface ServiceChange extends PlannedAction {
  note?: string;
  /** All the actions done ("start virtlogd, start libvirtd"), for the "not running after" message. */
  verifyAfter?: string;
}

const noteOf = (r: Resolved): string => (r.note ? ` (${r.note})` : '');

export const serviceModule = defineModule({
  names: ['service'],
  args: ServiceArgs,
  async gather(host, a, ctx): Promise<ServiceHostState> {
    const isLibvirt = a.name === 'libvirtd' || a.name === 'libvirtd.service';
    const f = await factsFor(host, ctx, ['service_mgr', 'os_family', ...(isLibvirt ? ['libvirt_modular'] : [])]);
    const mgr = f['service_mgr'] === 'systemd' ? 'systemd' : 'sysv';
    const resolved = resolveUnits(a.name, mgr, f['libvirt_modular'] === true);
    const before = await unitStatus(host, ctx, mgr, resolved.units.map((u) => u.name));
    return { mgr, family: String(f['os_family'] ?? ''), resolved, before };
  },
  plan(a, s) {
    const note = noteOf(s.resolved);
    const missing = s.resolved.units.filter((u) => !u.prereq && !s.before.get(u.name)?.exists).map((u) => u.name);
    if (missing.length) return { fail: `could not find the requested service ${missing.join(', ')}${note}` };
    const actions = planService(a, s.resolved.units, s.before);
    const units = s.resolved.units.map((u) => u.name);
    const data = { units, actions, service_mgr: s.mgr, name: a.name };
    const mustRun = a.state === 'started' || a.state === 'restarted' || a.state === 'reloaded';
    const done = actions.map((x) => `${x.action} ${x.unit}`).join(', ');
    const changes: ServiceChange[] = actions.map((x, i) =>
      i < actions.length - 1 ? x : { ...x, ...(s.resolved.note ? { note: s.resolved.note } : {}), ...(mustRun ? { verifyAfter: done } : {}) },
    );
    const okMsg = `${a.name} already ${[a.state, a.enabled === undefined ? '' : a.enabled ? 'enabled' : 'disabled'].filter(Boolean).join(', ')}${note}`;
    return { changes, okMsg, data };
  },
  describe: (c: ServiceChange) => `${c.action} ${c.unit}${c.note ? ` (${c.note})` : ''}`,
  async apply(host, _a, c, ctx, s) {
    for (const argv of serviceCommands(s.mgr, s.family, c)) {
      const r = await host.run(argv, runOptions(ctx));
      if (r.rc !== 0) return { failed: true, rc: r.rc, stdout: r.stdout, stderr: r.stderr, msg: `${argv.join(' ')} failed (rc=${r.rc ?? 'none'}): ${(r.stderr.trim() || r.stdout.trim()).split('\n').slice(-3).join(' | ')}` };
    }
    if (c.verifyAfter === undefined) return;
    // sysv init scripts often exit 0 when the daemon dies right after forking: check.
    const names = s.resolved.units.map((u) => u.name);
    const after = await unitStatus(host, ctx, s.mgr, names);
    const down = names.filter((n) => s.before.get(n)?.exists && !after.get(n)?.active && !n.endsWith('.socket'));
    if (down.length) return { failed: true, msg: `${down.join(', ')} not running after ${c.verifyAfter}${noteOf(s.resolved)}` };
  },
});
