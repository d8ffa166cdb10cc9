import assert from 'node:assert/strict';
import { fakeContext } from '../../../../test/support/module-context.js';
import { loadProbeCases, RecordedHost, runsScript } from '../../../../test/support/recorded-host.js';
import { WRITE_SCRIPT } from '../../files/put-file.js';
import { authorizedKeyModule, KEY_FILE_PROBE, parseKeyFileProbe, type KeyFileState } from './authorized-key.js';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFIXTUREKEYAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
const NEW = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKEYTWOKEYTWOKEYTWOKEYTWOKEYTWOKEYTWOKEYTWO';
const as = (m: unknown): ((argv: readonly string[]) => boolean) => m as (argv: readonly string[]) => boolean;

describe('authorized_key probe', () => {
  for (const c of loadProbeCases<KeyFileState>('authorized-key-probe')) {
    it(`parses ${c.name}: ${c.title}`, () => assert.deepEqual(parseKeyFileProbe(c.stdout), c.expected));
  }
});

describe('authorized_key module', () => {
  const [existing] = loadProbeCases('authorized-key-probe').filter((c) => c.name === 'existing');
  const [noAccount] = loadProbeCases('authorized-key-probe').filter((c) => c.name === 'no-account');
  const isProbe = as(runsScript(KEY_FILE_PROBE));
  const isWrite = as(runsScript(WRITE_SCRIPT));

  it('is ok when the key is there, and registers the module\'s parameters and the file', async () => {
    const host = new RecordedHost().on(isProbe, { stdout: existing?.stdout ?? '' });
    const r = await authorizedKeyModule.run(host, authorizedKeyModule.args.parse({ user: 'kvfix-k', key: `${KEY} one` }), fakeContext());
    assert.equal(r.changed, false, r.msg);
    assert.deepEqual(r.data, {
      user: 'kvfix-k', key: `${KEY} one`, path: null, manage_dir: true, state: 'present', key_options: null, exclusive: false,
      comment: null, validate_certs: true, follow: false, keyfile: '/home/kvfix-k/.ssh/authorized_keys',
    });
  });

  it('adds a key: the diff in check mode, then ~/.ssh made the account\'s and the file written 0600', async () => {
    const host = new RecordedHost().on(isProbe, { stdout: existing?.stdout ?? '' }).on(['sh', '-c'], {});
    const a = authorizedKeyModule.args.parse({ user: 'kvfix-k', key: `${NEW} two` });
    const check = await authorizedKeyModule.run(host, a, fakeContext({ check: true, diff: true }));
    assert.equal(check.changed, true);
    assert.match(check.diff ?? '', new RegExp(`\\+${NEW} two`));
    assert.deepEqual(host.commands().filter((c) => !isProbe(c)), []);
    const r = await authorizedKeyModule.run(host, a, fakeContext());
    assert.equal(r.changed, true, r.msg);
    const sent = host.calls.filter((c) => c.argv && !isProbe(c.argv));
    assert.deepEqual(sent[0]?.argv?.slice(4), ['/home/kvfix-k/.ssh', '3961:3961']);
    const write = sent.find((c) => c.argv && isWrite(c.argv));
    assert.deepEqual(write?.argv?.slice(4, 10), ['/home/kvfix-k/.ssh/authorized_keys', '0600', '3961:3961', '', '', 'yes']);
    assert.equal(String(write?.opts?.stdin), `# keys\n${KEY} one\n${NEW} two\n`);
  });

  it('fails for an account that does not exist, as the module does', async () => {
    const host = new RecordedHost().on(isProbe, { stdout: noAccount?.stdout ?? '' });
    const r = await authorizedKeyModule.run(host, authorizedKeyModule.args.parse({ user: 'kvfix-nobody', key: KEY }), fakeContext());
    assert.equal(r.failed, true);
    assert.equal(r.msg, `Failed to lookup user kvfix-nobody: "getpwnam(): name not found: 'kvfix-nobody'"`);
  });

  it('refuses a key URL: the host fetches nothing', () => {
    const r = authorizedKeyModule.args.safeParse({ user: 'u', key: 'https://github.com/u.keys' });
    assert.match(r.error?.issues[0]?.message ?? '', /a key URL is not supported by kvmplay/);
  });
});
