import assert from 'node:assert/strict';
import { literalEval, parseIniValue } from './py-literal.js';
import { shlexSplit, ShlexError } from '../util/shlex.js';

describe('INI values (ast.literal_eval)', () => {
  // Each expectation is what Python 3.11's ast.literal_eval returns (or raises) for the text.
  const literals: Array<[string, unknown]> = [
    ['8080', 8080],
    ['-5', -5],
    ['1_000', 1000],
    ['0x1F', 31],
    ['0o17', 15],
    ['0b101', 5],
    ['1.25', 1.25],
    ['1.', 1],
    ['.5e1', 5],
    ['True', true],
    ['None', null],
    ['"quoted"', 'quoted'],
    ["'a' 'b'", 'ab'],
    ["u'x'", 'x'],
    ["b'by'", 'by'],
    ["r'\\n'", '\\n'],
    ["'\\x41\\n'", 'A\n'],
    ['1,2', [1, 2]],
    ['(1,)', [1]],
    ['()', []],
    ['(1)', 1],
    ['-(1)', -1],
    ['[1, (2, 3)]', [1, [2, 3]]],
    ["{'k': [1, None]}", { k: [1, null] }],
    ['{1: 2, 1: 3}', { 1: 3 }],
    ['23 # a comment', 23],
    [' 5', 5],
  ];
  for (const [text, value] of literals) {
    it(`reads ${JSON.stringify(text)} as the Python literal it is`, () => {
      assert.deepEqual(literalEval(text), { ok: true, value });
    });
  }

  const strings = ['false', 'yes', '010', 'abc', 'foo # c', '[1, 2,', '', '1.2.3', '192.168.1.1',
    '/usr/bin/python3', '{{ansible_env.HOME}}/releases', 'not True', '1 if 1 else 2', "f'x'", '--1', '1+1'];
  for (const text of strings) {
    it(`keeps ${JSON.stringify(text)} as the raw string because it is no Python literal`, () => {
      assert.deepEqual(literalEval(text), { ok: false });
      assert.equal(parseIniValue(text), text);
    });
  }
});

describe('host line splitting (shlex, POSIX, comments)', () => {
  it('removes quotes, honours backslashes and stops at a comment', () => {
    assert.deepEqual(shlexSplit(`h2:2222 a="x y" b='c d' e=f\\ g h="i\\"j" k#comment`),
      ['h2:2222', 'a=x y', 'b=c d', 'e=f g', 'h=i"j', 'k']);
  });

  it('keeps an empty quoted value as an empty token', () => {
    assert.deepEqual(shlexSplit(`x="" y=''z`), ['x=', 'y=z']);
  });

  it('reports an unclosed quotation', () => {
    assert.throws(() => shlexSplit(`h a="open`), ShlexError);
  });

  it('keeps # inside a word when comments are off', () => {
    assert.deepEqual(shlexSplit('-o a#b', { comments: false }), ['-o', 'a#b']);
  });
});
