import assert from 'node:assert/strict';
import { compileExpr, ExprError, ExprSyntaxError } from './index.js';

// Names that would reach JavaScript machinery through a prototype.
const PROTOTYPE_NAMES = ['constructor', '__proto__', 'prototype', 'toString', 'valueOf', 'hasOwnProperty',
  '__defineGetter__', '__lookupGetter__', 'isPrototypeOf', 'propertyIsEnumerable', 'toLocaleString'];

describe('expression safety', () => {
  const vars: Record<string, unknown> = { s: 'abc', l: [1, 2], d: { a: 1 }, n: 3, f: () => 'called' };

  for (const name of PROTOTYPE_NAMES) {
    it(`resolves ${name} to nothing on dicts, lists, strings and numbers`, () => {
      for (const base of ['d', 'l', 's', 'n', "'lit'", '[]']) {
        assert.equal(compileExpr(`${base}.${name} is defined`).evaluate(vars), false, `${base}.${name}`);
        assert.equal(compileExpr(`${base}['${name}'] is defined`).evaluate(vars), false, `${base}['${name}']`);
      }
    });

    it(`does not treat ${name} as a variable inherited by the variables object`, () => {
      assert.equal(compileExpr(`${name} is defined`).evaluate(vars), false);
      assert.throws(() => compileExpr(name).evaluate(vars), new RegExp(`undefined variable '${name}'`));
    });

    it(`finds no key ${name} in a dict with the 'in' operator`, () => {
      assert.equal(compileExpr(`'${name}' in d`).evaluate(vars), false);
    });
  }

  it('sees an own data key named __proto__ as plain data, not the prototype', () => {
    const d = JSON.parse('{"__proto__": {"polluted": 1}}') as Record<string, unknown>;
    assert.deepEqual(compileExpr('d.__proto__').evaluate({ d }), { polluted: 1 });
    assert.equal(compileExpr('d.__proto__.constructor is defined').evaluate({ d }), false);
  });

  it('does not reach length, map or other members of lists and strings', () => {
    for (const source of ['l.length', "l['length']", 'l.map', 'l.push', 's.length', 's.charAt', "'a'.length", '[].map']) {
      assert.equal(compileExpr(`${source} is defined`).evaluate(vars), false, source);
      assert.throws(() => compileExpr(source).evaluate(vars), ExprError, source);
    }
    assert.equal(compileExpr('s | length').evaluate(vars), 3);
  });

  it('refuses, when compiling, every call but of whitelisted functions and methods', () => {
    const calls = [
      "s.constructor.constructor('return process')()",
      "x.constructor.constructor('return process')()",
      'l.map(f)',
      'f()',
      "d['constructor']('x')",
      '(f)()',
      "s | upper()()",
      "[].map.call(1)",
      'f ()',
    ];
    for (const source of calls) {
      assert.throws(() => compileExpr(source), (err: unknown) =>
        err instanceof ExprSyntaxError && /calling functions is not allowed|unknown method|unknown function/.test(err.detail), source);
    }
  });

  it('never calls a function found in the variables', () => {
    let calls = 0;
    const fn = (): string => { calls++; return 'called'; };
    const own = { fn, nested: { fn } };
    for (const source of ['fn', 'nested.fn', 'fn ~ ""', 'fn | string', 'fn == fn', 'fn is defined', 'fn | length']) {
      try {
        compileExpr(source).evaluate(own);
      } catch (err) {
        assert.ok(err instanceof ExprError, `${source}: ${String(err)}`);
      }
    }
    assert.equal(calls, 0);
    assert.equal(compileExpr('fn ~ ""').evaluate(own), '<function>');
  });

  it('sees nothing but own keys of class instances, Maps or Dates: they are opaque', () => {
    const opaque = { m: new Map([['a', 1]]), t: new Date(0), c: new (class { x = 1; })() };
    for (const source of ['m.a', 'm.size', 't.getTime', 'c.x']) {
      assert.equal(compileExpr(`${source} is defined`).evaluate(opaque), false, source);
    }
  });

  it('cannot reach globals by name', () => {
    for (const name of ['process', 'globalThis', 'require', 'eval', 'Function', 'this', 'window', 'Object']) {
      assert.equal(compileExpr(`${name} is defined`).evaluate({}), false, name);
    }
  });

  it('does not let a filter or test name resolve through a prototype', () => {
    for (const source of ['x | constructor', 'x | toString', 'x | __proto__', 'x is constructor', 'x is hasOwnProperty']) {
      assert.throws(() => compileExpr(source), ExprSyntaxError, source);
    }
  });

  it('leaves the variables untouched', () => {
    const data = { l: [3, 1, 2], d: { a: 1 } };
    const before = JSON.stringify(data);
    for (const source of ['l | min', 'l + [4]', 'l | list', 'd | list', "d.b | default(1)", 'l | join(",")']) {
      compileExpr(source).evaluate(data);
    }
    assert.equal(JSON.stringify(data), before);
  });

  it('reports a malformed regular expression as an ExprError, not a crash', () => {
    // Patterns come from the playbook author, who is trusted like the rest of the playbook.
    assert.throws(() => compileExpr("s is search('[')").evaluate(vars), ExprError);
  });
});
