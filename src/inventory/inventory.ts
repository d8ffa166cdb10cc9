// A loaded inventory: hosts, groups, each host's resolved variables, patterns.
// loadInventory builds it; during a run only add_host and group_by change it (the
// addDynamic* methods, as ansible-core's InventoryManager.add_dynamic_host/_group),
// and every change drops the cached answers.
import { isDeepStrictEqual } from 'node:util';
import { KvmplayError, type SourcePosition } from '../errors.js';
import { formatGraph, formatList } from './listing.js';
import type { InventoryModel } from './model.js';
import { matchHosts, type PatternTarget } from './patterns.js';
import { comparePy, type Vars } from '../data/py-values.js';
import { loadSourceVars, type SourceVars } from '../data/vars-files.js';
import { resolveHostVars } from './vars.js';

/** Names added during the run, whose group_vars/ and host_vars/ files are read then. */
export interface AddedNames {
  groups?: readonly string[];
  hosts?: readonly string[];
}

const UNSAFE_FILE_NAME = /[/\\\0]|^\.\.?$/;

export class Inventory implements PatternTarget {
  /** Changes whenever the run changes the inventory (add_host, group_by, vars files read): cached views compare it. */
  generation = 0;
  private readonly varsCache = new Map<string, Vars>();
  private readonly hostsCache = new Map<string, string[]>();
  /** `groups\0name` / `hosts\0name` of the names loadInventory knew: their vars files are read. */
  private readonly namesAtLoad: Set<string>;
  /** Vars files of names added during the run: read once, every caller waits for the same read. */
  private readonly addedVarsReads = new Map<string, Promise<void>>();

  constructor(
    private readonly model: InventoryModel,
    /** The inventory sources as given (absolute paths or host lists). */
    readonly sources: readonly string[],
    private readonly sourceVars: readonly SourceVars[],
    /** Things Ansible would warn about; the CLI prints them to standard error. */
    readonly warnings: readonly string[],
  ) {
    this.namesAtLoad = new Set([...[...model.groups.keys()].map((g) => `groups\0${g}`), ...[...model.hosts.keys()].map((h) => `hosts\0${h}`)]);
  }

  /** Every host, in the order the inventory defines them (not the implicit localhost). */
  hostNames(): string[] {
    return [...this.model.hosts.values()].filter((h) => !h.implicit).map((h) => h.name);
  }

  /**
   * Ansible's implicit localhost: a play naming `localhost` (or 127.0.0.1, ::1) that the
   * inventory does not have runs there, on the control machine without SSH. It is in no
   * group, so `all` never matches it; it has the `all` group's variables, as in Ansible.
   */
  addImplicitLocalhost(name: string): void {
    if (this.model.hosts.has(name)) return;
    const h = this.model.addHost(name);
    h.implicit = true;
    h.vars = { ansible_connection: 'local' };
    this.generation++;
    this.varsCache.clear();
    this.hostsCache.clear();
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

  /** The host's variables exactly as `ansible-inventory --host NAME` prints them: a copy of its own. */
  hostVars(name: string): Vars {
    return { ...this.sharedHostVars(name) };
  }

  /**
   * The same, as the one object kept until the inventory changes: never to be changed
   * by its reader. Variable scopes read it for every task, and recognise it (scope.ts
   * works out each vars object's templates once).
   */
  sharedHostVars(name: string): Readonly<Vars> {
    this.requireHost(name);
    let v = this.varsCache.get(name);
    if (!v) {
      v = resolveHostVars(this.model, [...this.sourceVars], name);
      this.varsCache.set(name, v);
    }
    return v;
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

  /**
   * add_host: the host (a new one is put in `all` itself, as Ansible does, so it comes
   * first in `groups.all`), its variables over its own, and its groups (created as
   * needed, under `all`). Changed when the host, a variable's value or a group
   * membership is new.
   */
  addDynamicHost(name: string, groups: readonly string[], vars: Vars): boolean {
    const m = this.model;
    let changed = false;
    if (!m.hosts.has(name)) {
      m.addHost(name, { group: 'all' });
      changed = true;
    }
    const own = m.hosts.get(name)!.vars;
    for (const [k, v] of Object.entries(vars)) {
      if (Object.hasOwn(own, k) && isDeepStrictEqual(own[k], v)) continue;
      m.setHostVar(name, k, v);
      changed = true;
    }
    for (const g of groups) {
      if (!m.groups.has(g)) m.addGroup(g);
      if (m.hosts.get(name)!.groups.includes(g)) continue;
      m.addHost(name, { group: g });
      changed = true;
    }
    if (changed) this.reconciled();
    return changed;
  }

  /**
   * group_by: the host joins `group` (created as needed), which becomes a child of each
   * of `parents` (created as needed). Changed when a parent group or edge is new, or
   * the host was not among the group's hosts (its own or its children's).
   */
  addDynamicGroup(host: string, group: string, parents: readonly string[]): boolean {
    this.requireHost(host);
    const m = this.model;
    // Refused before anything changes: an edge that would close a loop.
    for (const p of parents) {
      if (p === group || (m.groups.has(p) && m.groups.has(group) && m.ancestors(p).has(group))) {
        throw new KvmplayError(`adding group "${group}" as a child of "${p}" creates a recursive dependency loop`);
      }
    }
    let changed = false;
    if (!m.groups.has(group)) m.addGroup(group);
    for (const p of parents) {
      if (!m.groups.has(p)) {
        m.addGroup(p);
        changed = true;
      }
      if (m.group(p).children.includes(group)) continue;
      m.addChild(p, group);
      changed = true;
    }
    if (!this.hostsOf(group).includes(host)) {
      m.addHost(host, { group });
      changed = true;
    }
    if (changed) this.reconciled();
    return changed;
  }

  /**
   * The group_vars/ and host_vars/ files of names added during the run, read as Ansible's
   * vars plugin reads them (by name, when asked): beside each inventory source and in
   * `more` (the folders beside the playbooks), into those SourceVars. `onRead` sees
   * each file's variables (the caller's redactor learns their secrets).
   */
  async readAddedVars(names: AddedNames, more: readonly SourceVars[], onRead: (vars: Vars) => void = () => undefined): Promise<void> {
    const targets = [...new Set([...this.sourceVars, ...more])];
    const reads: Promise<void>[] = [];
    for (const kind of ['groups', 'hosts'] as const) {
      for (const name of names[kind] ?? []) {
        const key = `${kind}\0${name}`;
        // A name made at run time (group_by's key may come from a host's facts) never
        // reaches outside group_vars/ and host_vars/.
        if (this.namesAtLoad.has(key) || UNSAFE_FILE_NAME.test(name)) continue;
        let read = this.addedVarsReads.get(key);
        if (!read) {
          read = this.readVarsOf(kind, name, targets, onRead);
          this.addedVarsReads.set(key, read);
        }
        reads.push(read);
      }
    }
    await Promise.all(reads);
  }

  private async readVarsOf(kind: 'groups' | 'hosts', name: string, targets: readonly SourceVars[], onRead: (vars: Vars) => void): Promise<void> {
    await Promise.all(targets.map(async (t) => {
      const found = (await loadSourceVars(t.dir, kind === 'groups' ? [name] : [], kind === 'hosts' ? [name] : []))[kind].get(name);
      if (found === undefined) return;
      onRead(found);
      t[kind].set(name, found);
    }));
    this.generation++;
    this.varsCache.clear();
  }

  /** After a change of the graph: Ansible's reconcile_inventory, and no cached answer stays. */
  private reconciled(): void {
    this.generation++;
    this.model.reconcile();
    this.varsCache.clear();
    this.hostsCache.clear();
  }

  private requireHost(name: string): void {
    if (!this.model.hosts.has(name)) throw new KvmplayError(`unknown host "${name}": it is not in the inventory`);
  }
}
