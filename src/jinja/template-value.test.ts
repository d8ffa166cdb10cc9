import assert from 'node:assert/strict';
import { compileJinja } from './index.js';

describe('renderValue: the value of a templated variable, as Ansible 2.14 gives it', () => {
  const vars: Record<string, unknown> = { n: 5, t: true, nul: null, l: [3, 1, 2], d: { a: 1 }, s: 'text', json: '[1, 2]' };
  const cases: Array<[string, unknown]> = [
    ['{{ l }}', [3, 1, 2]],
    ['{{ d }}', { a: 1 }],
    ['{{ n }}', 5], // a bare variable of type number, bool or None keeps its value
    ['{{ t }}', true],
    ['{{ nul }}', null],
    ['{{ n + 1 }}', '6'], // any other number is text
    ['{{ none }}', ''],
    ['{{ 1 == 1 }}', true], // 'True' reads back as a bool
    ['{{ s }}', 'text'],
    ['{{ json }}', [1, 2]], // text that spells a list is a list
    ["{{ \"{'a': [1, none]}\" }}", '{\'a\': [1, none]}'], // none is not a Python literal
    ["{{ \"{'a': [1, None]}\" }}", { a: [1, null] }],
    ['{{ l | to_json }}', '[3, 1, 2]'], // string-type filters keep the text
    ['{{ l | string }}', '[3, 1, 2]'],
    ['{% if t %}{{ l }}{% endif %}', [3, 1, 2]],
    ['[{{ n }}, {{ n }}]', [5, 5]],
    ['{{ l }}\n', [3, 1, 2]],
    ['x {{ n }}\n', 'x 5'],
    ['{{ (1, 2) }}', '(1, 2)'],
    ["{{ 'a\\d' }}", 'a\\d'], // escape_backslashes: inside {{ }} a backslash is itself
  ];
  for (const [source, expected] of cases) {
    it(`gives ${JSON.stringify(expected)} for ${JSON.stringify(source)}`, () => {
      assert.deepEqual(compileJinja(source).renderValue(vars), expected);
    });
  }

  it('pads trailing newlines back when keepTrailingNewline is set', () => {
    assert.equal(compileJinja('x {{ n }}\n', { keepTrailingNewline: true }).renderValue(vars), 'x 5\n');
  });

  it('reads backslash escapes in render(), as the template module does', () => {
    assert.equal(compileJinja("{{ 'a\\tb' }}").render({}), 'a\tb');
  });
});

describe('variables() of a template', () => {
  const cases: Array<[string, Array<[string, boolean]>]> = [
    ['{{ a }}{{ b | default(1) }}', [['a', false], ['b', true]]],
    ['{% for x in xs %}{{ x }}{{ loop.index }}{{ y }}{% endfor %}{{ x is defined }}', [['xs', false], ['y', false], ['x', true]]],
    ['{% for k, v in d.items() %}{{ k }}{{ v }}{% endfor %}', [['d', false]]],
    ['{{ s }}{% set s = 1 %}{{ s }}', [['s', false]]],
    ['{% set s = 1 %}{{ s }}', []],
    ['{% if x is defined %}{{ x.y }}{% else %}{{ z }}{% endif %}', [['x', true], ['z', false]]],
    ['{% macro m(a, b=c) %}{{ a }}{{ b }}{{ g }}{{ caller() }}{% endmacro %}{{ m(1) }}', [['c', false], ['g', false]]],
    ['{% call(i) m(p) %}{{ i }}{{ q }}{% endcall %}', [['p', false], ['q', false]]],
    ['{% with a = b %}{{ a }}{% endwith %}', [['b', false]]],
    ['{% filter upper %}{{ w }}{% endfilter %}', [['w', false]]],
    ['{{ range(3) }}{{ "a".split(sep) }}', [['sep', false]]],
    ['{% set ns = namespace(c=0) %}{% set ns.c = v %}', [['v', false]]],
  ];
  for (const [source, expected] of cases) {
    it(`finds ${JSON.stringify(expected)} in ${JSON.stringify(source)}`, () => {
      const m = (source.match(/m\(/) && !source.includes('macro')) ? '{% macro m(p) %}{% endmacro %}' : '';
      const found = compileJinja(m + source).variables().map((v) => [v.name, v.guarded]);
      assert.deepEqual(found, expected);
    });
  }
});
