// YAML 1.1 scalars exactly as PyYAML's SafeLoader (which Ansible's loader extends)
// resolves and constructs them (yaml/resolver.py, yaml/constructor.py): `yes`/`on` are
// booleans, `0755` is octal, `1e3` is a string (floats need a dot), `1:30` is base 60,
// dates become ISO strings (what ansible-inventory prints for date objects).

const BOOL_RE = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const FLOAT_RE = new RegExp(
  '^(?:[-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+][0-9]+)?' +
  '|\\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?' +
  '|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*' +
  '|[-+]?\\.(?:inf|Inf|INF)' +
  '|\\.(?:nan|NaN|NAN))$');
const INT_RE = new RegExp(
  '^(?:[-+]?0b[0-1_]+' +
  '|[-+]?0[0-7_]+' +
  '|[-+]?(?:0|[1-9][0-9_]*)' +
  '|[-+]?0x[0-9a-fA-F_]+' +
  '|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$');
const NULL_RE = /^(?:~|null|Null|NULL|)$/;
const TIMESTAMP_RE = new RegExp(
  '^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]' +
  '|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?' +
  '(?:[Tt]|[ \\t]+)[0-9][0-9]?' +
  ':[0-9][0-9]:[0-9][0-9](?:\\.[0-9]*)?' +
  '(?:[ \\t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$');
const TIMESTAMP_PARTS = new RegExp(
  '^([0-9]{4})-([0-9][0-9]?)-([0-9][0-9]?)' +
  '(?:(?:[Tt]|[ \\t]+)([0-9][0-9]?):([0-9][0-9]):([0-9][0-9])(?:\\.([0-9]*))?' +
  '(?:[ \\t]*(Z|([-+])([0-9][0-9]?)(?::([0-9][0-9]))?))?)?$');

export const YAML_TAG = 'tag:yaml.org,2002:';

export class ScalarError extends Error {}

/** The value of a plain (unquoted, untagged) scalar, by PyYAML's implicit resolvers in their order. */
export function resolvePlain(text: string): { value: unknown; float?: boolean } {
  if (BOOL_RE.test(text)) return { value: constructBool(text) };
  if (FLOAT_RE.test(text)) return { value: constructFloat(text), float: true };
  if (INT_RE.test(text)) return { value: constructInt(text) };
  if (text === '<<') throw new ScalarError(`could not determine a constructor for the tag '${YAML_TAG}merge'`);
  if (NULL_RE.test(text)) return { value: null };
  if (TIMESTAMP_RE.test(text)) return { value: constructTimestamp(text) };
  if (text === '=') throw new ScalarError(`could not determine a constructor for the tag '${YAML_TAG}value'`);
  return { value: text };
}

/** A scalar with an explicit standard tag (`!!int "12"`), constructed as PyYAML's SafeConstructor does. */
export function constructTagged(tag: string, text: string): { value: unknown; float?: boolean } {
  switch (tag.slice(YAML_TAG.length)) {
    case 'str': return { value: text };
    case 'null': return { value: null };
    case 'bool': return { value: constructBool(text) };
    case 'int': return { value: constructInt(text) };
    case 'float': return { value: constructFloat(text), float: true };
    case 'timestamp': return { value: constructTimestamp(text) };
    default: throw new ScalarError(`could not determine a constructor for the tag '${tag}'`);
  }
}

function constructBool(text: string): boolean {
  const v = text.toLowerCase();
  if (['yes', 'true', 'on'].includes(v)) return true;
  if (['no', 'false', 'off'].includes(v)) return false;
  throw new ScalarError(`invalid boolean "${text}"`);
}

function splitSign(text: string): { sign: number; body: string } {
  const v = text.replace(/_/g, '');
  if (v.startsWith('-')) return { sign: -1, body: v.slice(1) };
  if (v.startsWith('+')) return { sign: 1, body: v.slice(1) };
  return { sign: 1, body: v };
}

function constructInt(text: string): number {
  const { sign, body } = splitSign(text);
  let v: number;
  if (body === '0') return 0;
  if (body.startsWith('0b')) v = digits(body.slice(2), 2);
  else if (body.startsWith('0x')) v = digits(body.slice(2), 16);
  else if (body.startsWith('0')) v = digits(body, 8);
  else if (body.includes(':')) v = base60(body.split(':').map((p) => digits(p, 10)));
  else v = digits(body, 10);
  return sign * v;
}

function digits(s: string, radix: number): number {
  const re = { 2: /^[01]+$/, 8: /^[0-7]+$/, 10: /^[0-9]+$/, 16: /^[0-9a-fA-F]+$/ }[radix as 2 | 8 | 10 | 16];
  if (!re.test(s)) throw new ScalarError(`invalid literal for int() with base ${radix}: '${s}'`);
  const prefix = { 2: '0b', 8: '0o', 10: '', 16: '0x' }[radix as 2 | 8 | 10 | 16];
  return Number(BigInt(prefix + s));
}

function base60(parts: number[]): number {
  return parts.reduce((acc, p) => acc * 60 + p, 0);
}

function constructFloat(text: string): number {
  const { sign, body } = splitSign(text.toLowerCase());
  if (body === '.inf') return sign * Infinity;
  if (body === '.nan') return NaN;
  if (body.includes(':')) return sign * base60(body.split(':').map(Number));
  const v = Number(body);
  if (Number.isNaN(v)) throw new ScalarError(`could not convert string to float: '${text}'`);
  return sign * v;
}

/** datetime.date/datetime as PyYAML builds them, then .isoformat() as ansible-inventory prints them. */
function constructTimestamp(text: string): string {
  const m = TIMESTAMP_PARTS.exec(text);
  if (!m) throw new ScalarError(`invalid timestamp "${text}"`);
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const probe = new Date(Date.UTC(2000, month - 1, day));
  probe.setUTCFullYear(year);
  if (year < 1 || month < 1 || month > 12 || probe.getUTCDate() !== day) {
    throw new ScalarError(`invalid date "${text}"`);
  }
  const p2 = (n: number): string => String(n).padStart(2, '0');
  const date = `${String(year).padStart(4, '0')}-${p2(month)}-${p2(day)}`;
  if (m[4] === undefined) return date;
  const [hour, minute, second] = [Number(m[4]), Number(m[5]), Number(m[6])];
  if (hour > 23 || minute > 59 || second > 59) throw new ScalarError(`invalid time "${text}"`);
  let out = `${date}T${p2(hour)}:${p2(minute)}:${p2(second)}`;
  const fraction = (m[7] ?? '').slice(0, 6).padEnd(6, '0');
  if (m[7] && Number(fraction) !== 0) out += `.${fraction}`;
  if (m[9]) {
    const h = Number(m[10]);
    const mi = Number(m[11] ?? 0);
    if (h > 23 || mi > 59) throw new ScalarError(`invalid time zone "${text}"`);
    // timezone(timedelta(0)) prints as +00:00, also for "-00:00".
    const sign = m[9] === '-' && (h || mi) ? '-' : '+';
    out += `${sign}${p2(h)}:${p2(mi)}`;
  } else if (m[8] === 'Z') {
    out += '+00:00';
  }
  return out;
}
