// Pure parsers for virsh's human output (run virsh with LC_ALL=C: the labels
// and states below are the untranslated ones).
//
// Formats, from libvirt's tools/ and tests/virshtestdata/:
// - tables (`list`, `net-list`, `pool-list`, …) come from vsh-table.c: every cell
//   is printed as " %s", padded with spaces to the column width + 2 (the last cell
//   is not padded), then a line of dashes (width + 3 per column); libvirt < 5.3
//   printed the same shape with printf("%-5s %-30s %s"), where a long name can
//   push the next column right.
// - `dominfo`, `net-info`: "%-15s %s\n" lines ("Id:             2"), a value can be
//   empty ("Security DOI:   ") and `Messages:` continues on indented lines.
// - every command's output ends with an extra blank line.

import { KvmplayError } from '../../../errors.js';

/** virsh could print something these parsers do not understand. */
export class VirshParseError extends KvmplayError {
  readonly output: string;
  constructor(what: string, detail: string, output: string) {
    super(`cannot parse virsh ${what} output: ${detail}`);
    this.output = output;
  }
}

/** virshDomainStateToString in tools/virsh-domain-monitor.c. */
export const DOMAIN_STATES = [
  'running', 'idle', 'paused', 'in shutdown', 'shut off', 'crashed', 'pmsuspended', 'no state',
] as const;
export type DomainState = (typeof DOMAIN_STATES)[number];

export function isDomainState(s: string): s is DomainState {
  return (DOMAIN_STATES as readonly string[]).includes(s);
}

function toDomainState(what: string, s: string, output: string): DomainState {
  if (!isDomainState(s)) throw new VirshParseError(what, `unknown domain state "${s}"`, output);
  return s;
}

function lines(text: string): string[] {
  return text.replace(/\r\n/g, '\n').split('\n');
}

// ---------------------------------------------------------------- tables

export interface Table {
  /** Header cells as printed ("Id", "Creation Time", …). */
  columns: string[];
  /** One record per row, keyed by header cell; every column is present. */
  rows: Array<Record<string, string>>;
}

/** Start offset of each header cell; cells are separated by 2+ spaces (vshTable
 * leaves at least 3), while one space stays inside a name ("Creation Time"). */
function headerColumns(header: string): Array<{ name: string; start: number }> {
  const cols: Array<{ name: string; start: number }> = [];
  for (const m of header.matchAll(/\S+(?: \S+)*/g)) cols.push({ name: m[0], start: m.index ?? 0 });
  return cols;
}

/**
 * A vshTable: header, dashed separator, rows; column boundaries come from the
 * header's positions. A row whose cell overflowed its column (old printf tables)
 * is split on runs of 2+ spaces instead when that gives the right cell count.
 * Blank output is an empty table; output without the dashed line (`--quiet`)
 * is refused: its columns cannot be found.
 */
export function parseTable(text: string): Table {
  const all = lines(text);
  const headerAt = all.findIndex((l) => l.trim() !== '');
  if (headerAt < 0) return { columns: [], rows: [] };
  const sep = all[headerAt + 1];
  if (sep === undefined || !/^-+\s*$/.test(sep)) {
    throw new VirshParseError('table', 'no dashed line under the header', text);
  }
  const cols = headerColumns(all[headerAt] ?? '');
  const rows: Array<Record<string, string>> = [];
  for (const line of all.slice(headerAt + 2)) {
    if (line.trim() === '') continue;
    rows.push(splitRow(line, cols));
  }
  return { columns: cols.map((c) => c.name), rows };
}

function splitRow(line: string, cols: Array<{ name: string; start: number }>): Record<string, string> {
  const byPosition = (): string[] =>
    cols.map((c, i) => line.slice(c.start, cols[i + 1]?.start ?? line.length).trim());
  // Aligned: every column starts right after a space (or past the row's end).
  const aligned = cols.every((c, i) => i === 0 || c.start > line.length || /\s/.test(line[c.start - 1] ?? ' '));
  let cells = aligned ? byPosition() : line.trim().split(/\s{2,}/);
  // A wrong cell is better than a lost row.
  if (cells.length !== cols.length) cells = byPosition();
  const rec: Record<string, string> = {};
  cols.forEach((c, i) => { rec[c.name] = cells[i] ?? ''; });
  return rec;
}

// ---------------------------------------------------------------- list --all

export interface DomainListEntry {
  /** null for an inactive domain (printed as "-"). */
  id: number | null;
  name: string;
  state: DomainState;
  /** Only with `list --title`. */
  title?: string;
}

function parseId(what: string, s: string, output: string): number | null {
  if (s === '-') return null;
  if (!/^\d+$/.test(s)) throw new VirshParseError(what, `bad domain id "${s}"`, output);
  return Number(s);
}

const STATE_AT_END = new RegExp(`^\\s*(\\S+)\\s+(.+?)\\s+(${DOMAIN_STATES.join('|')})\\s*$`);

/** `virsh list [--all] [--title]`. */
export function parseDomainList(text: string): DomainListEntry[] {
  const table = parseTable(text);
  const titled = table.columns.includes('Title');
  if (!titled) {
    // Anchor the state at the end of the raw line: exact for names with spaces
    // and for old printf tables whose long names pushed the state column right.
    const body = lines(text).filter((l) => l.trim() !== '');
    return body.slice(2).map((line) => {
      const m = STATE_AT_END.exec(line);
      if (!m) throw new VirshParseError('list', `bad row "${line}"`, text);
      return { id: parseId('list', m[1] ?? '', text), name: m[2] ?? '', state: toDomainState('list', m[3] ?? '', text) };
    });
  }
  return table.rows.map((r) => ({
    id: parseId('list', r['Id'] ?? '', text),
    name: r['Name'] ?? '',
    state: toDomainState('list', r['State'] ?? '', text),
    title: r['Title'] ?? '',
  }));
}

// ---------------------------------------------------------------- net-list --all

export interface NetworkListEntry {
  name: string;
  state: 'active' | 'inactive';
  autostart: boolean;
  persistent: boolean;
}

/** `virsh net-list [--all]` (tools/virsh-network.c). */
export function parseNetworkList(text: string): NetworkListEntry[] {
  return parseTable(text).rows.map((r) => {
    const state = r['State'];
    if (state !== 'active' && state !== 'inactive') {
      throw new VirshParseError('net-list', `unknown network state "${state ?? ''}"`, text);
    }
    return {
      name: r['Name'] ?? '',
      state,
      autostart: yesNo('net-list', r['Autostart'] ?? '', text) ?? false,
      persistent: yesNo('net-list', r['Persistent'] ?? '', text) ?? false,
    };
  });
}

// ---------------------------------------------------------------- key: value

/** "Key:   value" lines in order; continuation lines (indented, no key) are
 * appended to the previous key's value with "\n". */
export function parseKeyValues(text: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const line of lines(text)) {
    if (line.trim() === '') continue;
    const m = /^(\S[^:]*):(?:\s+(.*?))?\s*$/.exec(line);
    if (m && !/^\s/.test(line)) { out.push([m[1] ?? '', m[2] ?? '']); continue; }
    const last = out[out.length - 1];
    if (!last) throw new VirshParseError('key/value', `line without a key "${line}"`, text);
    last[1] = last[1] === '' ? line.trim() : `${last[1]}\n${line.trim()}`;
  }
  return out;
}

/** yes/no, enable/disable; "unknown" (virsh prints it when the call fails) → null. */
function yesNo(what: string, s: string, output: string): boolean | null {
  switch (s) {
    case 'yes': case 'enable': return true;
    case 'no': case 'disable': return false;
    case 'unknown': case '': return null;
    default: throw new VirshParseError(what, `expected yes/no, got "${s}"`, output);
  }
}

function kib(what: string, s: string, output: string): number | null {
  if (s === 'no limit' || s === '') return null;
  const m = /^(\d+) KiB$/.exec(s);
  if (!m) throw new VirshParseError(what, `expected "N KiB", got "${s}"`, output);
  return Number(m[1]);
}

export interface DomInfo {
  id: number | null;
  name: string;
  uuid: string;
  os_type: string;
  state: DomainState;
  cpus: number;
  /** Seconds; only printed for a domain that has run ("CPU time: 12.3s"). */
  cpu_time_s: number | null;
  /** null for "no limit". */
  max_memory_kib: number | null;
  used_memory_kib: number | null;
  persistent: boolean | null;
  autostart: boolean | null;
  managed_save: boolean | null;
  security_model: string | null;
  security_doi: string | null;
  security_label: string | null;
  /** "Messages:" lines (taints, deprecations), newest libvirt only. */
  messages: string[];
  /** Keys this parser does not know, as printed without the colon. */
  other: Record<string, string>;
}

/** `virsh dominfo DOMAIN` (cmdDominfo in tools/virsh-domain-monitor.c). */
export function parseDomInfo(text: string): DomInfo {
  const kv = new Map(parseKeyValues(text));
  const need = (k: string): string => {
    const v = kv.get(k);
    if (v === undefined) throw new VirshParseError('dominfo', `no "${k}:" line`, text);
    return v;
  };
  const opt = (k: string): string | null => (kv.get(k) ?? '') || null;
  const known = new Set(['Id', 'Name', 'UUID', 'OS Type', 'State', 'CPU(s)', 'CPU time', 'Max memory',
    'Used memory', 'Persistent', 'Autostart', 'Managed save', 'Security model', 'Security DOI',
    'Security label', 'Messages']);
  const cpus = need('CPU(s)');
  if (!/^\d+$/.test(cpus)) throw new VirshParseError('dominfo', `bad CPU(s) "${cpus}"`, text);
  const cpuTime = opt('CPU time');
  const other: Record<string, string> = {};
  for (const [k, v] of kv) if (!known.has(k)) other[k] = v;
  return {
    id: parseId('dominfo', need('Id'), text),
    name: need('Name'),
    uuid: need('UUID'),
    os_type: need('OS Type'),
    state: toDomainState('dominfo', need('State'), text),
    cpus: Number(cpus),
    cpu_time_s: cpuTime === null ? null : Number.parseFloat(cpuTime),
    max_memory_kib: kib('dominfo', kv.get('Max memory') ?? '', text),
    used_memory_kib: kib('dominfo', kv.get('Used memory') ?? '', text),
    persistent: yesNo('dominfo', kv.get('Persistent') ?? '', text),
    autostart: yesNo('dominfo', kv.get('Autostart') ?? '', text),
    managed_save: yesNo('dominfo', kv.get('Managed save') ?? '', text),
    security_model: opt('Security model'),
    security_doi: opt('Security DOI'),
    security_label: opt('Security label'),
    messages: (opt('Messages') ?? '').split('\n').filter((m) => m !== ''),
    other,
  };
}

export interface NetInfo {
  name: string;
  uuid: string;
  active: boolean | null;
  persistent: boolean | null;
  autostart: boolean | null;
  /** null when the network has no bridge (or it could not be read). */
  bridge: string | null;
  other: Record<string, string>;
}

/** `virsh net-info NETWORK` (cmdNetworkInfo in tools/virsh-network.c). */
export function parseNetInfo(text: string): NetInfo {
  const kv = new Map(parseKeyValues(text));
  const name = kv.get('Name');
  const uuid = kv.get('UUID');
  if (name === undefined || uuid === undefined) throw new VirshParseError('net-info', 'no Name:/UUID: line', text);
  const other: Record<string, string> = {};
  for (const [k, v] of kv) {
    if (!['Name', 'UUID', 'Active', 'Persistent', 'Autostart', 'Bridge'].includes(k)) other[k] = v;
  }
  return {
    name, uuid,
    active: yesNo('net-info', kv.get('Active') ?? '', text),
    persistent: yesNo('net-info', kv.get('Persistent') ?? '', text),
    autostart: yesNo('net-info', kv.get('Autostart') ?? '', text),
    bridge: (kv.get('Bridge') ?? '') || null,
    other,
  };
}

// ---------------------------------------------------------------- one-liners

export interface DomState {
  state: DomainState;
  /** Only with `--reason`: "shut off (destroyed)" → "destroyed". */
  reason: string | null;
}

/** `virsh domstate [--reason] DOMAIN`: "%s\n" or "%s (%s)\n". */
export function parseDomState(text: string): DomState {
  const line = text.trim();
  const m = /^(.*?)(?: \((.+)\))?$/.exec(line);
  return { state: toDomainState('domstate', m?.[1] ?? line, text), reason: m?.[2] ?? null };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `virsh domuuid DOMAIN` (also `net-uuid`). */
export function parseUuid(text: string): string {
  const s = text.trim();
  if (!UUID.test(s)) throw new VirshParseError('domuuid', `not a uuid "${s}"`, text);
  return s.toLowerCase();
}

export interface VncDisplay {
  /** null when VNC listens on all addresses (virsh prints ":N"). */
  host: string | null;
  display: number;
  port: number;
}

/**
 * `virsh vncdisplay DOMAIN`: ":0" (listen on all addresses), "127.0.0.1:0",
 * "[::1]:0" (IPv6 in brackets). The `--include-password` form is not parsed.
 * Empty output → null.
 */
export function parseVncDisplay(text: string): VncDisplay | null {
  const s = text.trim();
  if (s === '') return null;
  const m = /^(?:\[([^\]]+)\]|([^:\s]*)):(\d+)$/.exec(s);
  if (!m) throw new VirshParseError('vncdisplay', `bad display "${s}"`, text);
  const display = Number(m[3]);
  return { host: m[1] ?? (m[2] || null), display, port: 5900 + display };
}
