import assert from 'node:assert/strict';
import { isBinary, sha256, splitLines, unifiedDiff } from './text.js';

describe('text helpers', () => {
  it('hashes strings and buffers to the same sha256', () => {
    assert.equal(sha256('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    assert.equal(sha256(Buffer.from('abc')), sha256('abc'));
  });

  it('prints a unified diff headed before/after like Ansible', () => {
    const d = unifiedDiff('/etc/x', 'a\nb\nc\n', 'a\nB\nc\n');
    assert.equal(d, '--- before: /etc/x\n+++ after: /etc/x\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n');
  });

  it('prints no diff when both sides are equal', () => {
    assert.equal(unifiedDiff('/x', 'same\n', 'same\n'), '');
  });

  it('shows a new file as all additions', () => {
    assert.match(unifiedDiff('/x', '', 'one\n'), /@@ -0,0 \+1(,1)? @@\n\+one\n$/);
  });

  it('treats NUL bytes and invalid UTF-8 as binary, and UTF-8 text as text', () => {
    assert.equal(isBinary(Buffer.from([0x61, 0x00])), true);
    assert.equal(isBinary(Buffer.from([0xff, 0xfe])), true);
    assert.equal(isBinary(Buffer.from('ünïcödé ✓\n')), false);
  });

  it('splits lines like Python splitlines', () => {
    assert.deepEqual(splitLines(''), []);
    assert.deepEqual(splitLines('a\nb\n'), ['a', 'b']);
    assert.deepEqual(splitLines('a\r\nb\rc'), ['a', 'b', 'c']);
    assert.deepEqual(splitLines('\n'), ['']);
  });
});
