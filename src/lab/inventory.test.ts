import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { inventoryText } from './inventory.js';

describe('lab inventory', () => {
  it('is Ansible-shaped: group lab with connection vars and one entry per host', () => {
    const text = inventoryText({
      hosts: [{ name: 'lab01', address: '10.213.0.11', netns: 'kvp-lab01' }, { name: 'lab02', address: '10.213.0.12', netns: 'kvp-lab02' }],
      kind: 'regular', privateKey: '/l/id_ed25519', knownHosts: '/l/known_hosts', becomePassword: 'pw',
    });
    const doc = parse(text) as { all: { children: { lab: { vars: Record<string, unknown>; hosts: Record<string, Record<string, unknown>> } } } };
    const lab = doc.all.children.lab;
    assert.equal(lab.vars.ansible_user, 'root');
    assert.equal(lab.vars.ansible_ssh_private_key_file, '/l/id_ed25519');
    assert.equal(lab.vars.known_hosts, '/l/known_hosts');
    assert.equal(lab.vars.lab_become_password, 'pw');
    assert.deepEqual(lab.hosts.lab02, { ansible_host: '10.213.0.12', lab_netns: 'kvp-lab02' });
    assert.deepEqual(Object.keys(lab.hosts), ['lab01', 'lab02']);
  });
});
