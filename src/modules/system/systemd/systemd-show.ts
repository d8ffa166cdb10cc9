// What the `systemd_service` module reads of one unit, in one round trip: `systemctl
// show` (Ansible's `status` result), `systemctl is-enabled -l`, and whether an init
// script of that name exists and has S links (Ansible's sysv fallbacks). Pure parsing.
import { SECTION_FN, splitSections } from '../../probe-sections.js';

/**
 * `systemctl show` output → key/value map, as Ansible's parse_systemctl_show reads it:
 * values are stripped; only `Exec*` values opened by `{` may span lines (up to a line
 * ending with `}`); a key given twice keeps its last value.
 */
export function parseSystemctlShow(text: string): Record<string, string> {
  const parsed: Record<string, string> = {};
  let key: string | null = null;
  let multi: string[] = [];
  for (const line of text.split('\n')) {
    if (key === null) {
      const eq = line.indexOf('=');
      if (eq < 0) continue;
      const k = line.slice(0, eq);
      const v = line.slice(eq + 1);
      if (k.startsWith('Exec') && v.trimStart().startsWith('{') && !v.trimEnd().endsWith('}')) {
        key = k;
        multi = [v];
        continue;
      }
      parsed[k] = v.trim();
    } else {
      multi.push(line);
      if (line.trimEnd().endsWith('}')) {
        parsed[key] = multi.join('\n').trim();
        key = null;
        multi = [];
      }
    }
  }
  return parsed;
}

/** One unit as the probe saw it. */
export interface UnitProbe {
  /** systemctl is installed (Ansible fails without it). */
  systemctl: boolean;
  /** `systemctl show UNIT`: its exit status, stdout (parsed) and stderr. */
  showRc: number;
  /** show's stdout as printed (Ansible checks it for "ignoring request"). */
  showText: string;
  show: Record<string, string>;
  showErr: string;
  /** `systemctl is-enabled UNIT -l`: exit status and stdout lines (state word, then links). */
  enabledRc: number;
  enabledLines: string[];
  /** `systemctl list-unit-files UNIT` exit status: only read when show fails (Ansible's chroot fallback). */
  listRc: number | null;
  /** /etc/init.d/UNIT exists (Ansible's sysv_exists). */
  initd: boolean;
  /** An S link for UNIT in some /etc/rc?.d (Ansible's sysv_is_enabled). */
  sysvEnabled: boolean;
}

// $1 the unit, then the systemctl options (--no-block, --force) Ansible puts on every call.
// show's stderr goes to its own section through fd 3 while its stdout is captured.
export const UNIT_PROBE_SCRIPT = [
  SECTION_FN,
  'u=$1; shift',
  'PATH="$PATH:/usr/sbin:/sbin:/usr/bin:/bin"',
  'if ! command -v systemctl >/dev/null 2>&1; then sec no-systemctl; exit 0; fi',
  '[ -n "$u" ] || exit 0',
  'sec show-err; { o=$(systemctl "$@" show "$u" 2>&3); src=$?; } 3>&1',
  'sec show-rc; echo "$src"',
  'sec show; printf "%s\\n" "$o"',
  'sec enabled; systemctl "$@" is-enabled "$u" -l 2>/dev/null; rc=$?',
  'sec enabled-rc; echo "$rc"',
  // Only when show failed: is systemd offline, or a chroot (Ansible's list-unit-files fallback).
  'if [ "$src" != 0 ]; then systemctl "$@" list-unit-files "$u" >/dev/null 2>&1; rc=$?; sec list-rc; echo "$rc"; fi',
  'sec initd; [ -e "/etc/init.d/$u" ] && echo yes',
  'if [ -d /etc/rc0.d ]; then d=/etc; else d=/etc/init.d; fi',
  'sec sysv-enabled; for l in "$d"/rc?.d/S??"$u"; do [ -e "$l" ] && { echo yes; break; }; done',
  'exit 0',
].join('\n');

const int = (s: string | undefined, dflt: number): number => {
  const n = Number.parseInt((s ?? '').trim(), 10);
  return Number.isNaN(n) ? dflt : n;
};

export function parseUnitProbe(stdout: string): UnitProbe {
  const s = splitSections(stdout);
  const has = (name: string): boolean => (s.get(name) ?? '').trim() === 'yes';
  const list = s.get('list-rc');
  return {
    systemctl: !s.has('no-systemctl'),
    showRc: int(s.get('show-rc'), 1),
    showText: (s.get('show') ?? '').replace(/\n+$/, ''),
    show: parseSystemctlShow(s.get('show') ?? ''),
    showErr: (s.get('show-err') ?? '').replace(/^\n+|\n+$/g, ''),
    enabledRc: int(s.get('enabled-rc'), 1),
    enabledLines: (s.get('enabled') ?? '').split('\n').filter((l) => l.trim() !== ''),
    listRc: list === undefined ? null : int(list, 1),
    initd: has('initd'),
    sysvEnabled: has('sysv-enabled'),
  };
}
