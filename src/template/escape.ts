// Escaping by output format, never HTML (SPEC 5). The format of a template comes
// from its file name (`formatFor`); every `{{ expr }}` is written through
// `writeValue` for that format, while `{{{ expr }}}` writes the value raw in every
// format (it still refuses undefined, null, lists and maps).
//
// File name → format (after dropping a trailing `.hbs` / `.handlebars`, case-insensitive):
//   *.xml                                  → xml      (domain.xml.hbs, network.xml)
//   ifcfg-*, *.ifcfg                       → ifcfg    (ifcfg-br0, ifcfg-bridge.hbs)
//   interfaces, interfaces[.-]*, *.interfaces → ifupdown (interfaces-bridge.hbs)
//   *.sh, *.bash                           → shell
//   *.json                                 → json
//   anything else (*.conf, keyfiles, task arguments) → text
//
// What `{{ expr }}` writes in each format (xml and text here; the others by the
// quoting context around the value, quoting-context.ts, which renderTemplate uses;
// `writeValue` gives their result outside any quotes):
//   xml      & < > " ' become entities; control characters XML 1.0 cannot carry are refused.
//   ifcfg    sourced by sh: `VAR={{x}}` bare when made only of [A-Za-z0-9_@%+:,./-], else
//            '…' (' → '\''); `VAR="{{x}}"` \ " $ ` backslashed; `VAR='{{x}}'` ' → '\'';
//            a comment as is. Anywhere else (a command, after \ or $, inside $(…)) refused.
//            Newline, CR, NUL refused.
//   shell    the same quoting, in any word; refused inside `…`, ${…}, $((…)), here-documents.
//   ifupdown no quoting exists: in up/pre-up/… lines (run by /bin/sh) only plain words,
//            option values plain words separated by spaces, comments as is (no \);
//            newline, CR and NUL refused: they would start a new stanza.
//   json     inside "…" JSON string escaping; outside, the value as a JSON literal.
//   text     written as is: no escaping at all (`=`, `'`, backquote stay as they are).
import { quoteShellWord } from '../util/shell-quote.js';
import { SafeText } from './safe-text.js';

export type TemplateFormat = 'xml' | 'ifcfg' | 'ifupdown' | 'shell' | 'text' | 'json';

export const TEMPLATE_FORMATS: readonly TemplateFormat[] = ['xml', 'ifcfg', 'ifupdown', 'shell', 'text', 'json'];

/** The output format of a template, from its (file) name. */
export function formatFor(name: string): TemplateFormat {
  const base = (name.split(/[\\/]/).pop() ?? name).toLowerCase().replace(/\.(hbs|handlebars)$/, '');
  if (base.endsWith('.xml')) return 'xml';
  if (base.startsWith('ifcfg-') || base.endsWith('.ifcfg')) return 'ifcfg';
  if (/^interfaces([.-]|$)/.test(base) || base.endsWith('.interfaces')) return 'ifupdown';
  if (base.endsWith('.sh') || base.endsWith('.bash')) return 'shell';
  if (base.endsWith('.json')) return 'json';
  return 'text';
}

/** A value that must not be written; the caller adds template, line and variable. */
export class RefusedValue extends Error {}

const XML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

// XML 1.0 allows tab, LF and CR among the C0 controls; anything else makes the
// document ill-formed, and libvirt would reject it far from the template.
const XML_FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

/** Escape text for XML element content and attribute values (either quote). */
export function escapeXml(text: string): string {
  if (XML_FORBIDDEN.test(text)) throw new RefusedValue('contains a control character that XML cannot carry');
  return text.replace(/[&<>"']/g, (c) => XML_ENTITIES[c] ?? c);
}

const LINE_BREAKING = /[\n\r\u0000]/;

/** Newline, CR and NUL would start a new line (or end the string) in line-based formats. */
export function refuseLineBreaks(text: string, format: TemplateFormat): void {
  if (LINE_BREAKING.test(text)) {
    const what = text.includes('\0') ? 'a NUL byte' : text.includes('\n') ? 'a newline' : 'a carriage return';
    throw new RefusedValue(`contains ${what}, which cannot be written safely in ${format} format; nothing was written`);
  }
}

/** The text of a scalar value; lists, maps, null and undefined are refused. */
export function scalarText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof SafeText) return value.text;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RefusedValue(`is ${value}, not a number that can be written`);
    return String(value);
  }
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === undefined) throw new RefusedValue('is not defined');
  if (value === null) throw new RefusedValue("is null; write {{default x ''}} if an empty value is meant");
  if (Array.isArray(value)) throw new RefusedValue('is a list, not a value to write; use {{json x}} or {{#each x}}');
  throw new RefusedValue(`is a ${typeof value === 'object' ? 'map' : typeof value}, not a value to write; use {{json x}}`);
}

/**
 * What `{{ expr }}` (raw: `{{{ expr }}}`) writes for `value` in a template of
 * `format`, outside any quotes (ifcfg, shell: after `VAR=`; ifupdown: an option
 * value; json: a value). Templates are rendered with the context of each value.
 */
export function writeValue(value: unknown, format: TemplateFormat, raw = false): string {
  if (format === 'json' && !raw) return jsonLiteral(value);
  const text = scalarText(value);
  if (raw) return text;
  const safe = value instanceof SafeText ? value.syntax : undefined;
  switch (format) {
    case 'xml':
      return safe === 'xml' ? text : escapeXml(text);
    case 'ifcfg':
    case 'shell':
      refuseLineBreaks(text, format);
      return safe === 'shell' ? text : quoteShellWord(text);
    case 'ifupdown':
      refuseLineBreaks(text, format);
      return ifupdownOptionValue(text);
    case 'text':
    case 'json':
      return text;
  }
}

/** Inside "…": \ " $ ` are the only special characters (a newline is refused earlier). */
export function escapeDoubleQuoted(text: string): string {
  return text.replace(/[\\"$`]/g, '\\$&');
}

/** Inside '…': nothing is special but ', written as '\'' (close, quoted ', reopen). */
export function escapeSingleQuoted(text: string): string {
  return text.replace(/'/g, `'\\''`);
}

/** Option values end up in ifupdown's own commands (`%address%`) and scripts, unquoted. */
const OPTION_WORDS = /^(?:[A-Za-z0-9_@%+:,./=-]+(?:[ \t]+[A-Za-z0-9_@%+:,./=-]+)*)?$/;

/** An ifupdown option value (`address {{x}}`): plain words, else refused. */
export function ifupdownOptionValue(text: string): string {
  if (!OPTION_WORDS.test(text)) {
    throw new RefusedValue('is not plain words ([A-Za-z0-9_@%+:,./=-] separated by spaces): ifupdown passes option values to /bin/sh unquoted');
  }
  return text;
}

/** The value as a JSON literal: strings quoted, numbers, booleans, null, lists, maps. */
export function jsonLiteral(value: unknown): string {
  if (value instanceof SafeText) return value.syntax === 'json' ? value.text : JSON.stringify(value.text);
  if (value === undefined) throw new RefusedValue('is not defined');
  if (typeof value === 'number' && !Number.isFinite(value)) throw new RefusedValue(`is ${value}, not a number JSON can carry`);
  if (typeof value === 'bigint') return String(value);
  let text: string | undefined;
  try {
    text = JSON.stringify(value) as string | undefined;
  } catch (e) {
    throw new RefusedValue(`cannot be written as JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (text === undefined) throw new RefusedValue(`is a ${typeof value}, which JSON cannot carry`);
  return text;
}

/** Inside a JSON string: the text of a scalar, JSON-escaped without the quotes. */
export function jsonStringContent(value: unknown): string {
  return JSON.stringify(scalarText(value)).slice(1, -1);
}
