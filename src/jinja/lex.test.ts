import assert from 'node:assert/strict';
import { ExprSyntaxError } from './errors.js';
import { tokenize } from './lex.js';

const values = (source: string): unknown[] => tokenize(source).slice(0, -1).map((t) => t.value);

describe('expression tokenizer', () => {
  const cases: Array<[string, unknown[]]> = [
    ["r.rc!=0", ['r', '.', 'rc', '!=', 0]],
    ['a//b**c', ['a', '//', 'b', '**', 'c']],
    ['x<=1>=2', ['x', '<=', 1, '>=', 2]],
    ['l.0.1', ['l', '.', 0, '.', 1]],
    ['l[0].5', ['l', '[', 0, ']', '.', 5]],
    ['0.5 1e3 2.5E-1 1_000', [0.5, 1000, 0.25, 1000]],
    ['[1, .5]', ['[', 1, ',', 0.5, ']']],
    ['in .5', ['in', 0.5]],
    ["'a\\'b' \"c\\\"d\"", ["a'b", 'c"d']],
    ["'\\x41\\u00e9\\n\\t\\\\'", ['Aé\n\t\\']],
    ["'\\d\\.'", ['\\d\\.']],
    ['a\n\tand\r\nb', ['a', 'and', 'b']],
  ];
  for (const [source, expected] of cases) {
    it(`splits ${JSON.stringify(source)} into ${JSON.stringify(expected)}`, () => {
      assert.deepEqual(values(source), expected);
    });
  }

  it('records each token at its 0-based offset', () => {
    assert.deepEqual(tokenize("x == 'a'").map((t) => [t.pos, t.end]), [[0, 1], [2, 4], [5, 8], [8, 8]]);
  });

  const bad: Array<[string, number, RegExp]> = [
    ['1_', 1, /malformed number/],
    ['1__0', 1, /malformed number/],
    ['12ab', 1, /malformed number '12a'/],
    ['x @ y', 3, /unexpected character '@'/],
    ['"abc', 1, /unterminated string/],
    ['x !== y', 3, /use '!=' instead of '!=='/],
  ];
  for (const [source, column, message] of bad) {
    it(`rejects ${JSON.stringify(source)} at column ${column}`, () => {
      assert.throws(() => tokenize(source), (err: unknown) =>
        err instanceof ExprSyntaxError && err.column === column && message.test(err.detail));
    });
  }
});
