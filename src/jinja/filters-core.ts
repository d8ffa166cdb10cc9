// Value filters: Jinja's default/int/float/round/abs, Ansible's bool/mandatory/ternary/
// type_debug, and kvmplay's own kib/mac/uuid/libvirt_conf (the Handlebars helpers of the
// same names, from src/util). Conversions follow Python: `'42.7' | int` is 42, a
// non-number is the default, never an error.
import { UnsafeText } from '../data/py-values.js';
import { kib } from '../util/kib.js';
import { libvirtConf } from '../util/libvirt-conf.js';
import { mac } from '../util/mac.js';
import { uuid } from '../util/uuid.js';
import type { Builtin, CallContext } from './builtin.js';
import { intArg, toBool, toFloat } from './filters-support.js';
import { Missing } from './lookup.js';
import { isPlainObject, isTuple, pyStr, truthy, typeName } from './values.js';

const fallback: Builtin = {
  // default(default_value='', boolean=False): with boolean, falsy values are replaced too.
  minArgs: 0, maxArgs: 2, kwargs: ['default_value', 'boolean'], lazy: true, lazyArgs: true,
  apply: (v, args, _c, kw) => {
    const [value, boolean] = args;
    if (!(v instanceof Missing || (truthy(boolean ?? kw.boolean ?? false) && !truthy(v)))) return v;
    // An explicit none is a value (`default(none)`), not a missing argument.
    return args.length > 0 ? value : 'default_value' in kw ? kw.default_value : '';
  },
};

/** The name Jinja's Undefined carries, as `mandatory` prints it. */
function undefinedName(m: Missing): string | null {
  const found = /^undefined variable '(.*)'$/.exec(m.reason) ?? /has no key '(.*)'$/.exec(m.reason);
  return found ? found[1]! : null;
}

const mandatory: Builtin = {
  minArgs: 0, maxArgs: 1, kwargs: ['msg'], lazy: true,
  apply: (v, [msg], ctx, kw) => {
    if (!(v instanceof Missing)) return v;
    const text = msg ?? kw.msg;
    if (text !== undefined && text !== null) ctx.fail(pyStr(text));
    const name = undefinedName(v);
    // Ansible's message, double space included: "Mandatory variable 'x'  not defined."
    return ctx.fail(`Mandatory variable ${name === null ? '' : `'${name}' `} not defined.`);
  },
};

// Python's int(text, base): sign, digits with single underscores, a prefix matching the base.
function parseIntBase(text: string, base: number): number | null {
  let t = text.trim().toLowerCase();
  let sign = 1;
  if (t.startsWith('-') || t.startsWith('+')) { sign = t.startsWith('-') ? -1 : 1; t = t.slice(1); }
  const prefixes: ReadonlyArray<[string, number]> = [['0x', 16], ['0o', 8], ['0b', 2]];
  for (const [p, b] of prefixes) {
    if (t.startsWith(p) && (base === b || base === 0)) { t = t.slice(2).replace(/^_/, ''); base = b; }
  }
  if (base === 0) {
    if (/^0+(?:_?0)*$/.test(t)) return 0;
    if (t.startsWith('0')) return null;
    base = 10;
  }
  if (base < 2 || base > 36 || !/^[0-9a-z]+(?:_[0-9a-z]+)*$/.test(t)) return null;
  let n = 0;
  for (const c of t.replaceAll('_', '')) {
    const d = parseInt(c, 36);
    if (d >= base) return null;
    n = n * base + d;
  }
  return sign * n;
}

const toInt: Builtin = {
  // int(default=0, base=10): a string in `base`, else via float() ("42.23" is 42).
  minArgs: 0, maxArgs: 2, kwargs: ['default', 'base'],
  apply: (v, [dflt, base], ctx, kw) => {
    const d = dflt ?? kw.default ?? 0;
    if (typeof v === 'string') {
      const n = parseIntBase(v, intArg(base ?? kw.base ?? 10, 'base', ctx));
      if (n !== null) return n;
    }
    const f = toFloat(v);
    return f === null || !Number.isFinite(f) ? d : Math.trunc(f);
  },
};

/** Python's round(x, n): the exact binary value decides, exact halves go to even. */
export function pyRound(x: number, precision: number): number {
  if (!Number.isFinite(x)) return x;
  const scale = 10 ** precision;
  if (precision < 0) return Math.round(x / 10 ** -precision) * 10 ** -precision;
  const exact = Math.abs(x).toFixed(Math.min(100, precision + 60));
  const tail = exact.slice(exact.indexOf('.') + 1 + precision);
  const fixed = Number(Math.abs(x).toFixed(precision));
  let r = fixed;
  if (/^50*$/.test(tail)) {
    const down = Math.floor(Math.abs(x) * scale);
    r = (down % 2 === 0 ? down : down + 1) / scale;
  }
  return x < 0 ? -r : r;
}

const round: Builtin = {
  // round(precision=0, method='common'|'ceil'|'floor')
  minArgs: 0, maxArgs: 2, kwargs: ['precision', 'method'],
  apply: (v, [precision, method], ctx, kw) => {
    const x = typeof v === 'number' ? v : typeof v === 'boolean' ? Number(v) : ctx.fail(`'round' needs a number, not a ${typeName(v)}`);
    const p = intArg(precision ?? kw.precision ?? 0, 'precision', ctx);
    const how = pyStr(method ?? kw.method ?? 'common');
    if (how === 'common') return pyRound(x, p);
    if (how !== 'ceil' && how !== 'floor') ctx.fail('method must be common, ceil or floor');
    const scale = 10 ** p;
    return (how === 'ceil' ? Math.ceil(x * scale) : Math.floor(x * scale)) / scale;
  },
};

/** Python's type(x).__name__ as Ansible's type_debug shows it. */
function pyTypeName(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType';
  if (v instanceof UnsafeText) return 'AnsibleUnsafeText';
  if (Array.isArray(v)) return isTuple(v) ? 'tuple' : 'list';
  if (isPlainObject(v)) return 'dict';
  switch (typeof v) {
    case 'boolean': return 'bool';
    case 'number': return Number.isInteger(v) ? 'int' : 'float';
    case 'string': return 'str';
    default: return 'object';
  }
}

/** A kvmplay helper as a filter: its TypeError/RangeError becomes the filter's failure. */
const helper = (f: (...parts: unknown[]) => unknown, min = 0): Builtin => ({
  minArgs: min, maxArgs: Infinity,
  apply: (v, args, ctx: CallContext) => {
    try {
      return f(v, ...args);
    } catch (err) {
      return ctx.fail((err as Error).message);
    }
  },
});

export const CORE_FILTERS: ReadonlyArray<[string, Builtin]> = [
  ['default', fallback],
  ['d', fallback],
  ['mandatory', mandatory],
  ['int', toInt],
  ['float', {
    minArgs: 0, maxArgs: 1, kwargs: ['default'],
    apply: (v, [dflt], _c, kw) => toFloat(v) ?? dflt ?? kw.default ?? 0,
  }],
  ['bool', { minArgs: 0, maxArgs: 0, apply: (v) => (v === null ? null : toBool(v)) }],
  ['round', round],
  ['abs', {
    minArgs: 0, maxArgs: 0,
    apply: (v, _a, ctx) => (typeof v === 'number' ? Math.abs(v) : ctx.fail(`'abs' needs a number, not a ${typeName(v)}`)),
  }],
  ['ternary', {
    // ternary(true_val, false_val, none_val=None)
    minArgs: 2, maxArgs: 3, kwargs: ['none_val'],
    apply: (v, [t, f, none], _c, kw) => {
      const noneVal = none ?? kw.none_val ?? null;
      if (v === null && noneVal !== null) return noneVal;
      return truthy(v) ? t : f;
    },
  }],
  ['type_debug', { minArgs: 0, maxArgs: 0, apply: pyTypeName }],
  ['kib', helper((v) => kib(v))],
  ['mac', helper(mac)],
  ['uuid', helper(uuid)],
  ['libvirt_conf', helper((v) => libvirtConf(v))],
];
