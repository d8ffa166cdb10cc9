// Data-format filters: to_json/to_nice_json as Python's json.dumps writes them (`, ` and
// `: ` separators, ASCII escapes, float repr), to_yaml/to_nice_yaml through the PyYAML
// port in filters-yaml-dump.ts, from_json/from_yaml, and base64.
import { loadYamlText, toValue } from '../data/yaml-load.js';
import { comparePy, pyFloatRepr, UnsafeText } from '../data/py-values.js';
import type { Builtin, CallContext, Kwargs } from './builtin.js';
import { intArg } from './filters-support.js';
import { yamlDump } from './filters-yaml-dump.js';
import { isPlainObject, pyStr, truthy, typeName } from './values.js';

interface JsonStyle {
  indent: string | null;
  sortKeys: boolean;
  ensureAscii: boolean;
  itemSep: string;
  keySep: string;
}

function jsonString(s: string, ascii: boolean): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (cp < 0x20 || (ascii && cp > 0x7e)) {
      const units = cp > 0xffff ? [ch.charCodeAt(0), ch.charCodeAt(1)] : [cp];
      out += units.map((u) => `\\u${u.toString(16).padStart(4, '0')}`).join('');
    } else out += ch;
  }
  return `${out}"`;
}

const PYTHON_DEFAULTS: JsonStyle = { indent: null, sortKeys: false, ensureAscii: true, itemSep: ', ', keySep: ': ' };

/** json.dumps(v) with Python's defaults: what Ansible's copy writes for a list or dict `content`. */
export function pythonJsonDumps(v: unknown): string {
  return pyJsonDumps(v, PYTHON_DEFAULTS, { fail: (message) => { throw new TypeError(message); } });
}

/** Python's json.dumps with Ansible's encoder (unsafe text is a plain string). */
export function pyJsonDumps(v: unknown, style: JsonStyle, ctx: Pick<CallContext, 'fail'>, depth = 0): string {
  if (v === null || v === undefined) return 'null';
  if (v === true) return 'true';
  if (v === false) return 'false';
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < 1e21 ? String(v) : pyFloatRepr(v);
  if (typeof v === 'string') return jsonString(v, style.ensureAscii);
  if (v instanceof UnsafeText) return jsonString(v.value, style.ensureAscii);
  const nl = style.indent === null ? '' : `\n${style.indent.repeat(depth + 1)}`;
  const close = style.indent === null ? '' : `\n${style.indent.repeat(depth)}`;
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return `[${nl}${v.map((x) => pyJsonDumps(x, style, ctx, depth + 1)).join(style.itemSep + nl)}${close}]`;
  }
  if (isPlainObject(v)) {
    const keys = Object.keys(v);
    if (keys.length === 0) return '{}';
    if (style.sortKeys) keys.sort(comparePy);
    const items = keys.map((k) => `${jsonString(k, style.ensureAscii)}${style.keySep}${pyJsonDumps(v[k], style, ctx, depth + 1)}`);
    return `{${nl}${items.join(style.itemSep + nl)}${close}}`;
  }
  return ctx.fail(`Object of type ${typeName(v)} is not JSON serializable`);
}

function jsonStyle(kw: Kwargs, indentDefault: unknown, sortDefault: boolean, ctx: CallContext): JsonStyle {
  const ind = kw.indent ?? indentDefault;
  const indent = ind === null || ind === undefined ? null : typeof ind === 'string' ? ind : ' '.repeat(Math.max(0, intArg(ind, 'indent', ctx)));
  return {
    indent,
    sortKeys: truthy(kw.sort_keys ?? sortDefault),
    ensureAscii: truthy(kw.ensure_ascii ?? true),
    itemSep: indent === null ? ', ' : ',',
    keySep: ': ',
  };
}

function fromYaml(v: unknown, ctx: CallContext): unknown {
  if (typeof v !== 'string') return v; // Ansible passes non-strings through
  try {
    const node = loadYamlText(v, '<from_yaml>');
    return node === null ? null : toValue(node);
  } catch (err) {
    return ctx.fail(`from_yaml: ${(err as Error).message}`);
  }
}

const base64 = (decode: boolean): Builtin => ({
  minArgs: 0, maxArgs: 1, kwargs: ['encoding'],
  apply: (v, [encoding], ctx, kw) => {
    const enc = pyStr(encoding ?? kw.encoding ?? 'utf-8').toLowerCase().replace('_', '-');
    const codec = enc === 'utf-8' || enc === 'utf8' ? 'utf8' : enc === 'utf-16-le' ? 'utf16le' : enc === 'latin-1' || enc === 'latin1' ? 'latin1' : ctx.fail(`unknown encoding '${enc}'`);
    if (!decode) return Buffer.from(pyStr(v), codec).toString('base64');
    const text = pyStr(v);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text.replace(/\s/g, '')) || text.replace(/\s/g, '').length % 4 === 1) ctx.fail('b64decode: invalid base64 input');
    return Buffer.from(text, 'base64').toString(codec);
  },
});

export const FORMAT_FILTERS: ReadonlyArray<[string, Builtin]> = [
  ['to_json', {
    minArgs: 0, maxArgs: 0, kwargs: ['indent', 'sort_keys', 'ensure_ascii'],
    apply: (v, _a, ctx, kw) => pyJsonDumps(v, jsonStyle(kw, null, false, ctx), ctx),
  }],
  ['to_nice_json', {
    minArgs: 0, maxArgs: 1, kwargs: ['indent', 'sort_keys', 'ensure_ascii'],
    apply: (v, [indent], ctx, kw) => pyJsonDumps(v, jsonStyle({ ...kw, indent: indent ?? kw.indent ?? 4 }, 4, true, ctx), ctx),
  }],
  ['from_json', {
    minArgs: 0, maxArgs: 0,
    apply: (v, _a, ctx) => {
      try {
        return JSON.parse(pyStr(v)) as unknown;
      } catch (err) {
        return ctx.fail(`from_json: ${(err as Error).message}`);
      }
    },
  }],
  ['to_yaml', {
    minArgs: 0, maxArgs: 0, kwargs: ['indent', 'default_flow_style', 'width'],
    apply: (v, _a, ctx, kw) => dump(v, kw, 2, null, ctx),
  }],
  ['to_nice_yaml', {
    minArgs: 0, maxArgs: 1, kwargs: ['indent', 'default_flow_style', 'width'],
    apply: (v, [indent], ctx, kw) => dump(v, { ...kw, indent: indent ?? kw.indent }, 4, false, ctx),
  }],
  ['from_yaml', { minArgs: 0, maxArgs: 0, apply: (v, _a, ctx) => fromYaml(v, ctx) }],
  ['b64encode', base64(false)],
  ['b64decode', base64(true)],
];

function dump(v: unknown, kw: Kwargs, indent: number, flow: boolean | null, ctx: CallContext): string {
  const style = kw.default_flow_style === undefined ? flow : kw.default_flow_style === null ? null : truthy(kw.default_flow_style);
  try {
    return yamlDump(v, {
      indent: kw.indent === undefined || kw.indent === null ? indent : intArg(kw.indent, 'indent', ctx),
      flowStyle: style,
      width: kw.width === undefined ? 80 : intArg(kw.width, 'width', ctx),
    });
  } catch (err) {
    return ctx.fail(`to_yaml - ${(err as Error).message}`);
  }
}
