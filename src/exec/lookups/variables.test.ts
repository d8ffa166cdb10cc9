import assert from 'node:assert/strict';
import { ExprError } from '../../jinja/index.js';
import { lookupContext, runLookup } from './test-support.js';

describe('lookup env', () => {
  const name = `KVMPLAY_LOOKUP_TEST_${process.pid}`;
  before(() => {
    process.env[name] = 'from the environment';
  });
  after(() => {
    delete process.env[name];
  });
  const env = (terms: unknown[], options = {}): unknown[] => runLookup(lookupContext([]), 'env', terms, options);

  it("gives each variable's value, '' or the default for one that is not set", () => {
    assert.deepEqual(env([name, `${name}_UNSET`]), ['from the environment', '']);
    assert.deepEqual(env([`${name}_UNSET`], { default: 'nobody' }), ['nobody']);
    assert.deepEqual(env([`${name}_UNSET`], { default: null }), [null]);
  });

  it("reads a term's first word as the name", () => {
    assert.deepEqual(env([`  ${name} ignored words`]), ['from the environment']);
  });

  it('fails on a name that is empty or not a string', () => {
    assert.throws(() => env([' ']), /env: the variable name is empty/);
    assert.throws(() => env([1]), /must be a string, not number 1/);
  });
});

describe('lookup vars', () => {
  const vars = (): Record<string, unknown> => {
    const v: Record<string, unknown> = {
      disk_vda: { size: 10 },
      inventory_hostname: 'h1',
      hostvars: { h1: { only_in_hostvars: 'hv' } },
    };
    Object.defineProperty(v, 'broken', {
      enumerable: true,
      get: () => {
        throw new ExprError("undefined variable 'nowhere'");
      },
    });
    return v;
  };
  const lookup = (terms: unknown[], options = {}): unknown[] => runLookup(lookupContext([], vars()), 'vars', terms, options);

  it("gives each variable's value by name, also from hostvars[inventory_hostname]", () => {
    assert.deepEqual(lookup(['disk_vda', 'only_in_hostvars']), [{ size: 10 }, 'hv']);
  });

  it('fails on a missing variable unless a default is given (None is no default)', () => {
    assert.throws(() => lookup(['nope']), /No variable found with this name: nope/);
    assert.throws(() => lookup(['nope'], { default: null }), /No variable found with this name: nope/);
    assert.deepEqual(lookup(['nope', 'disk_vda'], { default: '' }), ['', { size: 10 }]);
  });

  it('takes the default for a variable whose template cannot be rendered, and names it otherwise', () => {
    assert.deepEqual(lookup(['broken'], { default: 'd' }), ['d']);
    assert.throws(() => lookup(['broken']), /vars: variable 'broken' cannot be read: undefined variable 'nowhere'/);
  });

  it('fails on a name that is not a string', () => {
    assert.throws(() => lookup([['x']]), /Invalid setting identifier, "\['x'\]" is not a string, its a list/);
  });
});
