// `service` (SPEC 6): systemd or sysv, started/stopped/restarted/reloaded and
// enabled. For libvirt it manages what the host uses (modular virtqemud or
// monolithic libvirtd, with virtlogd first under sysv). Gather unit states in one
// round trip, plan, apply unless check mode, then verify what was started runs.
import { z } from 'zod';
import { TaskError } from '../../../errors.js';
import type { Host } from '../../../transport/host.js';
import { boolish } from '../../args.js';
import { factsFor } from '../facts/facts.js';
import type { LegacyModule, ModuleContext, ModuleResult } from '../../module.js';
import { runOptions, script } from '../../remote.js';
import { parseStatus, planService, resolveUnits, serviceCommands, STATUS_SCRIPT, type UnitStatus } from './service-plan.js';

const ServiceArgs = z
  .object({
    // Never an option to systemctl/update-rc.d (leading `-`), never a path.
    name: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9@._:-]*$/, { message: 'must be a service name' }),
    state: z.enum(['started', 'stopped', 'restarted', 'reloaded']).optional(),
    enabled: boolish.optional(),
  })
  .strict()
  .refine((a) => a.state !== undefined || a.enabled !== undefined, { message: 'one of state or enabled is required' });
export type ServiceArgs = z.infer<typeof ServiceArgs>;

async function unitStatus(host: Host, ctx: ModuleContext, mgr: string, units: string[]): Promise<Map<string, UnitStatus>> {
  const r = await host.run(script(STATUS_SCRIPT, mgr, ...units), runOptions(ctx));
  if (r.rc !== 0) throw new TaskError(ctx.hostName, `reading service state failed: ${r.stderr.trim()}`, { rc: r.rc, stderr: r.stderr });
  return parseStatus(r.stdout);
}

export const serviceModule: LegacyModule<ServiceArgs> = {
  name: 'service',
  args: ServiceArgs,
  async run(host: Host, a: ServiceArgs, ctx: ModuleContext): Promise<ModuleResult> {
    const isLibvirt = a.name === 'libvirtd' || a.name === 'libvirtd.service';
    const f = await factsFor(host, ctx, ['service_mgr', 'os_family', ...(isLibvirt ? ['libvirt_modular'] : [])]);
    const mgr = f['service_mgr'] === 'systemd' ? 'systemd' : 'sysv';
    const family = String(f['os_family'] ?? '');
    const resolved = resolveUnits(a.name, mgr, f['libvirt_modular'] === true);
    const names = resolved.units.map((u) => u.name);
    const before = await unitStatus(host, ctx, mgr, names);
    const note = resolved.note ? ` (${resolved.note})` : '';
    const missing = resolved.units.filter((u) => !u.prereq && !before.get(u.name)?.exists).map((u) => u.name);
    if (missing.length) return { changed: false, failed: true, msg: `could not find the requested service ${missing.join(', ')}${note}` };

    const actions = planService(a, resolved.units, before);
    const done = actions.map((x) => `${x.action} ${x.unit}`).join(', ');
    const data = { units: names, actions, service_mgr: mgr, name: a.name };
    if (actions.length === 0) return { changed: false, msg: `${a.name} already ${[a.state, a.enabled === undefined ? '' : a.enabled ? 'enabled' : 'disabled'].filter(Boolean).join(', ')}${note}`, data };
    if (ctx.check) return { changed: true, msg: `would ${done}${note}`, data };

    for (const action of actions) {
      for (const argv of serviceCommands(mgr, family, action)) {
        const r = await host.run(argv, runOptions(ctx));
        if (r.rc !== 0) return { changed: true, failed: true, rc: r.rc, stdout: r.stdout, stderr: r.stderr, msg: `${argv.join(' ')} failed (rc=${r.rc ?? 'none'}): ${(r.stderr.trim() || r.stdout.trim()).split('\n').slice(-3).join(' | ')}`, data };
      }
    }
    // sysv init scripts often exit 0 when the daemon dies right after forking: check.
    if (a.state === 'started' || a.state === 'restarted' || a.state === 'reloaded') {
      const after = await unitStatus(host, ctx, mgr, names);
      const down = names.filter((n) => before.get(n)?.exists && !after.get(n)?.active && !n.endsWith('.socket'));
      if (down.length) return { changed: true, failed: true, msg: `${down.join(', ')} not running after ${done}${note}`, data };
    }
    return { changed: true, msg: `${done}${note}`, data };
  },
};
