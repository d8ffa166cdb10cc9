import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { inventoryText } from './inventory.js';
import { hostAddress, hostName, netnsName } from './paths.js';

type Doc = { all: { children: { lab: { vars: Record<string, unknown>; hosts: Record<string, Record<string, unknown>> } } } };

const base = { kind: 'regular' as const, privateKey: '/l/id_ed25519', publicKeyLine: 'ssh-ed25519 AAAAkey kvmplay-lab', knownHosts: '/l/known_hosts', becomePassword: 'pw' };

describe('lab inventory', () => {
  it('is Ansible-shaped: group lab with connection vars and one entry per host', () => {
    const text = inventoryText({
      ...base,
      hosts: [{ name: 'lab01', address: '10.213.0.11', netns: 'kvp-lab01' }, { name: 'lab02', address: '10.213.0.12', netns: 'kvp-lab02' }],
    });
    const lab = (parse(text) as Doc).all.children.lab;
    assert.equal(lab.vars.ansible_user, 'root');
    assert.equal(lab.vars.ansible_ssh_private_key_file, '/l/id_ed25519');
    assert.equal(lab.vars.known_hosts, '/l/known_hosts');
    assert.equal(lab.vars.lab_become_password, 'pw');
    assert.deepEqual(lab.hosts.lab02, { ansible_host: '10.213.0.12', lab_netns: 'kvp-lab02' });
    assert.deepEqual(Object.keys(lab.hosts), ['lab01', 'lab02']);
  });

  it('gives guests what they need: the tiny guest in the mounted repository, the key, a NAT network without DHCP waits', () => {
    const lab = (parse(inventoryText({ ...base, hosts: [] })) as Doc).all.children.lab;
    assert.equal(lab.vars.lab_guest_images, '/var/lib/kvmplay-repo/guests/tiny');
    assert.equal(lab.vars.lab_public_key, 'ssh-ed25519 AAAAkey kvmplay-lab');
    const [net] = lab.vars.libvirt_network_definitions as Record<string, unknown>[];
    assert.deepEqual([net?.name, net?.bridge, net?.stp, net?.dhcp_no_ping], ['default', 'virbr0', false, true]);
  });

  it('gives the group what libvirt needs in a lab host: software emulation, no namespaces (pty consoles)', () => {
    const lab = (parse(inventoryText({ ...base, hosts: [{ name: 'lab01', address: '10.213.0.11', netns: 'kvp-lab01', kind: 'regular' }] })) as Doc).all.children.lab;
    assert.equal(lab.vars.virt_type, 'qemu');
    assert.deepEqual(lab.vars.libvirt_qemu_settings, { namespaces: [] });
    // A regular host needs nothing beyond the group's.
    assert.deepEqual(lab.hosts.lab01, { ansible_host: '10.213.0.11', lab_netns: 'kvp-lab01' });
  });

  it('gives systemd hosts their own qemu.conf settings (both keys: host vars replace the whole map) and kind', () => {
    const lab = (parse(inventoryText({
      ...base,
      hosts: [
        { name: 'lab01', address: '10.213.0.11', netns: 'kvp-lab01', kind: 'regular' },
        { name: 'lab04', address: '10.213.0.14', netns: 'kvp-lab04', kind: 'systemd' },
      ],
    })) as Doc).all.children.lab;
    assert.deepEqual(lab.hosts.lab04, {
      ansible_host: '10.213.0.14', lab_netns: 'kvp-lab04', lab_kind: 'systemd',
      libvirt_qemu_settings: { namespaces: [], cgroup_controllers: [] },
    });
    assert.deepEqual(lab.hosts.lab01, { ansible_host: '10.213.0.11', lab_netns: 'kvp-lab01' });
    assert.deepEqual(lab.vars.libvirt_qemu_settings, { namespaces: [] });
  });

  it('writes the empty lists as YAML flow lists', () => {
    const text = inventoryText({ ...base, hosts: [{ name: 'lab04', address: '10.213.0.14', netns: 'kvp-lab04', kind: 'systemd' }] });
    assert.match(text, /^ {8}libvirt_qemu_settings:\n {10}namespaces: \[\]$/m);
    assert.match(text, /cgroup_controllers: \[\]/);
  });

  it('lists every host of a 1,000-host light lab with its own address, in order', () => {
    const hosts = Array.from({ length: 1000 }, (_, k) => ({ name: hostName(k + 1), address: hostAddress(k + 1), netns: netnsName(k + 1), kind: 'light' as const }));
    const lab = (parse(inventoryText({ ...base, kind: 'light', hosts })) as Doc).all.children.lab;
    const names = Object.keys(lab.hosts);
    assert.equal(names.length, 1000);
    assert.deepEqual([names[0], names[239], names[240], names[999]], ['lab01', 'lab240', 'lab241', 'lab1000']);
    assert.deepEqual(lab.hosts.lab240, { ansible_host: '10.213.0.250', lab_netns: 'kvp-lab240' });
    assert.deepEqual(lab.hosts.lab241, { ansible_host: '10.213.1.1', lab_netns: 'kvp-lab241' });
    assert.deepEqual(lab.hosts.lab1000, { ansible_host: '10.213.3.252', lab_netns: 'kvp-lab1000' });
    assert.equal(new Set(Object.values(lab.hosts).map((h) => h.ansible_host)).size, 1000);
    assert.equal(lab.vars.lab_kind, 'light');
  });
});
