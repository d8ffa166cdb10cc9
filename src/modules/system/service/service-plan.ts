// `service` planning: which units a requested service means on this host, what to do
// to each, and the argv for it. Pure and table-tested.

export type ServiceMgr = 'systemd' | 'sysv';
export type ServiceState = 'started' | 'stopped' | 'restarted' | 'reloaded';
export type Action = 'start' | 'stop' | 'restart' | 'reload' | 'enable' | 'disable';

export interface UnitRole {
  name: string;
  /** Started before the main unit, never stopped or disabled by this task (virtlogd for libvirtd). */
  prereq: boolean;
}

export interface Resolved {
  units: UnitRole[];
  note: string;
}

const MODULAR_SOCKETS = ['virtqemud.socket', 'virtqemud-ro.socket', 'virtqemud-admin.socket'];

/**
 * `libvirtd` on a host using the modular daemons (RHEL 9, Fedora) means virtqemud
 * and its sockets; under sysv, libvirtd's init script does not start virtlogd
 * (LAB-NOTES), so it comes first. systemd starts virtlogd by socket activation.
 */
export function resolveUnits(name: string, mgr: ServiceMgr, libvirtModular: boolean | null): Resolved {
  if (name === 'libvirtd' || name === 'libvirtd.service') {
    if (libvirtModular === true && mgr === 'systemd') {
      return { units: ['virtqemud.service', ...MODULAR_SOCKETS].map((n) => ({ name: n, prereq: false })), note: 'host uses the modular libvirt daemons: managing virtqemud and its sockets instead of libvirtd' };
    }
    if (mgr === 'sysv') return { units: [{ name: 'virtlogd', prereq: true }, { name: 'libvirtd', prereq: false }], note: 'sysv: virtlogd is started before libvirtd' };
  }
  return { units: [{ name, prereq: false }], note: '' };
}

export interface UnitStatus {
  name: string;
  exists: boolean;
  active: boolean;
  enabled: boolean;
}

export interface PlannedAction {
  unit: string;
  action: Action;
}

export interface Wanted {
  state?: ServiceState;
  enabled?: boolean;
}

export function planService(want: Wanted, roles: readonly UnitRole[], status: ReadonlyMap<string, UnitStatus>): PlannedAction[] {
  const runs: PlannedAction[] = [];
  const enables: PlannedAction[] = [];
  for (const role of roles) {
    const s = status.get(role.name);
    if (!s?.exists) continue; // callers fail first on a missing main unit; a missing prereq is skipped
    const act = (action: Action): void => void runs.push({ unit: role.name, action });
    switch (want.state) {
      case 'started': if (!s.active) act('start'); break;
      case 'stopped': if (s.active && !role.prereq) act('stop'); break;
      // restarted/reloaded: a prereq is only made sure to run; reload of a stopped service starts it.
      case 'restarted': if (!role.prereq) act('restart'); else if (!s.active) act('start'); break;
      case 'reloaded': if (!s.active) act('start'); else if (!role.prereq) act('reload'); break;
      default: break;
    }
    if (want.enabled === true && !s.enabled) enables.push({ unit: role.name, action: 'enable' });
    if (want.enabled === false && s.enabled && !role.prereq) enables.push({ unit: role.name, action: 'disable' });
  }
  return [...runs, ...enables];
}

/**
 * The argv(s) for one action. sysv enable differs by family (update-rc.d vs chkconfig);
 * an init script gets Ansible's `arguments` after the action, and is restarted as stop
 * then start (Ansible's LinuxService: not every script has restart; `sleep` goes between).
 */
export function serviceCommands(mgr: ServiceMgr, family: string, a: PlannedAction, extra: readonly string[] = []): string[][] {
  if (mgr === 'systemd') return [['systemctl', a.action, a.unit]];
  if (a.action === 'enable' || a.action === 'disable') {
    if (family === 'RedHat') return [['chkconfig', a.unit, a.action === 'enable' ? 'on' : 'off']];
    // `defaults` creates the links when there are none; `enable` turns K links back to S.
    return a.action === 'enable' ? [['update-rc.d', a.unit, 'defaults'], ['update-rc.d', a.unit, 'enable']] : [['update-rc.d', a.unit, 'disable']];
  }
  const script = `/etc/init.d/${a.unit}`;
  if (a.action === 'restart') return [[script, 'stop', ...extra], [script, 'start', ...extra]];
  return [[script, a.action, ...extra]];
}

/** Ansible's check_ps: a `ps auxww` line has the pattern (and is not Ansible's own `pattern=` argument). */
export function psRunning(psOutput: string, pattern: string): boolean {
  return psOutput.split('\n').some((line) => line.includes(pattern) && !line.includes('pattern='));
}

// Units arrive as positional parameters. sysv: the init script's own `status`, and
// enabled = an S link in some runlevel as Ansible's update-rc.d check has it (Debian
// rc?.d, rcS.d included; RHEL rc.d/rc3.d or rc5.d).
export const STATUS_SCRIPT = [
  'mgr=$1; shift',
  'for u in "$@"; do',
  '  if [ "$mgr" = systemd ]; then',
  '    a=$(systemctl is-active "$u" 2>/dev/null); e=$(systemctl is-enabled "$u" 2>/dev/null)',
  '    if systemctl cat "$u" >/dev/null 2>&1; then x=yes; else x=no; fi',
  '    printf "%s %s %s %s\\n" "$u" "$x" "${a:-unknown}" "${e:-unknown}"',
  '  else',
  '    if [ -x "/etc/init.d/$u" ]; then x=yes; else x=no; fi',
  '    a=inactive; [ $x = yes ] && "/etc/init.d/$u" status >/dev/null 2>&1 && a=active',
  '    e=disabled; for l in /etc/rc?.d/S??"$u" /etc/rc.d/rc[35].d/S??"$u"; do [ -e "$l" ] && e=enabled; done',
  '    printf "%s %s %s %s\\n" "$u" "$x" "$a" "$e"',
  '  fi',
  'done',
].join('\n');

export function parseStatus(stdout: string): Map<string, UnitStatus> {
  const out = new Map<string, UnitStatus>();
  for (const line of stdout.split('\n')) {
    const [name, exists, active, enabled] = line.trim().split(' ');
    if (!name || !exists) continue;
    out.set(name, {
      name,
      exists: exists === 'yes',
      // `activating`/`reloading` count as running: starting again would change nothing.
      active: active === 'active' || active === 'activating' || active === 'reloading',
      enabled: enabled === 'enabled' || enabled === 'enabled-runtime' || enabled === 'static' || enabled === 'indirect' || enabled === 'alias',
    });
  }
  return out;
}
