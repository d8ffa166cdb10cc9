import assert from 'node:assert/strict';
import { ValidationError } from '../errors.js';
import { connectionFor, resolveConnectionSettings, type ConnectionEnv } from './connection.js';
import { loadInventory } from './load.js';
import { parseJump, parseSshArgs } from './ssh-args.js';
import { writeTree, type TempTree } from '../../test/support/file-tree.js';

const INV = `all:
  vars:
    ansible_become_pass: fromgroup
  hosts:
    bare:
    kvm:
      host: 192.0.2.11
      port: 2200
      user: ops
      identity_file: keys/ops
      jump: admin@bastion:2222,gw
      become: yes
      become_password: s3cret
      known_hosts: [kh, ~/other]
      connect_timeout: "30"
    ans:
      ansible_host: 192.0.2.12
      ansible_ssh_host: 192.0.2.13
      ansible_port: "2201"
      ansible_user: deploy
      ansible_ssh_private_key_file: ~/.ssh/deploy
      ansible_password: pw
      ansible_become: "True"
      ansible_become_user: admin
      ansible_become_password: bpw
      ansible_ssh_common_args: "-o ProxyJump=jumper@192.0.2.1:2022 -o UserKnownHostsFile=/etc/kh"
      ansible_ssh_timeout: 5
    proxied:
      ansible_ssh_common_args: "-o ProxyCommand='ssh -W %h:%p -q -p 2022 bastion.example'"
    j:
      ansible_ssh_common_args: -J root@[2001:db8::1]:22
    templated:
      ansible_host: "{{ lookup('env', 'HV') }}"
      identity_file: "{{ key }}"
    badport:
      port: twenty
    badbecome:
      become: maybe
    alive_args:
      ansible_ssh_common_args: -o ServerAliveInterval=2 -o HashKnownHosts=yes
      ansible_ssh_extra_args: -o ServerAliveInterval=9 -o ServerAliveCountMax=4
    alive_vars:
      ansible_ssh_common_args: -o ServerAliveInterval=2 -o ServerAliveCountMax=4
      server_alive_interval: 0
      server_alive_count_max: "6"
      hash_known_hosts: yes
    bad_alive:
      server_alive_count_max: 0
    bad_alive_args:
      ansible_ssh_common_args: -o ServerAliveInterval=soon
    nl_become:
      ansible_become_pass: "first\\nsecond"
`;

describe('connection spec', () => {
  let tree: TempTree;
  let env: ConnectionEnv;
  before(async () => {
    tree = await writeTree({ 'inv/hosts.yml': INV });
    env = {
      home: '/home/me', user: 'me', cwd: '/work',
      exists: (p) => p === '/home/me/.ssh/id_rsa' || p === '/home/me/.ssh/id_ecdsa',
    };
  });
  after(() => tree.remove());

  it('fills in ssh defaults for a host with no connection variables', async () => {
    const inv = await loadInventory([tree.path('inv/hosts.yml')]);
    assert.deepEqual(connectionFor(inv, 'bare', env), {
      name: 'bare', host: 'bare', port: 22, user: 'me',
      identityFiles: ['/home/me/.ssh/id_rsa', '/home/me/.ssh/id_ecdsa'],
      jump: [], become: false, becomeUser: 'root', becomePassword: 'fromgroup',
      knownHosts: ['/home/me/.ssh/known_hosts'], connectTimeout: 10,
      hashKnownHosts: false, serverAlive: { interval: 5, countMax: 3 },
    });
  });

  it('reads kvmplay keys, resolving relative paths against the inventory file’s folder', async () => {
    const inv = await loadInventory([tree.path('inv/hosts.yml')]);
    assert.deepEqual(connectionFor(inv, 'kvm', env), {
      name: 'kvm', host: '192.0.2.11', port: 2200, user: 'ops',
      identityFiles: [tree.path('inv/keys/ops')],
      jump: [{ host: 'bastion', port: 2222, user: 'admin' }, { host: 'gw', port: 22 }],
      become: true, becomeUser: 'root', becomeVars: { become: true }, becomePassword: 's3cret',
      knownHosts: [tree.path('inv/kh'), '/home/me/other'], connectTimeout: 30,
      hashKnownHosts: false, serverAlive: { interval: 5, countMax: 3 },
    });
  });

  it('reads Ansible aliases, the ansible_ssh_ spelling first as Ansible does', async () => {
    const inv = await loadInventory([tree.path('inv/hosts.yml')]);
    assert.deepEqual(connectionFor(inv, 'ans', env), {
      name: 'ans', host: '192.0.2.13', port: 2201, user: 'deploy',
      identityFiles: ['/home/me/.ssh/deploy'], password: 'pw',
      jump: [{ host: '192.0.2.1', port: 2022, user: 'jumper' }],
      become: true, becomeUser: 'admin', becomeVars: { become: true, user: 'admin' }, becomePassword: 'bpw',
      knownHosts: ['/etc/kh'], connectTimeout: 5,
      hashKnownHosts: false, serverAlive: { interval: 5, countMax: 3 },
    });
  });

  it('turns an ssh -W ProxyCommand and a -J option into jump hosts', async () => {
    const inv = await loadInventory([tree.path('inv/hosts.yml')]);
    assert.deepEqual(connectionFor(inv, 'proxied', env).jump, [{ host: 'bastion.example', port: 2022 }]);
    assert.deepEqual(connectionFor(inv, 'j', env).jump, [{ host: '2001:db8::1', port: 22, user: 'root' }]);
  });

  it('leaves template values as they are written', async () => {
    const inv = await loadInventory([tree.path('inv/hosts.yml')]);
    const spec = connectionFor(inv, 'templated', env);
    assert.equal(spec.host, "{{ lookup('env', 'HV') }}");
    assert.deepEqual(spec.identityFiles, ['{{ key }}']);
  });

  it('refuses a port or become value it cannot read, naming the host’s definition', async () => {
    const inv = await loadInventory([tree.path('inv/hosts.yml')]);
    assert.throws(() => connectionFor(inv, 'badport', env), (e: unknown) =>
      e instanceof ValidationError && e.file === tree.path('inv/hosts.yml') && /host "badport": port must be/.test(e.message));
    assert.throws(() => connectionFor(inv, 'badbecome', env), /become must be a boolean/);
  });

  it('reads keepalives and HashKnownHosts from ssh arguments, common_args first as in ssh', async () => {
    const inv = await loadInventory([tree.path('inv/hosts.yml')]);
    const spec = connectionFor(inv, 'alive_args', env);
    assert.deepEqual(spec.serverAlive, { interval: 2, countMax: 4 });
    assert.equal(spec.hashKnownHosts, true);
  });

  it('lets kvmplay’s own variables override ssh arguments (interval 0 turns probes off)', async () => {
    const inv = await loadInventory([tree.path('inv/hosts.yml')]);
    const spec = connectionFor(inv, 'alive_vars', env);
    assert.deepEqual(spec.serverAlive, { interval: 0, countMax: 6 });
    assert.equal(spec.hashKnownHosts, true);
  });

  it('refuses unreadable keepalive settings, naming the host and variable', async () => {
    const inv = await loadInventory([tree.path('inv/hosts.yml')]);
    assert.throws(() => connectionFor(inv, 'bad_alive', env), /host "bad_alive": server_alive_count_max must be a positive whole number, got 0/);
    assert.throws(() => connectionFor(inv, 'bad_alive_args', env),
      /host "bad_alive_args": ansible_ssh_common_args: ServerAliveInterval must be a number of seconds, got "soon"/);
  });

  it('refuses a become password with a line break, without quoting it', async () => {
    const inv = await loadInventory([tree.path('inv/hosts.yml')]);
    assert.throws(() => connectionFor(inv, 'nl_become', env), (e: unknown) =>
      e instanceof ValidationError && /host "nl_become": ansible_become_pass must not contain a line break/.test(e.message)
      && !e.message.includes('second'));
  });

  it('lists every host with unusable settings, and only those', async () => {
    const inv = await loadInventory([tree.path('inv/hosts.yml')]);
    const { specs, problems } = resolveConnectionSettings(inv, inv.hostNames(), env);
    assert.deepEqual([...problems.values()].map((p) => /host "([^"]+)"/.exec(p.detail)?.[1]), ['badport', 'badbecome', 'bad_alive', 'bad_alive_args', 'nl_become']);
    assert.deepEqual([...specs.keys()].filter((n) => problems.has(n)), []);
    assert.equal(specs.size + problems.size, inv.hostNames().length);
  });
});

describe('jump host syntax', () => {
  it('reads user@host:port chains, outermost first', () => {
    assert.deepEqual(parseJump('a@h1:2201, h2 ,ssh://b@h3'), [
      { host: 'h1', port: 2201, user: 'a' }, { host: 'h2', port: 22 }, { host: 'h3', port: 22, user: 'b' },
    ]);
  });

  it('reads bracketed and bare IPv6 addresses', () => {
    assert.deepEqual(parseJump('[fe80::1]:2022,fe80::2'), [{ host: 'fe80::1', port: 2022 }, { host: 'fe80::2', port: 22 }]);
  });

  it('reads none as no jump, like OpenSSH', () => {
    assert.deepEqual(parseJump('none'), []);
  });

  it('refuses a malformed jump host', () => {
    assert.throws(() => parseJump('@h1'), /invalid jump host/);
    assert.throws(() => parseJump('h1:99999'), /invalid port/);
  });

  it('takes the first ProxyJump of an ssh argument string, as ssh does', () => {
    // The port is left out when not written: ~/.ssh/config may give the hop's Port.
    assert.deepEqual(parseSshArgs('-oProxyJump=a -o "ProxyJump b" -J c').jump, [{ host: 'a' }]);
    assert.deepEqual(parseSshArgs('-o StrictHostKeyChecking=no'), { configOptions: [['stricthostkeychecking', 'no']] });
  });
});
