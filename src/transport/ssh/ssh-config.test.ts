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

Match user deploy host *
  Port 9999

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

  it('skips Match blocks with criteria it does not evaluate, with a warning naming them, and never runs exec', () => {
    const c = resolveSshConfig('web3', src);
    assert.equal(c.port, undefined, 'neither the Match user nor the Match exec block applies');
    assert.ok(c.warnings.some((w) => /Match user deploy host \*: kvmplay does not evaluate user; the block is ignored/.test(w)), c.warnings.join('\n'));
    assert.ok(c.warnings.some((w) => /does not evaluate exec/.test(w)), c.warnings.join('\n'));
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
