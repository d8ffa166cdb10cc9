// Jinja/Ansible tests, the `x is name` forms. The result tests (failed, changed, …) follow
// ansible/plugins/test/core.py: they read a registered result's keys and refuse anything
// that is not a dict, so `x is failed` on a string is a mistake, not a silent false.
import type { Builtin, CallContext } from './builtin.js';
import { Missing } from './lookup.js';
import { compileUserRegex, type UserRegex } from './regex.js';
import { contains, deepEqual, isPlainObject, truthy, typeName } from './values.js';

const check = (pred: (v: unknown) => boolean): Builtin => ({ minArgs: 0, maxArgs: 0, apply: (v) => pred(v) });

function resultDict(v: unknown, test: string, ctx: CallContext): Record<string, unknown> {
  if (!isPlainObject(v)) ctx.fail(`the '${test}' test needs a registered result (a dict), not a ${typeName(v)}`);
  return v as Record<string, unknown>;
}

const failed: Builtin = {
  minArgs: 0, maxArgs: 0, apply: (v, _a, ctx) => truthy(resultDict(v, 'failed', ctx).failed),
};
const succeeded: Builtin = {
  minArgs: 0, maxArgs: 0, apply: (v, _a, ctx) => !truthy(resultDict(v, 'succeeded', ctx).failed),
};
const skipped: Builtin = {
  minArgs: 0, maxArgs: 0, apply: (v, _a, ctx) => truthy(resultDict(v, 'skipped', ctx).skipped),
};
const changed: Builtin = {
  minArgs: 0, maxArgs: 0,
  apply: (v, _a, ctx) => {
    const r = resultDict(v, 'changed', ctx);
    // A looped task registers {results: [...]}: changed if any iteration changed.
    if (!Object.hasOwn(r, 'changed') && Array.isArray(r.results)) {
      return r.results.some((x) => isPlainObject(x) && truthy(x.changed));
    }
    return truthy(r.changed);
  },
};

const regex = (anchored: boolean): Builtin => ({
  // match(pattern, ignorecase=false, multiline=false); match anchors at the start, as re.match.
  minArgs: 1, maxArgs: 3,
  apply: (v, [pattern, ignorecase = false, multiline = false], ctx) => {
    if (typeof v !== 'string') ctx.fail(`regular expression tests need a string, not a ${typeName(v)}`);
    if (typeof pattern !== 'string') ctx.fail(`the pattern must be a string, not a ${typeName(pattern)}`);
    let re: UserRegex;
    try {
      re = compileUserRegex(pattern as string, { ignoreCase: truthy(ignorecase), multiline: truthy(multiline) });
    } catch (err) {
      return ctx.fail(`invalid regular expression ${JSON.stringify(pattern)}: ${(err as Error).message}`);
    }
    return anchored ? re.matchStart(v as string) : re.search(v as string);
  },
});

const integerTest = (pred: (n: number, args: readonly unknown[], ctx: CallContext) => boolean, arity = 0): Builtin => ({
  minArgs: arity, maxArgs: arity,
  apply: (v, args, ctx) => {
    if (typeof v !== 'number' || !Number.isInteger(v)) ctx.fail(`this test needs an integer, not a ${typeName(v)}`);
    return pred(v as number, args, ctx);
  },
});

/** LooseVersion-style: '8.0.0' and '10.2-rc1' split into numbers and words, compared in order. */
function compareVersions(a: string, b: string): number {
  const parts = (s: string): Array<number | string> =>
    (s.match(/\d+|[a-z]+/gi) ?? []).map((p) => (/^\d/.test(p) ? Number(p) : p));
  const pa = parts(a);
  const pb = parts(b);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (x === y) continue;
    if (typeof x === typeof y) return x < y ? -1 : 1;
    return typeof x === 'number' ? 1 : -1; // 8.0.1 is newer than 8.0.rc1
  }
  return pa.length - pb.length;
}

const VERSION_OPS: ReadonlyMap<string, (c: number) => boolean> = new Map([
  ...['<', 'lt'].map((k) => [k, (c: number) => c < 0] as const),
  ...['<=', 'le'].map((k) => [k, (c: number) => c <= 0] as const),
  ...['>', 'gt'].map((k) => [k, (c: number) => c > 0] as const),
  ...['>=', 'ge'].map((k) => [k, (c: number) => c >= 0] as const),
  ...['==', '=', 'eq'].map((k) => [k, (c: number) => c === 0] as const),
  ...['!=', '<>', 'ne'].map((k) => [k, (c: number) => c !== 0] as const),
]);

const version: Builtin = {
  // version(other, operator='eq'), as ansible.builtin.version with the default loose type.
  minArgs: 1, maxArgs: 2,
  apply: (v, [other, op = 'eq'], ctx) => {
    const str = (x: unknown): string =>
      typeof x === 'string' || typeof x === 'number' ? String(x) : ctx.fail(`versions must be strings, not a ${typeName(x)}`);
    const cmp = VERSION_OPS.get(str(op));
    if (!cmp) ctx.fail(`unknown version comparison '${str(op)}'`);
    return cmp!(compareVersions(str(v), str(other)));
  },
};

export const TESTS: ReadonlyMap<string, Builtin> = new Map<string, Builtin>([
  ['defined', { minArgs: 0, maxArgs: 0, lazy: true, apply: (v) => !(v instanceof Missing) }],
  ['undefined', { minArgs: 0, maxArgs: 0, lazy: true, apply: (v) => v instanceof Missing }],
  ['none', check((v) => v === null)],
  ['true', check((v) => v === true)],
  ['false', check((v) => v === false)],
  ['boolean', check((v) => typeof v === 'boolean')],
  ['number', check((v) => typeof v === 'number')],
  ['integer', check((v) => typeof v === 'number' && Number.isInteger(v))],
  ['string', check((v) => typeof v === 'string')],
  ['mapping', check(isPlainObject)],
  ['sequence', check((v) => typeof v === 'string' || Array.isArray(v) || isPlainObject(v))],
  ['iterable', check((v) => typeof v === 'string' || Array.isArray(v) || isPlainObject(v))],
  ['failed', failed], ['failure', failed],
  ['succeeded', succeeded], ['success', succeeded], ['successful', succeeded],
  ['changed', changed], ['change', changed],
  ['skipped', skipped], ['skip', skipped],
  ['eq', { minArgs: 1, maxArgs: 1, apply: (v, [o]) => deepEqual(v, o) }],
  ['equalto', { minArgs: 1, maxArgs: 1, apply: (v, [o]) => deepEqual(v, o) }],
  ['ne', { minArgs: 1, maxArgs: 1, apply: (v, [o]) => !deepEqual(v, o) }],
  ['in', {
    minArgs: 1, maxArgs: 1,
    apply: (v, [seq], ctx) =>
      contains(v, seq) ?? ctx.fail(`cannot look for a ${typeName(v)} in a ${typeName(seq)}`),
  }],
  ['match', regex(true)],
  ['search', regex(false)],
  ['regex', regex(false)],
  ['even', integerTest((n) => n % 2 === 0)],
  ['odd', integerTest((n) => Math.abs(n % 2) === 1)],
  ['divisibleby', integerTest((n, [d], ctx) =>
    typeof d === 'number' && d !== 0 ? n % d === 0 : ctx.fail('divisibleby needs a non-zero number'), 1)],
  ['version', version],
  ['version_compare', version],
]);
