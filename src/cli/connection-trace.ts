// -vvv: which user, address, key and timeout each host is reached with, as Ansible's
// `ESTABLISH SSH CONNECTION FOR USER` line: where the inventory, -u, the environment
// and ansible.cfg meet, this says who won. On standard error, so --json stays clean.
// The commands themselves are not printed: a no_log task's command may hold a secret.
import type { ConnectionSpec } from '../inventory/index.js';

export const TRACE_VERBOSITY = 3;

export function connectionTrace(spec: ConnectionSpec): string {
  if (spec.local) return `<${spec.name}> ESTABLISH LOCAL CONNECTION (no SSH)\n`;
  const via = spec.jump.length > 0 ? `, via ${spec.jump.map((j) => `${j.user ?? spec.user}@${j.host}:${j.port}`).join(', ')}` : '';
  const keys = spec.identityFiles.length > 0 ? spec.identityFiles.join(', ') : 'none';
  return `<${spec.name}> ESTABLISH SSH CONNECTION FOR USER: ${spec.user} (${spec.host}:${spec.port}${via}; `
    + `identity: ${keys}; password: ${spec.password === undefined ? 'no' : 'yes'}; timeout ${spec.connectTimeout} s; `
    + `known_hosts: ${spec.knownHosts.join(', ')})\n`;
}
