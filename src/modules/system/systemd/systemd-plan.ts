// `systemd_service` planning, pure and table-tested: what Ansible's systemd module
// decides from `systemctl show` and `systemctl is-enabled` (mask, then enable, then the
// state), and the result it registers (`name`, `status`, `state`, `enabled`).
import type { UnitProbe } from './systemd-show.js';

export type UnitState = 'started' | 'stopped' | 'restarted' | 'reloaded';

export interface UnitWant {
  state?: UnitState | undefined;
  enabled?: boolean | undefined;
  masked?: boolean | undefined;
  daemon_reload?: boolean | undefined;
  daemon_reexec?: boolean | undefined;
}

export type StateAction = 'start' | 'stop' | 'restart' | 'reload';

export type SystemdChange =
  /** Never reported as a change (Ansible's daemon-reload leaves changed false); re-reads the status. */
  | { kind: 'daemon-reload' | 'daemon-reexec'; unit: string | null }
  /** A failing mask fails the task only when the unit is not found (Ansible: some systemd versions mask missing units). */
  | { kind: 'mask' | 'unmask'; unit: string; found: boolean }
  /**
   * `needed`: the state read before says so (what check mode reports). `recheck`: a mask or
   * unmask comes first, so apply reads the enablement again (Ansible reads it after masking).
   */
  | { kind: 'enable' | 'disable'; unit: string; needed: boolean; recheck: boolean }
  | { kind: StateAction; unit: string };

/** What Ansible's systemd module accepts as `systemctl is-enabled` states (man systemctl, systemd 244). */
const VALID_ENABLED_STATES = new Set([
  'enabled', 'enabled-runtime', 'linked', 'linked-runtime', 'masked', 'masked-runtime',
  'static', 'indirect', 'disabled', 'generated', 'transient',
]);

const ignoredRequest = (out: string): boolean => !out.includes('=') && (out.includes('ignoring request') || out.includes('ignoring command'));

/** Ansible's is_running_service. */
export const isRunning = (status: Readonly<Record<string, string>>): boolean => status['ActiveState'] === 'active' || status['ActiveState'] === 'activating';

/**
 * Ansible's reading of `systemctl is-enabled UNIT -l`: exit 0 is enabled, except a lone
 * `indirect` or `alias` line; exit 1 counts an init script's S links (system scope) unless
 * systemd said disabled.
 */
export function isEnabled(p: Pick<UnitProbe, 'enabledRc' | 'enabledLines' | 'initd' | 'sysvEnabled'>): boolean {
  if (p.enabledRc === 0) {
    const only = p.enabledLines.length === 1 ? p.enabledLines[0] : undefined;
    return only !== 'indirect' && only !== 'alias';
  }
  if (p.enabledRc === 1) return p.initd && !p.enabledLines.join('\n').trim().endsWith('disabled') && p.sysvEnabled;
  return false;
}

export interface UnitView {
  /** `systemctl show` as Ansible returns it in `status` ({} when show failed). */
  status: Record<string, string>;
  isSystemd: boolean;
  found: boolean;
  /** The warning Ansible gives for an init script on a systemd host. */
  warnings: string[];
}

/** What the probe says of the unit, as Ansible's module decides it; a string is a failure. */
export function viewUnit(unit: string, p: UnitProbe): UnitView | string {
  const showText = p.showText;
  let status: Record<string, string> = {};
  let isSystemd = false;
  if (p.showRc === 0 && !ignoredRequest(showText) && !ignoredRequest(p.showErr)) {
    if (showText.trim() !== '') {
      status = p.show;
      isSystemd = 'LoadState' in status && status['LoadState'] !== 'not-found';
      const masked = status['LoadState'] === 'masked';
      if (isSystemd && !masked && 'LoadError' in status) return `Error loading unit file '${unit}': ${status['LoadError']}`;
    }
  } else if (VALID_ENABLED_STATES.has((p.enabledLines[0] ?? '').trim())) {
    isSystemd = true;
  } else if (p.listRc === 0) {
    isSystemd = true;
  } else {
    // Ansible runs plain `systemctl` here and fails with what it says.
    return p.showErr.trim() || `systemctl show ${unit} failed (rc=${p.showRc})`;
  }
  const found = isSystemd || p.initd;
  const warnings = p.initd && !isSystemd ? [`The service (${unit}) is actually an init script but the system is managed by systemd`] : [];
  return { status, isSystemd, found, warnings };
}

export interface UnitPlan {
  changes: SystemdChange[];
  /** Ansible's result keys: name, status, and state/enabled when asked for. */
  data: { name: string | null; status: Record<string, string>; state?: string; enabled?: boolean };
  warnings: string[];
}

const missing = (unit: string): string => `Could not find the requested service ${unit}: host`;

/** Ansible's glob check on the unit name. */
export function globFailure(unit: string): string | undefined {
  const found = ['*', '?', '['].find((g) => unit.includes(g));
  return found === undefined ? undefined : `This module does not currently support using glob patterns, found '${found}' in service name: ${unit}`;
}

/** Wanted vs the probe → the changes in Ansible's order and the registered result; a string is a failure. */
export function planUnit(unit: string | null, want: UnitWant, probe: UnitProbe | null): UnitPlan | string {
  const changes: SystemdChange[] = [];
  if (want.daemon_reload) changes.push({ kind: 'daemon-reload', unit });
  if (want.daemon_reexec) changes.push({ kind: 'daemon-reexec', unit });
  if (unit === null || probe === null) return { changes, data: { name: null, status: {} }, warnings: [] };

  const view = viewUnit(unit, probe);
  if (typeof view === 'string') return view;
  const data: UnitPlan['data'] = { name: unit, status: view.status };
  const firstLine = (probe.enabledLines[0] ?? '').trim();

  let maskChanges = false;
  if (want.masked !== undefined && (firstLine === 'masked') !== want.masked) {
    changes.push({ kind: want.masked ? 'mask' : 'unmask', unit, found: view.found });
    maskChanges = true;
  }
  if (want.enabled !== undefined) {
    if (!view.found) return missing(unit);
    const needed = isEnabled(probe) !== want.enabled;
    // Already as wanted, or made so: Ansible's `enabled` is the wanted value either way.
    data.enabled = want.enabled;
    if (needed || maskChanges) changes.push({ kind: want.enabled ? 'enable' : 'disable', unit, needed, recheck: maskChanges });
  }
  if (want.state !== undefined) {
    if (!view.found) return missing(unit);
    data.state = want.state;
    if ('ActiveState' in view.status) {
      const running = isRunning(view.status);
      let action: StateAction | undefined;
      if (want.state === 'started') action = running ? undefined : 'start';
      else if (want.state === 'stopped') action = running || view.status['ActiveState'] === 'deactivating' ? 'stop' : undefined;
      else {
        action = running ? (want.state === 'restarted' ? 'restart' : 'reload') : 'start';
        data.state = 'started';
      }
      if (action) changes.push({ kind: action, unit });
    } else {
      return 'Service is in unknown state';
    }
  }
  return { changes, data, warnings: view.warnings };
}

/** The imperative for messages ("start kvp.service"); "would …" in check mode. */
export function describeChange(c: SystemdChange): string {
  if (c.kind === 'daemon-reload' || c.kind === 'daemon-reexec') return c.kind;
  return `${c.kind} ${c.unit}`;
}
