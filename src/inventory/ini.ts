// Ansible's INI inventory format, parsed as lib/ansible/plugins/inventory/ini.py does:
// lines before any section are hosts of `ungrouped`; `[g]` hosts, `[g:vars]` one
// `key=value` a line, `[g:children]` group names; `[g:vars]` and `[g:children]` may
// name a group before it is declared, and must be resolved by the end of the file.
// Every value goes through ast.literal_eval (py-literal.ts), host lines through shlex.
import { ValidationError, type SourcePosition } from '../errors.js';
import { expandHostPattern, HostRangeError, MAX_HOSTS } from './host-ranges.js';
import type { InventoryModel } from './model.js';
import { parseIniValue } from '../data/py-literal.js';
import { shlexSplit, ShlexError } from '../util/shlex.js';

const SECTION_RE = /^\[([^:\]\s]+)(?::([\p{L}\p{N}_]+))?\]\s*(?:#.*)?$/u;
const GROUPNAME_RE = /^([^:\]\s]+)\s*(?:#.*)?$/u;
const COMMENT_MARKERS = new Set(['#', ';']);

type State = 'hosts' | 'vars' | 'children';

interface Pending {
  line: number;
  state: 'vars' | 'children';
  name: string;
  parents: string[];
}

/** Python str.splitlines(): every line boundary Python knows. */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/);
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return text === '' ? [] : lines;
}

export function parseIni(model: InventoryModel, text: string, file: string): void {
  const pending = new Map<string, Pending>();
  let group = 'ungrouped';
  let state: State = 'hosts';
  const lines = splitLines(text.replace(/^\ufeff/, ''));
  lines.forEach((raw, idx) => {
    const lineno = idx + 1;
    const line = raw.trim();
    const pos: SourcePosition = { file, line: lineno, col: raw.length - raw.trimStart().length + 1 };
    if (!line || COMMENT_MARKERS.has(line[0]!)) return;

    const m = SECTION_RE.exec(line);
    if (m) {
      group = m[1]!;
      const tag = m[2] ?? 'hosts';
      if (tag !== 'hosts' && tag !== 'vars' && tag !== 'children') {
        throw new ValidationError(pos, `malformed INI: section [${group}:${tag}] has unknown type: ${tag}`);
      }
      state = tag;
      if (!model.groups.has(group)) {
        // [g] or [g:children] declares a group; [g:vars] alone must be followed by one.
        if (state === 'vars' && !pending.has(group)) pending.set(group, { line: lineno, state, name: group, parents: [] });
        model.addGroup(group, pos);
      }
      const p = pending.get(group);
      if (p && state !== 'vars') {
        if (p.state === 'children') addPendingChildren(model, group, pending, pos);
        else pending.delete(group);
      }
      return;
    }
    if (line.startsWith('[') && !line.includes(']')) {
      throw new ValidationError(pos, `malformed INI: section header '${line}' has no closing ]`);
    }
    if (line.startsWith('[') && line.endsWith(']')) {
      throw new ValidationError(pos, `malformed INI: invalid section entry '${line}': ` +
        'make sure that there are no spaces in the section entry, and that there are no other invalid characters');
    }

    if (state === 'hosts') {
      parseHostLine(model, line, raw, group, pos);
    } else if (state === 'vars') {
      const eq = line.indexOf('=');
      if (eq < 0) throw new ValidationError(pos, `malformed INI: expected key=value, got: ${line}`);
      // One variable a line: everything after the first `=` is the value (comments too).
      model.setGroupVar(group, line.slice(0, eq).trim(), parseIniValue(line.slice(eq + 1).trim()), pos);
    } else {
      const gm = GROUPNAME_RE.exec(line);
      if (!gm) throw new ValidationError(pos, `malformed INI: expected group name, got: ${line}`);
      const child = gm[1]!;
      if (!model.groups.has(child)) {
        const p = pending.get(child);
        if (p) p.parents.push(group);
        else pending.set(child, { line: lineno, state: 'children', name: child, parents: [group] });
      } else {
        model.addChild(group, child, pos);
      }
    }
  });

  // Anything still pending names a group that was never declared; report the first.
  for (const p of pending.values()) {
    const pos = { file, line: p.line, col: 1 };
    if (p.state === 'vars') throw new ValidationError(pos, `section [${p.name}:vars] not valid for undefined group: ${p.name}`);
    throw new ValidationError(pos, `section [${p.parents[p.parents.length - 1]}:children] includes undefined group: ${p.name}`);
  }
}

function addPendingChildren(model: InventoryModel, group: string, pending: Map<string, Pending>, pos: SourcePosition): void {
  const p = pending.get(group);
  if (!p) return;
  for (const parent of p.parents) {
    model.addChild(parent, group, pos);
    if (pending.get(parent)?.state === 'children') addPendingChildren(model, parent, pending, pos);
  }
  pending.delete(group);
}

/** `host[:port] [key=value ...]`, the value of each pair through literal_eval. */
function parseHostLine(model: InventoryModel, line: string, raw: string, group: string, pos: SourcePosition): void {
  let tokens: string[];
  try {
    tokens = shlexSplit(line);
  } catch (e) {
    if (e instanceof ShlexError) throw new ValidationError(pos, `malformed INI: error parsing host definition '${line}': ${e.message}`, { cause: e });
    throw e;
  }
  const pattern = tokens[0] ?? '';
  let expanded: { hosts: string[]; port: number | null };
  try {
    expanded = expandHostPattern(pattern);
  } catch (e) {
    if (e instanceof HostRangeError) throw new ValidationError(pos, `invalid host range "${pattern}": ${e.message}`, { cause: e });
    throw e;
  }
  if (model.hosts.size + expanded.hosts.length > MAX_HOSTS) {
    throw new ValidationError(pos, `"${pattern}" brings the inventory to more than ${MAX_HOSTS} hosts`);
  }
  if (pattern.trim().endsWith(':') && expanded.port === null) {
    throw new ValidationError(pos, `malformed INI: invalid host pattern '${pattern}': ending in ':' is not allowed, this character is reserved to provide a port`);
  }
  for (const h of expanded.hosts) {
    if (h.trim() === '---') throw new ValidationError(pos, `malformed INI: invalid host pattern '${pattern}': '---' is normally a sign this is a YAML file`);
    if (!h) throw new ValidationError(pos, 'malformed INI: empty host name');
  }
  const vars: Array<[string, unknown]> = [];
  for (const t of tokens.slice(1)) {
    const eq = t.indexOf('=');
    if (eq < 0) {
      const col = raw.indexOf(t) >= 0 ? raw.indexOf(t) + 1 : pos.col;
      throw new ValidationError({ ...pos, col }, `malformed INI: expected key=value host variable assignment, got: ${t}`);
    }
    vars.push([t.slice(0, eq), parseIniValue(t.slice(eq + 1))]);
  }
  for (const h of expanded.hosts) {
    model.addHost(h, { group, port: expanded.port, source: pos.file, pos });
    for (const [k, v] of vars) model.setHostVar(h, k, v);
  }
}
