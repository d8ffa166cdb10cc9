// `{{mac inventory_hostname vm.name 0}}`: a stable MAC address in the range QEMU/KVM
// uses for guests, 52:54:00:xx:xx:xx. The last three bytes are the first three
// bytes of SHA-256 of the seed (util/seed.ts), so re-rendering a domain never
// changes its MACs.
import { createHash } from 'node:crypto';
import { seedOf } from './seed.js';

export function macFromSeed(seed: string): string {
  const digest = createHash('sha256').update(seed, 'utf8').digest();
  const tail = [...digest.subarray(0, 3)].map((b) => b.toString(16).padStart(2, '0'));
  return ['52', '54', '00', ...tail].join(':');
}

export function mac(...parts: unknown[]): string {
  return macFromSeed(seedOf(parts));
}
