import assert from 'node:assert/strict';
import { codecNamed, pyDecode, pyEncode } from './py-codecs.js';

describe('Python codecs with surrogateescape', () => {
  it('knows the names Python gives UTF-8, Latin-1 and ASCII, and no others', () => {
    assert.deepEqual(['utf-8', 'UTF8', 'utf_8', 'latin-1', 'ISO-8859-1', 'l1', 'ascii', 'US-ASCII'].map(codecNamed),
      ['utf-8', 'utf-8', 'utf-8', 'latin-1', 'latin-1', 'latin-1', 'ascii', 'ascii']);
    assert.equal(codecNamed('utf-16'), undefined);
    assert.equal(codecNamed('cp1252'), undefined);
  });

  it('decodes valid UTF-8 as it is', () => {
    assert.equal(pyDecode(Buffer.from('café ✓ 😀'), 'utf-8'), 'café ✓ 😀');
  });

  it('turns each byte that does not decode into U+DC80–U+DCFF, as Python does', () => {
    // A Latin-1 é, a truncated 3-byte sequence, an overlong form and an encoded surrogate.
    const bytes = Buffer.from([0x63, 0xe9, 0x21, 0xe2, 0x82, 0x41, 0xc0, 0xaf, 0xed, 0xa0, 0x80, 0xc3, 0xa9]);
    assert.equal(pyDecode(bytes, 'utf-8'), 'c\udce9!\udce2\udc82A\udcc0\udcaf\udced\udca0\udc80é');
  });

  it('writes the escaped bytes back byte for byte', () => {
    const bytes = Buffer.from([0x63, 0xe9, 0xff, 0x0a, 0xc3, 0xa9]);
    for (const codec of ['utf-8', 'latin-1', 'ascii'] as const) assert.deepEqual(pyEncode(pyDecode(bytes, codec), codec), bytes, codec);
  });

  it('reads Latin-1 as one character a byte and ASCII with its high bytes escaped', () => {
    const bytes = Buffer.from([0x63, 0x61, 0x66, 0xe9]);
    assert.equal(pyDecode(bytes, 'latin-1'), 'café');
    assert.equal(pyDecode(bytes, 'ascii'), 'caf\udce9');
  });

  it('refuses what the codec cannot write, as Python does', () => {
    assert.throws(() => pyEncode('€', 'latin-1'), /'latin-1' codec can't encode character '\\u20ac' in position 0/);
    assert.throws(() => pyEncode('é', 'ascii'), /'ascii' codec can't encode/);
    assert.throws(() => pyEncode('\ud800', 'utf-8'), /'utf-8' codec can't encode character '\\ud800'/);
    assert.deepEqual(pyEncode('é😀', 'utf-8'), Buffer.from('é😀'));
  });
});
