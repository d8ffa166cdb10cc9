// The `bridge` module's probe (STYLE 6: a fact = a command + a typed parse): the
// live network (`ip -d -j link`, `ip -j addr`, `ip -j route`, `bridge -j link`), the
// files of every format the bridge could be written in, the ifupdown configuration,
// os-release, whether systemd is PID 1 and whether NetworkManager runs and manages
// the ports — in ONE round trip, so the format can be chosen after it.
import { osFamily, parseOsRelease } from '../../system/facts/facts-parse.js';
import { parseLiveState, type LiveState } from './bridge-plan.js';
import { IFUPDOWN_DIR, IFUPDOWN_MAIN } from './bridge-render.js';
import { PATH_LINE } from './bridge-rollback.js';
import type { BridgeFormat } from './bridge-spec.js';
import { SECTION_FN, splitSections } from '../../probe-sections.js';

/** $@: the candidate file paths. Read-only. */
export const GATHER_SCRIPT = [
  PATH_LINE,
  SECTION_FN,
  'b64() { base64 | tr -d "\\n"; }',
  'file() { if [ -f "$1" ]; then printf "F %s %s\\n" "$(printf %s "$1" | b64)" "$(b64 < "$1")"; else printf "A %s\\n" "$(printf %s "$1" | b64)"; fi; }',
  'sec link; ip -d -j link show || echo null',
  'sec addr; ip -j addr show || echo null',
  'sec route4; ip -j -4 route show table main || echo null',
  'sec route6; ip -j -6 route show table main 2>/dev/null || echo "[]"',
  'sec bridge; bridge -j link show 2>/dev/null || echo "[]"',
  'sec os; cat /etc/os-release 2>/dev/null',
  'sec init; if [ -d /run/systemd/system ]; then echo pid1=systemd; else echo pid1=other; fi',
  'if command -v systemd-run >/dev/null 2>&1; then echo systemd-run=yes; fi',
  'if command -v setsid >/dev/null 2>&1; then echo setsid=yes; fi',
  // ifupdown reads bridge_ports only through bridge-utils' hook (or ifupdown2).
  'if [ -x /etc/network/if-pre-up.d/bridge ] || [ -d /usr/share/ifupdown2 ]; then echo ifupdown-bridge=yes; fi',
  'sec nm; if command -v nmcli >/dev/null 2>&1 && [ "$(nmcli -t -f RUNNING general 2>/dev/null)" = running ]; then nmcli -t -f DEVICE,STATE,CONNECTION,CON-UUID device status 2>/dev/null; fi',
  'sec files; for f in "$@"; do file "$f"; done',
  `sec ifupdown; for f in ${IFUPDOWN_MAIN} ${IFUPDOWN_DIR}/*; do if [ -f "$f" ]; then file "$f"; fi; done`,
  'exit 0',
].join('\n');

export interface NmDevice {
  device: string;
  state: string;
  connection: string;
  /** The active profile's uuid ('' when nmcli did not print it). */
  uuid: string;
}

export interface Gathered {
  live: LiveState;
  /** bridge -j link: port → STP port state (forwarding, disabled…). */
  portStates: Map<string, string>;
  osFamily: string;
  systemdPid1: boolean;
  systemdRun: boolean;
  setsid: boolean;
  /** ifupdown can bring bridges up (bridge-utils' hook, or ifupdown2). */
  ifupdownBridge: boolean;
  /** null: NetworkManager is not running. */
  nm: NmDevice[] | null;
  /** Candidate files: content, or null when absent. */
  files: Map<string, string | null>;
  /** /etc/network/interfaces and interfaces.d/* as they are. */
  ifupdown: Map<string, string>;
}

function parseFiles(text: string): Map<string, string | null> {
  const files = new Map<string, string | null>();
  const dec = (b: string): string => Buffer.from(b, 'base64').toString('utf8');
  for (const line of text.split('\n')) {
    const [kind, path = '', content = ''] = line.split(' ');
    if (kind === 'F') files.set(dec(path), dec(content));
    else if (kind === 'A') files.set(dec(path), null);
  }
  return files;
}

/** nmcli -t escapes `:` and `\` in values with a backslash. */
function splitTerse(line: string): string[] {
  const fields: string[] = [];
  let cur = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\' && i + 1 < line.length) cur += line[++i];
    else if (c === ':') { fields.push(cur); cur = ''; }
    else cur += c;
  }
  fields.push(cur);
  return fields;
}

export function parseGather(out: string): Gathered {
  const s = splitSections(out);
  const need = (k: string): string => {
    const v = s.get(k);
    if (v === undefined) throw new Error(`unexpected output from the bridge probe (no ${k} section): ${JSON.stringify(out.slice(0, 200))}`);
    return v;
  };
  const live = parseLiveState(need('link'), need('addr'), need('route4'), need('route6'));
  const portStates = new Map<string, string>();
  try {
    for (const p of JSON.parse(need('bridge').trim() || '[]') as Array<Record<string, unknown>>) {
      if (typeof p['ifname'] === 'string' && typeof p['state'] === 'string') portStates.set(p['ifname'], p['state']);
    }
  } catch {
    // Informational only (the --diff shows port states): an old `bridge` without -j is fine.
  }
  const os = parseOsRelease(need('os'));
  const init = need('init');
  const nmText = need('nm').trim();
  return {
    live,
    portStates,
    osFamily: osFamily(os['ID'] ?? '', os['ID_LIKE'] ?? ''),
    systemdPid1: init.includes('pid1=systemd'),
    systemdRun: init.includes('systemd-run=yes'),
    setsid: init.includes('setsid=yes'),
    ifupdownBridge: init.includes('ifupdown-bridge=yes'),
    nm: nmText === '' ? null : nmText.split('\n').map((l) => {
      const [device = '', state = '', connection = '', uuid = ''] = splitTerse(l);
      return { device, state, connection, uuid };
    }),
    files: parseFiles(need('files')),
    ifupdown: new Map([...parseFiles(need('ifupdown'))].flatMap(([k, v]): Array<[string, string]> => (v === null ? [] : [[k, v]]))),
  };
}

export type FormatChoice = { kind: 'ok'; format: BridgeFormat; why: string } | { kind: 'fail'; msg: string };

/** Forced, else NetworkManager when it manages a port (or the bridge), else by OS family. */
export function chooseFormat(forced: BridgeFormat | undefined, g: Pick<Gathered, 'nm' | 'osFamily'>, devices: readonly string[]): FormatChoice {
  if (forced) return { kind: 'ok', format: forced, why: 'format given' };
  const managed = (g.nm ?? []).filter((d) => devices.includes(d.device) && d.state !== 'unmanaged');
  if (managed.length > 0) return { kind: 'ok', format: 'nm-keyfile', why: `NetworkManager manages ${managed.map((d) => d.device).join(', ')}` };
  if (g.osFamily === 'RedHat') return { kind: 'ok', format: 'ifcfg', why: 'RedHat family' };
  if (g.osFamily === 'Debian') return { kind: 'ok', format: 'ifupdown', why: 'Debian family' };
  return { kind: 'fail', msg: `cannot tell which network configuration format this host uses (os family ${g.osFamily || 'unknown'}); set format: ifcfg, ifupdown or nm-keyfile` };
}
