import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { writeTree, type TempTree } from '../../test/support/file-tree.js';
import { EXIT, KvmplayError, OptionsError } from '../errors.js';
import type { ConnectionSpec } from '../inventory/index.js';
import { settleSettings } from './connection-options.js';
import { applyConnectionDefaults } from './connection-defaults.js';
import { resolveLimit } from './limit.js';
import type { Terminal } from './prompt.js';
import { DEFAULT_FORKS, inventorySources, resolveRunSettings } from './settings.js';
import { asksVersion, versionText } from './version.js';

const FULL_CFG = [
  '[defaults]',
  'inventory = hosts.ini, more/hosts.yml',
  'remote_user = cfguser',
  'private_key_file = keys/id_cfg',
  'forks = 7',
  'timeout = 21',
  'host_key_checking = False',
  '[privilege_escalation]',
  'become = yes',
  'become_user = cfgadmin',
  'become_method = su',
  '[ssh_connection]',
  'ssh_args = -o UserKnownHostsFile=known -o ServerAliveInterval=9 -o ControlMaster=auto',
  '',
].join('\n');

describe('CLI settings: command line > environment > ansible.cfg > defaults', () => {
  let tree: TempTree;
  before(async () => {
    tree = await writeTree({ 'proj/ansible.cfg': FULL_CFG, 'empty.cfg': '', 'retry': 'hv02\n\n  hv03  \n' });
  });
  after(() => tree.remove());
  // An empty config file named by ANSIBLE_CONFIG: no ansible.cfg of the machine can interfere.
  const noConfig = (): NodeJS.ProcessEnv => ({ ANSIBLE_CONFIG: tree.path('empty.cfg') });

  it('has kvmplay\'s defaults when nothing sets anything', () => {
    const s = resolveRunSettings({}, noConfig(), tree.dir);
    assert.deepEqual(s, { inventory: [], forks: DEFAULT_FORKS, become: false, becomeMethod: undefined, acceptNewHostKeys: false, connection: {}, warnings: [] });
  });

  it('reads every setting of the ansible.cfg of the working directory, paths from its folder', () => {
    const s = resolveRunSettings({}, {}, tree.path('proj'));
    assert.deepEqual(s.inventory, [tree.path('proj/hosts.ini'), tree.path('proj/more/hosts.yml')]);
    assert.equal(s.forks, 7);
    assert.equal(s.become, true);
    assert.equal(s.becomeMethod, 'su');
    assert.equal(s.connection.user, 'cfguser');
    assert.equal(s.connection.identityFile, tree.path('proj/keys/id_cfg'));
    assert.equal(s.connection.timeout, 21);
    assert.equal(s.connection.becomeUser, 'cfgadmin');
    assert.deepEqual(s.connection.ssh?.knownHosts, [tree.path('proj/known')]);
    assert.equal(s.connection.ssh?.serverAliveInterval, 9);
  });

  it('takes host_key_checking = False as accept-new, and says that a changed key is still refused', () => {
    const s = resolveRunSettings({}, {}, tree.path('proj'));
    assert.equal(s.acceptNewHostKeys, true);
    const warning = s.warnings.find((w) => w.startsWith('host_key_checking is off'));
    assert.ok(warning, s.warnings.join('\n'));
    assert.match(warning, /still refuses every host whose key differs from the one recorded in known_hosts/);
    assert.match(warning, /accepts and records the keys of hosts not in known_hosts yet/);
    // ControlMaster changes nothing kvmplay does: no warning for it.
    assert.equal(s.warnings.length, 1, s.warnings.join('\n'));
  });

  it('lets the environment beat ansible.cfg, and the command line beat both', () => {
    const env = {
      ANSIBLE_REMOTE_USER: 'envuser', ANSIBLE_FORKS: '9', ANSIBLE_TIMEOUT: '33', ANSIBLE_BECOME: 'false', ANSIBLE_BECOME_USER: 'envadmin',
      ANSIBLE_BECOME_METHOD: 'sudo', ANSIBLE_PRIVATE_KEY_FILE: 'env_key', ANSIBLE_INVENTORY: 'a.yml,b.yml', ANSIBLE_HOST_KEY_CHECKING: 'true',
    };
    const fromEnv = resolveRunSettings({}, env, tree.path('proj'));
    assert.equal(fromEnv.connection.user, 'envuser');
    assert.equal(fromEnv.forks, 9);
    assert.equal(fromEnv.connection.timeout, 33);
    assert.equal(fromEnv.become, false);
    assert.equal(fromEnv.becomeMethod, 'sudo');
    assert.equal(fromEnv.connection.becomeUser, 'envadmin');
    // Relative paths of the environment start from the working directory.
    assert.equal(fromEnv.connection.identityFile, tree.path('proj/env_key'));
    assert.deepEqual(fromEnv.inventory, [tree.path('proj/a.yml'), tree.path('proj/b.yml')]);
    assert.equal(fromEnv.acceptNewHostKeys, false);

    const fromFlags = resolveRunSettings({
      inventory: ['cli.yml'], user: 'cliuser', forks: 3, timeout: 4, become: true, becomeUser: 'cliadmin', becomeMethod: 'su', privateKey: '/k/cli',
    }, env, tree.path('proj'));
    assert.deepEqual(fromFlags.inventory, ['cli.yml']);
    assert.equal(fromFlags.connection.user, 'cliuser');
    assert.equal(fromFlags.forks, 3);
    assert.equal(fromFlags.connection.timeout, 4);
    assert.equal(fromFlags.become, true);
    assert.equal(fromFlags.becomeMethod, 'su');
    assert.equal(fromFlags.connection.becomeUser, 'cliadmin');
    assert.equal(fromFlags.connection.identityFile, '/k/cli');
  });

  it('finds the config file through ANSIBLE_CONFIG from anywhere', () => {
    const s = resolveRunSettings({}, { ANSIBLE_CONFIG: tree.path('proj/ansible.cfg') }, tree.dir);
    assert.equal(s.connection.user, 'cfguser');
    assert.deepEqual(inventorySources([], { ANSIBLE_CONFIG: tree.path('proj/ansible.cfg') }, tree.dir)[0], tree.path('proj/hosts.ini'));
    assert.deepEqual(inventorySources(['x.yml'], { ANSIBLE_CONFIG: tree.path('proj/ansible.cfg') }, tree.dir), ['x.yml']);
  });

  it('refuses unusable values with the place they come from (exit 5)', () => {
    const refused = (env: NodeJS.ProcessEnv, flags = {}) => {
      try {
        resolveRunSettings(flags, { ...noConfig(), ...env }, tree.dir);
      } catch (e) {
        assert.ok(e instanceof OptionsError);
        assert.equal(e.exitCode, EXIT.options);
        return e.message;
      }
      return assert.fail('accepted');
    };
    assert.match(refused({ ANSIBLE_FORKS: 'many' }), /^ANSIBLE_FORKS must be a whole number >= 1, got "many"/);
    assert.match(refused({ ANSIBLE_HOST_KEY_CHECKING: 'perhaps' }), /^ANSIBLE_HOST_KEY_CHECKING must be a boolean/);
    assert.match(refused({ ANSIBLE_BECOME_METHOD: 'doas' }), /^ANSIBLE_BECOME_METHOD: become method "doas" is not one kvmplay has \(sudo, su\)/);
  });

  it('takes StrictHostKeyChecking=no in ssh_args as accept-new, with the same warning', () => {
    const s = resolveRunSettings({}, { ...noConfig(), ANSIBLE_SSH_ARGS: '-o StrictHostKeyChecking=no' }, tree.dir);
    assert.equal(s.acceptNewHostKeys, true);
    assert.ok(s.warnings.some((w) => /StrictHostKeyChecking=no \(ANSIBLE_SSH_ARGS\) is taken as accept-new: kvmplay still refuses/.test(w)), s.warnings.join('\n'));
  });

  describe('under the inventory\'s own variables', () => {
    const spec: ConnectionSpec = {
      name: 'hv01', host: '192.0.2.1', port: 22, user: 'local', identityFiles: ['/home/me/.ssh/id_ed25519'], jump: [], become: false,
      becomeUser: 'root', knownHosts: ['/home/me/.ssh/known_hosts'], connectTimeout: 10,
    };
    const defaults = { user: 'cfg', identityFile: '/k/cfg', timeout: 30, becomeUser: 'admin', becomePassword: 'typed-pw', password: 'ssh-pw', ssh: { knownHosts: ['/k/known'] } };

    it('fills what the host does not set', () => {
      const out = applyConnectionDefaults(spec, { ansible_host: '192.0.2.1' }, defaults);
      assert.equal(out.user, 'cfg');
      assert.deepEqual(out.identityFiles, ['/k/cfg']);
      assert.equal(out.connectTimeout, 30);
      assert.equal(out.becomeUser, 'admin');
      assert.equal(out.becomePassword, 'typed-pw');
      assert.equal(out.password, 'ssh-pw');
      assert.deepEqual(out.knownHosts, ['/k/known']);
    });

    it('never overrides ansible_user and the other connection variables of the inventory (as Ansible)', () => {
      const vars = {
        ansible_user: 'inv', ansible_ssh_private_key_file: '/inv/key', ansible_timeout: 5, ansible_become_user: 'invadmin',
        ansible_become_pass: 'inv-pw', ansible_password: 'inv-ssh', known_hosts: '/inv/known',
      };
      const out = applyConnectionDefaults({ ...spec, user: 'inv', identityFiles: ['/inv/key'], connectTimeout: 5, becomeUser: 'invadmin', becomePassword: 'inv-pw', password: 'inv-ssh', knownHosts: ['/inv/known'] }, vars, defaults);
      assert.equal(out.user, 'inv');
      assert.deepEqual(out.identityFiles, ['/inv/key']);
      assert.equal(out.connectTimeout, 5);
      assert.equal(out.becomeUser, 'invadmin');
      assert.equal(out.becomePassword, 'inv-pw');
      assert.equal(out.password, 'inv-ssh');
      assert.deepEqual(out.knownHosts, ['/inv/known']);
    });
  });

  describe('-K and -k', () => {
    const fakeTerminal = (typed: string[]): Terminal & { shown: () => string } => {
      const input = Object.assign(new PassThrough(), { isTTY: true, isRaw: false, setRawMode() { return input; } }) as unknown as NodeJS.ReadStream;
      let shown = '';
      const output = new PassThrough();
      output.on('data', (d: Buffer) => {
        shown += d.toString();
        // Each question is answered once it is shown.
        if (d.toString().endsWith(': ')) setImmediate(() => input.push(`${typed.shift() ?? ''}\r`));
      });
      return { input, output, shown: () => shown };
    };

    it('fails clearly without a terminal (exit 5), before anything else', async () => {
      const input = Object.assign(new PassThrough(), { isTTY: false }) as unknown as NodeJS.ReadStream;
      await assert.rejects(settleSettings({ askBecomePass: true }, { terminal: { input, output: new PassThrough() }, env: noConfig(), cwd: tree.dir }),
        (e: unknown) => e instanceof KvmplayError && e.exitCode === EXIT.options
          && e.message === '-K/--ask-become-pass asks for the become password on a terminal, and standard input is not one: set become_password in the inventory (vaulted)');
    });

    it('asks on the terminal without echoing the password; the become password defaults to the SSH one', async () => {
      const t = fakeTerminal(['s3cret-ssh', '']);
      const s = await settleSettings({ askPass: true, askBecomePass: true }, { terminal: t, env: noConfig(), cwd: tree.dir });
      assert.equal(s.connection.password, 's3cret-ssh');
      assert.equal(s.connection.becomePassword, 's3cret-ssh');
      assert.equal(t.shown(), 'SSH password: \nBECOME password[defaults to SSH password]: \n');
    });

    it('asks nothing when nothing will connect (--list-*)', async () => {
      const input = Object.assign(new PassThrough(), { isTTY: false }) as unknown as NodeJS.ReadStream;
      const s = await settleSettings({ askBecomePass: true }, { ask: false, terminal: { input, output: new PassThrough() }, env: noConfig(), cwd: tree.dir });
      assert.equal(s.connection.becomePassword, undefined);
    });
  });

  describe('--limit @FILE', () => {
    it('reads the hosts of the file, one a line, with the other parts of the pattern', () => {
      assert.equal(resolveLimit('@retry', tree.dir), 'hv02,hv03');
      assert.equal(resolveLimit('hv01:@retry', tree.dir), 'hv01,hv02,hv03');
      assert.equal(resolveLimit('hv0*:!hv03', tree.dir), 'hv0*:!hv03');
      assert.equal(resolveLimit(undefined, tree.dir), undefined);
    });

    it('refuses a file it cannot read (exit 5)', () => {
      assert.throws(() => resolveLimit('@missing', tree.dir), (e: unknown) => e instanceof OptionsError && /--limit @.*missing: cannot read it/.test(e.message));
    });
  });

  describe('--version', () => {
    it('is seen anywhere before --, never in the command after it', () => {
      assert.equal(asksVersion(['--version']), true);
      assert.equal(asksVersion(['run', 'site.yml', '--version']), true);
      assert.equal(asksVersion(['exec', '-i', 'inv', '--', 'prog', '--version']), false);
    });

    it('prints the version, the config file in force and node\'s version', () => {
      const text = versionText({ ANSIBLE_CONFIG: tree.path('proj/ansible.cfg') }, tree.dir);
      assert.match(text, /^kvmplay \d+\.\d+\.\d+\n {2}config file = .*proj\/ansible\.cfg\n {2}node version = v\d+/);
    });
  });
});
