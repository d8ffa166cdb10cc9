// An inventory source file for the libvirt inventory, in the shape of Ansible's
// `community.libvirt.libvirt` plugin configuration:
//   plugin: community.libvirt.libvirt     # or `libvirt`
//   uri: qemu+ssh://root@hv01/system
//   inventory_hostname: name              # or uuid
//   compose / groups / keyed_groups / strict / leading_separator   (Ansible's `constructed`)
// and kvmplay's additions: `uris:` (several hypervisors in one file) and `vars:`
// (variables of every guest of the file). Unknown options are refused with their
// position, as every other inventory mistake is (SPEC 3).
import { ValidationError, type SourcePosition } from '../errors.js';
import { toValue, type PEntry, type PNode } from '../data/yaml-load.js';
import { isPlainObject, type Vars } from '../data/py-values.js';
import { NO_CONSTRUCTED, type ConstructedOptions, type KeyedGroup } from './constructed.js';
import { LibvirtUriError, parseLibvirtUri, type LibvirtUri } from './libvirt-uri.js';

export const LIBVIRT_PLUGIN_NAMES: readonly string[] = ['community.libvirt.libvirt', 'libvirt'];

export interface LibvirtSourceUri {
  uri: LibvirtUri;
  pos: SourcePosition;
}

export interface LibvirtSource {
  /** The source file (group_vars/ and host_vars/ beside it apply to its guests). */
  file: string;
  /** Where `plugin:` is written: messages about the whole source point here. */
  pos: SourcePosition;
  uris: LibvirtSourceUri[];
  /** Ansible's inventory_hostname option: guests named by domain name (default) or uuid. */
  inventoryHostname: 'name' | 'uuid';
  constructed: ConstructedOptions;
  /** kvmplay: variables every guest of this source gets (as its hypervisor group's variables). */
  vars: Vars;
}

const OPTIONS = new Set(['plugin', 'uri', 'uris', 'inventory_hostname', 'vars', 'strict', 'compose', 'groups', 'keyed_groups', 'leading_separator', 'use_extra_vars']);
const KEYED_OPTIONS = new Set(['key', 'prefix', 'separator', 'parent_group', 'default_value', 'trailing_separator']);

/** The `plugin:` entry of a YAML inventory's top mapping, if it has one. */
export function pluginEntry(root: PNode): PEntry | undefined {
  return root.kind === 'map' ? root.entries.find((e) => e.name === 'plugin') : undefined;
}

export function isLibvirtPlugin(name: unknown): boolean {
  return typeof name === 'string' && LIBVIRT_PLUGIN_NAMES.includes(name);
}

export function parseLibvirtSource(root: PNode & { kind: 'map' }, file: string): LibvirtSource {
  const plugin = pluginEntry(root)!;
  const source: LibvirtSource = { file, pos: plugin.keyPos, uris: [], inventoryHostname: 'name', constructed: { ...NO_CONSTRUCTED }, vars: {} };
  const c = source.constructed;
  for (const e of root.entries) {
    const fail = (detail: string, at: SourcePosition = e.value.pos): never => {
      throw new ValidationError(at, `libvirt inventory option ${e.name}: ${detail}`);
    };
    if (!OPTIONS.has(e.name)) {
      throw new ValidationError(e.keyPos, `unknown option "${e.name}" for the libvirt inventory (options: ${[...OPTIONS].sort().join(', ')})`);
    }
    const v = toValue(e.value);
    if (e.name === 'uri') source.uris.unshift(uriAt(stringOf(v, fail), e.value.pos));
    else if (e.name === 'uris') {
      if (e.value.kind !== 'seq') fail('must be a list of libvirt URIs');
      for (const item of (e.value as PNode & { kind: 'seq' }).items) source.uris.push(uriAt(stringOf(toValue(item), fail), item.pos));
    } else if (e.name === 'inventory_hostname') {
      if (v !== 'name' && v !== 'uuid') fail(`must be "name" or "uuid", got ${JSON.stringify(v)}`);
      source.inventoryHostname = v as 'name' | 'uuid';
    } else if (e.name === 'vars') {
      if (v !== null && !isPlainObject(v)) fail('must be a mapping of variables');
      source.vars = (v ?? {}) as Vars;
    } else if (e.name === 'strict') c.strict = boolOf(v, fail);
    else if (e.name === 'leading_separator') c.leadingSeparator = boolOf(v, fail);
    else if (e.name === 'use_extra_vars') {
      if (boolOf(v, fail)) fail('extra variables are not known while the inventory loads in kvmplay: set it to false');
    } else if (e.name === 'compose') c.compose = expressions(v, fail);
    else if (e.name === 'groups') c.groups = expressions(v, fail);
    else if (e.name === 'keyed_groups') c.keyedGroups = keyedGroups(e.value, fail);
  }
  if (source.uris.length === 0) throw new ValidationError(plugin.keyPos, 'the libvirt inventory needs a hypervisor: uri: qemu+ssh://[user@]HOST/system (or uris: [...])');
  return source;
}

function uriAt(text: string, pos: SourcePosition): LibvirtSourceUri {
  try {
    return { uri: parseLibvirtUri(text), pos };
  } catch (e) {
    if (e instanceof LibvirtUriError) throw new ValidationError(pos, `libvirt inventory: ${e.message}`, { cause: e });
    throw e;
  }
}

function stringOf(v: unknown, fail: (d: string) => never): string {
  return typeof v === 'string' && v !== '' ? v : fail(`must be a libvirt URI string, got ${JSON.stringify(v)}`);
}

function boolOf(v: unknown, fail: (d: string) => never): boolean {
  if (typeof v === 'boolean') return v;
  const s = typeof v === 'string' ? v.toLowerCase() : undefined;
  if (s !== undefined && ['yes', 'true', 'on', '1', 'y', 't'].includes(s)) return true;
  if (s !== undefined && ['no', 'false', 'off', '0', 'n', 'f'].includes(s)) return false;
  return fail(`must be a boolean, got ${JSON.stringify(v)}`);
}

/** compose / groups: names to Jinja expressions (a number or boolean is the expression of itself). */
function expressions(v: unknown, fail: (d: string) => never): Record<string, string> {
  if (v === null) return {};
  if (!isPlainObject(v)) return fail('must be a mapping of names to Jinja expressions');
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) out[k] = expressionOf(x, (d) => fail(`${k}: ${d}`));
  return out;
}

function expressionOf(x: unknown, fail: (d: string) => never): string {
  if (typeof x === 'string') return x;
  if (typeof x === 'number') return String(x);
  if (typeof x === 'boolean') return x ? 'True' : 'False';
  return fail(`must be a Jinja expression (a string), got ${JSON.stringify(x)}`);
}

function keyedGroups(node: PNode, fail: (d: string, at?: SourcePosition) => never): KeyedGroup[] {
  if (node.kind === 'scalar' && node.value === null) return [];
  if (node.kind !== 'seq') return fail('must be a list of {key, prefix, separator, …} entries');
  return node.items.map((item) => {
    const raw = toValue(item);
    if (!isPlainObject(raw)) return fail('each entry must be a mapping with a key', item.pos);
    const entryFail = (d: string): never => fail(d, item.pos);
    for (const k of Object.keys(raw)) if (!KEYED_OPTIONS.has(k)) entryFail(`unknown keyed_groups option "${k}" (options: ${[...KEYED_OPTIONS].join(', ')})`);
    if (raw['key'] === undefined || raw['key'] === null) entryFail('each entry needs a key');
    const text = (k: string): string | undefined => (raw[k] === undefined || raw[k] === null ? undefined : expressionOf(raw[k], (d) => entryFail(`${k}: ${d}`)));
    const keyed: KeyedGroup = { key: text('key')!, prefix: text('prefix') ?? '', separator: text('separator') ?? '_' };
    const parent = text('parent_group');
    if (parent !== undefined) keyed.parentGroup = parent;
    const dflt = text('default_value');
    if (dflt !== undefined) keyed.defaultValue = dflt;
    if (raw['trailing_separator'] !== undefined && raw['trailing_separator'] !== null) keyed.trailingSeparator = boolOf(raw['trailing_separator'], entryFail);
    if (keyed.defaultValue !== undefined && keyed.trailingSeparator !== undefined) entryFail('default_value and trailing_separator are mutually exclusive');
    return keyed;
  });
}
