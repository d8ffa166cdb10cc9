import assert from 'node:assert/strict';
import { statusJson, statusTable, type HostStatus } from './status.js';

const hosts: HostStatus[] = [
  { name: 'lab01', address: '10.213.0.11', netns: 'kvp-lab01', sshd_pid: 123, state: 'running', kind: 'regular' },
  { name: 'lab02', address: '10.213.0.12', netns: 'kvp-lab02', sshd_pid: null, state: 'stopped', kind: 'regular' },
];

describe('lab status', () => {
  it('prints exactly name, address, netns, sshd_pid and state per host as JSON', () => {
    const doc = JSON.parse(statusJson(hosts)) as { hosts: Record<string, unknown>[] };
    assert.deepEqual(Object.keys(doc), ['hosts']);
    assert.deepEqual(doc.hosts[0], { name: 'lab01', address: '10.213.0.11', netns: 'kvp-lab01', sshd_pid: 123, state: 'running' });
  });

  it('prints a table with a header and aligned columns', () => {
    const lines = statusTable(hosts).trimEnd().split('\n');
    assert.match(lines[0]!, /^NAME\s+ADDRESS\s+NETNS\s+SSHD_PID\s+STATE\s+KIND$/);
    assert.match(lines[2]!, /^lab02\s+10\.213\.0\.12\s+kvp-lab02\s+-\s+stopped\s+regular$/);
    assert.equal(lines[1]!.indexOf('10.213'), lines[0]!.indexOf('ADDRESS'));
  });
});
