// community.libvirt.virt (also `virt`): domains by state, by command, and the host's
// libvirt facts, with the collection's arguments and registered keys (`list_vms`,
// `status`, `get_xml`, `created`, `{start: 0}`…), driven through virsh. Where the
// collection is wrong in ways its users hit, this does the right thing (README,
// "Differences from Ansible"): a define carries the existing uuid and MACs so a changed
// XML really redefines (the collection's silently does nothing: "already exists"), is
// `changed` only when libvirt's XML changed; shutdown waits until the guest is off;
// commands that act on a domain report `changed`; `stop` shuts down (1.x fails);
// a state with `command: define` defines, then reaches the state; check mode changes
// nothing and says what it would do.
import { z } from 'zod';
import { argumentSpec, boolish } from '../../args.js';
import type { ModuleContext } from '../../module.js';
import type { PlanFailure, Plan, ResultData, StepResult } from '../../runner.js';
import { defineCollectionModule } from './collection-module.js';
import type { Host } from '../../../transport/host.js';
import { carryIdentity, domainIdentity } from '../domain-xml.js';
import { applyDefine, describeDefine, estimateDiff, planDefine, reportedInCheck, type DefineChange } from '../define-step.js';
import { assertWellFormed, DEFAULT_URI, virshOk, virshOrNull, waitShutOff, domainArgs } from '../libvirt-run.js';
import { parseDomainList, parseDomInfo, parseDomState, VirshError } from '../virsh/index.js';
import { parseCpuTimes, parseFreeMemory, parseHypervisorType, parseNodeInfo, vmInfo } from './virt-host-info.js';
import {
  commandAction, stateAction, virtMode, virtStatus, VIRT_COMMANDS, VIRT_STATES,
  type DomainAction, type VirtActionStep, type VirtMode, type VirtStatus,
} from './virt-plan.js';

const VirtArgs = argumentSpec(
  {
    name: z.string().optional(),
    state: z.enum(VIRT_STATES).optional(),
    autostart: boolish.optional(),
    command: z.enum(VIRT_COMMANDS).optional(),
    uri: z.string().min(1).default(DEFAULT_URI),
    xml: z.string().optional(),
    // kvmplay's own: how long a shutdown may take before the task fails.
    shutdown_timeout: z.coerce.number().nonnegative().default(60),
  },
  { aliases: { name: ['guest'] } },
);
export type VirtArgs = z.infer<typeof VirtArgs>;

/** What gather read for the task's mode. */
export interface VirtFacts {
  mode: VirtMode;
  /** The domain's status (null: libvirt does not know it; undefined: not read). */
  status?: VirtStatus | null;
  autostart?: boolean;
  /** define: the inactive XML before (null: a new domain). */
  before?: string | null;
  /** What a read-only command registers. */
  data?: ResultData;
}

export type VirtChange = VirtActionStep | (DefineChange & { domain: string }) | { kind: 'autostart'; enable: boolean };

const DONE: Record<DomainAction, string> = {
  start: 'started', resume: 'resumed', suspend: 'paused', shutdown: 'shut down', destroy: 'destroyed', undefine: 'undefined',
};
const VIRSH: Record<DomainAction, string> = {
  start: 'start', resume: 'resume', suspend: 'suspend', shutdown: 'shutdown', destroy: 'destroy', undefine: 'undefine',
};

const notFound = (name: string): string => `virtual machine ${name} not found`;

/** The domain's status, or null when libvirt does not know it. */
async function readStatus(host: Host, ctx: ModuleContext, uri: string, name: string): Promise<VirtStatus | null> {
  const text = await virshOrNull(host, ctx, uri, domainArgs(name, 'domstate'), 'no-such-domain');
  return text === null ? null : virtStatus(parseDomState(text).state);
}

async function readAutostart(host: Host, ctx: ModuleContext, uri: string, name: string): Promise<boolean> {
  return parseDomInfo(await virshOk(host, ctx, uri, domainArgs(name, 'dominfo'))).autostart ?? false;
}

async function listDomains(host: Host, ctx: ModuleContext, uri: string): Promise<Array<{ name: string; status: VirtStatus }>> {
  const rows = parseDomainList(await virshOk(host, ctx, uri, ['list', '--all']));
  return rows.map((r) => ({ name: r.name, status: virtStatus(r.state) })).sort((x, y) => x.name.localeCompare(y.name));
}

/** The host commands: what they register, read in gather. */
async function hostCommand(host: Host, ctx: ModuleContext, uri: string, command: 'freemem' | 'info' | 'nodeinfo' | 'virttype'): Promise<ResultData> {
  switch (command) {
    case 'freemem': return { freemem: parseFreeMemory(await virshOk(host, ctx, uri, ['freecell'])) };
    case 'nodeinfo': return parseNodeInfo(await virshOk(host, ctx, uri, ['nodeinfo']));
    case 'virttype': return { virttype: parseHypervisorType(await virshOk(host, ctx, uri, ['version'])) };
    case 'info': {
      const names = (await listDomains(host, ctx, uri)).map((d) => d.name);
      const times = parseCpuTimes(await virshOk(host, ctx, uri, ['domstats', '--cpu-total', '--list-active']));
      const infos = await Promise.all(names.map(async (n) => [n, parseDomInfo(await virshOk(host, ctx, uri, domainArgs(n, 'dominfo')))] as const));
      // Keyed by domain name at the top of the result, as the collection registers it.
      return Object.fromEntries(infos.map(([n, d]) => [n, vmInfo(d, times.get(n))]));
    }
  }
}

async function gatherVirt(host: Host, a: VirtArgs, ctx: ModuleContext): Promise<VirtFacts> {
  const mode = virtMode(a);
  if ('fail' in mode) return { mode };
  const status = (name: string) => readStatus(host, ctx, a.uri, name);
  switch (mode.kind) {
    case 'list': {
      const all = await listDomains(host, ctx, a.uri);
      return { mode, data: { list_vms: all.filter((d) => mode.state === undefined || d.status === mode.state).map((d) => d.name) } };
    }
    case 'host-command':
      return { mode, data: await hostCommand(host, ctx, a.uri, mode.command) };
    case 'define': {
      assertWellFormed(mode.xml);
      const before = await virshOrNull(host, ctx, a.uri, domainArgs(mode.domain, 'dumpxml', '--inactive'), 'no-such-domain');
      if (before === null) return { mode, before, status: null, autostart: false };
      const autostart = mode.autostart !== undefined ? await readAutostart(host, ctx, a.uri, mode.domain) : false;
      return { mode, before, status: await status(mode.domain), autostart };
    }
    case 'vm-command': {
      const cur = await status(mode.name);
      if (cur === null) return { mode, status: cur };
      const autostart = mode.autostart !== undefined ? await readAutostart(host, ctx, a.uri, mode.name) : false;
      if (mode.command === 'status') return { mode, status: cur, autostart, data: { status: cur } };
      if (mode.command === 'get_xml') return { mode, status: cur, autostart, data: { get_xml: await virshOk(host, ctx, a.uri, domainArgs(mode.name, 'dumpxml')) } };
      return { mode, status: cur, autostart };
    }
    case 'autostart-only':
    case 'state': {
      const cur = await status(mode.name);
      const wantsAutostart = mode.kind === 'autostart-only' || mode.autostart !== undefined;
      return { mode, status: cur, autostart: cur !== null && wantsAutostart ? await readAutostart(host, ctx, a.uri, mode.name) : false };
    }
  }
}

export function planVirt(_a: VirtArgs, s: VirtFacts): Plan<VirtChange> | PlanFailure {
  const { mode } = s;
  if ('fail' in mode) return { fail: mode.fail };
  const autostartStep = (want: boolean | undefined): VirtChange[] =>
    want !== undefined && want !== s.autostart ? [{ kind: 'autostart', enable: want }] : [];
  switch (mode.kind) {
    case 'list':
    case 'host-command':
      return { changes: [], data: s.data ?? {}, okMsg: 'read' };
    case 'autostart-only':
      if (s.status === null) return { fail: `domain ${mode.name} not found` };
      return { changes: autostartStep(mode.enable), data: {} };
    case 'state': {
      if (s.status === null || s.status === undefined) return { fail: mode.autostart !== undefined ? `domain ${mode.name} not found` : notFound(mode.name) };
      const action = stateAction(mode.state, s.status);
      return { changes: [...autostartStep(mode.autostart), ...(action ? [{ kind: 'action' as const, action }] : [])], data: {} };
    }
    case 'define': {
      const planned = planDefine('domain', mode.domain, mode.xml, s.before ?? null, (xml, before) => carryIdentity(xml, domainIdentity(before)));
      if ('fail' in planned) return { fail: planned.fail };
      const define = { ...planned, domain: mode.domain };
      // A domain the define creates is shut off.
      const action = mode.state !== undefined ? stateAction(mode.state, s.status ?? 'shutdown') : null;
      return {
        changes: [define, ...(action ? [{ kind: 'action' as const, action }] : []), ...autostartStep(mode.autostart)],
        data: {}, ...estimateDiff(mode.domain, define),
      };
    }
    case 'vm-command': {
      if (s.status === null || s.status === undefined) return { fail: notFound(mode.name) };
      const action = commandAction(mode.command, s.status);
      const auto = autostartStep(mode.autostart);
      if (action === null) return { changes: auto, data: s.data ?? {}, okMsg: 'read' };
      if (action !== 'noop' && typeof action === 'object') return { fail: action.fail };
      // What the collection registers for an acting command: {start: 0} (libvirt's return code).
      const data = { [mode.command]: 0 };
      return { changes: [...auto, ...(action === 'noop' ? [] : [{ kind: 'action' as const, action, key: mode.command }])], data };
    }
  }
}

function describeVirtChange(c: VirtChange): string {
  switch (c.kind) {
    case 'define': return describeDefine(c);
    case 'autostart': return `${c.enable ? 'enable' : 'disable'} autostart`;
    case 'action': return c.action === 'suspend' ? 'pause' : c.action;
  }
}

/** The domain the task is about (every changing mode has one). */
function domainOf(mode: VirtMode): string {
  if ('fail' in mode) return '';
  switch (mode.kind) {
    case 'define': return mode.domain;
    case 'state': case 'autostart-only': case 'vm-command': return mode.name;
    default: return '';
  }
}

async function applyVirt(host: Host, a: VirtArgs, c: VirtChange, ctx: ModuleContext, s: VirtFacts): Promise<StepResult | void> {
  const name = domainOf(s.mode);
  const dom = (cmd: string, ...flags: string[]): Promise<string> => virshOk(host, ctx, a.uri, domainArgs(name, cmd, ...flags));
  switch (c.kind) {
    case 'define': {
      const step = await applyDefine(host, ctx, a.uri, name, c, () => virshOrNull(host, ctx, a.uri, domainArgs(name, 'dumpxml', '--inactive'), 'no-such-domain'));
      if (step.noop) return step;
      return { ...step, data: c.before === null ? { created: name } : { change_reason: 'config changed' } };
    }
    case 'autostart':
      await dom('autostart', ...(c.enable ? [] : ['--disable']));
      return { msg: `autostart ${c.enable ? 'enabled' : 'disabled'}`, data: 'kind' in s.mode && s.mode.kind === 'define' ? { change_reason: 'autostart' } : {} };
    case 'action':
      return runAction(c.action, name, a, ctx, dom);
  }
}

async function runAction(action: DomainAction, name: string, a: VirtArgs, ctx: ModuleContext, dom: (cmd: string, ...flags: string[]) => Promise<string>): Promise<StepResult> {
  try {
    await dom(VIRSH[action]);
  } catch (err) {
    // Someone else got there between the read and the action: already as wanted.
    if (err instanceof VirshError && ((action === 'start' && err.failure.kind === 'already-running') || (action === 'destroy' && err.failure.kind === 'not-running'))) {
      return { noop: true };
    }
    throw err;
  }
  if (action === 'shutdown' && !(await waitShutOff(() => dom('domstate'), a.shutdown_timeout, ctx.signal))) {
    throw new Error(`domain "${name}" did not shut down within ${a.shutdown_timeout}s (does the guest handle ACPI shutdown? state: destroyed pulls the plug)`);
  }
  return { msg: DONE[action] };
}

export const virtModule = defineCollectionModule({
  names: ['virt', 'community.libvirt.virt'],
  args: VirtArgs,
  gather: gatherVirt,
  plan: planVirt,
  describe: describeVirtChange,
  counts: (c) => reportedInCheck(c),
  apply: applyVirt,
});
