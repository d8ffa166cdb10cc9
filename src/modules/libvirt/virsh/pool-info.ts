// `virsh pool-info --bytes POOL` (cmdPoolInfo in tools/virsh-pool.c): "%-15s %s"
// lines like net-info's. Capacity, Allocation and Available are printed only for a
// running or degraded pool; with --bytes they are plain byte counts ("%llu").
//
//   Name:           vms
//   UUID:           145cc4bd-c45d-4497-86db-f4152d0eb34d
//   State:          running
//   Persistent:     yes
//   Autostart:      no
//   Capacity:       270553174016
//   Allocation:     25594449920
//   Available:      244958724096

import { VirshParseError, parseKeyValues } from './parse.js';

/** virshStoragePoolStateToString; "unknown" for a state newer than virsh. */
export const POOL_STATES = ['inactive', 'building', 'running', 'degraded', 'inaccessible', 'unknown'] as const;
export type PoolState = (typeof POOL_STATES)[number];

export interface PoolInfo {
  name: string;
  uuid: string;
  state: PoolState;
  /** null: virsh printed "unknown" (the call failed). */
  persistent: boolean | null;
  /** null: virsh printed "no autostart" (the call failed). */
  autostart: boolean | null;
  /** Bytes as decimal strings (they can pass 2^53); null when virsh does not print them (inactive). */
  capacity: string | null;
  allocation: string | null;
  available: string | null;
}

function yesNoUnknown(what: string, s: string, output: string): boolean | null {
  if (s === 'yes') return true;
  if (s === 'no') return false;
  if (s === 'unknown' || s === 'no autostart' || s === '') return null;
  throw new VirshParseError('pool-info', `${what}: expected yes/no, got "${s}"`, output);
}

function bytes(what: string, s: string | undefined, output: string): string | null {
  if (s === undefined) return null;
  if (!/^\d+$/.test(s)) throw new VirshParseError('pool-info', `${what}: expected a byte count (run with --bytes), got "${s}"`, output);
  return s;
}

/** `virsh pool-info --bytes POOL`. */
export function parsePoolInfo(text: string): PoolInfo {
  const kv = new Map(parseKeyValues(text));
  const name = kv.get('Name');
  const uuid = kv.get('UUID');
  if (name === undefined || uuid === undefined) throw new VirshParseError('pool-info', 'no Name:/UUID: line', text);
  const state = kv.get('State') ?? '';
  if (!(POOL_STATES as readonly string[]).includes(state)) throw new VirshParseError('pool-info', `unknown pool state "${state}"`, text);
  return {
    name, uuid,
    state: state as PoolState,
    persistent: yesNoUnknown('Persistent', kv.get('Persistent') ?? '', text),
    autostart: yesNoUnknown('Autostart', kv.get('Autostart') ?? '', text),
    capacity: bytes('Capacity', kv.get('Capacity'), text),
    allocation: bytes('Allocation', kv.get('Allocation'), text),
    available: bytes('Available', kv.get('Available'), text),
  };
}
