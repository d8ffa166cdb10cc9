// The inventory graph as the parsers build it, with the rules of Ansible's
// InventoryData / Group / Host (lib/ansible/inventory/{data,group,host}.py):
// implicit `all` and `ungrouped`, group → child edges without cycles,
// `ansible_group_priority` consumed as the group's priority, a `host:port` port
// stored as the host's `ansible_port`, and reconcile_inventory() at the end.
import { ValidationError, type SourcePosition } from '../errors.js';
import { setKey, type Vars } from '../data/py-values.js';

export interface GroupNode {
  name: string;
  /** Variables set in inventory files, in the order set (not group_vars/ files). */
  vars: Vars;
  /** ansible_group_priority (default 1): orders groups of equal depth. */
  priority: number;
  /** Hosts listed directly in this group, in order. */
  hosts: string[];
  children: string[];
  parents: string[];
  /** Longest distance from `all`, filled by reconcile(). */
  depth: number;
  pos?: SourcePosition;
}

export interface HostNode {
  name: string;
  vars: Vars;
  /** Groups that list this host directly, in order. */
  groups: string[];
  /** The inventory file that first defined the host (Ansible's inventory_file). */
  source?: string;
  pos?: SourcePosition;
  /** Ansible's implicit localhost: in no group (not even `all`), matched by its name only. */
  implicit?: boolean;
}

export class InventoryModel {
  readonly groups = new Map<string, GroupNode>();
  readonly hosts = new Map<string, HostNode>();

  constructor() {
    this.addGroup('all');
    this.addGroup('ungrouped');
    this.addChild('all', 'ungrouped');
  }

  group(name: string): GroupNode {
    const g = this.groups.get(name);
    if (!g) throw new Error(`no group ${name}`);
    return g;
  }

  addGroup(name: string, pos?: SourcePosition): GroupNode {
    let g = this.groups.get(name);
    if (!g) {
      g = { name, vars: {}, priority: 1, hosts: [], children: [], parents: [], depth: 0, pos };
      this.groups.set(name, g);
    }
    return g;
  }

  /** InventoryData.add_host: create once (with its port), then add to the group if given. */
  addHost(name: string, opts: { group?: string; port?: number | null; source?: string; pos?: SourcePosition } = {}): HostNode {
    let h = this.hosts.get(name);
    if (!h) {
      h = { name, vars: {}, groups: [], source: opts.source, pos: opts.pos };
      // Host.__init__: a port from `name:port` becomes ansible_port, only when the host is new.
      if (opts.port) h.vars.ansible_port = opts.port;
      this.hosts.set(name, h);
    }
    if (opts.group) this.addHostToGroup(this.group(opts.group), h);
    return h;
  }

  private addHostToGroup(g: GroupNode, h: HostNode): void {
    // The host's own (short) list of groups answers "already in it?": g.hosts is kept
    // in step with it, and scanning g.hosts made loading n hosts into a group O(n²).
    if (!h.groups.includes(g.name)) {
      g.hosts.push(h.name);
      h.groups.push(g.name);
    }
  }

  /** Group.set_variable: ansible_group_priority is the priority, not a variable. */
  setGroupVar(group: string, key: string, value: unknown, pos: SourcePosition): void {
    const g = this.group(group);
    if (key === 'ansible_group_priority') {
      const p = pythonInt(value);
      if (p === null) throw new ValidationError(pos, `ansible_group_priority must be an integer, got ${JSON.stringify(value)}`);
      g.priority = p;
      return;
    }
    setKey(g.vars, key, value);
  }

  setHostVar(host: string, key: string, value: unknown): void {
    const h = this.hosts.get(host);
    if (!h) throw new Error(`no host ${host}`);
    setKey(h.vars, key, value);
  }

  /** Group.add_child_group: refuses an edge that closes a loop. */
  addChild(parent: string, child: string, pos?: SourcePosition): void {
    const p = this.group(parent);
    const c = this.group(child);
    if (p.children.includes(child)) return;
    if (parent === child || this.ancestors(parent).has(child)) {
      const where = pos ?? p.pos ?? { file: '<inventory>', line: 1, col: 1 };
      throw new ValidationError(where,
        `cycle in children: adding group "${child}" as a child of "${parent}" creates a recursive dependency loop`);
    }
    p.children.push(child);
    c.parents.push(parent);
  }

  /** Every group above `name` (not itself). */
  ancestors(name: string): Set<string> {
    const seen = new Set<string>();
    const todo = [...this.group(name).parents];
    while (todo.length) {
      const g = todo.pop()!;
      if (seen.has(g)) continue;
      seen.add(g);
      todo.push(...this.group(g).parents);
    }
    return seen;
  }

  /** A host's groups as Ansible's Host.groups holds them: direct groups and their ancestors. */
  groupsOfHost(name: string): Set<string> {
    const h = this.hosts.get(name);
    const out = new Set<string>();
    for (const g of h?.groups ?? []) {
      out.add(g);
      for (const a of this.ancestors(g)) out.add(a);
    }
    return out;
  }

  /** InventoryData.reconcile_inventory, then the groups' depths. */
  reconcile(): void {
    for (const g of this.groups.values()) {
      if (g.name !== 'all' && g.parents.length === 0) this.addChild('all', g.name);
    }
    const ungrouped = this.group('ungrouped');
    const leaving = new Set<string>();
    for (const h of this.hosts.values()) {
      if (h.implicit) continue;
      const mine = this.groupsOfHost(h.name);
      if (mine.has('ungrouped')) {
        // Clear ungrouped of hosts that also belong to a real group.
        if ([...mine].some((g) => g !== 'all' && g !== 'ungrouped')) leaving.add(h.name);
      } else if (mine.size === 0 || (mine.size === 1 && mine.has('all'))) {
        this.addHostToGroup(ungrouped, h);
      }
    }
    // One pass over ungrouped's list, not one per leaving host.
    if (leaving.size > 0) {
      ungrouped.hosts = ungrouped.hosts.filter((n) => !leaving.has(n));
      for (const name of leaving) {
        const h = this.hosts.get(name);
        if (h) h.groups = h.groups.filter((g) => g !== 'ungrouped');
      }
    }
    this.computeDepths();
  }

  /** Group.depth: Ansible raises it to parent.depth + 1 on every edge, i.e. the longest path from `all`. */
  private computeDepths(): void {
    const memo = new Map<string, number>();
    const depth = (name: string): number => {
      const known = memo.get(name);
      if (known !== undefined) return known;
      const g = this.group(name);
      const d = g.parents.length ? Math.max(...g.parents.map((p) => depth(p) + 1)) : 0;
      memo.set(name, d);
      return d;
    };
    for (const g of this.groups.values()) g.depth = depth(g.name);
  }
}

/** Python int(value) for what inventories hold: ints, floats (truncated), bools, numeric strings. */
export function pythonInt(value: unknown): number | null {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : null;
  if (typeof value === 'string') {
    const m = /^\s*([+-]?)(\d(?:_?\d)*)\s*$/.exec(value);
    if (!m) return null;
    const v = Number(m[2]!.replace(/_/g, ''));
    return m[1] === '-' ? -v : v;
  }
  return null;
}
