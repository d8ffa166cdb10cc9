// libvirt_domain's state plan (SPEC 6), pure: the wanted state and the domain's
// current one (null: not defined) → the virsh actions to take, in order.
import type { DomainState } from '../virsh/index.js';

export const WANTED_DOMAIN_STATES = ['defined', 'running', 'shutdown', 'destroyed', 'paused', 'undefined'] as const;
export type WantedDomainState = (typeof WANTED_DOMAIN_STATES)[number];

export type DomainAction =
  | { kind: 'start'; paused: boolean }
  | { kind: 'resume' }
  | { kind: 'suspend' }
  /** Graceful: virsh shutdown, then poll domstate (asynchronous in libvirt). */
  | { kind: 'shutdown' }
  | { kind: 'destroy' }
  | { kind: 'undefine' };

/** Inactive for libvirt: nothing to stop. A crashed domain still has a process only if not shut off. */
export function isInactive(s: DomainState): boolean {
  return s === 'shut off' || s === 'crashed';
}

export function planDomainState(want: WantedDomainState, cur: DomainState | null): DomainAction[] | { fail: string } {
  if (want === 'undefined') {
    if (cur === null) return [];
    return isInactive(cur) ? [{ kind: 'undefine' }] : [{ kind: 'destroy' }, { kind: 'undefine' }];
  }
  if (cur === null) {
    // Only reached when no XML was given to define it.
    return { fail: 'the domain does not exist; give xml or template to define it' };
  }
  switch (want) {
    case 'defined':
      return [];
    case 'running':
      if (cur === 'paused' || cur === 'pmsuspended') return [{ kind: 'resume' }];
      return isInactive(cur) ? [{ kind: 'start', paused: false }] : [];
    case 'paused':
      if (cur === 'paused') return [];
      return isInactive(cur) ? [{ kind: 'start', paused: true }] : [{ kind: 'suspend' }];
    case 'shutdown':
      return isInactive(cur) ? [] : [{ kind: 'shutdown' }];
    case 'destroyed':
      return isInactive(cur) ? [] : [{ kind: 'destroy' }];
  }
}
