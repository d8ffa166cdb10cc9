import assert from 'node:assert/strict';
import { loadInventory } from './load.js';
import { UnsafeText, VaultText } from '../data/py-values.js';
import { writeTree, type TempTree } from '../../test/support/file-tree.js';
import { loadDataText, toValue } from '../data/yaml-load.js';

// Expected values are what ansible-inventory 2.14 prints for the same file.
const INV = `hypervisors:
  vars:
    common: &common {ntp: pool.ntp.org, dns: [192.0.2.1]}
    site: {<<: *common, ntp: ntp.example}
    become: yes
    mode: 0755
    uptime: 1:30
    ratio: 1e3
    half: .5
    since: 2024-01-02
    secret: !vault |
      $ANSIBLE_VAULT;1.1;AES256
      6162
    raw: !unsafe "{{ keep }}"
  hosts:
    hv[01:02]:
    hv03:2222: {rack: 3, on_call: off}
  children: storage
storage:
  hosts: st1
  vars:
    ansible_group_priority: 5
`;

describe('YAML inventories', () => {
  let tree: TempTree;
  before(async () => {
    tree = await writeTree({ 'inv.yml': INV, 'all.yaml': 'all:\n  hosts:\n    a1:\n  children:\n    g:\n      hosts:\n        a2: {x: 1}\n' });
  });
  after(() => tree.remove());

  it('takes top-level keys as groups, with hosts, vars and children', async () => {
    const inv = await loadInventory([tree.path('inv.yml')]);
    assert.deepEqual(inv.hostNames(), ['hv01', 'hv02', 'hv03', 'st1']);
    assert.deepEqual(inv.groupMembers('all'), { children: ['ungrouped', 'hypervisors'], hosts: [] });
    assert.deepEqual(inv.groupMembers('hypervisors'), { children: ['storage'], hosts: ['hv01', 'hv02', 'hv03'] });
    assert.deepEqual(inv.groupsOf('st1'), ['hypervisors', 'storage']);
  });

  it('reads scalars with YAML 1.1 rules as PyYAML does', async () => {
    const inv = await loadInventory([tree.path('inv.yml')]);
    const v = inv.hostVars('hv03');
    assert.equal(v.become, true);
    assert.equal(v.mode, 493);
    assert.equal(v.uptime, 90);
    assert.equal(v.ratio, '1e3');
    assert.equal(v.half, 0.5);
    assert.equal(v.since, '2024-01-02');
    assert.equal(v.on_call, false);
    assert.equal(v.ansible_port, 2222);
  });

  it('applies << merge keys with the mapping’s own keys winning', async () => {
    const inv = await loadInventory([tree.path('inv.yml')]);
    assert.deepEqual(inv.hostVars('hv01').site, { ntp: 'ntp.example', dns: ['192.0.2.1'] });
  });

  it('keeps !unsafe and !vault values marked, printed as ansible-inventory prints them', async () => {
    const inv = await loadInventory([tree.path('inv.yml')]);
    const v = inv.hostVars('hv01');
    assert.ok(v.raw instanceof UnsafeText);
    assert.ok(v.secret instanceof VaultText);
    assert.equal(JSON.stringify(v.raw), '{"__ansible_unsafe":"{{ keep }}"}');
    assert.equal(JSON.stringify(v.secret), '{"__ansible_vault":"$ANSIBLE_VAULT;1.1;AES256\\n6162\\n"}');
  });

  it('consumes ansible_group_priority instead of showing it as a variable', async () => {
    const inv = await loadInventory([tree.path('inv.yml')]);
    assert.equal('ansible_group_priority' in inv.hostVars('st1'), false);
  });

  it('puts hosts listed directly under all into ungrouped', async () => {
    const inv = await loadInventory([tree.path('all.yaml')]);
    assert.deepEqual(inv.groupMembers('ungrouped').hosts, ['a1']);
    assert.deepEqual(inv.toList(), {
      _meta: { hostvars: { a2: { x: 1 } } },
      all: { children: ['ungrouped', 'g'] },
      ungrouped: { hosts: ['a1'] },
      g: { hosts: ['a2'] },
    });
  });
});

describe('data files', () => {
  it('reads JSON as JSON first, so 1e3 is a number there', () => {
    assert.deepEqual(toValue(loadDataText('{"a": 1e3, "b": "yes"}', 'x.json')!), { a: 1000, b: 'yes' });
  });

  it('treats 1, 1.0 and true as one mapping key, as a Python dict does', () => {
    assert.deepEqual(toValue(loadDataText('{1: a, true: b, 2.0: c, "2": d}', 'x.yml')!), { 1: 'b', '2.0': 'c', 2: 'd' });
  });

  it('writes dates and times as Python isoformat() strings', () => {
    const text = 'a: 2001-12-14t21:59:43.10-05:00\nb: 2001-12-14T21:59:43Z\nc: 2001-1-4 1:02:03\nd: 2001-1-4 1:2:03\n';
    assert.deepEqual(toValue(loadDataText(text, 'x.yml')!), {
      a: '2001-12-14T21:59:43.100000-05:00', b: '2001-12-14T21:59:43+00:00', c: '2001-01-04T01:02:03',
      d: '2001-1-4 1:2:03', // minutes need two digits: not a timestamp, a string
    });
  });

  it('returns null for an empty document', () => {
    assert.equal(loadDataText('# only a comment\n', 'x.yml'), null);
  });
});
