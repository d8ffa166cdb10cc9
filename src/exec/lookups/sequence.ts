// The `sequence` lookup (`with_sequence`): numbers from start to end (inclusive) by
// stride, or `count` of them, each printed with a printf-style format; always strings.
// Each term is the shortcut `[start-]end[/stride][:format]` ('5', '5-8', '2-10/2',
// '4:host%02d') or key=value words ('start=1 end=10 format=vm%02d'); the keyword
// options (start=, end=, count=, stride=, format=) are the defaults the terms override,
// as in ansible-core 2.17+. Numbers may be written 0x1f, 0o17 or 0b11; a decimal
// with a leading zero is refused, as Python's int(x, 0) refuses it.
import type { CallContext, Kwargs } from '../../jinja/builtin.js';
import { percentFormat } from '../../jinja/filters-strings.js';
import { MAX_RANGE } from '../../jinja/template-globals.js';
import { pyRepr, typeName } from '../../jinja/values.js';
import { ShlexError, shlexSplit } from '../../util/shlex.js';
import type { LookupPlugin } from './plugin.js';

interface Sequence {
  start: number;
  end: number | undefined;
  count: number | undefined;
  stride: number;
  format: string;
}

type Fail = (message: string) => never;

const NUMBER_FIELDS = ['start', 'end', 'count', 'stride'] as const;
const FIELDS: readonly string[] = [...NUMBER_FIELDS, 'format'];

export const SEQUENCE_LOOKUP: LookupPlugin = {
  options: FIELDS,
  run(terms, options, { fail }) {
    // ansible-core needs a term to start from; keywords alone describe one sequence here.
    const sources = terms.length === 0 && Object.keys(options).length > 0 ? [''] : terms;
    return sources.flatMap((term) => {
      const seq = fromOptions(options, fail);
      const text = typeof term === 'number' && Number.isInteger(term) ? String(term) : term;
      if (typeof text !== 'string') return fail(`sequence: a term must be a string such as 'start=1 end=5' or '1-5', not ${typeName(term)}`);
      if (!applyShortcut(seq, text, fail)) applyKeyValues(seq, text, fail);
      return generate(seq, fail);
    });
  },
};

function fromOptions(options: Kwargs, fail: Fail): Sequence {
  const seq: Sequence = { start: 1, end: undefined, count: undefined, stride: 1, format: '%d' };
  for (const name of FIELDS) {
    const value = options[name];
    if (value !== undefined && value !== null) setField(seq, name, value, fail);
  }
  return seq;
}

function setField(seq: Sequence, name: string, value: unknown, fail: Fail): void {
  if (name === 'format') {
    seq.format = typeof value === 'string' ? value : fail(`sequence: format must be a string, not ${typeName(value)}`);
    return;
  }
  const n = typeof value === 'number' && Number.isSafeInteger(value) ? value
    : typeof value === 'string' ? pyInt(value) : undefined;
  if (n === undefined) fail(`can't parse ${name}=${typeof value === 'string' ? value : pyRepr(value)} as integer`);
  seq[name as (typeof NUMBER_FIELDS)[number]] = n;
}

// Python's int(text, 0): 0x/0o/0b prefixes, `_` between digits, no leading zero on a decimal.
const PY_INT = /^[+-]?(?:0x(?:_?[0-9a-f])+|0o(?:_?[0-7])+|0b(?:_?[01])+|0(?:_?0)*|[1-9](?:_?\d)*)$/i;

export function pyInt(text: string): number | undefined {
  const s = text.trim();
  if (!PY_INT.test(s)) return undefined;
  const digits = s.replace(/^[+-]/, '').replaceAll('_', '').toLowerCase();
  const n = Number(digits);
  if (!Number.isSafeInteger(n)) return undefined;
  return s.startsWith('-') ? -n : n;
}

// [start-]end[/stride][:format], numbers as loose as Ansible's pattern (int() then judges them).
const NUM = '(0?x?[0-9a-f]+)';
const SHORTCUT = new RegExp(`^(?:${NUM}-)?${NUM}(?:/${NUM})?(?::(.+))?$`, 'i');

function applyShortcut(seq: Sequence, term: string, fail: Fail): boolean {
  const m = SHORTCUT.exec(term);
  if (m === null) return false;
  const [, start, end, stride, format] = m;
  for (const [name, value] of [['start', start], ['end', end], ['stride', stride], ['format', format]] as const) {
    if (value !== undefined) setField(seq, name, value, fail);
  }
  return true;
}

function applyKeyValues(seq: Sequence, term: string, fail: Fail): void {
  let words: string[];
  try {
    words = shlexSplit(term, { comments: false });
  } catch (err) {
    if (!(err instanceof ShlexError)) throw err;
    return fail(`unknown error parsing with_sequence arguments: ${pyRepr(term)}. Error was: ${err.message}`);
  }
  const unknown: string[] = [];
  for (const word of words) {
    const eq = word.indexOf('=');
    const name = eq > 0 ? word.slice(0, eq) : '_raw_params';
    if (FIELDS.includes(name)) setField(seq, name, word.slice(eq + 1), fail);
    else if (!unknown.includes(name)) unknown.push(name);
  }
  if (unknown.length > 0) fail(`unrecognized arguments to with_sequence: ${pyRepr(unknown)}`);
}

function generate(seq: Sequence, fail: Fail): string[] {
  let { start, end, stride } = seq;
  const { count, format } = seq;
  if (count === undefined && end === undefined) return fail('must specify count or end in with_sequence');
  if (count !== undefined && end !== undefined) return fail("can't specify both count and end in with_sequence");
  if (count !== undefined) {
    if (count !== 0) end = start + count * stride - 1; // Ansible's formula, also for a negative stride
    else [start, end, stride] = [0, 0, 0];
  }
  const last = end!;
  if (stride > 0 && last < start) return fail('to count backwards make stride negative');
  if (stride < 0 && last > start) return fail("to count forward don't make stride negative");
  if (format.split('%').length !== 2) return fail(`bad formatting string: ${format}`);
  if (stride === 0) return [];
  const stop = last + (stride > 0 ? 1 : -1);
  const length = Math.max(0, Math.ceil((stop - start) / stride));
  if (length > MAX_RANGE) return fail(`sequence of ${length} items is longer than the limit of ${MAX_RANGE}`);
  return Array.from({ length }, (_, i) => formatNumber(format, start + i * stride, fail));
}

// One conversion, as Python's `format % n` takes it: flags, width, precision, an ignored length modifier.
const ONE_CONVERSION = /^([^%]*)%([-+ #0]*)(\d*)(?:\.(\d*))?[hlL]?([diouxXeEfFgGcrsa])([^%]*)$/s;

const STRICT: CallContext = {
  fail: (m) => {
    throw new Error(m);
  },
  missing: (m) => {
    throw new Error(m);
  },
  filter: () => {
    throw new Error('no filters here');
  },
  test: () => {
    throw new Error('no tests here');
  },
};

function formatNumber(format: string, n: number, fail: Fail): string {
  const problem = (): never => fail(`problem formatting ${n} with ${pyRepr(format)}`);
  const m = ONE_CONVERSION.exec(format) ?? problem();
  const [, before, flags, width, precision, conversion, after] = m;
  const spec = `%${flags}${width}${precision === undefined ? '' : `.${precision || '0'}`}${conversion}`;
  try {
    return `${before}${percentFormat(spec, [n], STRICT)}${after}`;
  } catch {
    return problem(); // %c of a number that is no character
  }
}
