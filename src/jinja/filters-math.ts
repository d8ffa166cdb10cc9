// Number filters beyond conversions: Ansible's root/log/pow (math.sqrt, math.log,
// math.pow) and Jinja's filesizeformat, with Python's formatting of the result.
import type { Builtin, CallContext } from './builtin.js';
import { toFloat } from './filters-support.js';
import { truthy, typeName } from './values.js';

function num(v: unknown, filter: string, ctx: CallContext): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return Number(v);
  return ctx.fail(`${filter}() can only be used on numbers: not a ${typeName(v)}`);
}

/** Jinja's do_filesizeformat: decimal (kB, MB) or binary (KiB, MiB) units, one decimal. */
export function fileSize(bytes: number, binary: boolean): string {
  const base = binary ? 1024 : 1000;
  const prefixes = binary ? ['KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'] : ['kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
  if (bytes === 1) return '1 Byte';
  if (bytes < base) return `${Math.trunc(bytes)} Bytes`;
  let unit = base;
  for (const prefix of prefixes) {
    unit *= base;
    if (bytes < unit || prefix === prefixes[prefixes.length - 1]) return `${((base * bytes) / unit).toFixed(1)} ${prefix}`;
  }
  return `${bytes} Bytes`; // not reached
}

export const MATH_FILTERS: ReadonlyArray<[string, Builtin]> = [
  ['root', {
    minArgs: 0, maxArgs: 1, kwargs: ['base'],
    apply: (v, [base], ctx, kw) => {
      const x = num(v, 'root', ctx);
      const b = num(base ?? kw.base ?? 2, 'root', ctx);
      if (b === 2) return x < 0 ? ctx.fail('root() can only be used on numbers: math domain error') : Math.sqrt(x);
      return Math.pow(x, 1 / b);
    },
  }],
  ['log', {
    minArgs: 0, maxArgs: 1, kwargs: ['base'],
    apply: (v, [base], ctx, kw) => {
      const x = num(v, 'log', ctx);
      if (x <= 0) ctx.fail('log() can only be used on numbers: math domain error');
      const b = base ?? kw.base;
      if (b === undefined || b === null) return Math.log(x);
      const bn = num(b, 'log', ctx);
      return bn === 10 ? Math.log10(x) : Math.log(x) / Math.log(bn);
    },
  }],
  ['pow', {
    minArgs: 1, maxArgs: 1,
    apply: (v, [y], ctx) => Math.pow(num(v, 'pow', ctx), num(y, 'pow', ctx)),
  }],
  ['filesizeformat', {
    minArgs: 0, maxArgs: 1, kwargs: ['binary'],
    apply: (v, [binary], ctx, kw) => {
      const bytes = toFloat(v) ?? ctx.fail(`filesizeformat needs a number, not a ${typeName(v)}`);
      return fileSize(bytes, truthy(binary ?? kw.binary));
    },
  }],
];
