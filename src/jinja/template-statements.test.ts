import assert from 'node:assert/strict';
import { compileJinja } from './index.js';

// Each expected output was produced by Jinja2 3.1 driven as Ansible 2.14 drives it
// (StrictUndefined, None printed as empty) from the same source.
function table(title: string, cases: Array<[string, Record<string, unknown>, string]>): void {
  describe(title, () => {
    for (const [source, vars, expected] of cases) {
      it(`renders ${JSON.stringify(source)} as ${JSON.stringify(expected)}`, () => {
        assert.equal(compileJinja(source).render(vars), expected);
      });
    }
  });
}

table('template statements: if, set, namespace', [
    ["{% if x is defined %}{{ x }}{% elif y %}y{% else %}n{% endif %}", {"y": 1}, "y"],
    ["{% if a %}A{% elif b %}B{% elif c %}C{% endif %}", {"a": 0, "b": 0, "c": 1}, "C"],
    ["{% if not xs %}empty{% else %}{{ xs|length }}{% endif %}", {"xs": []}, "empty"],
    ["{% set a, b = 1, 2 %}{{ a }}{{ b }}{% set t = 1, 2 %}{{ t|length }}", {}, "122"],
    ["{% set x %}in {{ 1 }}{% endset %}[{{ x }}]", {}, "[in 1]"],
    ["{% set c = 0 %}{% for i in [1,2,3] %}{% set c = c + i %}{{ c }}{% endfor %}{{ c }}", {}, "1230"],
    ["{% for i in [1] %}{% set z = 2 %}{% endfor %}{{ z is defined }}", {}, "False"],
    ["{% if true %}{% set w = 3 %}{% endif %}{{ w }}", {}, "3"],
    ["{% set ns = namespace(found=false) %}{% for x in [1,2] %}{% if x == 2 %}{% set ns.found = true %}{% endif %}{% endfor %}{{ ns.found }}", {}, "True"],
    ["{% set d = dict(a=1, b='x') %}{{ d }}", {}, "{'a': 1, 'b': 'x'}"],
    ["{{ dict([['a', 1], ['b', 2]], c=3) }}", {}, "{'a': 1, 'b': 2, 'c': 3}"],
    ["{{ dict(base, b=2) }}", { base: { a: 1 } }, "{'a': 1, 'b': 2}"],
    ["{% set x = 1 %}{% set x = x + 1 %}{{ x }}", {}, "2"],
]);

table('template loops', [
    ["{% for k, v in d.items() %}{{ k }}={{ v }}{{ ',' if not loop.last }}{% endfor %}", {"d": {"a": 1, "b": 2}}, "a=1,b=2"],
    ["{% for i in xs %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }};{% endfor %}", {"xs": ["a", "b", "c"]}, "1032TrueFalse3;2121FalseFalse3;3210FalseTrue3;"],
    ["{% for i in xs %}{{ loop.previtem is defined }}{{ loop.nextitem|default('-') }}{% endfor %}", {"xs": [1, 2, 3]}, "False2True3True-"],
    ["{% for i in xs %}{{ loop.cycle('odd', 'even') }} {% endfor %}", {"xs": [1, 2, 3]}, "odd even odd "],
    ["{% for x in [] %}a{% else %}empty{% endfor %}", {}, "empty"],
    ["{% for x in [1,2,3,4] if x is even %}{{ loop.index }}/{{ loop.length }}:{{ x }} {% endfor %}", {}, "1/2:2 2/2:4 "],
    ["{% for x in [1,3] if x is even %}{{ x }}{% else %}none even{% endfor %}", {}, "none even"],
    ["{% for c in 'ab' %}{{ c }}{% endfor %}{% for k in {'z': 1, 'y': 2} %}{{ k }}{% endfor %}", {}, "abzy"],
    ["{% for i in range(3) %}{% for j in range(2) %}{{ loop.index }}{% endfor %}{{ loop.index }}|{% endfor %}", {}, "121|122|123|"],
    ["{% for a, b in [[1, 2], [3, 4]] %}{{ a + b }}{% endfor %}", {}, "37"],
    ["{% for i in range(2) %}{{ i }}{% endfor %}{{ i is defined }}", {}, "01False"],
    ["{% for u in users %}{{ u.name }}{% if not loop.last %}, {% endif %}{% endfor %}", {"users": [{"name": "ann"}, {"name": "bob"}]}, "ann, bob"],
]);

table('template macros and call blocks', [
    ["{% macro m(a, b='B') %}{{ a }}-{{ b }}{% endmacro %}{{ m(1) }} {{ m(1, 2) }} {{ m(b=3, a=4) }}", {}, "1-B 1-2 4-3"],
    ["{% macro list(items) %}<{% for i in items %}{{ caller(i) }}{% endfor %}>{% endmacro %}{% call(x) list([1,2]) %}[{{ x }}]{% endcall %}", {}, "<[1][2]>"],
    ["{% macro wrap() %}<{{ caller() }}>{% endmacro %}{% call wrap() %}inner{% endcall %}", {}, "<inner>"],
    ["{% macro f(n) %}{% if n > 0 %}{{ n }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(3) }}", {}, "321"],
    ["{% macro g() %}{{ y }}{% endmacro %}{{ g() }}", {"y": 5}, "5"],
    ["{% macro h(a) %}{% set a = a * 2 %}{{ a }}{% endmacro %}{% set a = 1 %}{{ h(5) }}{{ a }}", {}, "101"],
    ["{% macro m(a) %}{{ a }}{% endmacro %}{{ m('x') ~ m('y') }}{{ m(a=[1]) }}", {}, "xy[1]"],
]);

describe('template include', () => {
  const sources = new Map([['inner', 'inner {{ z }}{% set leaked = 1 %}'], ['loop', '{% for i in [1, 2] %}{{ i }}{% endfor %}']]);
  const include = (name: string): string => {
    const s = sources.get(name);
    if (s === undefined) throw new Error(`no template '${name}'`);
    return s;
  };

  it('renders the included template with the current variables, loop variables included', () => {
    assert.equal(compileJinja('{% for z in [7] %}[{% include "inner" %}]{% endfor %}', { include }).render({}), '[inner 7]');
  });

  it('does not let a set inside the included template leak out', () => {
    assert.equal(compileJinja('{% include "inner" %}{{ leaked is defined }}', { include }).render({ z: 1 }), 'inner 1False');
  });

  it('takes the name from an expression', () => {
    assert.equal(compileJinja('{% include which %}', { include }).render({ which: 'loop' }), '12');
  });

  it('skips a missing template with ignore missing', () => {
    assert.equal(compileJinja('a{% include "nope" ignore missing %}b', { include }).render({}), 'ab');
  });

  it('fails for a missing template, and when no loader was given', () => {
    assert.throws(() => compileJinja('{% include "nope" %}', { include }).render({}), /cannot include 'nope': no template 'nope'/);
    assert.throws(() => compileJinja('{% include "inner" %}').render({}), /no include loader was given/);
  });

  it('reports a syntax error of the included template, even with ignore missing', () => {
    const broken = (): string => 'ok\n{% if %}';
    assert.throws(() => compileJinja('{% include "b.j2" ignore missing %}', { include: broken }).render({}),
      /template syntax error in b.j2 at line 2, column 7/);
  });

  it('stops a template that includes itself', () => {
    const self = (): string => '{% include "self" %}';
    assert.throws(() => compileJinja('{% include "self" %}', { include: self }).render({}), /nested more than 100 deep/);
  });
});

describe('template import', () => {
  const files: Record<string, string> = {
    'macros.j2': '{% macro vm_line(vm, sep=":") %}{{ vm.name }}{{ sep }}{{ vm.mem }}{% endmacro %}{% set shared = "S" %}{% set _hidden = 1 %}',
    'context.j2': '{% macro who() %}{{ owner }}{% endmacro %}',
  };
  const include = (name: string): string => files[name] ?? (() => { throw new Error('not found'); })();
  const render = (source: string, vars: Record<string, unknown> = {}): string => compileJinja(source, { include }).render(vars);

  it('imports a template as a module of its macros and top-level sets', () => {
    assert.equal(render("{% import 'macros.j2' as m %}{{ m.vm_line(v) }} {{ m.shared }}", { v: { name: 'web', mem: 2 } }), 'web:2 S');
  });

  it('imports chosen names, renamed with as', () => {
    assert.equal(render("{% from 'macros.j2' import vm_line as line, shared %}{{ line(v, sep='=') }}{{ shared }}", { v: { name: 'db', mem: 4 } }), 'db=4S');
  });

  it('keeps names starting with _ private, as Jinja does', () => {
    assert.throws(() => render("{% from 'macros.j2' import _hidden %}"), /has no '_hidden'/);
  });

  it('runs the imported template without the caller\'s variables unless with context', () => {
    assert.throws(() => render("{% import 'context.j2' as c %}{{ c.who() }}", { owner: 'ops' }), /undefined variable 'owner'/);
    assert.equal(render("{% import 'context.j2' as c with context %}{{ c.who() }}", { owner: 'ops' }), 'ops');
  });

  it('still refuses a call of an unknown method on anything but an imported module', () => {
    assert.throws(() => compileJinja('{{ v.nope(1) }}'), /unknown method 'nope'/);
  });
});
