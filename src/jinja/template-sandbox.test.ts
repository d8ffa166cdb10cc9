import assert from 'node:assert/strict';
import { compileJinja, ExprError, ExprSyntaxError } from './index.js';

// Templates reach data and whitelisted callables only: every classic Jinja sandbox escape
// and every JavaScript prototype path must end as an undefined value or a clean error.
describe('template sandbox', () => {
  const vars: Record<string, unknown> = { x: { a: 1 }, s: 'abc', l: [1, 2], n: 3, f: () => 'called' };
  const safely = (err: unknown): boolean => err instanceof ExprError || err instanceof ExprSyntaxError;

  const escapes = [
    "{{ ''.__class__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    '{{ x.constructor }}',
    "{{ x.constructor.constructor('return process')() }}",
    '{{ [].__proto__ }}',
    "{{ [].__proto__['constructor'] }}",
    '{{ lipsum.__globals__ }}',
    "{{ lipsum.__globals__['os'] }}",
    '{{ ().__class__.__base__ }}',
    '{{ range.__self__ }}',
    '{{ cycler.__init__.__globals__ }}',
    '{{ s.toString() }}',
    '{{ l.map(n) }}',
    '{{ x.hasOwnProperty("a") }}',
    '{{ f() }}',
    '{{ (f)() }}',
    "{{ x['__proto__'] }}",
    '{{ loop.cycle }}',
    '{% for i in [1] %}{{ loop.cycle.constructor }}{% endfor %}',
    '{% macro m() %}{% endmacro %}{{ m.constructor }}',
    '{% macro m() %}{% endmacro %}{{ m.__globals__ }}',
    '{{ namespace.constructor }}',
    '{% set ns = namespace() %}{% set ns.__proto__ = 1 %}{{ ns.__proto__.constructor }}',
    '{{ dict.__class__ }}',
    '{{ s.format.__globals__ }}',
    "{{ '{0.__class__}'.format(s) }}",
    "{{ '{0.constructor}'.format(x) }}",
  ];
  for (const source of escapes) {
    it(`fails safely on ${source}`, () => {
      assert.throws(() => compileJinja(source).render(vars), safely, source);
    });
  }

  it('finds none of the prototype names defined', () => {
    for (const name of ['constructor', '__proto__', 'prototype', 'toString', '__class__', '__globals__', '__init__']) {
      const out = compileJinja(`{{ x.${name} is defined }}{{ s.${name} is defined }}{{ l.${name} is defined }}{{ ${name} is defined }}`).render(vars);
      assert.equal(out, 'FalseFalseFalseFalse', name);
    }
  });

  it('does not pollute Object.prototype through set, dict literals or keyword arguments', () => {
    compileJinja("{% set d = {'__proto__': {'polluted': 1}} %}{% set e = dict(__proto__={'polluted': 1}) %}"
      + "{% set ns = namespace(__proto__={'polluted': 1}) %}{% set ns.__proto__ = {'polluted': 1} %}").render({});
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    assert.equal(compileJinja("{{ {'__proto__': 1} }}").render({}), "{'__proto__': 1}");
    compileJinja("{{ dict([['__proto__', {'polluted': 1}]]) }}").render({});
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });

  it('prints a macro or loop.cycle without reaching JavaScript internals', () => {
    assert.equal(compileJinja('{% macro m() %}{% endmacro %}{{ m }}').render({}), '<object>');
  });

  it('never calls a function found in the variables', () => {
    let called = false;
    const spy = (): void => { called = true; };
    assert.throws(() => compileJinja('{{ g() }}').render({ g: spy }), safely);
    assert.throws(() => compileJinja('{{ x.g() }}').render({ x: { g: spy } }), safely);
    assert.equal(called, false);
  });

  it('bounds range(), repetition and recursion', () => {
    assert.throws(() => compileJinja('{{ range(100001) | length }}').render({}), /longer than the limit/);
    assert.throws(() => compileJinja("{{ 'x' * 100000000 }}").render({}), /more than/);
    assert.throws(() => compileJinja('{% macro r() %}{{ r() }}{% endmacro %}{{ r() }}').render({}), /nested more than/);
  });
});
