import assert from 'node:assert/strict';
import { compileExpr, variablesOfAll, type VariableRef } from './index.js';

const refs = (source: string): VariableRef[] => compileExpr(source).variables();

describe('expression variables', () => {
  const cases: Array<[string, Array<[string, boolean]>]> = [
    ["mode == 'a'", [['mode', false]]],
    ['r.rc != 0 and facts.cpu.count > 4', [['r', false], ['facts', false]]],
    ["hostvars[inventory_hostname].x", [['hostvars', false], ['inventory_hostname', false]]],
    ['x is defined', [['x', true]]],
    ['x.y.z is not defined', [['x', true]]],
    ['x is undefined', [['x', true]]],
    ['x | default(1) > 0', [['x', true]]],
    ['x | d(y)', [['x', true], ['y', false]]],
    ['x | int', [['x', false]]],
    ["x is defined and x == 'a'", [['x', true]]],
    ["x is not defined or x == 'a'", [['x', true]]],
    ["x is undefined or x == 'a'", [['x', true]]],
    ["not (x is not defined) and x", [['x', true]]],
    ["x == 'a' and x is defined", [['x', false]]],
    ["x is defined or x == 'a'", [['x', false]]],
    ['x is defined and y is defined and x + y', [['x', true], ['y', true]]],
    ['(x is defined or y is defined) and x', [['x', false], ['y', true]]],
    ['(x is defined and y is defined) or x', [['x', false], ['y', true]]],
    ["x.y is defined and x.y == 1", [['x', true]]],
    ["x if x is defined else 'none'", [['x', true]]],
    ["'none' if x is undefined else x", [['x', true]]],
    ['x[y] is defined', [['x', true], ['y', false]]],
    ['[a, b] | length', [['a', false], ['b', false]]],
    ['true and 1 < 2', []],
  ];
  for (const [source, expected] of cases) {
    it(`reports ${JSON.stringify(expected)} for ${source}`, () => {
      assert.deepEqual(refs(source).map((r) => [r.name, r.guarded]), expected);
    });
  }

  it('takes a list of conditions as a conjunction, earlier ones guarding later ones', () => {
    const named = (refs: VariableRef[]): unknown[] => refs.map(({ name, guarded }) => ({ name, guarded }));
    assert.deepEqual(named(variablesOfAll(['x is defined', compileExpr('x > 1'), 'y'])), [
      { name: 'x', guarded: true },
      { name: 'y', guarded: false },
    ]);
    assert.deepEqual(named(variablesOfAll(['x > 1', 'x is defined'])), [{ name: 'x', guarded: false }]);
  });
});
