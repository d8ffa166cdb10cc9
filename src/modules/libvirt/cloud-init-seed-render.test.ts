import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { UnsafeText } from '../../data/py-values.js';
import { isSecretSeedKey, metaData, seedFileForDiff, seedFiles, seedHash, seedYaml, userDataText } from './cloud-init-seed-render.js';

const ISO = '/var/lib/libvirt/images/web01-cidata.iso';

describe('cloud-init seed files', () => {
  it('writes a user_data map as #cloud-config YAML, keys in the order given', () => {
    const text = userDataText({
      hostname: 'web01', fqdn: 'web01.example.org',
      users: [{ name: 'ops', sudo: 'ALL=(ALL) NOPASSWD:ALL', ssh_authorized_keys: ['ssh-ed25519 AAAAC3Nza ops@laptop'] }],
      packages: ['qemu-guest-agent'], runcmd: [['systemctl', 'enable', '--now', 'qemu-guest-agent'], 'echo done'],
      disable_root: false, ssh_pwauth: false,
    });
    assert.equal(text, [
      '#cloud-config',
      'hostname: web01',
      'fqdn: web01.example.org',
      'users:',
      '  - name: ops',
      '    sudo: ALL=(ALL) NOPASSWD:ALL',
      '    ssh_authorized_keys:',
      '      - ssh-ed25519 AAAAC3Nza ops@laptop',
      'packages:',
      '  - qemu-guest-agent',
      'runcmd:',
      '  - - systemctl',
      '    - enable',
      '    - --now',
      '    - qemu-guest-agent',
      '  - echo done',
      'disable_root: false',
      'ssh_pwauth: false',
      '',
    ].join('\n'));
  });

  it('takes a user_data text as it is: a script or a #cloud-config written by hand', () => {
    assert.equal(userDataText('#!/bin/sh\necho hi > /tmp/x\n'), '#!/bin/sh\necho hi > /tmp/x\n');
    assert.equal(userDataText('#cloud-config\nhostname: a # mine\n'), '#cloud-config\nhostname: a # mine\n');
    assert.equal(userDataText(undefined), '#cloud-config\n{}\n');
  });

  it('quotes the strings cloud-init (YAML 1.1) would read as something else', () => {
    const data = { permissions: '0644', answer: 'yes', off: 'off', time: '1:20', tilde: '~', n: 'n', count: 3, flag: true, empty: '' };
    const text = seedYaml(data);
    assert.deepEqual(parse(text, { version: '1.1' }), data);
    assert.match(text, /^permissions: "0644"$/m);
    assert.match(text, /^answer: "yes"$/m);
  });

  it('writes multi-line contents (write_files) as literal blocks and long keys on one line', () => {
    const key = `ssh-ed25519 ${'A'.repeat(120)} someone@somewhere`;
    const text = seedYaml({ write_files: [{ path: '/etc/motd', content: 'hello\nworld\n' }], ssh_authorized_keys: [key] });
    assert.match(text, /content: \|\n {6}hello\n {6}world\n/);
    assert.ok(text.includes(`- ${key}\n`));
  });

  it('takes !unsafe strings as strings and refuses what is not data', () => {
    assert.equal(seedYaml({ runcmd: [new UnsafeText('echo {{ x }}')] }), 'runcmd:\n  - echo {{ x }}\n');
    assert.throws(() => seedYaml({ when: new Date(0) }), /only strings, numbers, booleans, lists and maps/);
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1 });
    assert.equal(seedYaml({ bare }), 'bare:\n  a: 1\n');
  });

  it('defaults meta-data to the hostname, else the ISO name, and lets given keys win', () => {
    assert.deepEqual(metaData({ hostname: 'web01', path: ISO }), { 'instance-id': 'web01', 'local-hostname': 'web01' });
    assert.deepEqual(metaData({ path: ISO }), { 'instance-id': 'web01-cidata' });
    assert.deepEqual(metaData({ hostname: 'web01', path: ISO, meta_data: { 'instance-id': 'i-1234' } }), { 'instance-id': 'i-1234', 'local-hostname': 'web01' });
    assert.deepEqual(metaData({ path: ISO, meta_data: { 'instance-id': 'a', 'local-hostname': 'b', 'public-keys': ['k'] } }), { 'instance-id': 'a', 'local-hostname': 'b', 'public-keys': ['k'] });
  });

  it('adds network-config only when given', () => {
    assert.deepEqual(seedFiles({ path: ISO, hostname: 'web01' }).map((f) => f.name), ['user-data', 'meta-data']);
    const net = { version: 2, ethernets: { eth0: { addresses: ['192.0.2.10/24'], routes: [{ to: 'default', via: '192.0.2.1' }], nameservers: { addresses: ['192.0.2.1'] } } } };
    const files = seedFiles({ path: ISO, hostname: 'web01', network_config: net });
    assert.deepEqual(files.map((f) => f.name), ['user-data', 'meta-data', 'network-config']);
    assert.deepEqual(parse(files[2]!.content), net);
  });

  it('hashes the whole seed: the same seed the same hash, any change another', () => {
    const a = seedFiles({ path: ISO, hostname: 'web01', user_data: { hostname: 'web01' } });
    assert.equal(seedHash(a), seedHash(seedFiles({ path: ISO, hostname: 'web01', user_data: { hostname: 'web01' } })));
    assert.match(seedHash(a), /^[0-9a-f]{64}$/);
    const others = [
      seedFiles({ path: ISO, hostname: 'web02', user_data: { hostname: 'web01' } }),
      seedFiles({ path: ISO, hostname: 'web01', user_data: { hostname: 'web02' } }),
      seedFiles({ path: ISO, hostname: 'web01', user_data: { hostname: 'web01' }, network_config: { version: 2 } }),
    ];
    for (const o of others) assert.notEqual(seedHash(o), seedHash(a));
    // Moving bytes from one file to the next is another seed too.
    assert.notEqual(seedHash([{ name: 'user-data', content: 'ab' }, { name: 'meta-data', content: 'c' }]), seedHash([{ name: 'user-data', content: 'a' }, { name: 'meta-data', content: 'bc' }]));
  });
});

describe('cloud-init seed files in --diff', () => {
  it('knows the keys cloud-init keeps secrets under', () => {
    for (const k of ['passwd', 'hashed_passwd', 'plain_text_passwd', 'password', 'ed25519_private', 'token', 'registration_key', 'activation-key']) assert.ok(isSecretSeedKey(k, undefined), k);
    assert.ok(isSecretSeedKey('list', 'chpasswd'));
    for (const k of ['ssh_authorized_keys', 'name', 'list', 'hostname', 'ssh_pwauth']) assert.ok(!isSecretSeedKey(k, k === 'list' ? 'packages' : undefined), k);
  });

  it('masks passwords, chpasswd lists and private host keys, keeping the rest as written', () => {
    const text = userDataText({
      users: [{ name: 'ops', passwd: '$6$salt$hash', lock_passwd: false }],
      chpasswd: { expire: false, list: 'root:hunter22\nops:other' },
      ssh_keys: { ed25519_private: '-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n', ed25519_public: 'ssh-ed25519 AAA' },
      hostname: 'web01',
    });
    const shown = seedFileForDiff(text);
    for (const secret of ['$6$salt$hash', 'hunter22', 'PRIVATE KEY', 'abc']) assert.ok(!shown.includes(secret), `${secret} in\n${shown}`);
    assert.match(shown, /^#cloud-config\n/);
    assert.match(shown, /lock_passwd: false/);
    assert.match(shown, /ed25519_public: ssh-ed25519 AAA/);
    assert.match(shown, /hostname: web01/);
  });

  it('shows a script, a file without secrets and text that is no YAML exactly as they are', () => {
    for (const text of ['#!/bin/sh\necho password: x\n', '#cloud-config\nhostname: a # mine\n', 'a: [unclosed\n', '']) assert.equal(seedFileForDiff(text), text);
  });
});
