// community.libvirt.virt_net (collection 1.2.0): Ansible's arguments, results and
// messages, over virsh instead of libvirt's Python binding. Where kvmplay differs on
// purpose it says so in entries.ts (state + autostart, changed for commands that
// act, no-op lifecycle commands) and here (modify's MAC match, facts without a bridge).
import { z } from 'zod';
import { argumentSpec } from '../../args.js';
import type { ResultData } from '../../runner.js';
import { defineCollectionModule } from './collection-module.js';
import { virshOk } from '../libvirt-run.js';
import { parseDhcpLeases, parseNetInfo, type DhcpLease, type NetInfo } from '../virsh/index.js';
import { xmlSyntaxError } from '../xml-check.js';
import {
  activeWord, applyLifecycle, autostartArg, counted, describeLifecycle, listedNames, listEntries, nameArg, nameRequired, NETWORK,
  NOTHING_TO_DO, notFoundMsg, planAutostart, planDefine, planEntryCommand, planState, readEntry, routeOf, uriArg,
  virshUtc, xmlArg, yesNo, type EntryLists, type EntryStatus, type LifecycleChange, type Planned,
} from './entries.js';
import { first, parseXml, select } from './xml-tree.js';

const ENTRY_COMMANDS = ['create', 'status', 'start', 'stop', 'undefine', 'destroy', 'get_xml', 'define', 'modify'] as const;
const HOST_COMMANDS = ['list_nets', 'facts', 'info'] as const;
type EntryCommand = (typeof ENTRY_COMMANDS)[number];
const isEntryCommand = (c: string | undefined): c is EntryCommand => (ENTRY_COMMANDS as readonly string[]).includes(c ?? '');

export const VirtNetArgs = argumentSpec(
  {
    name: nameArg,
    state: z.enum(['active', 'inactive', 'present', 'absent']).optional(),
    command: z.enum([...ENTRY_COMMANDS, ...HOST_COMMANDS]).optional(),
    uri: uriArg,
    xml: xmlArg,
    autostart: autostartArg,
  },
  // Ansible's required_if: every command on one network needs its name.
  { aliases: { name: ['network'] }, requiredIf: ENTRY_COMMANDS.map((c) => ['command', c, ['name']] as const) },
);
export type VirtNetArgs = z.infer<typeof VirtNetArgs>;

/** What `info`/`facts` read of one network. */
export interface NetDetails {
  info: NetInfo;
  /** `net-dumpxml`: the live XML (Ansible's XMLDesc(0)). */
  xml: string;
  leases: DhcpLease[];
}

export interface NetState {
  /** The named network (null: libvirt does not know it), when the task is about one. */
  entry: EntryStatus | null;
  /** Its live XML, for get_xml and modify. */
  xml: string | null;
  lists: EntryLists | null;
  /** facts/info: name → what was read (null: the named network does not exist). */
  details: Record<string, NetDetails | null> | null;
}

/** A DHCP host added to or changed in the network (`net-update … ip-dhcp-host`). */
export interface DhcpHostChange {
  kind: 'dhcp-host';
  command: 'add-last' | 'modify';
  xml: string;
  /** Also the running network's (`--live`), as Ansible does for an active one. */
  live: boolean;
  mac: string | null;
}
export type NetChange = LifecycleChange | DhcpHostChange;

function entryOf(info: NetInfo): EntryStatus {
  return { active: info.active ?? false, persistent: info.persistent !== false, autostart: info.autostart ?? false };
}

/**
 * Ansible's facts of one network. `bridge` is left out for a network without one,
 * where Ansible's bridgeName() fails the whole task. Leases carry what virsh prints:
 * `iaid` (DHCPv6 only) is null for IPv4 as in Ansible, and absent for IPv6.
 */
export function networkFacts(d: NetDetails): Record<string, unknown> {
  const root = parseXml(d.xml);
  const out: Record<string, unknown> = {
    autostart: yesNo(d.info.autostart),
    persistent: yesNo(d.info.persistent),
    state: activeWord(d.info.active ?? false),
    ...(d.info.bridge !== null ? { bridge: d.info.bridge } : {}),
    uuid: d.info.uuid,
    dhcp_leases: d.leases.map((l) => ({
      iface: d.info.bridge, expirytime: l.expirytime, type: l.type, mac: l.mac,
      ...(l.type === 0 ? { iaid: null } : {}), ipaddr: l.ipaddr, prefix: l.prefix, hostname: l.hostname, clientid: l.clientid,
    })),
  };
  const forward = first(root, ['forward']);
  if (forward) out['forward_mode'] = forward.attrs['mode'] ?? null;
  const domain = first(root, ['domain']);
  if (domain) out['domain'] = domain.attrs['name'] ?? null;
  const mac = first(root, ['mac']);
  if (mac) out['macaddress'] = mac.attrs['address'] ?? null;
  return out;
}

const sameMac = (a: string | undefined, b: string | undefined): boolean => (a === undefined || b === undefined ? a === b : a.toLowerCase() === b.toLowerCase());

/**
 * `command: modify` with a `<host mac= name= ip=/>`: added when no DHCP host has its
 * MAC, changed when one has it with another name or ip, left alone when equal.
 * kvmplay compares MACs without case (libvirt stores them in lower case; Ansible's
 * exact match adds the host again on the second run, which libvirt refuses).
 */
export function planModify(name: string, xml: string, current: string, active: boolean): Planned<NetChange> {
  const syntax = xmlSyntaxError(xml);
  if (syntax !== null) return { fail: `invalid XML (not well-formed): ${syntax}` };
  const wanted = parseXml(xml);
  if (wanted.tag !== 'host') return { fail: `updating this is not supported yet ${xml}` };
  const mac = wanted.attrs['mac'];
  const existing = select(parseXml(current), ['ip', 'dhcp', 'host']).find((h) => sameMac(h.attrs['mac'], mac));
  const data = { modified: name };
  const change = (command: DhcpHostChange['command']): DhcpHostChange => ({ kind: 'dhcp-host', command, xml: xml.trim(), live: active, mac: mac ?? null });
  if (existing === undefined) return { changes: [change('add-last')], data, okMsg: 'nothing to change' };
  if (existing.attrs['name'] === wanted.attrs['name'] && existing.attrs['ip'] === wanted.attrs['ip']) {
    return { changes: [], data, okMsg: `network ${name} already has this DHCP host` };
  }
  return { changes: [change('modify')], data, okMsg: 'nothing to change' };
}

function planCommand(a: VirtNetArgs, s: NetState): Planned<NetChange> {
  const command = a.command ?? '';
  if (isEntryCommand(command)) {
    const name = a.name;
    if (!name) return { fail: nameRequired(command) };
    if (command === 'modify') {
      if (!a.xml) return { fail: 'modify requires xml argument' };
      if (s.entry === null) {
        // Ansible defines a missing network from the xml; only a <network> can be.
        if (xmlSyntaxError(a.xml) === null && parseXml(a.xml).tag !== 'network') return { fail: `${notFoundMsg(NETWORK, name)} (modify changes an existing network)` };
        const define = planDefine(NETWORK, name, a.xml);
        return 'fail' in define ? define : { changes: [define], data: {}, okMsg: 'nothing to change' };
      }
      return planModify(name, a.xml, s.xml ?? '', s.entry.active);
    }
    if (command === 'get_xml') {
      if (s.entry === null || s.xml === null) return { fail: notFoundMsg(NETWORK, name) };
      return { changes: [], data: { get_xml: s.xml }, okMsg: `XML of network ${name}` };
    }
    return planEntryCommand(NETWORK, command, name, s.entry, a.xml) ?? { fail: `Command ${command} not recognized` };
  }
  if (command === 'list_nets') {
    const names = listedNames(s.lists ?? { active: [], inactive: [] });
    return { changes: [], data: { list_nets: names }, okMsg: counted(NETWORK, names.length) };
  }
  // facts (of the named network only, when one is named) and info (always all).
  const facts: Record<string, unknown> = {};
  for (const [net, d] of Object.entries(s.details ?? {})) {
    if (d === null) return { fail: notFoundMsg(NETWORK, net) };
    facts[net] = networkFacts(d);
  }
  const data: ResultData = command === 'facts' ? { ansible_facts: { ansible_libvirt_networks: facts } } : { networks: facts };
  return { changes: [], data, okMsg: counted(NETWORK, Object.keys(facts).length) };
}

async function readNetwork(read: (args: string[]) => Promise<string | null>, name: string): Promise<NetInfo | null> {
  const text = await read(['net-info', '--network', name]);
  const info = text === null ? null : parseNetInfo(text);
  // virsh also looks a network up by uuid; Ansible only by name.
  return info !== null && info.name === name ? info : null;
}

export const virtNetModule = defineCollectionModule({
  names: ['virt_net', 'community.libvirt.virt_net'],
  args: VirtNetArgs,
  async gather(host, a, ctx): Promise<NetState> {
    const s: NetState = { entry: null, xml: null, lists: null, details: null };
    const read = (args: string[]): Promise<string | null> => readEntry(host, ctx, a.uri, NETWORK, args);
    const route = routeOf(a, 'list_nets');
    const name = a.name ?? '';
    if (route === 'list' || (route === 'command' && (a.command === 'list_nets' || a.command === 'info' || (a.command === 'facts' && !name)))) {
      s.lists = await listEntries(host, ctx, a.uri, NETWORK);
    }
    if (name && (route === 'state' || route === 'autostart' || (route === 'command' && isEntryCommand(a.command)))) {
      const info = await readNetwork(read, name);
      s.entry = info === null ? null : entryOf(info);
      if (info !== null && (a.command === 'get_xml' || a.command === 'modify')) s.xml = await read(['net-dumpxml', '--network', name]);
    }
    if (route === 'command' && (a.command === 'facts' || a.command === 'info')) {
      const names = a.command === 'facts' && name ? [name] : listedNames(s.lists ?? { active: [], inactive: [] });
      s.details = {};
      for (const net of names) {
        const info = await readNetwork(read, net);
        if (info === null) { s.details[net] = null; continue; }
        const xml = await virshOk(host, ctx, a.uri, ['net-dumpxml', '--network', net]);
        const leases = parseDhcpLeases(await virshUtc(host, ctx, a.uri, ['net-dhcp-leases', '--network', net]));
        s.details[net] = { info, xml, leases };
      }
    }
    return s;
  },
  plan(a, s): Planned<NetChange> {
    switch (routeOf(a, 'list_nets')) {
      case 'list': {
        const names = listedNames(s.lists ?? { active: [], inactive: [] }, a.state);
        return { changes: [], data: { list_nets: names }, okMsg: counted(NETWORK, names.length) };
      }
      case 'state':
        if (!a.name) return { fail: 'state change requires a specified name' };
        return planState(NETWORK, { name: a.name, state: a.state ?? '', xml: a.xml, autostart: a.autostart }, s.entry);
      case 'command': return planCommand(a, s);
      case 'autostart': return planAutostart(NETWORK, a.name, a.autostart ?? false, s.entry);
      default: return { fail: NOTHING_TO_DO };
    }
  },
  describe: (c: NetChange): string => {
    if (c.kind !== 'dhcp-host') return describeLifecycle(NETWORK, c);
    return `${c.command === 'add-last' ? 'add' : 'modify'} DHCP host ${c.mac ?? '(no mac)'}`;
  },
  async apply(host, a, c, ctx) {
    const name = a.name ?? '';
    if (c.kind !== 'dhcp-host') return applyLifecycle(host, ctx, a.uri, NETWORK, name, c);
    await virshOk(host, ctx, a.uri, [
      'net-update', '--network', name, '--command', c.command, '--section', 'ip-dhcp-host', '--xml', c.xml, '--config', ...(c.live ? ['--live'] : []),
    ]);
    return { msg: `${c.command === 'add-last' ? 'added' : 'modified'} DHCP host ${c.mac ?? '(no mac)'} in network ${name}` };
  },
});
