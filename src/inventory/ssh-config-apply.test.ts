// The ssh config under the inventory, for what OpenSSH 9.2 does beyond one file: the
// system-wide file (not read with -F), a jump host's own ProxyJump, HostKeyAlias.
// Every file lives in a temporary tree, never under the real /etc/ssh or home.
import assert from 'node:assert/strict';
import { ValidationError } from '../errors.js';
import { writeTree, type TempTree } from '../../test/support/file-tree.js';
import { connectionFor, type ConnectionEnv } from './connection.js';
import { loadInventory } from './load.js';
import { resolveJumpChain, sshConfigFor, type SshConfigPlace } from './ssh-config-apply.js';

const USER_CONFIG = `
Host target
  HostName 10.2.0.1
  ProxyJump j1

Host j1
  HostName 10.2.0.11
  ProxyJump k1

Host k1
  HostName 10.2.0.21
  User kuser

Host two-hops
  ProxyJump j1,m1

Host m1
  HostName 10.2.0.31
  ProxyJump nowhere

Host loop-a
  ProxyJump loop-b
Host loop-b
  ProxyJump loop-c
Host loop-c
  ProxyJump loop-b

Host self-loop
  ProxyJump self-loop

Host aliased
  HostName 10.2.0.41
  HostKeyAlias lab-alias

Host via-aliased-jump
  ProxyJump aliased
`;

const INV = `all:
  hosts:
    target: {}
    two-hops: {}
    loop-a: {}
    self-loop: {}
    aliased: {}
    by-args:
      ansible_host: 10.2.0.51
      ansible_ssh_common_args: -o HostKeyAlias=from-args
    inv-jump:
      jump: loop-c
`;

describe('ssh config under the inventory: system file, jump hosts\' own ProxyJump, HostKeyAlias', () => {
  let tree: TempTree;
  let place: SshConfigPlace;
  let env: ConnectionEnv;
  before(async () => {
    tree = await writeTree({
      'home/.ssh/config': USER_CONFIG,
      'etc/ssh/ssh_config': 'Include ssh_config.d/*.conf\nHost *\n  User sysuser\n',
      'etc/ssh/ssh_config.d/site.conf': 'Host target\n  Port 2022\n',
      'other/config': 'Host target\n  HostName 10.9.0.1\n',
      'inv/hosts.yml': INV,
    });
    place = { home: tree.path('home'), localUser: 'me', systemFile: tree.path('etc/ssh/ssh_config') };
    env = { home: tree.path('home'), user: 'me', cwd: '/', exists: () => false, sshSystemConfig: tree.path('etc/ssh/ssh_config') };
  });
  after(() => tree.remove());
  const load = () => loadInventory([tree.path('inv/hosts.yml')]);

  it('reads the system file after the user\'s, and not at all with -F, as ssh does', () => {
    const c = sshConfigFor('target', {}, place, {});
    assert.equal(c.settings.hostName, '10.2.0.1');
    assert.equal(c.settings.port, 2022);
    assert.equal(c.settings.user, 'sysuser');
    const dashF = sshConfigFor('target', { configFile: tree.path('other/config') }, place, {});
    assert.equal(dashF.settings.hostName, '10.9.0.1');
    assert.equal(dashF.settings.port, undefined);
    assert.equal(dashF.settings.user, undefined);
  });

  it('reaches a jump host through its own ProxyJump: target through j1 through k1 is k1, j1', () => {
    const warnings: string[] = [];
    const c = sshConfigFor('target', {}, place, {});
    const chain = resolveJumpChain(c.jump ?? [], c.source, warnings, 'target');
    assert.deepEqual(chain.map((j) => [j.alias, j.host, j.user]), [['k1', '10.2.0.21', 'kuser'], ['j1', '10.2.0.11', 'sysuser']]);
    assert.deepEqual(warnings, []);
  });

  it('follows only the outermost hop\'s own ProxyJump: later hops are reached through the earlier ones', async () => {
    const spec = connectionFor(await load(), 'two-hops', env);
    assert.deepEqual(spec.jump.map((j) => j.alias), ['k1', 'j1', 'm1'], 'm1\'s ProxyJump nowhere is overridden, as by ssh -J j1 m1');
  });

  it('refuses a ProxyJump loop with the chain that loops', async () => {
    const inv = await load();
    assert.throws(() => connectionFor(inv, 'loop-a', env), (e: unknown) => e instanceof ValidationError
      && /host "loop-a": ProxyJump loop in the ssh config: loop-a → loop-b → loop-c → loop-b/.test(e.message));
    assert.throws(() => connectionFor(inv, 'self-loop', env), /ProxyJump loop in the ssh config: self-loop → self-loop/);
    assert.throws(() => connectionFor(inv, 'inv-jump', env), /ProxyJump loop in the ssh config: loop-c → loop-b → loop-c/);
  });

  it('puts HostKeyAlias in the spec, from the config or from -o in ansible_ssh_common_args', async () => {
    const inv = await load();
    assert.equal(connectionFor(inv, 'aliased', env).hostKeyAlias, 'lab-alias');
    const byArgs = connectionFor(inv, 'by-args', env);
    assert.equal(byArgs.hostKeyAlias, 'from-args');
    assert.equal(byArgs.warnings, undefined, '-o HostKeyAlias is understood, not ignored');
    assert.equal(connectionFor(inv, 'target', env).hostKeyAlias, undefined);
  });

  it('says a jump host\'s HostKeyAlias is not honoured', () => {
    const warnings: string[] = [];
    const c = sshConfigFor('via-aliased-jump', {}, place, {});
    resolveJumpChain(c.jump ?? [], c.source, warnings, 'via-aliased-jump');
    assert.deepEqual(warnings, ['jump host aliased: HostKeyAlias is not honoured for a jump host (its key is looked up by address)']);
  });
});
