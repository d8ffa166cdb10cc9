import assert from 'node:assert/strict';
import { libvirtNetworkModule, planNetwork } from './libvirt-network.js';

describe('libvirt_network plan', () => {
  const table: Array<[string, Parameters<typeof planNetwork>, ReturnType<typeof planNetwork>]> = [
    ['defines a new network', ['present', null, true], ['define']],
    ['defines and starts', ['active', null, true], ['define', 'start']],
    ['re-defines (compared after) but does not restart an active one', ['active', { active: true, persistent: true }, true], ['define']],
    ['starts an inactive network without XML', ['active', { active: false, persistent: true }, false], ['start']],
    ['destroys and undefines', ['absent', { active: true, persistent: true }, false], ['destroy', 'undefine']],
    ['only destroys a transient network', ['absent', { active: true, persistent: false }, false], ['destroy']],
    ['leaves an absent network alone', ['absent', null, false], []],
    ['fails without XML for a missing network', ['active', null, false], { fail: 'the network does not exist; give xml or template to define it' }],
  ];
  for (const [title, args, expect] of table) it(title, () => assert.deepEqual(planNetwork(...args), expect));

  it('takes present/active/absent only', () => {
    assert.equal(libvirtNetworkModule.args.parse({ name: 'n' }).state, 'present');
    assert.throws(() => libvirtNetworkModule.args.parse({ name: 'n', state: 'running' }));
  });
});
