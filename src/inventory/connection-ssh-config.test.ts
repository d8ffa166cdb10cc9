// ~/.ssh/config under the inventory (issue 15): inventory variables and ssh arguments
// win over the config, the config over kvmplay's defaults; jump hops resolve through
// the config too. The home folder is a temporary one.
import assert from 'node:assert/strict';
import { connectionFor, type ConnectionEnv } from './connection.js';
import { loadInventory } from './load.js';
import { writeTree, type TempTree } from '../../test/support/file-tree.js';

const SSH_CONFIG = `
Host kvp-*
  HostName 10.1.0.%h
  User cfguser
  Port 2222
  IdentityFile ~/.ssh/cfg_key
  IdentitiesOnly yes
  ConnectTimeout 3
  ServerAliveInterval 9
  UserKnownHostsFile ~/.ssh/cfg_known
  ProxyJump bastion,admin@gw:2022

Host kvp-open
  StrictHostKeyChecking no

Host bastion
  HostName 10.9.9.9
  User jumper
  Port 2200
  IdentityFile ~/.ssh/bastion_key
  UserKnownHostsFile ~/.ssh/bastion_known

Host 10.0.0.77
  HostName real-address.example

Match exec "false"
  User never
`;

const INV = `all:
  hosts:
    kvp-a: {}
    kvp-b:
      ansible_host: 192.0.2.5
    kvp-c:
      ansible_user: invuser
      ansible_port: 22
      ansible_ssh_private_key_file: ~/.ssh/inv_key
      known_hosts: /etc/inv_known
      ansible_timeout: 20
      server_alive_interval: 2
      jump: direct.example
    kvp-d:
      ansible_ssh_common_args: -o User=argsuser -o ConnectTimeout=4 -A -o ForwardAgent=yes -o ControlMaster=auto -J none
    kvp-open: {}
    plain: {}
    via-ip:
      ansible_host: 10.0.0.77
`;

describe('connection spec with ~/.ssh/config', () => {
  let tree: TempTree;
  let env: ConnectionEnv;
  before(async () => {
    tree = await writeTree({ 'inv/hosts.yml': INV, 'home/.ssh/config': SSH_CONFIG, 'other/ssh_config': 'Host *\n  User from-dash-F\n' });
    env = { home: tree.path('home'), user: 'me', cwd: '/work', exists: () => false };
  });
  after(() => tree.remove());
  const load = () => loadInventory([tree.path('inv/hosts.yml')]);

  it('takes what the inventory leaves out from the config, each jump hop resolved through it', async () => {
    const spec = connectionFor(await load(), 'kvp-a', env);
    const home = tree.path('home');
    assert.equal(spec.host, '10.1.0.kvp-a');
    assert.equal(spec.user, 'cfguser');
    assert.equal(spec.port, 2222);
    assert.deepEqual(spec.identityFiles, [`${home}/.ssh/cfg_key`]);
    assert.equal(spec.identitiesOnly, true);
    assert.equal(spec.connectTimeout, 3);
    assert.deepEqual(spec.serverAlive, { interval: 9, countMax: 3 });
    assert.deepEqual(spec.knownHosts, [`${home}/.ssh/cfg_known`]);
    assert.deepEqual(spec.jump, [
      { host: '10.9.9.9', port: 2200, user: 'jumper', alias: 'bastion', identityFiles: [`${home}/.ssh/bastion_key`], knownHosts: [`${home}/.ssh/bastion_known`] },
      { host: 'gw', port: 2022, user: 'admin' },
    ]);
    assert.ok(spec.warnings?.some((w) => /does not evaluate exec/.test(w)), String(spec.warnings));
  });

  it('matches the config against ansible_host, as Ansible hands that name to ssh', async () => {
    const inv = await load();
    assert.equal(connectionFor(inv, 'kvp-b', env).host, '192.0.2.5');
    assert.equal(connectionFor(inv, 'kvp-b', env).user, 'me', 'no Host block matches 192.0.2.5');
    assert.equal(connectionFor(inv, 'via-ip', env).host, 'real-address.example');
  });

  it('lets inventory variables win over the config', async () => {
    const spec = connectionFor(await load(), 'kvp-c', env);
    assert.equal(spec.user, 'invuser');
    assert.equal(spec.port, 22);
    assert.deepEqual(spec.identityFiles, [`${tree.path('home')}/.ssh/inv_key`]);
    assert.deepEqual(spec.knownHosts, ['/etc/inv_known']);
    assert.equal(spec.connectTimeout, 20);
    assert.equal(spec.serverAlive?.interval, 2);
    assert.deepEqual(spec.jump, [{ host: 'direct.example', port: 22 }]);
  });

  it('lets ssh arguments win over the config, and names the ones kvmplay cannot honour', async () => {
    const spec = connectionFor(await load(), 'kvp-d', env);
    assert.equal(spec.user, 'argsuser');
    assert.equal(spec.connectTimeout, 4);
    assert.deepEqual(spec.jump, [], '-J none overrides the config\'s ProxyJump');
    assert.ok(spec.warnings?.includes('ssh arguments: kvmplay cannot honour -A, ForwardAgent: ignored'), String(spec.warnings));
    assert.ok(!spec.warnings?.some((w) => /ControlMaster/.test(w)), 'ControlMaster changes nothing for kvmplay');
  });

  it('takes StrictHostKeyChecking no as accept-new, with a warning', async () => {
    const spec = connectionFor(await load(), 'kvp-open', env);
    assert.equal(spec.acceptNewHostKeys, true);
    assert.ok(spec.warnings?.some((w) => /StrictHostKeyChecking no is taken as accept-new/.test(w)));
  });

  it('falls back to kvmplay\'s defaults where the config says nothing', async () => {
    const spec = connectionFor(await load(), 'plain', env);
    assert.deepEqual({ host: spec.host, user: spec.user, port: spec.port, jump: spec.jump, timeout: spec.connectTimeout },
      { host: 'plain', user: 'me', port: 22, jump: [], timeout: 10 });
    assert.deepEqual(spec.knownHosts, [`${tree.path('home')}/.ssh/known_hosts`]);
  });

  it('reads the file of -F instead of ~/.ssh/config', async () => {
    const inv = await loadInventory([tree.path('inv/hosts.yml')]);
    inv.hostVars('plain'); // loaded; the -F comes from the variables below
    const dashF = await writeTree({ 'inv.yml': `all:\n  hosts:\n    kvp-a:\n      ansible_ssh_extra_args: -F ${tree.path('other/ssh_config')}\n` });
    try {
      const spec = connectionFor(await loadInventory([dashF.path('inv.yml')]), 'kvp-a', env);
      assert.equal(spec.user, 'from-dash-F');
      assert.equal(spec.host, 'kvp-a');
    } finally {
      await dashF.remove();
    }
  });
});
