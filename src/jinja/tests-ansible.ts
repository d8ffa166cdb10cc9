// Ansible's own tests (ansible/plugins/test/{core,mathstuff,files}.py in ansible-core 2.14),
// beside Jinja's built-in ones in jinja-tests.ts. The result tests (failed, changed, …) read
// a registered result's keys and refuse anything that is not a dict, so `x is failed` on a
// string is a mistake, not a silent false. The path tests look at the control machine, as
// Ansible's do (they run where the template is rendered, never on the managed host).
import { lstatSync, statSync, type Stats } from 'node:fs';
import { resolve } from 'node:path';
import type { Builtin, CallContext, Kwargs } from './builtin.js';
import { compileUserRegex, type UserRegex } from './regex.js';
import { contains, deepEqual, isPlainObject, pyStr, truthy, typeName } from './values.js';

/** An argument given by name (`ignorecase=true`) or else by position. */
export const pick = (kw: Kwargs, name: string, positional: unknown): unknown => (Object.hasOwn(kw, name) ? kw[name] : positional);

function resultDict(v: unknown, test: string, ctx: CallContext): Record<string, unknown> {
  if (!isPlainObject(v)) ctx.fail(`the '${test}' test needs a registered result (a dict), not a ${typeName(v)}`);
  return v as Record<string, unknown>;
}

// Like Ansible's, these return the key's own value (`{failed: 'yes'} is failed` is 'yes'):
// Jinja's `is` passes it on, and a condition takes its truthiness.
const resultKey = (test: string, key: string): Builtin => ({
  minArgs: 0, maxArgs: 0,
  apply: (v, _a, ctx) => resultDict(v, test, ctx)[key] ?? false,
});
const notResultKey = (test: string, key: string): Builtin => ({
  minArgs: 0, maxArgs: 0,
  apply: (v, _a, ctx) => !truthy(resultDict(v, test, ctx)[key]),
});

const changed: Builtin = {
  minArgs: 0, maxArgs: 0,
  apply: (v, _a, ctx) => {
    const r = resultDict(v, 'changed', ctx);
    // A looped task registers {results: [...]}: changed if any iteration changed.
    if (!Object.hasOwn(r, 'changed') && Array.isArray(r.results) && isPlainObject(r.results[0])) {
      return r.results.some((x) => isPlainObject(x) && truthy(x.changed));
    }
    return r.changed ?? false;
  },
};

type MatchType = 'search' | 'match' | 'fullmatch';

function regexTest(value: unknown, pattern: unknown, flags: { ignorecase: unknown; multiline: unknown }, how: MatchType, ctx: CallContext): boolean {
  const text = pyStr(value); // Ansible's to_text(value): 5 is searched as '5'
  if (typeof pattern !== 'string') ctx.fail(`the pattern must be a string, not a ${typeName(pattern)}`);
  const opts = { ignoreCase: truthy(flags.ignorecase), multiline: truthy(flags.multiline) };
  let re: UserRegex;
  try {
    re = compileUserRegex(pattern as string, opts);
    // re.fullmatch: the same pattern, anchored at the very end too (checked alone first, so
    // the wrapping cannot make an invalid pattern valid).
    if (how === 'fullmatch') re = compileUserRegex(`(?:${pattern as string})\\z`, opts);
  } catch (err) {
    return ctx.fail(`invalid regular expression ${JSON.stringify(pattern)}: ${(err as Error).message}`);
  }
  return how === 'search' ? re.search(text) : re.matchStart(text);
}

const REGEX_KWARGS = ['pattern', 'ignorecase', 'multiline'] as const;

/** The pattern and flags, each given by position or by name. */
const regexArgs = ([pattern = '', ignorecase = false, multiline = false]: readonly unknown[], kw: Kwargs) => ({
  pattern: pick(kw, 'pattern', pattern),
  flags: { ignorecase: pick(kw, 'ignorecase', ignorecase), multiline: pick(kw, 'multiline', multiline) },
});

/** match/search(pattern='', ignorecase=False, multiline=False). */
const regexShortcut = (how: MatchType): Builtin => ({
  minArgs: 0, maxArgs: 3, kwargs: REGEX_KWARGS,
  apply: (v, args, ctx, kw) => {
    const { pattern, flags } = regexArgs(args, kw);
    return regexTest(v, pattern, flags, how, ctx);
  },
});

/** regex(pattern='', ignorecase=False, multiline=False, match_type='search'). */
const regex: Builtin = {
  minArgs: 0, maxArgs: 4, kwargs: [...REGEX_KWARGS, 'match_type'],
  apply: (v, args, ctx, kw) => {
    const how = pick(kw, 'match_type', args[3] ?? 'search');
    // Ansible's getattr(re, match_type, 'search') then calls the string 'search' for an unknown name.
    if (how !== 'search' && how !== 'match' && how !== 'fullmatch') ctx.fail(`unknown match_type ${pyStr(how)}: search, match or fullmatch`);
    const { pattern, flags } = regexArgs(args, kw);
    return regexTest(v, pattern, flags, how as MatchType, ctx);
  },
};

/** Python's set(x): the items of a list, the characters of a string, the keys of a dict. */
function asSet(v: unknown, test: string, ctx: CallContext): unknown[] {
  const items = typeof v === 'string' ? [...v] : Array.isArray(v) ? v : isPlainObject(v) ? Object.keys(v) : null;
  if (items === null) return ctx.fail(`the '${test}' test needs a list, not a ${typeName(v)}`);
  if (items.some((x) => Array.isArray(x) || isPlainObject(x))) ctx.fail(`the '${test}' test cannot compare lists or dicts (unhashable)`);
  return items;
}

const setTest = (test: string, pred: (a: unknown[], b: unknown[]) => boolean): Builtin => ({
  minArgs: 1, maxArgs: 1,
  apply: (v, [other], ctx) => pred(asSet(v, test, ctx), asSet(other, test, ctx)),
});
const within = (a: unknown[], b: unknown[]): boolean => a.every((x) => b.some((y) => deepEqual(x, y)));

/** boolean(value) of ansible.module_utils.parsing.convert_bool; null when it is not boolean-like. */
function convertBool(v: unknown): boolean | null {
  if (typeof v === 'boolean') return v;
  const norm = typeof v === 'string' ? v.trim().toLowerCase() : v;
  if (['y', 'yes', 'on', '1', 'true', 't', 1].includes(norm as string | number)) return true;
  if (['n', 'no', 'off', '0', 'false', 'f', 0].includes(norm as string | number)) return false;
  return null;
}

const truthiness = (negate: boolean): Builtin => ({
  minArgs: 0, maxArgs: 1, kwargs: ['convert_bool'],
  apply: (v, [convert = false], _ctx, kw) => {
    const value = truthy(pick(kw, 'convert_bool', convert)) ? convertBool(v) ?? v : v;
    return truthy(value) !== negate;
  },
});

function pathArg(v: unknown, test: string, ctx: CallContext): string {
  if (typeof v !== 'string') return ctx.fail(`the '${test}' test needs a path (a string), not a ${typeName(v)}`);
  return v;
}

/** os.path.isfile & co.: a path that cannot be read is simply not a file. */
const pathTest = (test: string, look: (path: string) => Stats | undefined, pred: (s: Stats) => boolean): Builtin => ({
  minArgs: 0, maxArgs: 0,
  apply: (v, _a, ctx) => {
    try {
      const st = look(pathArg(v, test, ctx));
      return st !== undefined && pred(st);
    } catch (err) {
      if (err instanceof Error && 'code' in err) return false; // ENOENT, EACCES, ENOTDIR, …
      throw err;
    }
  },
});
const follow = (p: string): Stats | undefined => statSync(p, { throwIfNoEntry: false });
const noFollow = (p: string): Stats | undefined => lstatSync(p, { throwIfNoEntry: false });

/** os.path.ismount: on another device than its parent, or the root itself. */
function isMount(p: string): boolean {
  const st = noFollow(p);
  if (!st || st.isSymbolicLink()) return false;
  const parent = follow(resolve(p, '..')); // the root is its own parent
  return !parent || parent.dev !== st.dev || parent.ino === st.ino;
}

export const ANSIBLE_TESTS: ReadonlyArray<readonly [string, Builtin]> = [
  ...['failed', 'failure'].map((n) => [n, resultKey('failed', 'failed')] as const),
  ...['succeeded', 'success', 'successful'].map((n) => [n, notResultKey('succeeded', 'failed')] as const),
  ['unreachable', resultKey('unreachable', 'unreachable')],
  ['reachable', notResultKey('reachable', 'unreachable')],
  ...['changed', 'change'].map((n) => [n, changed] as const),
  ...['skipped', 'skip'].map((n) => [n, resultKey('skipped', 'skipped')] as const),
  ['match', regexShortcut('match')],
  ['search', regexShortcut('search')],
  ['regex', regex],
  ['truthy', truthiness(false)],
  ['falsy', truthiness(true)],
  ...['subset', 'issubset'].map((n) => [n, setTest(n, within)] as const),
  ...['superset', 'issuperset'].map((n) => [n, setTest(n, (a, b) => within(b, a))] as const),
  ['contains', {
    minArgs: 1, maxArgs: 1,
    apply: (seq, [item], ctx) => contains(item, seq) ?? ctx.fail(`cannot look for a ${typeName(item)} in a ${typeName(seq)}`),
  }],
  ...['nan', 'isnan'].map((n) => [n, { minArgs: 0, maxArgs: 0, apply: (v: unknown) => Number.isNaN(v) }] as const),
  ['any', { minArgs: 0, maxArgs: 0, apply: (v, _a, ctx) => asList(v, 'any', ctx).some(truthy) }],
  ['all', { minArgs: 0, maxArgs: 0, apply: (v, _a, ctx) => asList(v, 'all', ctx).every(truthy) }],
  ...['abs', 'is_abs'].map((n) => [n, { minArgs: 0, maxArgs: 0, apply: (v: unknown, _a: readonly unknown[], ctx: CallContext) => pathArg(v, n, ctx).startsWith('/') }] as const),
  ...['file', 'is_file'].map((n) => [n, pathTest(n, follow, (s) => s.isFile())] as const),
  ...['directory', 'is_dir'].map((n) => [n, pathTest(n, follow, (s) => s.isDirectory())] as const),
  ...['link', 'is_link'].map((n) => [n, pathTest(n, noFollow, (s) => s.isSymbolicLink())] as const),
  ['exists', pathTest('exists', follow, () => true)],
  ['link_exists', pathTest('link_exists', noFollow, () => true)],
  ...['mount', 'is_mount'].map((n) => [n, { minArgs: 0, maxArgs: 0, apply: (v: unknown, _a: readonly unknown[], ctx: CallContext) => isMount(pathArg(v, n, ctx)) }] as const),
];

function asList(v: unknown, test: string, ctx: CallContext): unknown[] {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return [...v];
  if (isPlainObject(v)) return Object.keys(v);
  return ctx.fail(`the '${test}' test needs a list, not a ${typeName(v)}`);
}
