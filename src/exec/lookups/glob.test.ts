import assert from 'node:assert/strict';
import { fnmatchRegExp as namePattern } from '../../util/fnmatch.js';

describe("fnmatch patterns (fileglob's names)", () => {
  const matches = (pattern: string, names: string[]): string[] => names.filter((n) => namePattern(pattern).test(n));

  it('reads *, ? and character classes as Python does', () => {
    assert.deepEqual(matches('*.txt', ['a.txt', 'a.txt.bak', '.txt', 'b.TXT']), ['a.txt', '.txt']);
    assert.deepEqual(matches('vm?.xml', ['vm1.xml', 'vm12.xml']), ['vm1.xml']);
    assert.deepEqual(matches('[ab]*', ['a1', 'b2', 'c3']), ['a1', 'b2']);
    assert.deepEqual(matches('[!ab]*', ['a1', 'b2', 'c3']), ['c3']);
    assert.deepEqual(matches('[]x]', [']', 'x', 'y']), [']', 'x']);
    assert.deepEqual(matches('[0-9]', ['5', 'a']), ['5']);
  });

  it('takes other characters literally: regular-expression ones and an unclosed [', () => {
    assert.deepEqual(matches('a+(b).c', ['a+(b).c', 'aa(b)xc']), ['a+(b).c']);
    assert.deepEqual(matches('x[1', ['x[1', 'x1']), ['x[1']);
    assert.deepEqual(matches('[^a]', ['^', 'a', 'b']), ['^', 'a']);
  });

  it('matches nothing for a reversed range', () => {
    assert.deepEqual(matches('[z-a]', ['a', 'z']), []);
  });
});
