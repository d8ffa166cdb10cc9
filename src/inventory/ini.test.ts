import assert from 'node:assert/strict';
import { loadInventory } from './load.js';
import { writeTree, type TempTree } from '../../test/support/file-tree.js';

// Expected values are what ansible-inventory 2.14 prints for the same file.
const HOSTS = `# hypervisors
lone ansible_host=192.0.2.9

[hypervisors:vars]
bridge=br0
mtu=9000
enabled=False
debug=false # stays a string, comment and all

[hypervisors]
hv[01:02] ansible_user=root
hv03:2222 rack=2 tags='["a", "b"]' note="two words"

[kvm:children]
hypervisors
edge

[edge]
gw1
lone

[kvm:vars]
bridge=br1
`;

describe('INI inventories', () => {
  let tree: TempTree;
  before(async () => {
    tree = await writeTree({ hosts: HOSTS, 'pending.ini': PENDING });
  });
  after(() => tree.remove());

  it('reads sections, children, ranges and ports', async () => {
    const inv = await loadInventory([tree.path('hosts')]);
    assert.deepEqual(inv.hostNames(), ['lone', 'hv01', 'hv02', 'hv03', 'gw1']);
    assert.deepEqual(inv.groupMembers('kvm'), { children: ['hypervisors', 'edge'], hosts: [] });
    assert.deepEqual(inv.groupMembers('ungrouped'), { children: [], hosts: [] }); // lone moved to edge
    assert.deepEqual(inv.groupsOf('hv03'), ['hypervisors', 'kvm']);
  });

  it('types values as Python literals and keeps everything else a string', async () => {
    const inv = await loadInventory([tree.path('hosts')]);
    assert.deepEqual(inv.hostVars('hv03'), {
      ansible_port: 2222, bridge: 'br0', debug: 'false # stays a string, comment and all', enabled: false,
      mtu: 9000, note: 'two words', rack: 2, tags: ['a', 'b'],
    });
    assert.deepEqual(inv.hostVars('lone'), { ansible_host: '192.0.2.9', bridge: 'br1' });
  });

  it('draws the same graph as ansible-inventory --graph', async () => {
    const inv = await loadInventory([tree.path('hosts')]);
    assert.equal(inv.graph(), [
      '@all:', '  |--@ungrouped:', '  |--@kvm:', '  |  |--@hypervisors:', '  |  |  |--hv01', '  |  |  |--hv02',
      '  |  |  |--hv03', '  |  |--@edge:', '  |  |  |--gw1', '  |  |  |--lone',
    ].join('\n'));
  });

  it('accepts [g:vars] and [g:children] before the group is declared', async () => {
    const inv = await loadInventory([tree.path('pending.ini')]);
    assert.deepEqual(inv.groupMembers('top'), { children: ['mid'], hosts: [] });
    assert.deepEqual(inv.groupMembers('mid'), { children: ['leaf'], hosts: [] });
    assert.deepEqual(inv.hostVars('h1'), { v: 'leaf', ansible_port: 2222 });
  });

  it('keeps the first port of a host and ignores later ones', async () => {
    const inv = await loadInventory([tree.path('pending.ini')]);
    assert.equal(inv.hostVars('h1').ansible_port, 2222);
  });
});

const PENDING = `[top:children]
mid
[top:vars]
v=top
[mid:children]
leaf
[leaf:vars]
v=leaf
[leaf]
h1:2222
h1:3333
[mid:vars]
v=mid
`;
