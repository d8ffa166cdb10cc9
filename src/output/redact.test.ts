import assert from 'node:assert/strict';
import { isSecretName, Redactor } from './redact.js';

describe('Redactor', () => {
  it('masks every occurrence of a secret in nested values', () => {
    const r = new Redactor();
    r.add('s3cret-pw');
    const out = r.redactValue({ msg: 'pw is s3cret-pw', list: ['x s3cret-pw s3cret-pw'], n: 3 });
    assert.deepEqual(out, { msg: 'pw is ********', list: ['x ******** ********'], n: 3 });
  });

  it('masks the longer secret whole when one secret contains another', () => {
    const r = new Redactor();
    r.add('abc');
    r.add('abcdef');
    assert.equal(r.redact('abcdef abc'), '******** ********');
  });

  it('ignores empty and very short values that would mangle output', () => {
    const r = new Redactor();
    r.add('');
    r.add('a');
    r.add(undefined);
    assert.equal(r.redact('a banana'), 'a banana');
  });

  it('hides each string of a list or map secret, and long numbers but not short ones', () => {
    const r = new Redactor();
    r.addValue(['list-pw', { inner: 'dict-pw', pin: 123456, n: 300 }]);
    assert.equal(r.redact('list-pw dict-pw 123456 300'), '******** ******** ******** 300');
  });

  it('hides only the values of secret-named variables, also inside maps', () => {
    const r = new Redactor();
    r.addSecretVars({ db: { password: 'db-pw', host: 'db-host' }, vault_admin: ['v-pw'], bridge: 'br0-name' });
    assert.equal(r.redact('db-pw db-host v-pw br0-name'), '******** db-host ******** br0-name');
  });

  it('hides each line of a multi-line secret, as a diff shows it, and its JSON-escaped form', () => {
    const r = new Redactor();
    r.add('-----BEGIN KEY-----\nAAAAsecretbody\n-----END KEY-----\n');
    assert.equal(r.redact('+AAAAsecretbody'), '+********');
    r.add('pw"with\\quotes');
    assert.equal(r.redact(JSON.stringify({ x: 'pw"with\\quotes' })), '{"x":"********"}');
  });

  it('masks secrets in an error message and its stack', () => {
    const r = new Redactor();
    r.add('hunter22');
    const e = r.redactError(new Error('password must be a string, got ["hunter22"]'));
    assert.equal(e.message, 'password must be a string, got ["********"]');
    assert.doesNotMatch(e.stack ?? '', /hunter22/);
  });
});

describe('isSecretName', () => {
  it('knows Ansible-style secret names', () => {
    for (const name of ['ansible_password', 'ansible_become_pass', 'ansible_ssh_pass', 'lab_become_password', 'db_passwd', 'backup_passphrase',
      'api_key', 'apikey', 'registryApiKey', 'private_key', 'ssl_private_key_content', 'aws_secret_access_key', 'client_secret', 'github_token',
      'smtp_credentials', 'vault_anything', 'dbPassword', 'password']) {
      assert.equal(isSecretName(name), true, name);
    }
  });

  it('leaves ordinary names alone', () => {
    for (const name of ['bridge', 'passenger', 'bypass_proxy', 'ansible_user', 'ssh_key_file', 'ansible_ssh_private_key_file', 'vault_password_file', 'public_key', 'vault', 'keyboard', 'tokenizer']) {
      assert.equal(isSecretName(name), false, name);
    }
  });
});
