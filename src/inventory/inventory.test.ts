import assert from 'node:assert/strict';
import { loadInventory } from './load.js';
import type { Inventory } from './inventory.js';
import type { SourceVars } from '../data/vars-files.js';
import { writeTree, type TempTree } from '../../test/support/file-tree.js';

const INV = `all:
  children:
    web:
      vars: {tier: web}
      hosts:
        w1: {ansible_host: 10.0.0.1}
        w2:
    db:
      hosts: {d1: }
`;

describe('inventory changes during a run (add_host, group_by)', () => {
  let tree: TempTree;
  let inv: Inventory;
  beforeEach(async () => {
    tree = await writeTree({
      'inv.yml': INV,
      'group_vars/new.yml': 'from_group_vars: new\n',
      'group_vars/web.yml': 'web_file: yes\n',
      'host_vars/n1.yml': 'from_host_vars: n1\n',
      'play/group_vars/new.yml': 'beside_playbook: new\n',
      // A group name is never a path: this file must not be read for group "../x".
      'x.yml': 'escaped: true\n',
    });
    inv = await loadInventory([tree.path('inv.yml')]);
  });
  afterEach(() => tree.remove());

  describe('addDynamicHost', () => {
    it('adds a host without groups to all itself and to ungrouped, as Ansible', () => {
      assert.equal(inv.addDynamicHost('n1', [], { ansible_host: '10.0.0.9' }), true);
      assert.deepEqual(inv.hostsOf('all'), ['n1', 'w1', 'w2', 'd1']);
      assert.deepEqual(inv.hostsOf('ungrouped'), ['n1']);
      assert.deepEqual(inv.groupsOf('n1'), ['ungrouped']);
      assert.deepEqual(inv.hostVars('n1'), { ansible_host: '10.0.0.9' });
      assert.deepEqual(inv.matchHosts('n*'), ['n1']);
    });

    it('creates its groups under all, and the host leaves ungrouped once it has one', () => {
      inv.addDynamicHost('n1', [], {});
      assert.equal(inv.addDynamicHost('n1', ['new', 'web'], {}), true);
      assert.deepEqual(inv.groupNames(), ['all', 'ungrouped', 'web', 'db', 'new']);
      assert.deepEqual(inv.groupMembers('all').children, ['ungrouped', 'web', 'db', 'new']);
      assert.deepEqual(inv.hostsOf('ungrouped'), []);
      assert.deepEqual(inv.hostsOf('web'), ['w1', 'w2', 'n1']);
      assert.deepEqual(inv.groupsOf('n1'), ['new', 'web']);
      // The groups' variables are the host's now (the cached answer was dropped).
      assert.equal(inv.hostVars('n1')['tier'], 'web');
      assert.deepEqual(inv.matchHosts('new:&web'), ['n1']);
    });

    it('is changed only when the host, a variable value or a group membership is new', () => {
      assert.equal(inv.addDynamicHost('n1', ['new'], { a: 1, b: [1, 2] }), true);
      assert.equal(inv.addDynamicHost('n1', ['new'], { a: 1, b: [1, 2] }), false);
      assert.equal(inv.addDynamicHost('n1', [], {}), false);
      assert.equal(inv.addDynamicHost('n1', ['new'], { b: [1, 3] }), true);
      assert.deepEqual(inv.hostVars('n1'), { a: 1, b: [1, 3] });
      assert.equal(inv.addDynamicHost('n1', ['db'], {}), true);
    });

    it('sets variables of an inventory host over its own, below nothing else', () => {
      assert.equal(inv.addDynamicHost('w1', [], { ansible_host: '10.0.0.2', extra: 1 }), true);
      assert.deepEqual(inv.hostVars('w1'), { tier: 'web', web_file: true, ansible_host: '10.0.0.2', extra: 1 });
      assert.equal(inv.addDynamicHost('w1', ['web'], { extra: 1 }), false);
    });
  });

  describe('addDynamicGroup', () => {
    it('puts the host in a new group under all, changed only the first time', () => {
      assert.equal(inv.addDynamicGroup('w1', 'kind_a', ['all']), true);
      assert.equal(inv.addDynamicGroup('w1', 'kind_a', ['all']), false);
      assert.equal(inv.addDynamicGroup('d1', 'kind_a', ['all']), true);
      assert.deepEqual(inv.hostsOf('kind_a'), ['w1', 'd1']);
      assert.deepEqual(inv.groupsOf('w1'), ['kind_a', 'web']);
    });

    it('creates parents (under all) and links the group below them', () => {
      assert.equal(inv.addDynamicGroup('w2', 'os_debian', ['by_os']), true);
      assert.deepEqual(inv.groupMembers('by_os'), { children: ['os_debian'], hosts: [] });
      assert.deepEqual(inv.hostsOf('by_os'), ['w2']);
      assert.deepEqual(inv.groupsOf('w2'), ['by_os', 'os_debian', 'web']);
      // A new edge alone is a change; the host is already in the group.
      assert.equal(inv.addDynamicGroup('w2', 'os_debian', ['by_os', 'db']), true);
      assert.deepEqual(inv.hostsOf('db'), ['d1', 'w2']);
    });

    it('is not changed for a host already below the group', () => {
      assert.equal(inv.addDynamicGroup('w1', 'web', ['all']), false);
      assert.equal(inv.addDynamicGroup('w1', 'all', []), false);
    });

    it('refuses an edge that closes a loop, changing nothing', () => {
      inv.addDynamicGroup('w1', 'inner', ['web']);
      assert.throws(() => inv.addDynamicGroup('w1', 'web', ['inner']), /adding group "web" as a child of "inner" creates a recursive dependency loop/);
      assert.throws(() => inv.addDynamicGroup('w1', 'all', ['all']), /recursive dependency loop/);
      assert.deepEqual(inv.groupMembers('inner').children, []);
    });
  });

  describe('readAddedVars', () => {
    it('reads group_vars/ and host_vars/ of added names beside the inventory and in the given folders', async () => {
      const play: SourceVars = { dir: tree.path('play'), groups: new Map(), hosts: new Map() };
      inv.addDynamicHost('n1', ['new'], { own: 1 });
      assert.equal(inv.hostVars('n1')['from_group_vars'], undefined);
      const seen: unknown[] = [];
      await inv.readAddedVars({ groups: ['new'], hosts: ['n1'] }, [play], (v) => seen.push(v));
      assert.deepEqual(inv.hostVars('n1'), { from_group_vars: 'new', own: 1, from_host_vars: 'n1' });
      assert.deepEqual(play.groups.get('new'), { beside_playbook: 'new' });
      assert.equal(seen.length, 3);
    });

    it('reads each name once, and never a name that is a path', async () => {
      inv.addDynamicGroup('w1', '../x', ['all']);
      const seen: unknown[] = [];
      await Promise.all([
        inv.readAddedVars({ groups: ['new', '../x', '..'] }, [], (v) => seen.push(v)),
        inv.readAddedVars({ groups: ['new'] }, [], (v) => seen.push(v)),
      ]);
      assert.equal(seen.length, 1);
      assert.equal(inv.hostVars('w1')['escaped'], undefined);
    });
  });
});
