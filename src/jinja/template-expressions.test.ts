import assert from 'node:assert/strict';
import { compileExpr, compileJinja } from './index.js';

// Expected outputs were produced by Jinja2 3.1 driven as Ansible 2.14 drives it (StrictUndefined,
// None printed as empty) from the same source.
describe('template expressions: literals, slices, methods, keyword arguments', () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ["{{ 'x' if false }}|{{ none }}|{{ true }}|{{ 1.5 }}|{{ [1, 'a', none] }}|{{ {'a': [true]} }}", {}, "||True|1.5|[1, 'a', None]|{'a': [True]}"],
    ["{{ 'abcdef'[1:3] }} {{ 'abcdef'[::-1] }} {{ 'abcdef'[::2] }} {{ [1,2,3,4,5][-2:] }} {{ [1,2,3,4,5][:-2] }} {{ [1,2,3,4,5][4:1:-1] }} {{ [1,2,3][10:] }} {{ xs[1:] }}", {"xs": [1, 2]}, "bc fedcba ace [4, 5] [1, 2, 3] [5, 4, 3] [] [2]"],
    ["{{ range(5)|list }} {{ range(1, 10, 3)|list }} {{ range(5, 0, -2)|list }}", {}, "[0, 1, 2, 3, 4] [1, 4, 7] [5, 3, 1]"],
    ["{{ 1 ~ 2 }} {{ 'a' ~ none }} {{ 1 in [1] }} {{ 'a' not in 'bcd' }} {{ x is not defined }} {{ 7 // 2 }} {{ -7 % 3 }}", {}, "12 aNone True True True 3 2"],
    ["{{ 'ab' if x is defined else 'cd' }} {{ x | default('dflt') }} {{ (x if false) | default('z') }}", {}, "cd dflt z"],
    ["{{ 'a' if 1 > 2 else 'b' if 2 > 3 else 'c' }}", {}, "c"],
    ["<{{ 1, 2 }}> {{ (1,) }} {{ () }} {{ [] }} {{ {} }} {{ {'a': 1, 'b': [2]} }}", {}, "<(1, 2)> (1,) () [] {} {'a': 1, 'b': [2]}"],
    ["{{ 'Hello World'.split() }} {{ 'a b  c'.split(None, 1) }} {{ 'a,b,c'.rsplit(',', 1) }} {{ 'ab\ncd\n'.splitlines() }}", {}, "['Hello', 'World'] ['a', 'b  c'] ['a,b', 'c'] ['ab', 'cd']"],
    ["{{ '  x '.strip() }} {{ 'xxhixx'.strip('x') }} {{ 'abc'.startswith(('x','a')) }} {{ 'hello world'.title() }} {{ 'hELLO'.capitalize() }}", {}, "x hi True Hello World Hello"],
    ["{{ '-'.join(['a','b']) }} {{ '{} and {}'.format(1, 'x') }} {{ '{0}{0}{n}'.format('a', n=2) }} {{ 'banana'.count('a') }} {{ 'banana'.find('n') }} {{ 'banana'.replace('a', 'o', 2) }}", {}, "a-b 1 and x aa2 3 2 bonona"],
    ["{{ [1,2,3].index(2) }} {{ {'a':1}.get('a') }} {{ {'a':1}.get('b') }} {{ {'a':1}.get('b', 5) }} {{ {'a':1}.items()|list }} {{ {'a':1}.keys()|list }} {{ {'b': 1, 'a': 2}.values()|list }}", {}, "1 1  5 [('a', 1)] ['a'] [1, 2]"],
    ["{{ 'abc'.upper() }} {{ 'ABC'.lower() }} {{ '12'.isdigit() }} {{ 'x'.center(5, '*') }} {{ '5'.zfill(3) }} {{ 'a\tb'.split() }} {{ 'abc'.endswith('bc') }} {{ 'a-b'.lstrip('a') }} {{ 'xy '.rstrip() }}", {}, "ABC abc True **x** 005 ['a', 'b'] True -b xy"],
    ["{{ 'x' ~ [1] ~ {'a': none} }} {{ 'ab' * 2 }} {{ [0] * 3 }} {{ 2 ** 10 }} {{ 10 / 4 }}", {}, "x[1]{'a': None} abab [0, 0, 0] 1024 2.5"],
    ["{{ 3 is odd }} {{ 4 is not odd }} {{ x is defined and x }} {{ \"it's\" }}", {}, "True True False it's"],
    ["{{ v.split(':')[0] }} {{ v.split(':')[-1] | upper }}", {"v": "host:22"}, "host 22"],
    ["{{ [3, 1, 2] | sort }} {{ 'a' | default('b', true) }} {{ '' | default('b', true) }}", {}, "[1, 2, 3] a b"],
  ];
  for (const [source, vars, expected] of cases) {
    it(`renders ${JSON.stringify(source)} as ${JSON.stringify(expected)}`, () => {
      assert.equal(compileJinja(source).render(vars), expected);
    });
  }
});

describe('conditions (compileExpr) share the grown expression language', () => {
  const cases: Array<[string, Record<string, unknown>, unknown]> = [
    ["v.split(':')[1] == '22'", { v: 'host:22' }, true],
    ['3 in range(5)', {}, true],
    ["d.get('missing', 'x') == 'x'", { d: {} }, true],
    ["{'a': 1}.a", {}, 1],
    ['l[-2:]', { l: [1, 2, 3] }, [2, 3]],
    ["'y' if x is defined", {}, ''],
    ["'a' ~ 'b' 'c'", {}, 'abc'],
  ];
  for (const [source, vars, expected] of cases) {
    it(`evaluates ${source} to ${JSON.stringify(expected)}`, () => {
      assert.deepEqual(compileExpr(source).evaluate(vars), expected);
    });
  }
});
