import assert from 'node:assert/strict';
import type { ConnectionSpec } from '../connection-spec.js';
import { throughSpec } from './through.js';

const hypervisor: ConnectionSpec = {
  name: 'hv1', host: '10.0.0.5', port: 2222, user: 'admin', identityFiles: ['/k/hv'],
  jump: [{ host: 'bastion', port: 22, user: 'ops' }], become: false, becomeUser: 'root',
  knownHosts: ['/k/known_hosts'], connectTimeout: 10,
};

describe('reaching a guest through its hypervisor', () => {
  it('puts the hypervisor last in the jump chain, with its own user, key and known_hosts', () => {
    const s = throughSpec(hypervisor, { name: 'web01', address: '192.168.122.9', port: 22, user: 'root' });
    assert.deepEqual(s.jump, [
      { host: 'bastion', port: 22, user: 'ops' },
      { host: '10.0.0.5', port: 2222, user: 'admin', alias: 'hv1', identityFiles: ['/k/hv'], knownHosts: ['/k/known_hosts'] },
    ]);
    assert.deepEqual([s.name, s.host, s.port, s.user], ['web01', '192.168.122.9', 22, 'root']);
  });

  it('records the guest under its own name: guests of different hypervisors share NAT addresses', () => {
    const s = throughSpec(hypervisor, { name: 'web01', address: '192.168.122.9', port: 22, user: 'root' });
    assert.equal(s.hostKeyAlias, 'web01');
    assert.deepEqual(s.knownHosts, ['/k/known_hosts']);
    assert.deepEqual(s.identityFiles, ['/k/hv']);
    assert.equal(s.become, false);
  });

  it('takes the guest\'s own key and known_hosts when given', () => {
    const s = throughSpec(hypervisor, { name: 'g', address: 'a', port: 22, user: 'u', identityFiles: ['/k/guest'], knownHosts: ['/k/g_known'], connectTimeout: 3 });
    assert.deepEqual([s.identityFiles, s.knownHosts, s.connectTimeout], [['/k/guest'], ['/k/g_known'], 3]);
  });
});
