// What community.libvirt's virt_net and virt_pool share (Ansible collection 1.2.0):
// their common arguments, which of state/command/autostart a task means, the
// lifecycle of one "entry" (a network or a storage pool: define, start, destroy,
// undefine, autostart) and its registered keys, and the virsh calls behind them.
// Both drive libvirt through virsh, always naming the entry with `--network NAME` /
// `--pool NAME` so that a name starting with '-' is never read as an option.
// Check mode reaches the same verdict as a real run from the same reads (Ansible's
// says "changed" for a missing entry where its real run fails, and its undefine acts
// even in check mode); the runner never applies anything then.
import { z } from 'zod';
import type { Host } from '../../../transport/host.js';
import { boolish } from '../../args.js';
import type { ModuleContext } from '../../module.js';
import { runOptions } from '../../remote.js';
import type { ResultData } from '../../runner.js';
import { DEFAULT_URI, defineXml, virshArgv, virshOk } from '../libvirt-run.js';
import { xmlSyntaxError } from '../xml-check.js';
import { VirshError, classifyVirshError } from '../virsh/index.js';
import { first, parseXml } from './xml-tree.js';

// ---------------------------------------------------------------- arguments

/** Ansible's `str`: a YAML number (`name: 10`) is taken as its text. */
export const nameArg = z.union([z.string(), z.number().transform(String)]).optional();
export const uriArg = z.string().min(1).default(DEFAULT_URI);
export const xmlArg = z.string().optional();
export const autostartArg = boolish.optional();

/** The arguments both modules read (name after its alias is resolved). */
export interface EntryArgs {
  name?: string | undefined;
  state?: string | undefined;
  command?: string | undefined;
  uri: string;
  xml?: string | undefined;
  autostart?: boolean | undefined;
}

// ---------------------------------------------------------------- what is managed

/** A libvirt network or storage pool, as virsh and Ansible's messages name it. */
export interface EntryNoun {
  /** Ansible's word in its messages ("network X not found"). */
  word: 'network' | 'storage pool';
  /** virsh's subcommand prefix (`net-start`, `pool-start`). */
  prefix: 'net' | 'pool';
  /** virsh's option naming the entry. */
  option: '--network' | '--pool';
  /** libvirt's error when the name is unknown (virsh exits 1 with it on stderr). */
  notFound: RegExp;
}

export const NETWORK: EntryNoun = { word: 'network', prefix: 'net', option: '--network', notFound: /Network not found|failed to get network/ };
export const POOL: EntryNoun = { word: 'storage pool', prefix: 'pool', option: '--pool', notFound: /Storage pool not found|failed to get pool/ };

/** One entry as libvirt has it now. */
export interface EntryStatus {
  active: boolean;
  persistent: boolean;
  autostart: boolean;
}

/** Ansible's ENTRY_STATE_*_MAP: libvirt's 0/1 as the words its facts use. */
export const yesNo = (b: boolean | null): 'yes' | 'no' | 'unknown' => (b === null ? 'unknown' : b ? 'yes' : 'no');
export const activeWord = (active: boolean): 'active' | 'inactive' => (active ? 'active' : 'inactive');

/** "1 network", "2 storage pools": the okMsg of the reads. */
export const counted = (noun: EntryNoun, n: number): string => `${n} ${noun.word}${n === 1 ? '' : 's'}`;

/** Ansible's find_entry failure. */
export const notFoundMsg = (noun: EntryNoun, name: string): string => `${noun.word} ${name} not found`;

// ---------------------------------------------------------------- which part of a task runs

/**
 * Ansible's core(): `state` with the list command filters the list; otherwise `state`
 * wins over `command`, and `command` over `autostart` (kvmplay adds autostart to a
 * state, see planState).
 */
export type Route = 'list' | 'state' | 'command' | 'autostart' | 'none';

export function routeOf(a: EntryArgs, listCommand: string): Route {
  if (a.state !== undefined && a.command === listCommand) return 'list';
  if (a.state !== undefined) return 'state';
  if (a.command !== undefined) return 'command';
  if (a.autostart !== undefined) return 'autostart';
  return 'none';
}

export const NOTHING_TO_DO = 'expected state or command parameter to be specified';

/** The entry names, active first, then inactive, each sorted; `state` keeps only those in it (Ansible's list filter). */
export interface EntryLists {
  active: string[];
  inactive: string[];
}

export function listedNames(lists: EntryLists, state?: string): string[] {
  if (state === 'active') return [...lists.active];
  if (state === 'inactive') return [...lists.inactive];
  // Ansible compares the filter with 'active'/'inactive': any other state lists nothing.
  if (state !== undefined) return [];
  return [...lists.active, ...lists.inactive];
}

// ---------------------------------------------------------------- planning

/** The lifecycle steps both modules take. `key`: the registered key set to 0 once done (`{create: 0}`). */
export type LifecycleChange =
  | { kind: 'define'; xml: string }
  | { kind: 'start' | 'destroy' | 'undefine'; key?: string }
  | { kind: 'autostart'; enable: boolean };

export interface EntryPlan<C> {
  changes: C[];
  data: ResultData;
  okMsg: string;
  okMsgInCheck?: string;
}
export type Planned<C> = EntryPlan<C> | { fail: string };

const plan = <C>(changes: C[], data: ResultData = {}, okMsg = 'nothing to change'): EntryPlan<C> => ({ changes, data, okMsg });

/**
 * A define, or why not: the XML must be well-formed and, when it has a <name>, name
 * the entry the task names. Ansible hands any XML to libvirt, which defines whatever
 * the XML names and may redefine another entry; kvmplay refuses that.
 */
export function planDefine(noun: EntryNoun, name: string, xml: string): { kind: 'define'; xml: string } | { fail: string } {
  const syntax = xmlSyntaxError(xml);
  if (syntax !== null) return { fail: `invalid XML (not well-formed), nothing defined: ${syntax}` };
  const named = first(parseXml(xml), ['name'])?.text;
  if (named !== undefined && named !== name) return { fail: `the XML's <name> is "${named}", not "${name}": nothing defined (the ${noun.word} is the one the task names)` };
  return { kind: 'define', xml };
}

export interface StateArgs {
  name: string;
  state: string;
  xml?: string | undefined;
  autostart?: boolean | undefined;
}

/**
 * `state` (Ansible's branch of core()): active, present, inactive, absent/undefined;
 * `removal` adds what a module does between destroy and undefine (virt_pool's
 * `deleted` deletes the pool's storage). A transient entry vanishes when destroyed:
 * it is not undefined as well (Ansible fails there).
 *
 * kvmplay: `autostart` given with a state is applied after it (Ansible ignores it
 * when `state` is given), except when the state removes the entry.
 */
export function planState<C>(noun: EntryNoun, a: StateArgs, cur: EntryStatus | null, removal: (cur: EntryStatus) => C[] = () => []): Planned<LifecycleChange | C> {
  const changes: Array<LifecycleChange | C> = [];
  let after: EntryStatus | null = cur;
  switch (a.state) {
    case 'active':
      if (cur === null) return { fail: notFoundMsg(noun, a.name) };
      if (!cur.active) changes.push({ kind: 'start' });
      break;
    case 'present':
      if (cur === null) {
        if (!a.xml) return { fail: `${noun.word} '${a.name}' not present, but xml not specified` };
        const define = planDefine(noun, a.name, a.xml);
        if ('fail' in define) return define;
        changes.push(define);
        after = { active: false, persistent: true, autostart: false };
      }
      break;
    case 'inactive':
      if (cur?.active) changes.push({ kind: 'destroy' });
      break;
    default: // absent, undefined, deleted: the entry goes, and its autostart with it
      if (cur === null) return plan(changes);
      if (cur.active) changes.push({ kind: 'destroy' });
      if (cur.persistent) changes.push(...removal(cur), { kind: 'undefine' });
      return plan(changes);
  }
  if (a.autostart !== undefined) {
    if (after === null) {
      // `state: inactive` of a missing entry: "no autostart" holds, "autostart" cannot.
      if (a.autostart) return { fail: notFoundMsg(noun, a.name) };
    } else if (after.autostart !== a.autostart) {
      changes.push({ kind: 'autostart', enable: a.autostart });
    }
  }
  return plan(changes);
}

/** `autostart` alone (Ansible's last branch). */
export function planAutostart(noun: EntryNoun, name: string | undefined, enable: boolean, cur: EntryStatus | null): Planned<LifecycleChange> {
  if (!name) return { fail: 'state change requires a specified name' };
  if (cur === null) return { fail: notFoundMsg(noun, name) };
  return plan(cur.autostart === enable ? [] : [{ kind: 'autostart', enable }]);
}

/**
 * The commands on one entry that both modules have. Registered keys are Ansible's
 * (`{create: 0}` once done, `{create: null}` when there was nothing to do); kvmplay
 * reports `changed` when something was done, where Ansible says false. Ansible's
 * virt_pool fails on starting an active pool or stopping an inactive one, and on
 * undefining a missing one; here they are no-ops, as they are for networks.
 * null: not one of these commands.
 */
export function planEntryCommand(noun: EntryNoun, command: string, name: string, cur: EntryStatus | null, xml: string | undefined): Planned<LifecycleChange> | null {
  switch (command) {
    case 'create': case 'start':
      if (cur === null) return { fail: notFoundMsg(noun, name) };
      return cur.active ? plan([], { [command]: null }, `${noun.word} ${name} is already active`) : plan([{ kind: 'start', key: command }]);
    case 'stop': case 'destroy':
      if (cur === null) return { fail: notFoundMsg(noun, name) };
      return cur.active ? plan([{ kind: 'destroy', key: command }]) : plan([], { [command]: null }, `${noun.word} ${name} is not active`);
    case 'undefine':
      // A transient entry has no definition to remove (libvirt refuses the call).
      return cur?.persistent ? plan([{ kind: 'undefine', key: command }]) : plan([], { undefine: null }, `${noun.word} ${name} is not defined`);
    case 'status':
      if (cur === null) return { fail: notFoundMsg(noun, name) };
      return plan([], { status: activeWord(cur.active) }, activeWord(cur.active));
    case 'define': {
      if (!xml) return { fail: 'define requires xml argument' };
      // Ansible defines only a missing entry: an existing one is left as it is.
      if (cur !== null) return plan([], {}, `${noun.word} ${name} is already defined`);
      const define = planDefine(noun, name, xml);
      return 'fail' in define ? define : plan([define]);
    }
    default: return null;
  }
}

/** Ansible's message for an entry command without a name. */
export const nameRequired = (command: string): string => `${command} requires 1 argument: name`;

// ---------------------------------------------------------------- describing and applying

/** The change in the imperative (check mode says "would …"); apply's messages name the entry. */
export function describeLifecycle(noun: EntryNoun, c: LifecycleChange): string {
  if (c.kind === 'autostart') return `${c.enable ? 'enable' : 'disable'} autostart`;
  return `${c.kind} ${noun.word}`;
}

const DONE = { define: 'defined', start: 'started', destroy: 'destroyed', undefine: 'undefined' } as const;

/** Run one lifecycle step; the registered key (`created`, `create`, …) comes back as data. */
export async function applyLifecycle(host: Host, ctx: ModuleContext, uri: string, noun: EntryNoun, name: string, c: LifecycleChange): Promise<{ msg: string; data?: ResultData }> {
  const run = (sub: string, ...flags: string[]): Promise<string> => virshOk(host, ctx, uri, [`${noun.prefix}-${sub}`, ...flags, noun.option, name]);
  switch (c.kind) {
    case 'define':
      // The XML goes on stdin: no file of it is left on the host.
      if (noun.prefix === 'net') await defineXml(host, ctx, uri, c.xml, 'network');
      else await virshOk(host, ctx, uri, ['pool-define', '--file', '/dev/stdin'], { stdin: c.xml });
      return { msg: `${DONE.define} ${noun.word} ${name}`, data: { created: name } };
    case 'autostart':
      await run('autostart', ...(c.enable ? [] : ['--disable']));
      return { msg: `${c.enable ? 'enabled' : 'disabled'} autostart of ${noun.word} ${name}` };
    default:
      await run(c.kind);
      return { msg: `${DONE[c.kind]} ${noun.word} ${name}`, ...(c.key !== undefined ? { data: { [c.key]: 0 } } : {}) };
  }
}

// ---------------------------------------------------------------- reading

/** virsh's output, or null when libvirt does not know the entry. */
export async function readEntry(host: Host, ctx: ModuleContext, uri: string, noun: EntryNoun, args: readonly string[]): Promise<string | null> {
  try {
    return await virshOk(host, ctx, uri, args);
  } catch (err) {
    if (err instanceof VirshError && noun.notFound.test(err.failure.stderr)) return null;
    throw err;
  }
}

/**
 * `virsh net-list --name` / `--inactive --name` (pool-list alike): one name a line;
 * pool-list pads them to 20 columns.
 */
export async function listEntries(host: Host, ctx: ModuleContext, uri: string, noun: EntryNoun): Promise<EntryLists> {
  const names = async (...flags: string[]): Promise<string[]> => {
    const out = await virshOk(host, ctx, uri, [`${noun.prefix}-list`, ...flags, '--name']);
    return out.replace(/\r\n/g, '\n').split('\n').map((l) => l.trimEnd()).filter((l) => l !== '').sort();
  };
  return { active: await names(), inactive: await names('--inactive') };
}

/**
 * virsh with TZ=UTC0 as well as the C locale: the times it prints (net-dhcp-leases'
 * expiry) are then UTC and read back as epoch seconds.
 */
export async function virshUtc(host: Host, ctx: ModuleContext, uri: string, args: readonly string[]): Promise<string> {
  const r = await host.run(['env', 'TZ=UTC0', ...virshArgv(uri, args)], runOptions(ctx));
  if (r.rc !== 0 || r.timedOut) {
    const failure = classifyVirshError(r.timedOut ? 'error: Timed out during operation' : r.stderr, { command: ['virsh', ...args] });
    throw new VirshError(ctx.hostName, failure, { rc: r.rc });
  }
  return r.stdout;
}
