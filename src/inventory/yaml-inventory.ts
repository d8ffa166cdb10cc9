// Ansible's YAML inventory format (lib/ansible/plugins/inventory/yaml.py): top-level
// keys are groups; a group has `hosts`, `vars`, `children`; a host's keys are its
// variables; host keys may carry ranges and a port. Where Ansible only warns (an
// unknown key in a group, a group that is not a mapping), kvmplay refuses the file
// with the position (SPEC 3). A file naming the libvirt inventory plugin is a libvirt
// source (libvirt-source.ts); a file in `--list`'s JSON shape loads too (list-inventory.ts).
import { ValidationError, type SourcePosition } from '../errors.js';
import { expandHostPattern, HostRangeError, MAX_HOSTS } from './host-ranges.js';
import type { InventoryModel } from './model.js';
import { isListInventory, parseListInventory } from './list-inventory.js';
import { isLibvirtPlugin, LIBVIRT_PLUGIN_NAMES, parseLibvirtSource, pluginEntry, type LibvirtSource } from './libvirt-source.js';
import { toValue, type PEntry, type PNode } from '../data/yaml-load.js';

const SECTIONS = ['vars', 'children', 'hosts'] as const;

/** Loads the groups and hosts into `model`; a libvirt source is returned instead (its hosts come later). */
export function parseYamlInventory(model: InventoryModel, root: PNode | null, file: string): LibvirtSource | undefined {
  const top: SourcePosition = { file, line: 1, col: 1 };
  if (root === null) throw new ValidationError(top, 'parsed empty YAML file');
  if (root.kind !== 'map') {
    throw new ValidationError(root.pos, `YAML inventory has invalid structure, it should be a dictionary, got a ${describe(root)}`);
  }
  const plugin = pluginEntry(root);
  if (plugin && truthy(toValue(plugin.value))) {
    if (isLibvirtPlugin(toValue(plugin.value))) return parseLibvirtSource(root, file);
    throw new ValidationError(plugin.keyPos,
      `inventory plugin configuration files (plugin: ...) are not supported, but for the libvirt inventory (plugin: ${LIBVIRT_PLUGIN_NAMES[0]})`);
  }
  if (isListInventory(root)) {
    parseListInventory(model, root, file);
    return undefined;
  }
  for (const e of root.entries) parseGroup(model, e, file);
  return undefined;
}

function parseGroup(model: InventoryModel, entry: PEntry, file: string): string {
  const name = groupName(entry);
  const data = entry.value;
  if (!isNull(data) && data.kind !== 'map') {
    throw new ValidationError(entry.keyPos, `group "${name}" must be a mapping of hosts, vars and children, got a ${describe(data)}`);
  }
  model.addGroup(name, entry.keyPos);
  if (data.kind !== 'map') return name;

  for (const e of data.entries) {
    if (!(SECTIONS as readonly string[]).includes(e.name)) {
      throw new ValidationError(e.keyPos,
        `unknown key "${e.name}" in group "${name}": only "hosts", "vars" and "children" are allowed`);
    }
    const section = sectionEntries(e, name);
    if (e.name === 'vars') {
      for (const v of section) model.setGroupVar(name, v.name, toValue(v.value), v.keyPos);
    } else if (e.name === 'children') {
      for (const c of section) model.addChild(name, parseGroup(model, c, file), c.keyPos);
    } else {
      for (const h of section) parseHosts(model, h, name, file);
    }
  }
  return name;
}

/** A section's mapping; a lone string stands for {string: null}, as Ansible allows. */
function sectionEntries(e: PEntry, group: string): PEntry[] {
  const v = e.value;
  if (v.kind === 'map') return v.entries;
  if (v.kind === 'scalar' && typeof v.value === 'string') {
    return [{ key: v.value, name: v.value, keyPos: v.pos, value: { kind: 'scalar', pos: v.pos, value: null } }];
  }
  if (isNull(v)) return [];
  throw new ValidationError(e.keyPos, `invalid "${e.name}" entry for "${group}" group, requires a dictionary, found a ${describe(v)} instead`);
}

function parseHosts(model: InventoryModel, entry: PEntry, group: string, file: string): void {
  if (typeof entry.key !== 'string') {
    throw new ValidationError(entry.keyPos, `host pattern ${entry.name} must be a string: enclose integers/floats in quotation marks`);
  }
  let expanded: { hosts: string[]; port: number | null };
  try {
    expanded = expandHostPattern(entry.key);
  } catch (e) {
    if (e instanceof HostRangeError) throw new ValidationError(entry.keyPos, `invalid host range "${entry.key}": ${e.message}`, { cause: e });
    throw e;
  }
  if (model.hosts.size + expanded.hosts.length > MAX_HOSTS) {
    throw new ValidationError(entry.keyPos, `"${entry.key}" brings the inventory to more than ${MAX_HOSTS} hosts`);
  }
  // `host: ` (null), or any false-ish value, means no variables (`... or {}`).
  const v = entry.value;
  const falsy = v.kind === 'scalar' ? !truthy(v.value) : v.kind === 'seq' ? v.items.length === 0 : false;
  if (!falsy && v.kind !== 'map') {
    throw new ValidationError(v.pos, `variables of host "${entry.key}" must be a mapping, got a ${describe(v)}`);
  }
  const vars = v.kind === 'map' ? v.entries.map((x) => [x.name, x.value] as const) : [];
  for (const h of expanded.hosts) {
    if (!h) throw new ValidationError(entry.keyPos, 'invalid empty host name');
    model.addHost(h, { group, port: expanded.port, source: file, pos: entry.keyPos });
    for (const [k, x] of vars) model.setHostVar(h, k, toValue(x));
  }
}

function groupName(entry: PEntry): string {
  if (typeof entry.key !== 'string') {
    throw new ValidationError(entry.keyPos, `invalid group name ${entry.name}: expected a string`);
  }
  if (!entry.key) throw new ValidationError(entry.keyPos, 'invalid empty group name');
  return entry.key;
}

function isNull(n: PNode): n is PNode & { kind: 'scalar' } {
  return n.kind === 'scalar' && n.value === null;
}

/** Python truthiness of a plain value. */
function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

function describe(n: PNode): string {
  if (n.kind === 'map') return 'mapping';
  if (n.kind === 'seq') return 'list';
  const v = n.value;
  if (v === null) return 'null';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'boolean';
  return 'string';
}
