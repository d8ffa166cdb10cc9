// An inventory in the JSON shape `ansible-inventory --list` (and `kvmplay inventory
// --list`) prints — the format of Ansible's dynamic inventory scripts: `_meta.hostvars`
// holds each host's variables, every other key is a group with `hosts` and `children`
// (lists of names) and `vars`. Ansible reads it from a script's output; kvmplay also
// loads it from a file, so `kvmplay inventory --libvirt -i hv.yaml > guests.json`
// gives an inventory to run on.
import { ValidationError } from '../errors.js';
import { toValue, type PEntry, type PNode } from '../data/yaml-load.js';
import type { InventoryModel } from './model.js';

/** A top mapping with `_meta: {hostvars: …}` is in this format. */
export function isListInventory(root: PNode): boolean {
  if (root.kind !== 'map') return false;
  const meta = root.entries.find((e) => e.name === '_meta');
  return meta?.value.kind === 'map' && meta.value.entries.some((e) => e.name === 'hostvars');
}

export function parseListInventory(model: InventoryModel, root: PNode & { kind: 'map' }, file: string): void {
  let hostvars: PEntry | undefined;
  for (const e of root.entries) {
    if (e.name === '_meta') {
      hostvars = (e.value as PNode & { kind: 'map' }).entries.find((x) => x.name === 'hostvars');
      continue;
    }
    parseGroup(model, e, file);
  }
  if (!hostvars) return;
  if (hostvars.value.kind !== 'map') throw new ValidationError(hostvars.value.pos, '_meta.hostvars must be a mapping of host names to their variables');
  for (const h of hostvars.value.entries) {
    // As Ansible's script plugin: variables of a host that no group lists are not a host.
    if (!model.hosts.has(h.name)) continue;
    const vars = toValue(h.value);
    if (vars === null) continue;
    if (typeof vars !== 'object' || Array.isArray(vars)) throw new ValidationError(h.value.pos, `_meta.hostvars of "${h.name}" must be a mapping`);
    for (const [k, v] of Object.entries(vars)) model.setHostVar(h.name, k, v);
  }
}

function parseGroup(model: InventoryModel, e: PEntry, file: string): void {
  const name = e.name;
  model.addGroup(name, e.keyPos);
  const data = e.value;
  // A list is the group's hosts (the script format's short form).
  const sections: Array<{ name: string; value: PNode; keyPos?: PEntry['keyPos'] }> | null =
    data.kind === 'seq' ? [{ name: 'hosts', value: data }] : data.kind === 'map' ? data.entries : null;
  if (sections === null) {
    if (data.kind === 'scalar' && data.value === null) return;
    throw new ValidationError(data.pos, `group "${name}" must be a mapping of hosts, vars and children (or a list of hosts)`);
  }
  for (const s of sections) {
    if (s.name === 'vars') {
      const vars = toValue(s.value);
      if (vars === null) continue;
      if (typeof vars !== 'object' || Array.isArray(vars)) throw new ValidationError(s.value.pos, `vars of group "${name}" must be a mapping`);
      for (const [k, v] of Object.entries(vars)) model.setGroupVar(name, k, v, s.value.pos);
    } else if (s.name === 'hosts' || s.name === 'children') {
      for (const item of names(s.value, `${s.name} of group "${name}"`)) {
        if (s.name === 'hosts') model.addHost(item.name, { group: name, source: file, pos: item.pos });
        else {
          model.addGroup(item.name, item.pos);
          model.addChild(name, item.name, item.pos);
        }
      }
    } else {
      throw new ValidationError(s.keyPos ?? data.pos, `unknown key "${s.name}" in group "${name}": only "hosts", "vars" and "children" are allowed`);
    }
  }
}

function names(node: PNode, what: string): Array<{ name: string; pos: PNode['pos'] }> {
  if (node.kind === 'scalar' && node.value === null) return [];
  if (node.kind !== 'seq') throw new ValidationError(node.pos, `${what} must be a list of names`);
  return node.items.map((item) => {
    const v = item.kind === 'scalar' ? item.value : undefined;
    if (typeof v !== 'string' && typeof v !== 'number') throw new ValidationError(item.pos, `${what} must be a list of names`);
    if (String(v) === '') throw new ValidationError(item.pos, `${what}: invalid empty name`);
    return { name: String(v), pos: item.pos };
  });
}
