import assert from 'node:assert/strict';
import { and, defaultValue, eq, ne, not, or, truthy } from './logic.js';

describe('default, eq, ne, and, or, not helpers', () => {
  it('default returns the value unless it is undefined, null or empty', () => {
    assert.equal(defaultValue('x', 'y'), 'x');
    assert.equal(defaultValue(0, 'y'), 0);
    assert.equal(defaultValue(false, 'y'), false);
    assert.equal(defaultValue(undefined, 'y'), 'y');
    assert.equal(defaultValue(null, 'y'), 'y');
    assert.equal(defaultValue('', 'y'), 'y');
  });

  it('eq compares strictly and deeply, without converting types', () => {
    assert.equal(eq(2, 2), true);
    assert.equal(eq(2, '2'), false);
    assert.equal(eq('running', 'running'), true);
    assert.equal(eq([1, { a: 2 }], [1, { a: 2 }]), true);
    assert.equal(eq(undefined, 'x'), false);
    assert.equal(ne(1, 2), true);
    assert.equal(ne('a', 'a'), false);
  });

  it('treats values as true or false the way {{#if}} does', () => {
    for (const falsy of [undefined, null, false, 0, Number.NaN, '', []]) assert.equal(truthy(falsy), false, String(falsy));
    for (const t of [true, 1, 'no', [0], {}]) assert.equal(truthy(t), true, JSON.stringify(t));
  });

  it('and, or and not return booleans', () => {
    assert.equal(and(1, 'a', true), true);
    assert.equal(and(1, ''), false);
    assert.equal(or(undefined, 0, 'x'), true);
    assert.equal(or(undefined, []), false);
    assert.equal(not(undefined), true);
    assert.equal(not('x'), false);
  });
});
