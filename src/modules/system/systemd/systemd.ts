// `systemd_service` / `systemd` (Ansible's ansible.builtin.systemd_service): one unit's
// mask, enablement and state, daemon-reload and daemon-reexec, through systemctl. Gather
// is one probe (show, is-enabled, the init script's links); plan is systemd-plan.ts; the
// registered result is Ansible's: name, status (`systemctl show` before the changes, after
// a daemon-reload), state, enabled. `service` reuses all of it on systemd hosts, as
// Ansible's service action hands systemd hosts to this module.
import { z } from 'zod';
import { TaskError } from '../../../errors.js';
import type { Host, RunResult } from '../../../transport/host.js';
import { argumentSpec, boolish } from '../../args.js';
import type { ModuleContext } from '../../module.js';
import { runOptions, script } from '../../remote.js';
import { defineModule, type StepResult } from '../../runner.js';
import { describeChange, globFailure, isEnabled, planUnit, viewUnit, type SystemdChange } from './systemd-plan.js';
import { parseSystemctlShow, parseUnitProbe, UNIT_PROBE_SCRIPT, type UnitProbe } from './systemd-show.js';

/** A unit name: never taken for a systemctl option. */
export const unitNameArg = z.string().min(1).refine((n) => !n.startsWith('-') && !/[\s/]/.test(n), { message: 'must be a unit name (no leading -, no spaces or slashes)' });

const SCOPE_REFUSED = 'is not supported by kvmplay: only the system manager (scope: system) is managed; user units need the user\'s own systemd and D-Bus session';

export const SystemdArgs = argumentSpec(
  {
    name: unitNameArg.optional(),
    state: z.enum(['reloaded', 'restarted', 'started', 'stopped']).optional(),
    enabled: boolish.optional(),
    force: boolish.optional(),
    masked: boolish.optional(),
    // Ansible's default false: left undefined here so that the hyphenated aliases stay optional.
    daemon_reload: boolish.optional(),
    daemon_reexec: boolish.optional(),
    scope: z.enum(['system', 'user', 'global']).optional()
      .superRefine((s, ctx) => { if (s !== undefined && s !== 'system') ctx.addIssue({ code: 'custom', message: `scope "${s}" ${SCOPE_REFUSED}` }); }),
    no_block: boolish.optional(),
  },
  { aliases: { name: ['service', 'unit'], daemon_reload: ['daemon-reload'], daemon_reexec: ['daemon-reexec'] } },
).superRefine((a, ctx) => {
  // Ansible's required_by (its required_one_of is always met: daemon_reload has a default).
  for (const k of ['state', 'enabled', 'masked'] as const) {
    if (a[k] !== undefined && a.name === undefined) ctx.addIssue({ code: 'custom', message: `missing parameter(s) required by '${k}': name` });
  }
});
export type SystemdArgs = z.output<typeof SystemdArgs>;

/** The options Ansible puts on every systemctl call. */
export function systemctlFlags(a: { no_block?: boolean | undefined; force?: boolean | undefined }): string[] {
  return [...(a.no_block ? ['--no-block'] : []), ...(a.force ? ['--force'] : [])];
}

/** Read one unit (unit '' reads only whether systemctl exists). */
export async function probeUnit(host: Host, ctx: ModuleContext, unit: string, flags: readonly string[]): Promise<UnitProbe> {
  const r = await host.run(script(UNIT_PROBE_SCRIPT, unit, ...flags), runOptions(ctx));
  if (r.rc !== 0) throw new TaskError(ctx.hostName, `reading unit ${unit} failed (rc=${r.rc ?? 'none'}): ${r.stderr.trim()}`, { rc: r.rc, stderr: r.stderr });
  return parseUnitProbe(r.stdout);
}

export const NO_SYSTEMCTL = 'Failed to find required executable "systemctl" in paths: /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const out = (r: RunResult): Pick<StepResult, 'rc' | 'stdout' | 'stderr'> => ({ rc: r.rc, stdout: r.stdout, stderr: r.stderr });

/** Check mode reports what the state read before says; daemon-reload never counts (Ansible: changed stays false). */
export function countsChange(c: SystemdChange): boolean {
  if (c.kind === 'daemon-reload' || c.kind === 'daemon-reexec') return false;
  if (c.kind === 'enable' || c.kind === 'disable') return c.needed;
  return true;
}

/** Make one change; Ansible's messages on failure. */
export async function applyUnitChange(host: Host, ctx: ModuleContext, flags: readonly string[], c: SystemdChange, probe: UnitProbe | null): Promise<StepResult> {
  const systemctl = (...args: string[]): Promise<RunResult> => host.run(['systemctl', ...flags, ...args], runOptions(ctx));
  switch (c.kind) {
    case 'daemon-reload':
    case 'daemon-reexec': {
      const r = await systemctl(c.kind);
      if (r.rc !== 0) return { failed: true, msg: `failure ${r.rc ?? 'none'} during ${c.kind}: ${r.stderr}`, ...out(r) };
      if (c.unit === null) return { noop: true };
      // Ansible reads the unit after reloading: the status reflects the reloaded files.
      const show = await systemctl('show', c.unit);
      return { noop: true, ...(show.rc === 0 && show.stdout.trim() !== '' ? { data: { status: parseSystemctlShow(show.stdout) } } : {}) };
    }
    case 'mask':
    case 'unmask': {
      const r = await systemctl(c.kind, c.unit);
      if (r.rc === 0) return {};
      if (!c.found) return { failed: true, msg: `Could not find the requested service ${c.unit}: host`, ...out(r) };
      // Ansible goes on silently here; kvmplay says what systemctl said.
      const earlier = probe ? warningsOf(c.unit, probe) : [];
      return { data: { warnings: [...earlier, `systemctl ${c.kind} ${c.unit} failed (rc=${r.rc ?? 'none'}): ${r.stderr.trim()}`] }, ...out(r) };
    }
    case 'enable':
    case 'disable': {
      if (c.recheck && probe) {
        const again = await systemctl('is-enabled', c.unit, '-l');
        const now = isEnabled({ ...probe, enabledRc: again.rc ?? 1, enabledLines: again.stdout.split('\n').filter((l) => l.trim() !== '') });
        if (now === (c.kind === 'enable')) return { noop: true };
      }
      const r = await systemctl(c.kind, c.unit);
      if (r.rc !== 0) return { failed: true, msg: `Unable to ${c.kind} service ${c.unit}: ${r.stdout}${r.stderr}`, ...out(r) };
      return {};
    }
    default: {
      const r = await systemctl(c.kind, c.unit);
      if (r.rc !== 0) return { failed: true, msg: `Unable to ${c.kind} service ${c.unit}: ${r.stderr}`, ...out(r) };
      return {};
    }
  }
}

function warningsOf(unit: string, probe: UnitProbe): string[] {
  const v = viewUnit(unit, probe);
  return typeof v === 'string' ? [] : v.warnings;
}

export interface SystemdHostState {
  probe: UnitProbe;
}

export const systemdModule = defineModule({
  // 'systemd' first: the task key most playbooks use, and the name an unnamed task shows.
  names: ['systemd', 'systemd_service'],
  args: SystemdArgs,
  async gather(host, a, ctx): Promise<SystemdHostState> {
    // A glob fails in plan with Ansible's message; nothing is asked of systemctl for it.
    const unit = a.name !== undefined && globFailure(a.name) === undefined ? a.name : '';
    return { probe: await probeUnit(host, ctx, unit, systemctlFlags(a)) };
  },
  plan(a, s) {
    const glob = a.name === undefined ? undefined : globFailure(a.name);
    if (glob) return { fail: glob };
    if (!s.probe.systemctl) return { fail: NO_SYSTEMCTL };
    const p = planUnit(a.name ?? null, { ...a, daemon_reload: a.daemon_reload ?? false, daemon_reexec: a.daemon_reexec ?? false }, a.name === undefined ? null : s.probe);
    if (typeof p === 'string') return { fail: p, ...(p === 'Service is in unknown state' ? { data: { status: s.probe.show } } : {}) };
    const what = [p.data.state, p.data.enabled === undefined ? undefined : p.data.enabled ? 'enabled' : 'disabled', a.masked === undefined ? undefined : a.masked ? 'masked' : 'not masked'].filter(Boolean).join(', ');
    return {
      changes: p.changes,
      data: { ...p.data, ...(p.warnings.length ? { warnings: p.warnings } : {}) },
      okMsg: a.name === undefined ? 'systemd reloaded' : `${a.name}${what ? ` ${what}` : ''}`,
    };
  },
  describe: describeChange,
  counts: countsChange,
  apply: (host, a, c, ctx, s) => applyUnitChange(host, ctx, systemctlFlags(a), c, s.probe),
});
