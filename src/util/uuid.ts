// `{{uuid inventory_hostname vm.name}}`: a stable UUID for a libvirt domain.
// It is a genuine RFC 4122 name-based UUID, version 5 (SHA-1), in kvmplay's own
// namespace below, so any v5 tool recomputes it: uuid -v5 <namespace> "hv01/web01".
// The namespace is fixed forever: changing it would change every domain's UUID.
import { createHash } from 'node:crypto';
import { seedOf } from './seed.js';

export const KVMPLAY_UUID_NAMESPACE = '47f13d18-e79e-4241-8c40-56ffffe52757';

function uuidBytes(uuid: string): Buffer {
  return Buffer.from(uuid.replace(/-/g, ''), 'hex');
}

function formatUuid(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** RFC 4122 §4.3 version 5 UUID of `name` in `namespace`. */
export function uuidV5(name: string, namespace: string): string {
  const hash = createHash('sha1').update(uuidBytes(namespace)).update(name, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50; // version 5
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80; // RFC 4122 variant
  return formatUuid(bytes);
}

export function uuidFromSeed(seed: string): string {
  return uuidV5(seed, KVMPLAY_UUID_NAMESPACE);
}

export function uuid(...parts: unknown[]): string {
  return uuidFromSeed(seedOf(parts));
}
