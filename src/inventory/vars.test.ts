import assert from 'node:assert/strict';
import { loadInventory } from './load.js';
import { writeTree, type TempTree } from '../../test/support/file-tree.js';

// Expected values are what ansible-inventory 2.14 prints for the same files.
const INV = `all:
  vars: {v: all_inline, a: all_inline, d: {w: 0}}
  children:
    parent:
      vars: {v: parent}
      children:
        child:
          vars: {v: child, only_child: yes}
          hosts:
            h1:
            h2: {v: host_inline}
    zeta:
      vars: {p: zeta, q: zeta}
      hosts: {h3: }
    alpha:
      vars: {p: alpha, q: alpha, ansible_group_priority: 5}
      hosts: {h3: }
`;

describe('variable precedence', () => {
  let tree: TempTree;
  before(async () => {
    tree = await writeTree({
      'inv.yml': INV,
      'group_vars/all.yml': 'a: all_file\nd: {x: 1}\n',
      'group_vars/parent.yml': 'v: parent_file\n',
      'group_vars/child/10.yml': 'c: 1\nd: {y: 2}\n',
      'group_vars/child/20.yml': 'c: 2\n',
      'group_vars/child/30.txt': 'c: ignored\n',
      'group_vars/child/.hidden.yml': 'c: ignored\n',
      'group_vars/zeta.yml': 'q: zeta_file\n',
      'host_vars/h2.yml': 'v: host_file\n',
      'depth/inv.yml': 'all:\n  vars: {x: all}\n  children:\n    p:\n      vars: {x: p}\n      children:\n        c:\n          vars: {x: c}\n          hosts:\n            h: {}\n',
    });
  });
  after(() => tree.remove());

  it('lets a child group override its parent, and the parent override all', async () => {
    const inv = await loadInventory([tree.path('depth/inv.yml')]);
    assert.deepEqual(inv.hostVars('h'), { x: 'c' });
  });

  it('orders groups of equal depth by ansible_group_priority, then by name', async () => {
    const inv = await loadInventory([tree.path('inv.yml')]);
    assert.equal(inv.hostVars('h3').p, 'alpha'); // alpha has priority 5, zeta 1
  });

  it('lets any group_vars file override every group variable written in the inventory', async () => {
    const inv = await loadInventory([tree.path('inv.yml')]);
    assert.equal(inv.hostVars('h1').v, 'parent_file'); // even the child group's inline v
    assert.equal(inv.hostVars('h3').q, 'zeta_file');
  });

  it('merges the files of a group_vars folder in sorted order, skipping other extensions and hidden files', async () => {
    const inv = await loadInventory([tree.path('inv.yml')]);
    assert.equal(inv.hostVars('h1').c, 2);
  });

  it('replaces a dictionary as a whole instead of merging it', async () => {
    const inv = await loadInventory([tree.path('inv.yml')]);
    assert.deepEqual(inv.hostVars('h1').d, { y: 2 });
    assert.deepEqual(inv.hostVars('h3').d, { x: 1 });
  });

  it('puts host variables over group variables, and host_vars files over both', async () => {
    const inv = await loadInventory([tree.path('inv.yml')]);
    assert.deepEqual(inv.hostVars('h1'), { a: 'all_file', c: 2, d: { y: 2 }, only_child: true, v: 'parent_file' });
    assert.deepEqual(inv.hostVars('h2'), { a: 'all_file', c: 2, d: { y: 2 }, only_child: true, v: 'host_file' });
    assert.deepEqual(inv.hostVars('h3'), { a: 'all_file', d: { x: 1 }, p: 'alpha', q: 'zeta_file', v: 'all_inline' });
  });
});

describe('inventory sources', () => {
  let tree: TempTree;
  before(async () => {
    tree = await writeTree({
      'inv/10-hosts.yml': 'all:\n  children:\n    web:\n      hosts:\n        w1:\n',
      'inv/20-more': '[db]\nd1\n[web]\nw2\n',
      'inv/30-skipped.ini': '[skipped]\ns1\n',
      'inv/README.md': '# not an inventory\n',
      'inv/.hidden': '[hidden]\nx1\n',
      'inv/group_vars/web.yml': 'tier: web\n',
      'a/hosts.yml': 'all:\n  children:\n    g:\n      hosts:\n        shared:\n',
      'a/group_vars/g.yml': 'v: a\n',
      'b/hosts.ini': '[g]\nshared\nm2\n',
      'b/group_vars/g.yml': 'v: b\n',
      'ini-in-yaml.yaml': '[g]\nh1 a=1\n',
    });
  });
  after(() => tree.remove());

  it('reads every file of a folder as Ansible does, skipping .ini, .md and hidden files', async () => {
    const inv = await loadInventory([tree.path('inv')]);
    assert.deepEqual(inv.hostNames(), ['w1', 'd1', 'w2']);
    assert.deepEqual(inv.hostVars('w2'), { tier: 'web' });
  });

  it('merges several -i sources, later group_vars folders winning', async () => {
    const inv = await loadInventory([tree.path('a/hosts.yml'), tree.path('b/hosts.ini')]);
    assert.deepEqual(inv.hostNames(), ['shared', 'm2']);
    assert.deepEqual(inv.hostVars('shared'), { v: 'b' });
  });

  it('falls back to INI for a .yaml file that is not YAML', async () => {
    const inv = await loadInventory([tree.path('ini-in-yaml.yaml')]);
    assert.deepEqual(inv.hostVars('h1'), { a: 1 });
  });

  it('takes a comma-separated host list', async () => {
    const inv = await loadInventory(['hv01,hv02:2222,']);
    assert.deepEqual(inv.hostNames(), ['hv01', 'hv02']);
    assert.deepEqual(inv.hostVars('hv02'), { ansible_port: 2222 });
  });
});
