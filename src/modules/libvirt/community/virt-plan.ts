// community.libvirt.virt's decisions, pure: which of its modes a task is in (the
// order of core() in the collection: list_vms with a state filter, autostart, state,
// command), and what each wanted state or command does to a domain in a given state.
import { xmlName } from '../libvirt-run.js';
import type { DomainState } from '../virsh/index.js';

export const VM_COMMANDS = ['create', 'define', 'destroy', 'get_xml', 'pause', 'shutdown', 'status', 'start', 'stop', 'undefine', 'unpause'] as const;
export const HOST_COMMANDS = ['freemem', 'info', 'list_vms', 'nodeinfo', 'virttype'] as const;
export const VIRT_COMMANDS = [...VM_COMMANDS, ...HOST_COMMANDS] as const;
export type VirtCommand = (typeof VIRT_COMMANDS)[number];
export const VIRT_STATES = ['destroyed', 'paused', 'running', 'shutdown'] as const;
export type VirtState = (typeof VIRT_STATES)[number];

/** What virt reports as a domain's status (VIRT_STATE_NAME_MAP: libvirt's state numbers → four words). */
export type VirtStatus = 'running' | 'paused' | 'shutdown' | 'crashed' | 'unknown';

export function virtStatus(s: DomainState): VirtStatus {
  switch (s) {
    case 'running': case 'idle': case 'no state': return 'running';
    case 'paused': return 'paused';
    case 'in shutdown': case 'shut off': return 'shutdown';
    case 'crashed': return 'crashed';
    case 'pmsuspended': return 'unknown';
  }
}

/** A virsh action on one domain; `key` is the command whose result key it registers (`{start: 0}`). */
export type DomainAction = 'start' | 'resume' | 'suspend' | 'shutdown' | 'destroy' | 'undefine';

export interface VirtActionStep { kind: 'action'; action: DomainAction; key?: VirtCommand }

/** The task's mode, decided from its arguments alone (Ansible's order). */
export type VirtMode =
  | { kind: 'list'; state?: VirtState }
  | { kind: 'autostart-only'; name: string; enable: boolean }
  | { kind: 'state'; name: string; state: VirtState; autostart?: boolean }
  | { kind: 'define'; xml: string; domain: string; state?: VirtState; autostart?: boolean }
  | { kind: 'vm-command'; name: string; command: Exclude<(typeof VM_COMMANDS)[number], 'define'>; autostart?: boolean }
  | { kind: 'host-command'; command: Exclude<(typeof HOST_COMMANDS)[number], 'list_vms'>; autostart?: undefined }
  | { fail: string };

export interface VirtModeArgs {
  name?: string | undefined;
  state?: VirtState | undefined;
  command?: VirtCommand | undefined;
  autostart?: boolean | undefined;
  xml?: string | undefined;
}

export function virtMode(a: VirtModeArgs): VirtMode {
  if (a.state !== undefined && a.command === 'list_vms') return { kind: 'list', state: a.state };
  // autostart without define needs a guest; with neither command nor state, it is the whole task.
  if (a.autostart !== undefined && a.command !== 'define') {
    if (!a.name) return { fail: 'autostart requires 1 argument: name' };
    if (a.command === undefined && a.state === undefined) return { kind: 'autostart-only', name: a.name, enable: a.autostart };
  }
  // A define with a state does both (virt itself would skip the define and only change the state).
  if (a.state !== undefined && a.command !== 'define') {
    if (!a.name) return { fail: 'state change requires a guest specified' };
    return { kind: 'state', name: a.name, state: a.state, ...(a.autostart !== undefined ? { autostart: a.autostart } : {}) };
  }
  const auto = a.autostart !== undefined ? { autostart: a.autostart } : {};
  switch (a.command) {
    case undefined: return { fail: 'expected state or command parameter to be specified' };
    case 'list_vms': return { kind: 'list' };
    case 'define': {
      if (!a.xml) return { fail: 'define requires xml argument' };
      const domain = xmlName(a.xml);
      if (domain === null || domain === '') return { fail: "Could not find domain 'name' in xml" };
      return { kind: 'define', xml: a.xml, domain, ...(a.state !== undefined ? { state: a.state } : {}), ...auto };
    }
    case 'freemem': case 'info': case 'nodeinfo': case 'virttype':
      return { kind: 'host-command', command: a.command };
    default:
      if (!a.name) return { fail: `${a.command} requires 1 argument: guest` };
      return { kind: 'vm-command', name: a.name, command: a.command, ...auto };
  }
}

/** The action that brings a domain in status `cur` to the wanted state, as virt decides (none: already there). */
export function stateAction(want: VirtState, cur: VirtStatus): DomainAction | null {
  switch (want) {
    case 'running': return cur === 'paused' ? 'resume' : cur !== 'running' ? 'start' : null;
    case 'shutdown': return cur !== 'shutdown' ? 'shutdown' : null;
    case 'destroyed': return cur !== 'shutdown' ? 'destroy' : null;
    case 'paused': return cur === 'running' ? 'suspend' : null;
  }
}

/**
 * What a command that changes a domain does; a failure where libvirt would refuse it
 * (so check mode can tell), 'noop' where libvirt accepts it and does nothing, null
 * for a command that only reads. `stop` is a graceful
 * shutdown here (the collection lists it, but its 1.x code fails with an AttributeError).
 */
export function commandAction(command: VirtCommand, cur: VirtStatus): DomainAction | 'noop' | { fail: string } | null {
  const active = cur !== 'shutdown';
  switch (command) {
    case 'create': case 'start':
      return active ? { fail: 'Requested operation is not valid: domain is already running' } : 'start';
    case 'destroy':
      return active ? 'destroy' : { fail: 'Requested operation is not valid: domain is not running' };
    case 'shutdown': case 'stop':
      return active ? 'shutdown' : { fail: 'Requested operation is not valid: domain is not running' };
    // libvirt takes pausing a paused domain as done, and refuses to resume a running one.
    case 'pause':
      return cur === 'running' ? 'suspend' : cur === 'paused' ? 'noop' : { fail: 'Requested operation is not valid: domain is not running' };
    case 'unpause':
      return cur === 'paused' ? 'resume' : { fail: `Requested operation is not valid: domain is ${cur === 'running' ? 'already' : 'not'} running` };
    case 'undefine':
      return 'undefine';
    default:
      return null;
  }
}
