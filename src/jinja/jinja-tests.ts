// The `x is name` tests: Jinja2 3.x's built-in ones here, Ansible's own (result, regex,
// version, set, truthiness and path tests) in tests-ansible.ts and tests-version.ts. Each
// follows its Python original (jinja2/tests.py, ansible/plugins/test/*.py), including
// which operands are errors there: `'a' is even` fails as Python's `'a' % 2` does.
import type { Builtin, CallContext } from './builtin.js';
import { Missing } from './lookup.js';
import { ANSIBLE_TESTS, pick } from './tests-ansible.js';
import { versionTest } from './tests-version.js';
import { compareValues, contains, deepEqual, isPlainObject, pyStr, typeName } from './values.js';

const check = (pred: (v: unknown) => boolean): Builtin => ({ minArgs: 0, maxArgs: 0, apply: (v) => pred(v) });

/** Python's numbers: bool is an int there (`true is number`, `true % 2`). */
function asNumber(v: unknown, test: string, ctx: CallContext): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return ctx.fail(`the '${test}' test needs a number, not a ${typeName(v)}`);
}

/** Python's `%`: the result takes the divisor's sign. */
const pyMod = (a: number, b: number): number => ((a % b) + b) % b;

const parity = (test: string, remainder: number): Builtin => ({
  minArgs: 0, maxArgs: 0,
  apply: (v, _a, ctx) => pyMod(asNumber(v, test, ctx), 2) === remainder,
});

const divisibleby: Builtin = {
  minArgs: 1, maxArgs: 1, kwargs: ['num'],
  apply: (v, [num], ctx, kw) => {
    const d = asNumber(pick(kw, 'num', num), 'divisibleby', ctx);
    if (d === 0) ctx.fail('divisibleby 0: division by zero');
    return pyMod(asNumber(v, 'divisibleby', ctx), d) === 0;
  },
};

/** Python's str.islower()/isupper(): some cased character, and all of them in that case. */
const letterCase = (lower: boolean): Builtin => check((v) => {
  const s = pyStr(v);
  return lower ? s === s.toLowerCase() && s !== s.toUpperCase() : s === s.toUpperCase() && s !== s.toLowerCase();
});

/** Python's `is`: the same primitive, or the very same list or dict. */
const sameas: Builtin = { minArgs: 1, maxArgs: 1, kwargs: ['other'], apply: (v, [o], _c, kw) => Object.is(v, pick(kw, 'other', o)) };

const equality = (negate: boolean): Builtin => ({
  minArgs: 1, maxArgs: 1, kwargs: ['b'],
  apply: (v, [o], _c, kw) => deepEqual(v, pick(kw, 'b', o)) !== negate,
});

const ordering = (name: string, pred: (c: number) => boolean): Builtin => ({
  minArgs: 1, maxArgs: 1, kwargs: ['b'],
  apply: (v, [o], ctx, kw) => {
    const other = pick(kw, 'b', o);
    const c = compareValues(v, other);
    return c === null ? ctx.fail(`'${name}' cannot compare a ${typeName(v)} with a ${typeName(other)}`) : pred(c);
  },
});

/** A type test: as in Jinja, an undefined value is simply not of the type (no error). */
const typeTest = (pred: (v: unknown) => boolean): Builtin => ({
  minArgs: 0, maxArgs: 0, lazy: true, apply: (v) => !(v instanceof Missing) && pred(v),
});

const isIterable = (v: unknown): boolean => typeof v === 'string' || Array.isArray(v) || isPlainObject(v);

const JINJA_TESTS: ReadonlyArray<readonly [string, Builtin]> = [
  ['defined', { minArgs: 0, maxArgs: 0, lazy: true, apply: (v) => !(v instanceof Missing) }],
  ['undefined', { minArgs: 0, maxArgs: 0, lazy: true, apply: (v) => v instanceof Missing }],
  ['none', typeTest((v) => v === null || v === undefined)],
  ['true', typeTest((v) => v === true)],
  ['false', typeTest((v) => v === false)],
  ['boolean', typeTest((v) => typeof v === 'boolean')],
  ['number', typeTest((v) => typeof v === 'number' || typeof v === 'boolean')],
  ['integer', typeTest((v) => typeof v === 'number' && Number.isInteger(v))],
  // A whole float (1.0) is indistinguishable from an int once it is a JS number.
  ['float', typeTest((v) => typeof v === 'number' && !Number.isInteger(v))],
  ['string', typeTest((v) => typeof v === 'string')],
  ['mapping', typeTest(isPlainObject)],
  ['sequence', check(isIterable)],
  ['iterable', check(isIterable)],
  ['escaped', check(() => false)], // nothing carries __html__: there is no autoescaping
  ['lower', letterCase(true)],
  ['upper', letterCase(false)],
  ['odd', parity('odd', 1)],
  ['even', parity('even', 0)],
  ['divisibleby', divisibleby],
  ['sameas', sameas],
  ...['eq', 'equalto', '=='].map((n) => [n, equality(false)] as const),
  ...['ne', '!='].map((n) => [n, equality(true)] as const),
  ...['lt', 'lessthan', '<'].map((n) => [n, ordering(n, (c) => c < 0)] as const),
  ...['le', '<='].map((n) => [n, ordering(n, (c) => c <= 0)] as const),
  ...['gt', 'greaterthan', '>'].map((n) => [n, ordering(n, (c) => c > 0)] as const),
  ...['ge', '>='].map((n) => [n, ordering(n, (c) => c >= 0)] as const),
  ['in', {
    minArgs: 1, maxArgs: 1, kwargs: ['seq'],
    apply: (v, [seq], ctx, kw) => {
      const container = pick(kw, 'seq', seq);
      return contains(v, container) ?? ctx.fail(`cannot look for a ${typeName(v)} in a ${typeName(container)}`);
    },
  }],
];

export const TESTS: ReadonlyMap<string, Builtin> = new Map<string, Builtin>([
  ...JINJA_TESTS,
  ...ANSIBLE_TESTS,
  ['version', versionTest],
  ['version_compare', versionTest],
]);
