import assert from 'node:assert/strict';
import {
  checkHostKey,
  entriesForHost,
  fingerprint,
  formatKnownHostsLine,
  hostFieldMatches,
  hostKeyAlgorithmsFor,
  knownHostsName,
  KnownHostsIndex,
  offeredKey,
  parseKnownHosts,
} from './known-hosts.js';

// Real keys and hashed lines made by ssh-keygen (-H), so the hashing is checked
// against OpenSSH's own output, not against our reading of it.
const ED_A = 'AAAAC3NzaC1lZDI1NTE5AAAAIJxBgZkZhmh2Zfx5Mno1PhlQfRN0XAyhBGA6G32t0+7T';
const ED_B = 'AAAAC3NzaC1lZDI1NTE5AAAAIEIOGUdZiDmBmzgPgu62QEk7aNgYf8UyOAxZq+hhRFu8';
const ECDSA = 'AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBL8mBMYgp3Ng3lT3DlkXL6aq+mS+B36Tgsd/AfSssXcok6oA1MyktRLIl2kHmMCH3A6dgJhVWJzcDYENtuW3oHY=';
const HASHED_LAB02_ED_A = `|1|aL5M39OwKogY4VH25DZHHZLGunw=|6eUmOBYC9ieitsSo8RLiweP3OH0= ssh-ed25519 ${ED_A}`;
const HASHED_PORT_2222_ED_B = `|1|RnethosL4IYS/2+vzK81Mmwpsi4=|i74Os9r9jysXdHDEjwfkbgRtoV8= ssh-ed25519 ${ED_B}`;

const key = (b64: string) => offeredKey(Buffer.from(b64, 'base64'));
const verdictFor = (text: string, names: string[], b64: string) =>
  checkHostKey(entriesForHost(parseKnownHosts(text, 'kh'), names), key(b64), names);

describe('known_hosts parsing', () => {
  it('skips comments, blank lines, unknown markers and corrupt lines', () => {
    const text = [
      '# a comment',
      '',
      '   ',
      `lab01 ssh-ed25519 ${ED_A} comment words`,
      `@weird lab01 ssh-ed25519 ${ED_A}`,
      'lab01 ssh-ed25519',
      `lab01 ssh-rsa ${ED_A}`, // type field disagrees with the blob
      `@revoked lab09 ssh-ed25519 ${ED_B}`,
      `@cert-authority *.lab ssh-ed25519 ${ED_B}`,
    ].join('\n');
    const entries = parseKnownHosts(text, '/x/known_hosts');
    assert.deepEqual(entries.map((e) => [e.line, e.marker, e.hosts, e.keyType]), [
      [4, null, 'lab01', 'ssh-ed25519'],
      [8, 'revoked', 'lab09', 'ssh-ed25519'],
      [9, 'cert-authority', '*.lab', 'ssh-ed25519'],
    ]);
    assert.equal(entries[0]?.file, '/x/known_hosts');
  });

  it('accepts CRLF line endings and tabs between fields', () => {
    const entries = parseKnownHosts(`lab01\tssh-ed25519\t${ED_A}\r\n`, 'kh');
    assert.equal(entries.length, 1);
  });
});

describe('known_hosts host matching', () => {
  it('uses [host]:port for any port but 22', () => {
    assert.equal(knownHostsName('10.0.0.1', 22), '10.0.0.1');
    assert.equal(knownHostsName('10.0.0.1', 2222), '[10.0.0.1]:2222');
  });

  it('matches any name of a comma list, case-insensitively', () => {
    assert.ok(hostFieldMatches('lab01,10.213.0.11', '10.213.0.11'));
    assert.ok(hostFieldMatches('LAB01,10.213.0.11', 'lab01'));
    assert.ok(!hostFieldMatches('lab01,10.213.0.11', 'lab011'));
  });

  it('does not treat a port-22 entry as covering another port', () => {
    assert.ok(!hostFieldMatches('10.213.0.11', '[10.213.0.11]:2222'));
    assert.ok(hostFieldMatches('[10.213.0.11]:2222', '[10.213.0.11]:2222'));
  });

  it('supports * and ? wildcards and lets a negated pattern rule a line out', () => {
    assert.ok(hostFieldMatches('*.lab', 'hv01.lab'));
    assert.ok(hostFieldMatches('hv0?', 'hv07'));
    assert.ok(!hostFieldMatches('hv0?', 'hv10'));
    assert.ok(!hostFieldMatches('*.lab,!bad.lab', 'bad.lab'));
    assert.ok(hostFieldMatches('[10.213.0.*]:2222', '[10.213.0.5]:2222'));
  });

  it('matches hashed entries written by ssh-keygen -H, port form included', () => {
    assert.ok(hostFieldMatches(HASHED_LAB02_ED_A.split(' ')[0] ?? '', 'lab02'));
    assert.ok(!hostFieldMatches(HASHED_LAB02_ED_A.split(' ')[0] ?? '', 'lab03'));
    assert.ok(hostFieldMatches(HASHED_PORT_2222_ED_B.split(' ')[0] ?? '', '[10.213.0.12]:2222'));
    assert.ok(!hostFieldMatches(HASHED_PORT_2222_ED_B.split(' ')[0] ?? '', '10.213.0.12'));
  });
});

describe('host key verdicts', () => {
  it('accepts the recorded key', () => {
    const v = verdictFor(`lab01 ssh-ed25519 ${ED_A}`, ['lab01'], ED_A);
    assert.equal(v.kind, 'match');
  });

  it('accepts a key recorded under a hashed name', () => {
    assert.equal(verdictFor(HASHED_LAB02_ED_A, ['lab02'], ED_A).kind, 'match');
    assert.equal(verdictFor(HASHED_PORT_2222_ED_B, ['[10.213.0.12]:2222'], ED_B).kind, 'match');
  });

  it('reports a different key for a known host as changed, naming the old lines', () => {
    const v = verdictFor(`# x\nlab01 ssh-ed25519 ${ED_A}`, ['lab01'], ED_B);
    assert.equal(v.kind, 'changed');
    assert.deepEqual(v.kind === 'changed' && v.entries.map((e) => e.line), [2]);
  });

  it('accepts the key when one of several key types per host matches', () => {
    const text = `lab01 ecdsa-sha2-nistp256 ${ECDSA}\nlab01 ssh-ed25519 ${ED_A}`;
    assert.equal(verdictFor(text, ['lab01'], ED_A).kind, 'match');
    assert.equal(verdictFor(text, ['lab01'], ECDSA).kind, 'match');
  });

  it('reports a host without entries as unknown', () => {
    assert.deepEqual(verdictFor(`lab01 ssh-ed25519 ${ED_A}`, ['lab02'], ED_A), { kind: 'unknown', certAuthorities: 0 });
    assert.deepEqual(verdictFor('', ['lab02'], ED_A), { kind: 'unknown', certAuthorities: 0 });
  });

  it('refuses a revoked key even when a plain line also lists it', () => {
    const text = `lab01 ssh-ed25519 ${ED_A}\n@revoked * ssh-ed25519 ${ED_A}`;
    assert.equal(verdictFor(text, ['lab01'], ED_A).kind, 'revoked');
  });

  it('treats @cert-authority lines as not matching and not as a change', () => {
    const v = verdictFor(`@cert-authority *.lab ssh-ed25519 ${ED_A}`, ['hv01.lab'], ED_A);
    assert.deepEqual(v, { kind: 'unknown', certAuthorities: 1 });
  });

  it('looks the key up under every name given (address and inventory alias)', () => {
    assert.equal(verdictFor(`lab02 ssh-ed25519 ${ED_A}`, ['10.213.0.12', 'lab02'], ED_A).kind, 'match');
  });

  it('reports a change when the address entry holds another key, even though the alias entry matches', () => {
    const v = verdictFor(`lab02 ssh-ed25519 ${ED_A}\n10.213.0.12 ssh-ed25519 ${ED_B}`, ['10.213.0.12', 'lab02'], ED_A);
    assert.equal(v.kind, 'changed');
    assert.deepEqual(v.kind === 'changed' && v.entries.map((e) => e.line), [2]);
  });

  it('reports a change when the alias entry holds another key, even though a hashed address entry matches', () => {
    const v = verdictFor(`${HASHED_LAB02_ED_A}\nhv02 ssh-ed25519 ${ED_B}`, ['lab02', 'hv02'], ED_A);
    assert.deepEqual(v.kind === 'changed' && v.entries.map((e) => e.line), [2]);
  });

  it('lets a name whose entries hold only other key types agree, and one name hold several keys of a type', () => {
    assert.equal(verdictFor(`lab02 ssh-ed25519 ${ED_A}\n10.213.0.12 ecdsa-sha2-nistp256 ${ECDSA}`, ['10.213.0.12', 'lab02'], ED_A).kind, 'match');
    assert.equal(verdictFor(`lab02 ssh-ed25519 ${ED_B}\nlab02 ssh-ed25519 ${ED_A}`, ['10.213.0.12', 'lab02'], ED_A).kind, 'match');
  });
});

describe('host key algorithms to offer', () => {
  it('offers only the key types recorded for the host, best first', () => {
    const entries = parseKnownHosts(`h ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAAQC7\nh ssh-ed25519 ${ED_A}`, 'kh');
    assert.deepEqual(hostKeyAlgorithmsFor(entries), ['ssh-ed25519', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
  });

  it('offers nothing special for an unknown host or one known only by revoked keys', () => {
    assert.deepEqual(hostKeyAlgorithmsFor([]), []);
    assert.deepEqual(hostKeyAlgorithmsFor(parseKnownHosts(`@revoked h ssh-ed25519 ${ED_A}`, 'kh')), []);
  });
});

describe('recording a first-seen key', () => {
  it('writes the OpenSSH line form, bracketed for a non-22 port', () => {
    assert.equal(formatKnownHostsLine('10.213.0.12', 22, key(ED_A)), `10.213.0.12 ssh-ed25519 ${ED_A}\n`);
    assert.equal(formatKnownHostsLine('127.0.0.1', 2222, key(ED_A)), `[127.0.0.1]:2222 ssh-ed25519 ${ED_A}\n`);
  });

  it('writes a hashed name exactly as ssh-keygen -H does for the same salt', () => {
    const saltOf = (line: string) => Buffer.from(line.split('|')[2] ?? '', 'base64');
    assert.equal(formatKnownHostsLine('lab02', 22, key(ED_A), saltOf(HASHED_LAB02_ED_A)), `${HASHED_LAB02_ED_A}\n`);
    assert.equal(formatKnownHostsLine('10.213.0.12', 2222, key(ED_B), saltOf(HASHED_PORT_2222_ED_B)), `${HASHED_PORT_2222_ED_B}\n`);
  });

  it('prints fingerprints as ssh-keygen -l does', () => {
    assert.equal(fingerprint(Buffer.from(ED_A, 'base64')), 'SHA256:JfcOch7rYPq0tjg+lGm6cBwA8LObA9WtOAVZU3Lh0sc');
  });
});

describe('known_hosts index', () => {
  it('finds exactly the entries a line-by-line scan finds, in file order', () => {
    const text = [
      `lab01,10.0.0.1 ssh-ed25519 ${ED_A}`,
      `*.lab ssh-ed25519 ${ED_B}`,
      `LAB01 ecdsa-sha2-nistp256 ${ECDSA}`,
      HASHED_LAB02_ED_A,
      `lab0?,!lab03 ssh-ed25519 ${ED_B}`,
      `[10.0.0.1]:2222 ssh-ed25519 ${ED_B}`,
      HASHED_PORT_2222_ED_B,
      `@revoked 10.0.0.1 ssh-ed25519 ${ED_B}`,
      `other ssh-ed25519 ${ED_A}`,
    ].join('\n');
    const entries = parseKnownHosts(text, 'kh');
    const index = new KnownHostsIndex(entries);
    const lookups = [['lab01'], ['10.0.0.1', 'lab01'], ['Lab01'], ['lab02'], ['lab03'], ['x.lab'], ['[10.0.0.1]:2222'],
      ['[lab02]:2222'], ['nothing'], ['other', 'lab03']];
    for (const names of lookups) {
      assert.deepEqual(index.lookup(names).map((e) => e.line), entriesForHost(entries, names).map((e) => e.line), names.join(','));
    }
    assert.deepEqual(index.lookup(['10.0.0.1']).map((e) => e.line), [1, 8]);
  });
});
