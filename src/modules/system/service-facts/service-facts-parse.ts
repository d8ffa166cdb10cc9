// `service_facts`' probe and its reading, as Ansible's service_facts builds
// `ansible_facts.services`: sysv (`service --status-all`), upstart (`initctl list`),
// RedHat sysv (`chkconfig` + `service NAME status`), then systemd (list-units, then
// list-unit-files, with `systemctl show --property=ActiveState` for the unit files
// list-units did not name), later sources overwriting earlier ones. Pure parsing.
import { SECTION_FN, splitSections } from '../../probe-sections.js';

export interface ServiceFact {
  name: string;
  state: string;
  status?: string;
  source: string;
  goal?: string;
}

// One round trip. Ansible runs its commands under the best parsable locale (C.UTF-8 first).
// Which sources run follows Ansible's tool checks; the systemd part only when PID 1 is systemd.
export const SERVICE_FACTS_SCRIPT = [
  SECTION_FN,
  'PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin:/usr/bin:/bin"',
  'if locale -a 2>/dev/null | grep -qix "c\\.utf-\\{0,1\\}8"; then export LC_ALL=C.UTF-8 LANG=C.UTF-8; else export LC_ALL=C LANG=C; fi',
  'has() { command -v "$1" >/dev/null 2>&1; }',
  'if has service && ! has chkconfig && ! has rc-status; then',
  '  sec sysv-err; { o=$(service --status-all 2>&3); rc=$?; } 3>&1',
  '  sec sysv-rc; echo "$rc"; sec sysv; printf "%s\\n" "$o"',
  '  [ -d /etc/init.d ] || { sec no-initd; }',
  'fi',
  'if has initctl && ! has chkconfig; then',
  '  sec upstart-err; { o=$(initctl list 2>&3); rc=$?; } 3>&1',
  '  sec upstart-rc; echo "$rc"; sec upstart; printf "%s\\n" "$o"',
  'elif has chkconfig; then',
  // RHEL 7+: chkconfig alone lists like --list; SLES 11 needs -l --allservices, RHEL 5 --list.
  '  o=$(chkconfig 2>&1)',
  '  if ! printf "%s\\n" "$o" | grep -Eq "[0-9]:(on|off)[[:space:]]+[0-9]:(on|off)"; then',
  '    if printf "%s\\n" "$o" | grep -Eq "^.*[[:space:]]+(on|off)"; then o=$(chkconfig -l --allservices 2>&1);',
  '    elif printf "%s\\n" "$o" | grep -q -- "--list"; then o=$(chkconfig --list 2>&1); fi',
  '  fi',
  '  sec chkconfig; printf "%s\\n" "$o"',
  '  sec rh-status',
  '  printf "%s\\n" "$o" | grep -E "[0-9]:(on|off)[[:space:]]+[0-9]:(on|off)" | while read -r n rest; do',
  '    e=$(service "$n" status 2>&1 >/dev/null); printf "%s\\t%s\\t%s\\n" "$n" "$?" "$(printf "%s" "$e" | tr "\\n\\t" "  ")"',
  '  done',
  'fi',
  'if grep -q systemd /proc/1/comm 2>/dev/null && has systemctl; then',
  '  sec units-err; { u=$(systemctl list-units --no-pager --type service --all 2>&3); rc=$?; } 3>&1',
  '  sec units-rc; echo "$rc"; sec units; printf "%s\\n" "$u"',
  '  sec files-err; { f=$(systemctl list-unit-files --no-pager --type service --all 2>&3); rc=$?; } 3>&1',
  '  sec files-rc; echo "$rc"; sec files; printf "%s\\n" "$f"',
  // The unit files list-units did not name (its name column, after a bad state's marker).
  '  sec shown',
  '  { printf "%s\\n" "$u" | awk \'/\\.service/ { n = $1; for (i = 1; i <= NF; i++) if ($i == "not-found" || $i == "masked" || $i == "failed") { n = $2; break } print "U " n }\'; printf "%s\\n" "$f" | awk \'/\\.service/ { print "F " $1 }\'; } |',
  '    awk \'$1 == "U" { seen[$2] = 1; next } !($2 in seen) { print $2 }\' | while read -r n; do',
  '      o=$(systemctl show "$n" --property=ActiveState 2>/dev/null); printf "%s\\t%s\\t%s\\n" "$n" "$?" "$o"',
  '    done',
  'fi',
  'exit 0',
].join('\n');

export interface ServiceFactsProbe {
  services: Record<string, ServiceFact>;
  warnings: string[];
}

const int = (s: string | undefined): number => Number.parseInt((s ?? '').trim(), 10);
const text = (s: string | undefined): string => (s ?? '').replace(/^\n+|\n+$/g, '');

/** `service --status-all`: `[ + ] name` running, `[ - ] name` stopped, `[ ? ]` left out. */
export function parseStatusAll(out: string): ServiceFact[] {
  const found: ServiceFact[] = [];
  for (const m of out.matchAll(/^\s*\[ ([+-]) \]\s+(.+)$/gm)) {
    found.push({ name: m[2]!, state: m[1] === '+' ? 'running' : 'stopped', source: 'sysv' });
  }
  return found;
}

/** `initctl list`: `name goal/state[, process N]`. */
export function parseInitctl(out: string): ServiceFact[] {
  const found: ServiceFact[] = [];
  for (const line of out.replace(/\r/g, '').split('\n')) {
    const m = /^\s?(.*)\s(\w+)\/(\w+)(,\sprocess\s([0-9]+))?\s*$/.exec(line);
    if (m) found.push({ name: m[1]!, state: m[3]!, goal: m[2]!, source: 'upstart' });
  }
  return found;
}

const RH_LINE = /^(.*?)\s+[0-9]:(on|off)\s+[0-9]:(on|off)\s+[0-9]:(on|off)\s+[0-9]:(on|off)\s+[0-9]:(on|off)\s+[0-9]:(on|off)\s+[0-9]:(on|off)/;

/** `chkconfig` lines (enabled = on in runlevel 3) with each service's `service NAME status` exit. */
export function parseChkconfig(out: string, statuses: string, warnings: string[]): ServiceFact[] {
  const rcOf = new Map<string, { rc: number; err: string }>();
  for (const line of statuses.split('\n')) {
    const [n, rc, err = ''] = line.split('\t');
    if (n) rcOf.set(n, { rc: int(rc), err });
  }
  const found: ServiceFact[] = [];
  for (const line of out.split('\n')) {
    const m = RH_LINE.exec(line);
    if (!m) continue;
    const name = m[1]!;
    const st = rcOf.get(name) ?? { rc: 1, err: '' };
    let state: string = String(st.rc);
    if (st.rc === 0) state = 'running';
    else if (['root', 'permission', 'not in sudoers'].some((w) => st.err.toLowerCase().includes(w))) warnings.push(`Insufficient permissions to query sysV service "${name}" and their states`);
    else state = 'stopped';
    found.push({ name, state, status: m[5] === 'on' ? 'enabled' : 'disabled', source: 'sysv' });
  }
  return found;
}

const BAD_STATES = ['not-found', 'masked', 'failed'];

/** Ansible's _list_from_units: the columns of `systemctl list-units --all` lines naming a .service. */
export function parseListUnits(out: string): ServiceFact[] {
  const found: ServiceFact[] = [];
  for (const line of out.split('\n').filter((l) => l.includes('.service'))) {
    let fields = line.split(/\s+/).filter(Boolean);
    let status = 'unknown';
    const bad = BAD_STATES.find((b) => fields.includes(b));
    if (bad !== undefined) {
      status = bad;
      fields = fields.slice(1);
    } else {
      status = fields[2] ?? 'unknown';
    }
    const name = fields[0];
    if (name === undefined) continue;
    found.push({ name, state: fields[3] === 'running' ? 'running' : 'stopped', status, source: 'systemd' });
  }
  return found;
}

/** Ansible's _list_from_unit_files: a unit file's state as `status`; units list-units missed get show's ActiveState. */
export function mergeUnitFiles(services: Record<string, ServiceFact>, files: string, shown: string): void {
  const activeOf = new Map<string, string>();
  for (const line of shown.split('\n')) {
    const [n, rc, out = ''] = line.split('\t');
    if (!n) continue;
    activeOf.set(n, int(rc) === 0 && out !== '' ? out.replace('ActiveState=', '').trimEnd() : 'unknown');
  }
  for (const line of files.split('\n').filter((l) => l.includes('.service'))) {
    const [name, status] = line.split(/\s+/).filter(Boolean);
    if (name === undefined || status === undefined) throw new Error(`Malformed output discovered from systemd list-unit-files: ${line}`);
    const known = services[name];
    if (known === undefined) services[name] = { name, state: activeOf.get(name) ?? 'unknown', status, source: 'systemd' };
    else if (!BAD_STATES.includes(known.status ?? '')) known.status = status;
  }
}

export function parseServiceFacts(stdout: string): ServiceFactsProbe {
  const s = splitSections(stdout);
  const services: Record<string, ServiceFact> = {};
  const warnings: string[] = [];
  const add = (list: ServiceFact[]): void => { for (const f of list) services[f.name] = f; };
  if (s.has('sysv-rc')) {
    const rc = int(s.get('sysv-rc'));
    if (!(rc === 4 && s.has('no-initd'))) {
      if (rc !== 0) warnings.push(`Unable to query 'service' tool (${rc}): ${text(s.get('sysv-err'))}`);
      add(parseStatusAll(text(s.get('sysv'))));
    }
  }
  if (s.has('upstart-rc')) {
    if (int(s.get('upstart-rc')) !== 0) warnings.push(`Unable to query upstart for service data: ${text(s.get('upstart-err'))}`);
    else add(parseInitctl(text(s.get('upstart'))));
  }
  if (s.has('chkconfig')) add(parseChkconfig(text(s.get('chkconfig')), text(s.get('rh-status')), warnings));
  if (s.has('units-rc')) {
    const systemd: Record<string, ServiceFact> = {};
    if (int(s.get('units-rc')) !== 0) warnings.push(`Could not list units from systemd: ${text(s.get('units-err'))}`);
    else for (const f of parseListUnits(text(s.get('units')))) systemd[f.name] = f;
    if (int(s.get('files-rc')) !== 0) warnings.push(`Could not get unit files data from systemd: ${text(s.get('files-err'))}`);
    else mergeUnitFiles(systemd, text(s.get('files')), text(s.get('shown')));
    Object.assign(services, systemd);
  }
  return { services, warnings };
}
