// Host patterns, evaluated as Ansible's InventoryManager.get_hosts does
// (lib/ansible/inventory/manager.py): split on `,` (or `:` where the pattern is not an
// address), then plain patterns first, `&` intersections next, `!` exclusions last.
// A single pattern matches group names (all hosts below the group) and, when it is a
// glob or regex or matched no group, host names; `name[0]`/`name[1:3]` subscripts.
import { fnmatchTranslate } from '../util/fnmatch.js';
import { OptionsError } from '../errors.js';
import { parseAddress } from './host-ranges.js';

/** What pattern matching needs from an inventory. */
/** Names of the control machine (Ansible's C.LOCALHOST): the implicit localhost answers to them. */
export const CONTROL_NAMES: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '::1']);

export interface PatternTarget {
  hostNames(): string[];
  groupNames(): string[];
  hasHost(name: string): boolean;
  /** Group.get_hosts(): hosts of the group and of every group below it, in order. */
  hostsOf(group: string): string[];
}

const SUBSCRIPT_RE = /^(.+)\[(?:(-?[0-9]+)|([0-9]+)([:-])([0-9]*))\]$/s;

/** split_host_pattern: 'a,b[1], c[2:3] , d' → ['a', 'b[1]', 'c[2:3]', 'd']. */
export function splitHostPattern(pattern: string | string[]): string[] {
  if (Array.isArray(pattern)) return pattern.flatMap(splitHostPattern);
  let parts: string[];
  if (pattern.includes(',')) parts = pattern.split(',');
  else if (parseAddress(pattern)) parts = [pattern]; // IPv6 addresses and ranges keep their colons
  else parts = pattern.match(/(?:[^\s:[\]]|\[[^\]]*\])+/g) ?? [];
  return parts.map((p) => p.trim()).filter(Boolean);
}

/** Host names matching `pattern`, in inventory order, without duplicates; [] when none match. */
export function matchHosts(inv: PatternTarget, pattern: string | string[]): string[] {
  const parts = splitHostPattern(pattern);
  const regular = parts.filter((p) => p[0] !== '!' && p[0] !== '&');
  const intersect = parts.filter((p) => p[0] === '&');
  const exclude = parts.filter((p) => p[0] === '!');
  // Only `&`/`!` patterns: they apply to `all` (order_patterns).
  const ordered = [...(regular.length ? regular : ['all']), ...intersect, ...exclude];
  let hosts: string[] = [];
  for (const p of ordered) {
    if (inv.hasHost(p)) {
      hosts.push(p); // a plain host name is taken as is
      continue;
    }
    const that = matchOne(inv, p);
    if (p[0] === '!') {
      const drop = new Set(that);
      hosts = hosts.filter((h) => !drop.has(h));
    } else if (p[0] === '&') {
      const keep = new Set(that);
      hosts = hosts.filter((h) => keep.has(h));
    } else {
      const have = new Set(hosts);
      hosts.push(...that.filter((h) => !have.has(h)));
    }
  }
  return [...new Set(hosts)];
}

function matchOne(inv: PatternTarget, pattern: string): string[] {
  const p = pattern[0] === '&' || pattern[0] === '!' ? pattern.slice(1) : pattern;
  if (!p) return [];
  const { expr, subscript } = splitSubscript(p);
  const hosts = enumerateMatches(inv, expr);
  if (!subscript || hosts.length === 0) return hosts;
  const [start, end] = subscript;
  if (end === null) {
    // A single index, negative counting from the end; out of range matches nothing.
    const h = hosts[start < 0 ? hosts.length + start : start];
    return h === undefined ? [] : [h];
  }
  if (end === 0) return hosts[start] === undefined ? [] : [hosts[start]!]; // Python: `if end:` is false for 0
  return hosts.slice(start, (end === -1 ? hosts.length - 1 : end) + 1);
}

function splitSubscript(pattern: string): { expr: string; subscript: [number, number | null] | null } {
  if (pattern[0] === '~') return { expr: pattern, subscript: null }; // regexes keep their brackets
  const m = SUBSCRIPT_RE.exec(pattern);
  if (!m) return { expr: pattern, subscript: null };
  if (m[2] !== undefined) return { expr: m[1]!, subscript: [Number(m[2]), null] };
  return { expr: m[1]!, subscript: [Number(m[3]), m[5] ? Number(m[5]) : -1] };
}

function enumerateMatches(inv: PatternTarget, pattern: string): string[] {
  const re = compilePattern(pattern);
  const groups = inv.groupNames().filter((g) => re.test(g));
  const results = groups.flatMap((g) => inv.hostsOf(g));
  // Hosts are tried when no group matched, or when the pattern is a glob or regex.
  if (groups.length === 0 || pattern[0] === '~' || /[.?*[]/.test(pattern)) {
    results.push(...inv.hostNames().filter((h) => re.test(h)));
  }
  return results;
}

/** `~regex` (re.match: anchored at the start only) or an fnmatch glob (whole name). */
function compilePattern(pattern: string): RegExp {
  try {
    if (pattern[0] === '~') return new RegExp(`^(?:${pythonRegex(pattern.slice(1))})`);
    return new RegExp(`^(?:${fnmatchTranslate(pattern)})$`, 's');
  } catch (e) {
    throw new OptionsError(`invalid host pattern "${pattern}": ${(e as Error).message}`, { cause: e });
  }
}

/** The few Python-only regex spellings, in JavaScript's. */
function pythonRegex(src: string): string {
  return src.replace(/\(\?P</g, '(?<').replace(/\(\?P=(\w+)\)/g, '\\k<$1>').replace(/\\Z/g, '$(?![\\s\\S])').replace(/\\A/g, '^');
}

