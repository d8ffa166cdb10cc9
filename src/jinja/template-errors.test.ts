import assert from 'node:assert/strict';
import { compileJinja, ExprError, ExprSyntaxError } from './index.js';

describe('template errors', () => {
  const syntax: Array<[string, number, number, RegExp]> = [
    ['a\n{% if x %}\n{% endfor %}', 3, 4, /unexpected 'endfor': no open block it closes/],
    ['a\n{% if x %}\nb', 2, 4, /'if' is never closed: missing '\{% endif %\}'/],
    ['a\n  {% foo %}', 2, 6, /unknown statement 'foo'/],
    ['{% for x in %}{% endfor %}', 1, 13, /expected a value/],
    ['{% for x y %}{% endfor %}', 1, 10, /expected 'in'/],
    ['x\n{{ f(1) }}', 2, 4, /unknown function 'f'/],
    ['{{ x.toString() }}', 1, 6, /unknown method 'toString'/],
    ['{{ x | nosuchfilter }}', 1, 8, /unknown filter 'nosuchfilter'/],
    ['{{ x | length(x=1) }}', 1, 8, /filter 'length' takes no keyword argument 'x'/],
    ['{{ x }', 1, 1, /missing '\}\}' to close this tag/],
    ['ab\n  {{ {"a": 1}', 2, 3, /missing '\}\}'/],
    ['{% raw %}abc', 1, 1, /missing '\{% endraw %\}'/],
    ['{# abc', 1, 1, /missing '#\}'/],
    ['{{ }}', 1, 4, /empty expression/],
    ['{% %}', 1, 4, /expected a statement name/],
    ['{% else %}', 1, 4, /unexpected 'else'/],
    ['{% set x %}a', 1, 4, /missing '\{% endset %\}'/],
    ['{% if x %}{% else %}{% elif y %}{% endif %}', 1, 24, /unexpected 'elif'/],
    ['{% for x in xs recursive %}{% endfor %}', 1, 16, /recursive loops are not supported/],
    ['{% macro m(a, b=1) %}{% endmacro %}{% call n() %}{% endcall %}', 1, 44, /unknown function 'n'/],
  ];
  for (const [source, line, column, detail] of syntax) {
    it(`rejects ${JSON.stringify(source)} at line ${line}, column ${column}`, () => {
      assert.throws(() => compileJinja(source), (err: unknown) => {
        assert.ok(err instanceof ExprSyntaxError, String(err));
        assert.match(err.detail, detail);
        assert.deepEqual([err.line, err.column], [line, column]);
        return true;
      });
    });
  }

  const runtime: Array<[string, Record<string, unknown>, number, number, RegExp]> = [
    ['a\n {{ x.y }}', { x: {} }, 2, 5, /'x.y' is undefined: 'x' has no key 'y'/],
    ['{{ x }}', {}, 1, 4, /undefined variable 'x'/],
    ['line\n{% for i in n %}{% endfor %}', { n: 3 }, 2, 13, /cannot loop over a number/],
    ['{% set a, b = [1] %}', {}, 1, 8, /cannot unpack 1 values into 2 names/],
    ['{% set x = 1 %}{% set x.y = 2 %}', {}, 1, 23, /only a namespace\(\) can have attributes set/],
    ['{% macro m(a) %}{{ a }}{% endmacro %}\n{{ m() }}', {}, 1, 20, /argument 'a' of macro 'm' was not given/],
    ['{% macro m(a) %}{% endmacro %}{{ m(1, 2) }}', {}, 1, 34, /macro 'm' takes 1 arguments, got 2/],
    ['{% macro m(a) %}{% endmacro %}{{ m(b=1) }}', {}, 1, 34, /macro 'm' has no argument 'b'/],
    ['{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}', {}, 1, 1, /nested more than 100 deep/],
    ["{{ 'a'.index('z') }}", {}, 1, 8, /substring not found/],
    ['{{ range(10 ** 6) }}', {}, 1, 4, /longer than the limit/],
    ['{{ x[::0] }}', { x: [1] }, 1, 4, /slice step cannot be zero/],
    ['{{ 1 + "a" }}', {}, 1, 6, /cannot combine a number with a string/],
  ];
  for (const [source, vars, line, column, message] of runtime) {
    it(`fails rendering ${JSON.stringify(source)} at line ${line}, column ${column}`, () => {
      assert.throws(() => compileJinja(source).render(vars), (err: unknown) => {
        assert.ok(err instanceof ExprError, String(err));
        assert.match(err.message, message);
        assert.deepEqual([err.line, err.column], [line, column]);
        return true;
      });
    });
  }

  it('names the template and the included template in messages', () => {
    const include = (): string => 'x\n{{ y }}';
    assert.throws(() => compileJinja('{{ z }}', { name: 'main.j2' }).render({}), /undefined variable 'z' \(in main.j2 at line 1, column 4\)/);
    assert.throws(() => compileJinja('{% include "inc.j2" %}', { name: 'main.j2', include }).render({}), /undefined variable 'y' \(in inc.j2 at line 2, column 4\)/);
    assert.throws(() => compileJinja('\n{% if %}', { name: 'main.j2' }), /template syntax error in main.j2 at line 2, column 7: expected a value/);
  });
});
