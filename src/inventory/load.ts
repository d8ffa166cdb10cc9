// loadInventory: every `-i` source into one inventory, as InventoryManager.parse_sources
// does (lib/ansible/inventory/manager.py): a folder is every file in it (sorted, hidden,
// group_vars/host_vars and ignored extensions skipped), a file is tried as YAML when its
// extension allows (none, .yml, .yaml, .json) and then as INI, a missing path with a comma
// is a host list. Then reconcile, then the group_vars/host_vars beside each source.
// A libvirt source (`plugin: community.libvirt.libvirt`) adds its guests once every
// other source is loaded: a hypervisor may be a host of those (libvirt-inventory.ts).
import { readdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { OptionsError, ValidationError } from '../errors.js';
import { parseAddress } from './host-ranges.js';
import { parseIni } from './ini.js';
import { Inventory } from './inventory.js';
import { InventoryModel } from './model.js';
import { addLibvirtGuests, type InventoryPlugins } from './libvirt-inventory.js';
import type { LibvirtSource } from './libvirt-source.js';
import { comparePy } from '../data/py-values.js';
import { loadSourceVars, readText, type SourceVars } from '../data/vars-files.js';
import { parseYamlInventory } from './yaml-inventory.js';
import { loadDataText, toValue, type PNode } from '../data/yaml-load.js';
import { decryptVaultText, isVaultText, revealVaultValue } from '../vault/index.js';
import { takeYamlWarnings } from '../data/yaml-limits.js';

const YAML_EXTENSIONS = ['.yaml', '.yml', '.json'];
// IGNORED_ALWAYS + INVENTORY_IGNORE_EXTS (REJECT_EXTS + .orig .ini .cfg .retry) of Ansible 2.14.
const IGNORED = /^\.|^host_vars$|^group_vars$|^vars_plugins$|(?:\.pyc|\.pyo|\.swp|\.bak|~|\.rpm|\.md|\.txt|\.rst|\.orig|\.ini|\.cfg|\.retry)$/;

export async function loadInventory(paths: string[], plugins: InventoryPlugins = {}): Promise<Inventory> {
  if (paths.length === 0) throw new OptionsError('an inventory is required: -i INVENTORY');
  const sources = paths.map(normalizeSource);
  const model = new InventoryModel();
  const libvirt: LibvirtSource[] = [];
  for (const s of sources) await parseSource(model, s, true, libvirt);
  model.reconcile();
  const sourceVars = await sourceVarsOf(sources, model);
  const libvirtWarnings: string[] = [];
  if (libvirt.length > 0) {
    const before = { groups: new Set(model.groups.keys()), hosts: new Set(model.hosts.keys()) };
    libvirtWarnings.push(...await addLibvirtGuests(model, libvirt, new Inventory(model, sources, sourceVars, []), plugins));
    model.reconcile();
    // group_vars/ and host_vars/ files may name the guests and their groups too.
    await readVarsOfNew(sourceVars, [...model.groups.keys()].filter((g) => !before.groups.has(g)), [...model.hosts.keys()].filter((h) => !before.hosts.has(h)));
  }

  // Duplicate YAML keys in the inventory and its vars files (an error under --strict).
  const warnings: string[] = takeYamlWarnings();
  // constants.INVALID_VARIABLE_NAMES: Ansible warns (and keeps the name, TRANSFORM_INVALID_GROUP_CHARS=never).
  const invalid = [...model.groups.keys()].filter((g) => /^\p{Nd}|[^\p{L}\p{N}_]/u.test(g));
  if (invalid.length) warnings.push(`Invalid characters were found in group names but not replaced: ${invalid.join(', ')}`);
  for (const g of model.groups.keys()) {
    if (model.hosts.has(g)) warnings.push(`Found both group and host with same name: ${g}`);
  }
  warnings.push(...libvirtWarnings);
  return new Inventory(model, sources, sourceVars, warnings);
}

/** The group_vars/ and host_vars/ beside each source (a folder: in it), read once per folder. */
export async function sourceVarsOf(sources: readonly string[], model: InventoryModel): Promise<SourceVars[]> {
  const byDir = new Map<string, Promise<SourceVars>>();
  const sourceVars: SourceVars[] = [];
  for (const s of sources) {
    const st = await stat(s).catch(() => null);
    if (!st) continue; // a host list has no folder beside it
    const dir = st.isDirectory() ? s : dirname(s);
    if (!byDir.has(dir)) byDir.set(dir, loadSourceVars(dir, model.groups.keys(), model.hosts.keys()));
    sourceVars.push(await byDir.get(dir)!);
  }
  return sourceVars;
}

async function readVarsOfNew(sourceVars: readonly SourceVars[], groups: string[], hosts: string[]): Promise<void> {
  for (const target of new Set(sourceVars)) {
    const more = await loadSourceVars(target.dir, groups, hosts);
    for (const [g, v] of more.groups) target.groups.set(g, v);
    for (const [h, v] of more.hosts) target.hosts.set(h, v);
  }
}

/** A libvirt source file read on its own (`kvmplay inventory --libvirt FILE`); undefined if it is another kind of inventory. */
export async function readLibvirtSource(path: string): Promise<LibvirtSource | undefined> {
  const file = normalizeSource(path);
  if (!(await stat(file).catch(() => null))?.isFile()) throw new OptionsError(`libvirt inventory source not found: ${file}`);
  return parseFile(new InventoryModel(), file);
}

/** unfrackpath(follow=False): `~` expanded, absolute, normalized; host lists as given. */
function normalizeSource(p: string): string {
  if (p === '~' || p.startsWith('~/')) return resolve(homedir(), p.slice(2));
  return p.includes(',') ? p : resolve(p);
}

async function parseSource(model: InventoryModel, source: string, given: boolean, libvirt: LibvirtSource[]): Promise<void> {
  const st = await stat(source).catch(() => null);
  if (!st) {
    if (given && source.includes(',')) return parseHostList(model, source);
    throw new OptionsError(`inventory source not found: ${source}`);
  }
  if (st.isDirectory()) {
    for (const entry of (await readdir(source)).sort(comparePy)) {
      if (!IGNORED.test(entry)) await parseSource(model, join(source, entry), false, libvirt);
    }
    return;
  }
  const plugin = await parseFile(model, source);
  if (plugin) libvirt.push(plugin);
}

/** The host_list plugin: `-i 'hv01,hv02:2222,'`. */
function parseHostList(model: InventoryModel, list: string): void {
  for (const raw of list.split(',')) {
    const h = raw.trim();
    if (!h) continue;
    const addr = parseAddress(h);
    const name = addr && !addr.host.includes('[') ? addr.host : h;
    model.addHost(name, { group: 'ungrouped', port: addr && !addr.host.includes('[') ? addr.port : null });
  }
}

/** Loads the file into `model`; a libvirt source is returned instead, to be read last. */
async function parseFile(model: InventoryModel, file: string): Promise<LibvirtSource | undefined> {
  // A vault-encrypted inventory is decrypted first, then read as YAML or INI.
  const raw = await readText(file);
  const vaulted = isVaultText(raw);
  const text = vaulted ? decryptVaultText(raw, { file, line: 1, col: 1 }) : raw;
  const ext = extname(file);
  let yamlError: ValidationError | undefined;
  let root: PNode | null = null;
  if (!ext || YAML_EXTENSIONS.includes(ext)) {
    try {
      root = loadDataText(text, file);
      if (vaulted && root) revealVaultValue(toValue(root));
      return parseYamlInventory(model, root, file);
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      yamlError = e;
    }
  }
  // Ansible then lets the INI plugin try the same file.
  try {
    parseIni(model, text, file);
    return undefined;
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    // Report the failure of the format the file was meant to be in.
    if (yamlError && (ext || root?.kind === 'map')) throw yamlError;
    throw e;
  }
}
