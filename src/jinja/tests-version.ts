// Ansible's `version` test (alias `version_compare`): the three version types it offers
// without extra Python libraries, each compared as ansible-core 2.14 does.
// loose (default, distutils' LooseVersion): '2.14.3', '10.2-rc1' split into numbers and
// words; a number against a word is an error there (Python 3 refuses int < str), so here too.
// strict (`strict=true` or `version_type='strict'`): N.N[.N][(a|b)N] only.
// semver/semantic: MAJOR.MINOR.PATCH[-prerelease][+build], prerelease ordered per semver 2.0.
import type { Builtin, CallContext } from './builtin.js';
import { pick } from './tests-ansible.js';
import { pyStr, truthy } from './values.js';

type Compare = (a: string, b: string, ctx: CallContext) => number;

const cmp = (a: number | string, b: number | string): number => (a < b ? -1 : a > b ? 1 : 0);

function looseParts(s: string): Array<number | string> {
  // re.split(r'(\d+ | [a-z]+ | \.)', s), keeping the separators and the text between them.
  const parts: Array<number | string> = [];
  let last = 0;
  for (const m of s.matchAll(/\d+|[a-z]+|\./g)) {
    if (m.index > last) parts.push(s.slice(last, m.index));
    if (m[0] !== '.') parts.push(/^\d/.test(m[0]) ? Number(m[0]) : m[0]);
    last = m.index + m[0].length;
  }
  if (last < s.length) parts.push(s.slice(last));
  return parts;
}

const compareLoose: Compare = (a, b, ctx) => {
  const pa = looseParts(a);
  const pb = looseParts(b);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (x === y) continue;
    if (typeof x !== typeof y) ctx.fail(`Version comparison failed: cannot order ${pyStr(x)} and ${pyStr(y)} ('${a}' against '${b}')`);
    return cmp(x, y);
  }
  return cmp(pa.length, pb.length);
};

const compareStrict: Compare = (a, b, ctx) => {
  const parse = (s: string): [number, number, number, string, number] => {
    const m = /^(\d+)\.(\d+)(?:\.(\d+))?(?:([ab])(\d+))?$/.exec(s);
    if (!m) return ctx.fail(`Version comparison failed: invalid version number '${s}'`);
    // No prerelease sorts after any prerelease: '~' is above 'a' and 'b'.
    return [Number(m[1]), Number(m[2]), Number(m[3] ?? 0), m[4] ?? '~', Number(m[5] ?? 0)];
  };
  const pa = parse(a);
  const pb = parse(b);
  for (let i = 0; i < pa.length; i++) {
    const c = cmp(pa[i]!, pb[i]!);
    if (c !== 0) return c;
  }
  return 0;
};

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

const compareSemver: Compare = (a, b, ctx) => {
  const parse = (s: string): { core: number[]; pre: Array<number | string> } => {
    const m = SEMVER.exec(s);
    if (!m) return ctx.fail(`Version comparison failed: invalid semantic version '${s}'`);
    const pre = m[4] === undefined ? [] : m[4].split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p));
    return { core: [Number(m[1]), Number(m[2]), Number(m[3])], pre };
  };
  const pa = parse(a);
  const pb = parse(b);
  for (let i = 0; i < 3; i++) {
    const c = cmp(pa.core[i]!, pb.core[i]!);
    if (c !== 0) return c;
  }
  if (pa.pre.length === 0 || pb.pre.length === 0) return cmp(pb.pre.length, pa.pre.length);
  for (let i = 0; i < Math.min(pa.pre.length, pb.pre.length); i++) {
    const x = pa.pre[i]!;
    const y = pb.pre[i]!;
    if (x === y) continue;
    if (typeof x !== typeof y) return typeof x === 'number' ? -1 : 1; // numeric identifiers sort first
    return cmp(x, y);
  }
  return cmp(pa.pre.length, pb.pre.length);
};

const TYPES: ReadonlyMap<string, Compare> = new Map([
  ['loose', compareLoose], ['strict', compareStrict], ['semver', compareSemver], ['semantic', compareSemver],
]);

const OPERATORS: ReadonlyMap<string, (c: number) => boolean> = new Map([
  ...['==', '=', 'eq'].map((k) => [k, (c: number) => c === 0] as const),
  ...['<', 'lt'].map((k) => [k, (c: number) => c < 0] as const),
  ...['<=', 'le'].map((k) => [k, (c: number) => c <= 0] as const),
  ...['>', 'gt'].map((k) => [k, (c: number) => c > 0] as const),
  ...['>=', 'ge'].map((k) => [k, (c: number) => c >= 0] as const),
  ...['!=', '<>', 'ne'].map((k) => [k, (c: number) => c !== 0] as const),
]);

/** version(other, operator='eq', strict=None, version_type=None), as ansible.builtin.version. */
export const versionTest: Builtin = {
  minArgs: 1, maxArgs: 4,
  kwargs: ['version', 'operator', 'strict', 'version_type'],
  apply: (v, args, ctx, kw) => {
    const other = pick(kw, 'version', args[0]);
    const op = pick(kw, 'operator', args[1]) ?? 'eq';
    const strict = pick(kw, 'strict', args[2]) ?? null;
    const type = pick(kw, 'version_type', args[3]) ?? null;
    if (strict !== null && type !== null) ctx.fail("Cannot specify both 'strict' and 'version_type'");
    if (!truthy(v)) ctx.fail('Input version value cannot be empty');
    if (!truthy(other)) ctx.fail('Version parameter to compare against cannot be empty');
    let compare = compareLoose;
    if (truthy(strict)) compare = compareStrict;
    else if (truthy(type)) {
      compare = TYPES.get(pyStr(type)) ?? ctx.fail(`Invalid version type (${pyStr(type)}). Must be one of ${[...TYPES.keys()].join(', ')}`);
    }
    const check = OPERATORS.get(pyStr(op)) ?? ctx.fail(`Invalid operator type (${pyStr(op)}). Must be one of ${[...OPERATORS.keys()].join(', ')}`);
    return check(compare(pyStr(v), pyStr(other), ctx));
  },
};
