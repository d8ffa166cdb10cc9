// community.libvirt.virt_pool (collection 1.2.0): Ansible's arguments, results and
// messages, over virsh instead of libvirt's Python binding. The lifecycle shared with
// virt_net (and where kvmplay differs on purpose) is in entries.ts; the pool's own
// parts are here: build, delete, refresh, state deleted, and `mode`.
import { z } from 'zod';
import { argumentSpec } from '../../args.js';
import type { ResultData } from '../../runner.js';
import { defineCollectionModule } from './collection-module.js';
import { virshOk } from '../libvirt-run.js';
import { parsePoolInfo, parseTable, type PoolInfo } from '../virsh/index.js';
import {
  activeWord, applyLifecycle, autostartArg, counted, describeLifecycle, listedNames, listEntries, nameArg, nameRequired,
  NOTHING_TO_DO, notFoundMsg, planAutostart, planEntryCommand, planState, POOL, readEntry, routeOf, uriArg, xmlArg,
  yesNo, type EntryLists, type EntryStatus, type LifecycleChange, type Planned,
} from './entries.js';
import { first, parseXml, select } from './xml-tree.js';

const ENTRY_COMMANDS = ['create', 'status', 'start', 'stop', 'build', 'delete', 'undefine', 'destroy', 'get_xml', 'define', 'refresh'] as const;
const HOST_COMMANDS = ['list_pools', 'facts', 'info'] as const;
type EntryCommand = (typeof ENTRY_COMMANDS)[number];
const isEntryCommand = (c: string | undefined): c is EntryCommand => (ENTRY_COMMANDS as readonly string[]).includes(c ?? '');

const MODES = ['new', 'repair', 'resize', 'no_overwrite', 'overwrite', 'normal', 'zeroed'] as const;
type Mode = (typeof MODES)[number];

export const VirtPoolArgs = argumentSpec(
  {
    name: nameArg,
    state: z.enum(['active', 'inactive', 'present', 'absent', 'undefined', 'deleted']).optional(),
    command: z.enum([...ENTRY_COMMANDS, ...HOST_COMMANDS]).optional(),
    uri: uriArg,
    xml: xmlArg,
    autostart: autostartArg,
    mode: z.enum(MODES).optional(),
  },
  { aliases: { name: ['pool'] } },
);
export type VirtPoolArgs = z.infer<typeof VirtPoolArgs>;

/**
 * `mode` → pool-build's flags. Ansible passes libvirt's build flags; virsh has
 * options for two of them. Any other mode builds a new pool, as in Ansible.
 */
export function buildFlags(mode: Mode | undefined): string[] | { fail: string } {
  if (mode === 'repair' || mode === 'resize') {
    return { fail: `mode: ${mode} is not supported with build: virsh pool-build has no option for it (use new, no_overwrite or overwrite)` };
  }
  if (mode === 'no_overwrite') return ['--no-overwrite'];
  if (mode === 'overwrite') return ['--overwrite'];
  return [];
}

/** virsh pool-delete has no flags: libvirt's zeroing delete cannot be asked for. */
function deleteModeFailure(mode: Mode | undefined): { fail: string } | null {
  return mode === 'zeroed' ? { fail: 'mode: zeroed is not supported with delete: virsh pool-delete has no option for it (use normal)' } : null;
}

/** What `info`/`facts` read of one pool. */
export interface PoolDetails {
  info: PoolInfo;
  /** `pool-dumpxml`: the live XML (Ansible's XMLDesc(0)). */
  xml: string;
  /** Volume names (`vol-list`); null for an inactive pool, which lists none. */
  volumes: string[] | null;
}

export interface PoolState {
  entry: EntryStatus | null;
  xml: string | null;
  lists: EntryLists | null;
  details: Record<string, PoolDetails> | null;
}

export type PoolChange = LifecycleChange | { kind: 'build'; flags: string[] } | { kind: 'delete' } | { kind: 'refresh' };

/** pool-info's state: libvirt says running for any active pool (other drivers may say degraded or inaccessible). */
const isActiveState = (s: PoolInfo['state']): boolean => s === 'running' || s === 'degraded' || s === 'inaccessible';

function entryOf(info: PoolInfo): EntryStatus {
  return { active: isActiveState(info.state), persistent: info.persistent !== false, autostart: info.autostart ?? false };
}

/**
 * Ansible's facts of one pool. virsh prints no sizes for an inactive pool; libvirt's
 * pool info gives the definition's, which the XML holds too (what was last seen).
 */
export function poolFacts(d: PoolDetails): Record<string, unknown> {
  const root = parseXml(d.xml);
  const size = (printed: string | null, tag: string): string => printed ?? (first(root, [tag])?.text || '0');
  const active = d.volumes !== null;
  const out: Record<string, unknown> = {
    status: d.info.state,
    size_total: size(d.info.capacity, 'capacity'),
    size_used: size(d.info.allocation, 'allocation'),
    size_available: size(d.info.available, 'available'),
    autostart: yesNo(d.info.autostart),
    persistent: yesNo(d.info.persistent),
    state: activeWord(active),
    type: root.attrs['type'] ?? null,
    uuid: d.info.uuid,
    volume_count: d.volumes === null ? -1 : d.volumes.length,
    ...(d.volumes !== null ? { volumes: d.volumes } : {}),
  };
  const path = first(root, ['target', 'path']);
  if (path) out['path'] = path.text || null;
  const host = first(root, ['source', 'host']);
  if (host) out['host'] = host.attrs['name'] ?? null;
  const dir = first(root, ['source', 'dir']);
  if (dir) out['source_path'] = dir.attrs['path'] ?? null;
  const format = first(root, ['source', 'format']);
  if (format) out['format'] = format.attrs['type'] ?? null;
  const devices = select(root, ['source', 'device']);
  if (devices.length > 0) out['devices'] = devices.map((dev) => dev.attrs['path'] ?? null);
  return out;
}

/** libvirt's refusals, said before anything runs so that check mode tells the same. */
const notValid = (name: string, what: string): { fail: string } => ({ fail: `Requested operation is not valid: storage pool '${name}' ${what}` });

function planCommand(a: VirtPoolArgs, s: PoolState): Planned<PoolChange> {
  const command = a.command ?? '';
  if (isEntryCommand(command)) {
    const name = a.name;
    if (!name) return { fail: nameRequired(command) };
    const cur = s.entry;
    switch (command) {
      case 'build': {
        const flags = buildFlags(a.mode);
        if ('fail' in flags) return flags;
        if (cur === null) return { fail: notFoundMsg(POOL, name) };
        if (cur.active) return notValid(name, 'is already active');
        // Ansible reports a build as a change, always.
        return { changes: [{ kind: 'build', flags }], data: {}, okMsg: 'nothing to change' };
      }
      case 'delete': {
        const refused = deleteModeFailure(a.mode);
        if (refused) return refused;
        if (cur === null) return { fail: notFoundMsg(POOL, name) };
        if (cur.active) return notValid(name, 'is still active');
        // Like build: a change, always (Ansible).
        return { changes: [{ kind: 'delete' }], data: {}, okMsg: 'nothing to change' };
      }
      case 'refresh':
        if (cur === null) return { fail: notFoundMsg(POOL, name) };
        if (!cur.active) return notValid(name, 'is not active');
        // A rescan of the pool's volumes: it changes nothing (Ansible: changed false).
        return { changes: [{ kind: 'refresh' }], data: {}, okMsg: `refreshed storage pool ${name}`, okMsgInCheck: `would refresh storage pool ${name}` };
      case 'get_xml':
        if (cur === null || s.xml === null) return { fail: notFoundMsg(POOL, name) };
        return { changes: [], data: { get_xml: s.xml }, okMsg: `XML of storage pool ${name}` };
      default:
        return planEntryCommand(POOL, command, name, cur, a.xml) ?? { fail: `Command ${command} not recognized` };
    }
  }
  if (command === 'list_pools') {
    const names = listedNames(s.lists ?? { active: [], inactive: [] });
    return { changes: [], data: { list_pools: names }, okMsg: counted(POOL, names.length) };
  }
  // facts and info: every pool (Ansible's virt_pool ignores a name here).
  const facts: Record<string, unknown> = {};
  for (const [pool, d] of Object.entries(s.details ?? {})) facts[pool] = poolFacts(d);
  const data: ResultData = command === 'facts' ? { ansible_facts: { ansible_libvirt_pools: facts } } : { pools: facts };
  return { changes: [], data, okMsg: counted(POOL, Object.keys(facts).length) };
}

function planPoolState(a: VirtPoolArgs, s: PoolState): Planned<PoolChange> {
  if (!a.name) return { fail: 'state change requires a specified name' };
  if (a.state === 'deleted') {
    const refused = deleteModeFailure(a.mode);
    if (refused) return refused;
  }
  // `deleted`: the storage goes too, between destroy and undefine.
  const removal = (): PoolChange[] => (a.state === 'deleted' ? [{ kind: 'delete' }] : []);
  return planState<PoolChange>(POOL, { name: a.name, state: a.state ?? '', xml: a.xml, autostart: a.autostart }, s.entry, removal);
}

async function readPool(read: (args: string[]) => Promise<string | null>, name: string): Promise<PoolInfo | null> {
  const text = await read(['pool-info', '--bytes', '--pool', name]);
  const info = text === null ? null : parsePoolInfo(text);
  // virsh also looks a pool up by uuid; Ansible only by name.
  return info !== null && info.name === name ? info : null;
}

const DONE = { build: 'built', delete: 'deleted', refresh: 'refreshed' } as const;

export const virtPoolModule = defineCollectionModule({
  names: ['virt_pool', 'community.libvirt.virt_pool'],
  args: VirtPoolArgs,
  async gather(host, a, ctx): Promise<PoolState> {
    const s: PoolState = { entry: null, xml: null, lists: null, details: null };
    const read = (args: string[]): Promise<string | null> => readEntry(host, ctx, a.uri, POOL, args);
    const route = routeOf(a, 'list_pools');
    const name = a.name ?? '';
    if (route === 'list' || (route === 'command' && (a.command === 'list_pools' || a.command === 'facts' || a.command === 'info'))) {
      s.lists = await listEntries(host, ctx, a.uri, POOL);
    }
    if (name && (route === 'state' || route === 'autostart' || (route === 'command' && isEntryCommand(a.command)))) {
      const info = await readPool(read, name);
      s.entry = info === null ? null : entryOf(info);
      if (info !== null && a.command === 'get_xml') s.xml = await read(['pool-dumpxml', '--pool', name]);
    }
    if (route === 'command' && (a.command === 'facts' || a.command === 'info') && s.lists) {
      s.details = {};
      for (const pool of listedNames(s.lists)) {
        const info = await readPool(read, pool);
        if (info === null) continue; // gone since it was listed
        const xml = await virshOk(host, ctx, a.uri, ['pool-dumpxml', '--pool', pool]);
        const active = s.lists.active.includes(pool);
        const volumes = active ? parseTable(await virshOk(host, ctx, a.uri, ['vol-list', '--pool', pool])).rows.map((r) => r['Name'] ?? '') : null;
        s.details[pool] = { info, xml, volumes };
      }
    }
    return s;
  },
  plan(a, s): Planned<PoolChange> {
    switch (routeOf(a, 'list_pools')) {
      case 'list': {
        const names = listedNames(s.lists ?? { active: [], inactive: [] }, a.state);
        return { changes: [], data: { list_pools: names }, okMsg: counted(POOL, names.length) };
      }
      case 'state': return planPoolState(a, s);
      case 'command': return planCommand(a, s);
      case 'autostart': return planAutostart(POOL, a.name, a.autostart ?? false, s.entry);
      default: return { fail: NOTHING_TO_DO };
    }
  },
  describe: (c: PoolChange): string => {
    if (c.kind === 'build') return `build storage pool${c.flags.length > 0 ? ` (${c.flags.join(' ')})` : ''}`;
    if (c.kind === 'delete' || c.kind === 'refresh') return `${c.kind} storage pool`;
    return describeLifecycle(POOL, c);
  },
  // A refresh rereads the pool: check mode does not call it a change.
  counts: (c) => c.kind !== 'refresh',
  async apply(host, a, c, ctx) {
    const name = a.name ?? '';
    if (c.kind !== 'build' && c.kind !== 'delete' && c.kind !== 'refresh') return applyLifecycle(host, ctx, a.uri, POOL, name, c);
    await virshOk(host, ctx, a.uri, [`pool-${c.kind}`, ...(c.kind === 'build' ? c.flags : []), '--pool', name]);
    // Ansible's keys: {build: 0} / {delete: 0} only for the commands (state deleted reports none).
    const data = a.command === c.kind && a.state === undefined ? { data: { [c.kind]: 0 } } : {};
    return { msg: `${DONE[c.kind]} storage pool ${name}`, ...data, ...(c.kind === 'refresh' ? { noop: true } : {}) };
  },
});
