// `service` (SPEC 6, Ansible's service): systemd or sysv, started/stopped/restarted/
// reloaded and enabled. As Ansible's service action, a systemd host gets the systemd
// module's behaviour and result (systemd.ts: `status`, `state`, `enabled`; pattern,
// runlevel, sleep and arguments ignored with Ansible's warning); a sysv host gets its
// init scripts, update-rc.d/chkconfig and Ansible's LinuxService result (`state` is
// started or stopped). For libvirt it manages what the host uses (modular virtqemud or
// monolithic libvirtd, with virtlogd first under sysv). Gather reads the units in one
// round trip per unit; under sysv the last change verifies that what must run does.
import { z } from 'zod';
import { TaskError } from '../../../errors.js';
import type { Host } from '../../../transport/host.js';
import { shlexSplit } from '../../../util/shlex.js';
import { argumentSpec, boolish } from '../../args.js';
import { pythonInt } from '../../engine/pause.js';
import { factsFor } from '../facts/facts.js';
import type { ModuleContext } from '../../module.js';
import { runOptions, script } from '../../remote.js';
import { defineModule, type StepResult } from '../../runner.js';
import { describeChange as describeUnitChange, planUnit, type SystemdChange } from '../systemd/systemd-plan.js';
import { applyUnitChange, countsChange, NO_SYSTEMCTL, probeUnit } from '../systemd/systemd.js';
import type { UnitProbe } from '../systemd/systemd-show.js';
import { parseStatus, planService, psRunning, resolveUnits, serviceCommands, STATUS_SCRIPT, type PlannedAction, type Resolved, type ServiceMgr, type UnitStatus } from './service-plan.js';

/** What `use` may name: Ansible's service managers kvmplay has. */
const USES = ['auto', 'systemd', 'sysvinit', 'service'] as const;

const ServiceArgs = argumentSpec(
  {
    // Never an option to systemctl/update-rc.d (leading `-`), never a path.
    name: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9@._:-]*$/, { message: 'must be a service name' }),
    state: z.enum(['started', 'stopped', 'restarted', 'reloaded']).optional(),
    enabled: boolish.optional(),
    sleep: pythonInt.refine((n) => n >= 0, { message: 'must not be negative' }).optional(),
    pattern: z.string().min(1).optional(),
    // OpenRC's runlevel: update-rc.d, chkconfig and systemd have no use for it (nor has Ansible there).
    runlevel: z.string().optional(),
    arguments: z.string().optional(),
    use: z.string().optional().superRefine((u, ctx) => {
      if (u !== undefined && !(USES as readonly string[]).includes(u.toLowerCase())) {
        ctx.addIssue({ code: 'custom', message: `use "${u}" is not supported by kvmplay: it manages systemd and sysv init scripts (${USES.join(', ')})` });
      }
    }),
  },
  { required: ['name'], requiredOneOf: [['state', 'enabled']], aliases: { arguments: ['args'] } },
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
  /** sysv: the units' states (with `pattern`, running is what ps shows). */
  before: Map<string, UnitStatus>;
  /** systemd: each unit as the systemd module reads it (null: systemctl is missing). */
  units: Map<string, UnitProbe> | null;
}

/** sysv: one action; the last one carries the note and, when the units must run, what to verify after. */
export interface SysvChange extends PlannedAction {
  via: 'sysv';
  note?: string;
  /** All the actions done ("start virtlogd, start libvirtd"), for the "not running after" message. */
  verifyAfter?: string;
}

/** systemd: the systemd module's change for one unit. */
export interface UnitChange {
  via: 'systemd';
  change: SystemdChange;
  note?: string;
}

export type ServiceChange = SysvChange | UnitChange;

const noteOf = (r: Resolved): string => (r.note ? ` (${r.note})` : '');

/** Ansible's service action drops these for systemd, with a warning for each one given. */
const UNUSED_ON_SYSTEMD = ['pattern', 'runlevel', 'sleep', 'arguments'] as const;

function managerOf(a: ServiceArgs, facts: Record<string, unknown>): ServiceMgr {
  const use = (a.use ?? 'auto').toLowerCase();
  if (use === 'systemd') return 'systemd';
  if (use === 'sysvinit') return 'sysv';
  return facts['service_mgr'] === 'systemd' ? 'systemd' : 'sysv';
}

function withLastNote<C extends { note?: string }>(changes: C[], note: string): C[] {
  return changes.map((c, i) => (i === changes.length - 1 && note ? { ...c, note } : c));
}

function planSystemd(a: ServiceArgs, s: ServiceHostState) {
  if (s.units === null) return { fail: NO_SYSTEMCTL };
  const changes: UnitChange[] = [];
  let data: Record<string, unknown> = {};
  for (const [i, role] of s.resolved.units.entries()) {
    const probe = s.units.get(role.name);
    if (!probe) continue;
    const p = planUnit(role.name, { state: a.state, enabled: a.enabled }, probe);
    if (typeof p === 'string') return { fail: `${p}${noteOf(s.resolved)}` };
    changes.push(...p.changes.map((change): UnitChange => ({ via: 'systemd', change })));
    // The result is the main unit's (the first), named as asked.
    if (i === 0) data = { ...p.data, name: a.name, ...(p.warnings.length ? { warnings: p.warnings } : {}) };
  }
  const ignored = UNUSED_ON_SYSTEMD.filter((k) => a[k] !== undefined).map((k) => `Ignoring "${k}" as it is not used in "systemd"`);
  if (ignored.length) data['warnings'] = [...ignored, ...((data['warnings'] as string[] | undefined) ?? [])];
  const units = s.resolved.units.map((u) => u.name);
  return { changes: withLastNote(changes, s.resolved.note), data: { ...data, units, service_mgr: s.mgr }, okMsg: okMsgOf(a, s.resolved) };
}

function okMsgOf(a: ServiceArgs, r: Resolved): string {
  return `${a.name} already ${[a.state, a.enabled === undefined ? '' : a.enabled ? 'enabled' : 'disabled'].filter(Boolean).join(', ')}${noteOf(r)}`;
}

function planSysv(a: ServiceArgs, s: ServiceHostState) {
  const note = noteOf(s.resolved);
  const missing = s.resolved.units.filter((u) => !u.prereq && !s.before.get(u.name)?.exists).map((u) => u.name);
  if (missing.length) return { fail: `could not find the requested service ${missing.join(', ')}${note}` };
  const actions = planService(a, s.resolved.units, s.before);
  const units = s.resolved.units.map((u) => u.name);
  // Ansible's LinuxService result: the state run for (started or stopped), the enablement asked for.
  const state = a.state === undefined ? {} : { state: a.state === 'stopped' ? 'stopped' : 'started' };
  const data = { units, actions, service_mgr: s.mgr, name: a.name, ...state, ...(a.enabled !== undefined ? { enabled: a.enabled } : {}) };
  const mustRun = a.state === 'started' || a.state === 'restarted' || a.state === 'reloaded';
  const done = actions.map((x) => `${x.action} ${x.unit}`).join(', ');
  const changes: SysvChange[] = actions.map((x, i) =>
    i < actions.length - 1 ? { via: 'sysv', ...x } : { via: 'sysv', ...x, ...(s.resolved.note ? { note: s.resolved.note } : {}), ...(mustRun ? { verifyAfter: done } : {}) },
  );
  return { changes, okMsg: okMsgOf(a, s.resolved), data };
}

async function sleepFor(seconds: number, signal: AbortSignal): Promise<void> {
  if (seconds <= 0) return;
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, seconds * 1000);
    signal.addEventListener('abort', () => { clearTimeout(t); reject(signal.reason instanceof Error ? signal.reason : new Error('aborted')); }, { once: true });
  });
}

async function applySysv(host: Host, a: ServiceArgs, c: SysvChange, ctx: ModuleContext, s: ServiceHostState): Promise<StepResult | void> {
  const extra = a.arguments ? shlexSplit(a.arguments) : [];
  const cmds = serviceCommands(s.mgr, s.family, c, extra);
  const results = [];
  for (const [i, argv] of cmds.entries()) {
    // Ansible restarts an init script as stop, sleep, start.
    if (c.action === 'restart' && i > 0 && a.sleep) await sleepFor(a.sleep, ctx.signal);
    const r = await host.run(argv, runOptions(ctx));
    results.push({ argv, r });
    if (r.rc !== 0 && c.action !== 'restart') return failedCommand(argv, r);
  }
  if (c.action === 'restart') {
    // As Ansible: a stop that fails does not matter when the start works.
    const last = results.at(-1);
    if (last && last.r.rc !== 0) return failedCommand(last.argv, last.r);
  }
  if (c.verifyAfter === undefined) return;
  // sysv init scripts often exit 0 when the daemon dies right after forking: check.
  const names = s.resolved.units.map((u) => u.name);
  const after = await readSysv(host, ctx, s.mgr, names, a.pattern);
  const down = names.filter((n) => s.before.get(n)?.exists && !after.get(n)?.active && !n.endsWith('.socket'));
  if (down.length) return { failed: true, msg: `${down.join(', ')} not running after ${c.verifyAfter}${noteOf(s.resolved)}` };
}

function failedCommand(argv: readonly string[], r: { rc: number | null; stdout: string; stderr: string }): StepResult {
  return { failed: true, rc: r.rc, stdout: r.stdout, stderr: r.stderr, msg: `${argv.join(' ')} failed (rc=${r.rc ?? 'none'}): ${(r.stderr.trim() || r.stdout.trim()).split('\n').slice(-3).join(' | ')}` };
}

/** sysv units' states; with `pattern` (Ansible's check_ps), running is what `ps auxww` shows instead. */
async function readSysv(host: Host, ctx: ModuleContext, mgr: ServiceMgr, units: string[], pattern: string | undefined): Promise<Map<string, UnitStatus>> {
  const status = await unitStatus(host, ctx, mgr, units);
  if (pattern === undefined) return status;
  const ps = await host.run(['ps', 'auxww'], runOptions(ctx));
  if (ps.rc !== 0) return status;
  const running = psRunning(ps.stdout, pattern);
  return new Map([...status].map(([n, st]) => [n, { ...st, active: running }]));
}

export const serviceModule = defineModule({
  names: ['service'],
  args: ServiceArgs,
  async gather(host, a, ctx): Promise<ServiceHostState> {
    const isLibvirt = a.name === 'libvirtd' || a.name === 'libvirtd.service';
    const f = await factsFor(host, ctx, ['service_mgr', 'os_family', ...(isLibvirt ? ['libvirt_modular'] : [])]);
    const mgr = managerOf(a, f);
    const resolved = resolveUnits(a.name, mgr, f['libvirt_modular'] === true);
    const names = resolved.units.map((u) => u.name);
    const family = String(f['os_family'] ?? '');
    if (mgr === 'systemd') {
      const probes = await Promise.all(names.map((n) => probeUnit(host, ctx, n, [])));
      const units = probes.every((p) => p.systemctl) ? new Map(names.map((n, i) => [n, probes[i]!])) : null;
      return { mgr, family, resolved, before: new Map(), units };
    }
    return { mgr, family, resolved, before: await readSysv(host, ctx, mgr, names, a.pattern), units: null };
  },
  plan: (a, s) => (s.mgr === 'systemd' ? planSystemd(a, s) : planSysv(a, s)),
  describe: (c: ServiceChange) => `${c.via === 'systemd' ? describeUnitChange(c.change) : `${c.action} ${c.unit}`}${c.note ? ` (${c.note})` : ''}`,
  counts: (c: ServiceChange) => (c.via === 'systemd' ? countsChange(c.change) : true),
  async apply(host, a, c, ctx, s) {
    if (c.via === 'systemd') {
      const unit = 'unit' in c.change ? c.change.unit : null;
      return applyUnitChange(host, ctx, [], c.change, unit === null ? null : s.units?.get(unit) ?? null);
    }
    return applySysv(host, a, c, ctx, s);
  },
});
