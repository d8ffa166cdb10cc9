// A loaded inventory: hosts, groups, each host's resolved variables, patterns.
// Immutable once loaded (loadInventory builds it), so answers are cached.
import { KvmplayError, type SourcePosition } from '../errors.js';
import { formatGraph, formatList } from './listing.js';
import type { InventoryModel } from './model.js';
import { matchHosts, type PatternTarget } from './patterns.js';
import { comparePy, type Vars } from '../data/py-values.js';
import type { SourceVars } from '../data/vars-files.js';
import { resolveHostVars } from './vars.js';

export class Inventory implements PatternTarget {
  private readonly varsCache = new Map<string, Vars>();
  private readonly hostsCache = new Map<string, string[]>();

  constructor(
    private readonly model: InventoryModel,
    /** The inventory sources as given (absolute paths or host lists). */
    readonly sources: readonly string[],
    private readonly sourceVars: readonly SourceVars[],
    /** Things Ansible would warn about; the CLI prints them to standard error. */
    readonly warnings: readonly string[],
  ) {}

  /** Every host, in the order the inventory defines them. */
  hostNames(): string[] {
    return [...this.model.hosts.keys()];
  }

  /** Every group, `all` and `ungrouped` first, then in the order they were defined. */
  groupNames(): string[] {
    return [...this.model.groups.keys()];
  }

  hasHost(name: string): boolean {
    return this.model.hosts.has(name);
  }

  hasGroup(name: string): boolean {
    return this.model.groups.has(name);
  }

  /** The host's variables exactly as `ansible-inventory --host NAME` prints them. Read-only. */
  hostVars(name: string): Vars {
    this.requireHost(name);
    let v = this.varsCache.get(name);
    if (!v) {
      v = resolveHostVars(this.model, [...this.sourceVars], name);
      this.varsCache.set(name, v);
    }
    return { ...v };
  }

  /** Ansible's `group_names`: the host's groups and their ancestors, sorted, without `all`. */
  groupsOf(name: string): string[] {
    this.requireHost(name);
    return [...this.model.groupsOfHost(name)].filter((g) => g !== 'all').sort(comparePy);
  }

  /** Group.get_hosts(): the group's hosts and those of every group below it, level by level. */
  hostsOf(group: string): string[] {
    const cached = this.hostsCache.get(group);
    if (cached) return [...cached];
    const g = this.model.groups.get(group);
    if (!g) return [];
    // Ansible walks each further level from a set (arbitrary order); kvmplay keeps definition order.
    const ordered = [group];
    const seen = new Set(ordered);
    let level = [group];
    while (level.length) {
      const next: string[] = [];
      for (const name of level) {
        for (const c of this.model.group(name).children) {
          if (!seen.has(c)) {
            seen.add(c);
            ordered.push(c);
            next.push(c);
          }
        }
      }
      level = next;
    }
    const hosts = [...new Set(ordered.flatMap((n) => this.model.group(n).hosts))];
    this.hostsCache.set(group, hosts);
    return [...hosts];
  }

  /** Direct children and hosts of a group (as `--list` shows them). */
  groupMembers(group: string): { children: string[]; hosts: string[] } {
    const g = this.model.groups.get(group);
    if (!g) throw new KvmplayError(`unknown group "${group}" in inventory`);
    return { children: [...g.children], hosts: [...g.hosts] };
  }

  /** The inventory file that first defined the host (Ansible's inventory_file), if any. */
  sourceOf(name: string): string | undefined {
    this.requireHost(name);
    return this.model.hosts.get(name)!.source;
  }

  /** Where the host was first defined (for messages about its variables). */
  definedAt(name: string): SourcePosition | undefined {
    this.requireHost(name);
    return this.model.hosts.get(name)!.pos;
  }

  /** Host names matching an Ansible host pattern, in inventory order; [] when nothing matches. */
  matchHosts(pattern: string | string[]): string[] {
    return matchHosts(this, pattern);
  }

  /** `ansible-inventory --graph [group]`. */
  graph(group = 'all'): string {
    if (!this.hasGroup(group)) throw new KvmplayError(`unknown group "${group}" in inventory`);
    return formatGraph(this.model, group);
  }

  /** `ansible-inventory --list`: groups with hosts and children, plus _meta.hostvars. */
  toList(group = 'all'): Record<string, unknown> {
    if (!this.hasGroup(group)) throw new KvmplayError(`unknown group "${group}" in inventory`);
    return formatList(this.model, group, this.hostsOf('all'), (h) => this.hostVars(h));
  }

  private requireHost(name: string): void {
    if (!this.model.hosts.has(name)) throw new KvmplayError(`unknown host "${name}": it is not in the inventory`);
  }
}
