// Resolving a host's settings from an ssh config as OpenSSH does (issue 15): config
// files written under a temporary home, never the real one.
import assert from 'node:assert/strict';
import { writeTree, type TempTree } from '../../../test/support/file-tree.js';
import { globMatches, hostMatches, resolveSshConfig, type SshConfigSource } from './ssh-config.js';

describe('ssh config resolution', () => {
  let tree: TempTree;
  let src: SshConfigSource;
  before(async () => {
    tree = await writeTree({
      'home/.ssh/config': `
# top-level lines apply to every host
ConnectTimeout 7
Include conf.d/*.conf
Include ~/.ssh/extra

Host web? !web9 db-*
  HostName %h.example.net
  User deploy
  IdentityFile ~/.ssh/web_key
  IdentityFile %d/keys/%u-%r@%h:%p

Host web1
  User ignored-first-wins
  Port 2201

Host *.example.net
  Port 2299

Match host web2.example.net
  Port 2202

Match originalhost db-1
  IdentitiesOnly yes

Match user deploy host web3.*
  Port 9999

Match localuser me originalhost web4
  ServerAliveCountMax 9

Match localuser someone-else
  ServerAliveCountMax 8

Match exec "true"
  Port 9998

Host alias-with-jump
  HostName 10.0.0.5
  ProxyJump jumper,root@other:2022

Host jumper
  HostName 10.0.0.1
  User jumpuser
  Port 2022

Host *
  User fallback
  ServerAliveInterval 1m30s
  ServerAliveCountMax 4
  UserKnownHostsFile ~/.ssh/kh1 %d/kh2
  StrictHostKeyChecking accept-new
  ProxyJump none
`,
      'home/.ssh/conf.d/10-first.conf': `Host included\n  HostName from-include-10\n  Port 2010\n`,
      'home/.ssh/conf.d/20-second.conf': `Host included\n  HostName from-include-20\n  User inc-user\n`,
      'home/.ssh/conf.d/notconf.txt': `Host included\n  User never\n`,
      'home/.ssh/extra': `Host web1\n  IdentityFile ~/.ssh/extra_key\n`,
    });
    src = { file: tree.path('home/.ssh/config'), home: tree.path('home'), localUser: 'me' };
  });
  after(() => tree.remove());

  it('matches Host patterns with *, ? and negation, case-insensitively', () => {
    assert.equal(globMatches('web?', 'web1'), true);
    assert.equal(globMatches('web?', 'web10'), false);
    assert.equal(globMatches('*.example.net', 'A.EXAMPLE.NET'), true);
    assert.equal(hostMatches(['web?', '!web9', 'db-*'], 'web9'), false);
    assert.equal(hostMatches(['web?', '!web9', 'db-*'], 'db-7'), true);
    assert.equal(hostMatches(['!web9'], 'other'), false, 'a negation alone matches nothing');
  });

  it('takes the first value obtained for each option, HostName with %h, IdentityFiles adding up', () => {
    const c = resolveSshConfig('web1', src);
    assert.equal(c.hostName, 'web1.example.net');
    assert.equal(c.user, 'deploy');
    assert.equal(c.port, 2201);
    assert.equal(c.connectTimeout, 7);
    const home = tree.path('home');
    assert.deepEqual(c.identityFiles, [
      `${home}/.ssh/extra_key`, // the Include at the top comes before the Host blocks
      `${home}/.ssh/web_key`,
      `${home}/keys/me-deploy@web1.example.net:2201`,
    ]);
  });

  it('evaluates Match host against the HostName obtained so far, originalhost against the name given', () => {
    assert.equal(resolveSshConfig('web2', src).port, 2202);
    const db = resolveSshConfig('db-1', src);
    assert.equal(db.hostName, 'db-1.example.net');
    assert.equal(db.port, undefined, 'Host lines match the name given, not the HostName');
    assert.equal(db.identitiesOnly, true);
  });

  it('evaluates Match user against the remote user obtained so far and localuser against the local one', () => {
    assert.equal(resolveSshConfig('web3', src).port, 9999, 'User deploy came from the Host web? block');
    assert.equal(resolveSshConfig('web3', { ...src, commandLine: [['user', 'other']] }).port, undefined, 'the command line user came first');
    assert.equal(resolveSshConfig('web4', src).serverAliveCountMax, 9);
    assert.equal(resolveSshConfig('web5', src).serverAliveCountMax, 4, 'Match localuser someone-else does not apply');
  });

  it('skips Match exec blocks with a warning naming them, never running the command', () => {
    const c = resolveSshConfig('web3', src);
    assert.deepEqual(c.warnings.filter((w) => /Match/.test(w)), [`${src.file}: Match exec true: kvmplay does not evaluate exec; the block is ignored`]);
    assert.notEqual(c.port, 9998);
  });

  it('reads Included files relative to ~/.ssh, globs in name order', () => {
    const c = resolveSshConfig('included', src);
    assert.equal(c.hostName, 'from-include-10');
    assert.equal(c.port, 2010);
    assert.equal(c.user, 'inc-user');
  });

  it('applies Host * defaults last: time suffixes, several known_hosts files, StrictHostKeyChecking', () => {
    const c = resolveSshConfig('plain', src);
    const home = tree.path('home');
    assert.equal(c.hostName, undefined);
    assert.equal(c.user, 'fallback');
    assert.equal(c.serverAliveInterval, 90);
    assert.equal(c.serverAliveCountMax, 4);
    assert.deepEqual(c.userKnownHostsFiles, [`${home}/.ssh/kh1`, `${home}/kh2`]);
    assert.equal(c.strictHostKeyChecking, 'accept-new');
    assert.equal(c.proxyJump, undefined, 'ProxyJump none');
    assert.deepEqual(c.identityFiles, []);
  });

  it('keeps the first ProxyJump as written, for the caller to resolve each hop', () => {
    const c = resolveSshConfig('alias-with-jump', src);
    assert.equal(c.hostName, '10.0.0.5');
    assert.equal(c.proxyJump, 'jumper,root@other:2022');
  });

  it('puts command-line options before every file', () => {
    const c = resolveSshConfig('web1', { ...src, commandLine: [['user', 'cli'], ['port', '22']] });
    assert.equal(c.user, 'cli');
    assert.equal(c.port, 22);
    assert.ok(c.identityFiles.at(-1)?.endsWith('/keys/me-cli@web1.example.net:22'));
  });

  it('reads nothing, silently, when the file does not exist', () => {
    const c = resolveSshConfig('web1', { ...src, file: tree.path('home/.ssh/none') });
    assert.deepEqual(c, { identityFiles: [], warnings: [] });
  });
});

describe('ssh config: the system-wide file after the user\'s', () => {
  let tree: TempTree;
  let src: SshConfigSource;
  before(async () => {
    tree = await writeTree({
      'home/.ssh/config': 'Host sys-alias\n  HostName 10.1.1.1\n  Port 2200\nInclude user.d/*.conf\n',
      'home/.ssh/user.d/a.conf': 'Host sys-alias\n  IdentityFile ~/.ssh/user_key\n',
      // As Debian's default, plus a site file in ssh_config.d.
      'etc/ssh/ssh_config': [
        'Include ssh_config.d/*.conf',
        'Host *',
        '    SendEnv LANG LC_*',
        '    HashKnownHosts yes',
        '    GSSAPIAuthentication yes',
        '    Port 22',
        '    User sysuser',
        '',
      ].join('\n'),
      'etc/ssh/ssh_config.d/10-site.conf': 'Host sys-alias\n  ConnectTimeout 3\n  IdentityFile ~/.ssh/sys_key\n',
    });
    src = { file: tree.path('home/.ssh/config'), systemFile: tree.path('etc/ssh/ssh_config'), home: tree.path('home'), localUser: 'me' };
  });
  after(() => tree.remove());

  it('reads it after the user\'s file: the user\'s values win, its own fill the rest, its Includes relative to its folder', () => {
    const c = resolveSshConfig('sys-alias', src);
    const home = tree.path('home');
    assert.equal(c.hostName, '10.1.1.1');
    assert.equal(c.port, 2200);
    assert.equal(c.user, 'sysuser');
    assert.equal(c.connectTimeout, 3);
    assert.deepEqual(c.identityFiles, [`${home}/.ssh/user_key`, `${home}/.ssh/sys_key`]);
    assert.deepEqual(c.warnings, []);
  });

  it('reads it even when the user has no config file', () => {
    const c = resolveSshConfig('elsewhere', { ...src, file: tree.path('home/.ssh/missing') });
    assert.equal(c.user, 'sysuser');
    assert.equal(c.port, 22);
  });

  it('finds nothing to warn about in this machine\'s own /etc/ssh/ssh_config (a missing one is no settings)', () => {
    const c = resolveSshConfig('some-host', { file: tree.path('home/.ssh/missing'), systemFile: '/etc/ssh/ssh_config', home: tree.path('home'), localUser: 'me' });
    assert.deepEqual(c.warnings, []);
  });
});

// Each expectation below was checked with `ssh -G -F <file> <host>` of OpenSSH 9.2.
describe('ssh config: Match canonical and Match final', () => {
  let tree: TempTree;
  let src: SshConfigSource;
  before(async () => {
    tree = await writeTree({
      'home/.ssh/config': `
Host alias
  HostName real.example
Host real.example
  Port 2222
Match canonical
  User canon
Match final host real.example
  IdentityFile ~/.ssh/finalkey
Match final
  User finaluser
  ConnectTimeout 5
  HostName ignored.example
Match !final
  ServerAliveCountMax 7
Match originalhost alias user canon
  ServerAliveInterval 11
Host *
  IdentityFile ~/.ssh/a
  IdentityFile ~/.ssh/a
  UserKnownHostsFile /k1 /k2
  UserKnownHostsFile /k3
  HostKeyAlias ka-%h
`,
      'home/.ssh/no-final': 'Match canonical\n  User canon\nMatch !canonical\n  Port 2000\nMatch !final\n  ConnectTimeout 4\n',
    });
    src = { file: tree.path('home/.ssh/config'), home: tree.path('home'), localUser: 'me' };
  });
  after(() => tree.remove());

  it('makes a second pass for Match final, where canonical and final match and first values still win', () => {
    const c = resolveSshConfig('alias', src);
    const home = tree.path('home');
    assert.equal(c.hostName, 'real.example', 'HostName is fixed before the final pass');
    assert.equal(c.user, 'canon', 'Match canonical comes before Match final in the file');
    assert.equal(c.connectTimeout, 5);
    assert.equal(c.serverAliveCountMax, 7, 'Match !final held in the first pass');
    assert.equal(c.serverAliveInterval, 11, 'Match user saw the user the first pass obtained');
    assert.deepEqual(c.identityFiles, [`${home}/.ssh/a`, `${home}/.ssh/finalkey`], 'each path once');
    assert.deepEqual(c.warnings, []);
  });

  it('tests Host and Match host against the HostName in the final pass', () => {
    assert.equal(resolveSshConfig('alias', src).port, 2222, 'Host real.example matched the HostName of alias');
    const other = resolveSshConfig('other', src);
    assert.equal(other.port, undefined);
    assert.deepEqual(other.identityFiles, [`${tree.path('home')}/.ssh/a`]);
  });

  it('takes the first UserKnownHostsFile line whole, and HostKeyAlias as written', () => {
    const c = resolveSshConfig('other', src);
    assert.deepEqual(c.userKnownHostsFiles, ['/k1', '/k2']);
    assert.equal(c.hostKeyAlias, 'ka-%h');
  });

  it('never matches canonical without a final pass, and reads a line ending in !final', () => {
    const c = resolveSshConfig('x', { ...src, file: tree.path('home/.ssh/no-final') });
    assert.equal(c.user, undefined);
    assert.equal(c.port, 2000);
    assert.equal(c.connectTimeout, 4);
    assert.deepEqual(c.warnings, []);
  });
});
