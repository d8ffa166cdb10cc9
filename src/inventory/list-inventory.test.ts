import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { ValidationError } from '../errors.js';
import { writeTree, type TempTree } from '../../test/support/file-tree.js';
import { loadInventory } from './load.js';

describe('inventory files in the shape of --list', () => {
  let tree: TempTree;
  before(async () => {
    tree = await writeTree({
      'hv.yml': 'all:\n  vars: {ntp: pool}\n  children:\n    kvm:\n      vars: {bridge: br0}\n      children:\n        kvm_eu:\n          hosts:\n            hv01: {ansible_host: 192.0.2.11}\n'
        + '    solo:\n      hosts:\n        lonely:\n',
      'script.json': JSON.stringify({
        _meta: { hostvars: { g1: { ansible_host: '192.0.2.5' }, nowhere: { x: 1 } } },
        web: ['g1', 'g2'],
        all: { children: ['web', 'db'] },
        db: { hosts: ['d1'], vars: { port: 5432 } },
      }),
      'bad.json': JSON.stringify({ _meta: { hostvars: {} }, web: { hosts: 'g1' } }, null, 4),
    });
  });
  after(() => tree.remove());

  it('loads what --list printed as the same hosts, groups and variables', async () => {
    const first = await loadInventory([tree.path('hv.yml')]);
    await writeFile(tree.path('list.json'), JSON.stringify(first.toList()));
    const again = await loadInventory([tree.path('list.json')]);
    assert.deepEqual(again.hostNames(), first.hostNames());
    assert.equal(again.graph(), first.graph());
    for (const h of first.hostNames()) assert.deepEqual(again.hostVars(h), first.hostVars(h));
  });

  it('reads the script format\'s lists of hosts and group vars, and skips variables of hosts in no group', async () => {
    const inv = await loadInventory([tree.path('script.json')]);
    assert.deepEqual(inv.hostNames(), ['g1', 'g2', 'd1']);
    assert.equal(inv.hostVars('g1')['ansible_host'], '192.0.2.5');
    assert.equal(inv.hostVars('d1')['port'], 5432);
    assert.equal(inv.hasHost('nowhere'), false);
  });

  it('refuses a group whose hosts are not a list', async () => {
    await assert.rejects(loadInventory([tree.path('bad.json')]),
      (e: unknown) => e instanceof ValidationError && /hosts of group "web" must be a list of names/.test(e.message));
  });
});
