import assert from 'node:assert/strict';
import { editKeys, parseKey, parseOptions, serializeKeys, parseKeyFile, splitLinesKeep } from './authorized-keys.js';

const K1 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKEYONEKEYONEKEYONEKEYONEKEYONEKEYONEKEYONE';
const K2 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKEYTWOKEYTWOKEYTWOKEYTWOKEYTWOKEYTWOKEYTWO';
const RSA = 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQRSAKEY';

describe('authorized_keys parsing', () => {
  it('splits options at commas outside quotes', () => {
    assert.deepEqual(parseOptions('no-pty,from="10.0.0.1,10.0.0.2",command="echo a,b"'), [['no-pty', null], ['from', '"10.0.0.1,10.0.0.2"'], ['command', '"echo a,b"']]);
    assert.deepEqual(parseOptions(''), []);
  });

  it('finds the key after its options, the comment after it', () => {
    assert.deepEqual(parseKey(`no-pty ${K1} me@host extra`, 3), { id: K1.split(' ')[1], type: 'ssh-ed25519', options: [['no-pty', null]], comment: 'me@host extra', rank: 3 });
    assert.equal(parseKey('not a key', 0), null);
    assert.equal(parseKey('# comment\n', 0)?.type, 'skipped');
  });

  it('splits lines as Python does, keeping their ends', () => {
    assert.deepEqual(splitLinesKeep('a\nb\r\nc'), ['a\n', 'b\r\n', 'c']);
    assert.deepEqual(splitLinesKeep(''), []);
  });

  it('collapses repeated lines into the last one', () => {
    const keys = parseKeyFile(`\n${K1} a\n\n${K1} b\n`);
    assert.equal(serializeKeys(keys), `\n${K1} b\n`);
  });
});

describe('authorized_keys editing', () => {
  const table: Array<[string, string, Parameters<typeof editKeys>[1], string | null]> = [
    ['adds a key to an empty file', '', { key: `${K1} me`, state: 'present', exclusive: false }, `${K1} me\n`],
    ['writes a trailing blank for a key without comment (the module does)', '', { key: K1, state: 'present', exclusive: false }, `${K1} \n`],
    ['keeps a file that has the key', `# keys\n${K1} me\n`, { key: `${K1} me`, state: 'present', exclusive: false }, null],
    ['adds several keys, one a line, after the existing ones', `${RSA} r\n`, { key: `${K1} one\n\n# skip me\n${K2} two\n`, state: 'present', exclusive: false }, `${RSA} r\n${K1} one\n${K2} two\n`],
    ['normalises the lines it rewrites', `${RSA}   r   x\n#c\n`, { key: `${K1} one`, state: 'present', exclusive: false }, `${RSA} r x\n#c\n${K1} one\n`],
    ['moves a key whose comment changes to the end', `${K1} old\n${RSA} r\n`, { key: K1, comment: 'new', state: 'present', exclusive: false }, `${RSA} r\n${K1} new\n`],
    ['sets key options', `${K1} me\n`, { key: `${K1} me`, keyOptions: 'no-pty,from="10.1.1.1"', state: 'present', exclusive: false }, `no-pty,from="10.1.1.1" ${K1} me\n`],
    ['removes a key whatever its options or comment', `# c\nno-pty ${K1} me\n${RSA} r\n`, { key: `${K1} other`, state: 'absent', exclusive: false }, `# c\n${RSA} r\n`],
    ['leaves a file without the key to remove', `${RSA} r\n`, { key: K1, state: 'absent', exclusive: false }, null],
    ['drops every other line with exclusive, comments included', `# c\n${RSA} r\n${K1} me\n`, { key: `${K1} me`, state: 'present', exclusive: true }, `${K1} me\n`],
  ];
  for (const [title, before, want, after] of table) it(title, () => assert.equal(editKeys(before, want), after));

  it('refuses a line of key that is no key', () => {
    assert.throws(() => editKeys('', { key: 'hello world', state: 'present', exclusive: false }), /invalid key specified: hello world/);
  });
});
