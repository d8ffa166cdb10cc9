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
// What `{{ expr }}` writes in each format:
//   xml      & < > " ' become entities; control characters XML 1.0 cannot carry are refused.
//   ifcfg    values made only of [A-Za-z0-9_@%+:,./-] are bare, others single-quoted as
//            in sh (' → '\''): ifcfg files are sourced by sh. Newline, CR, NUL refused.
//   shell    same quoting as ifcfg (one word, nothing expanded).
//   ifupdown written as is (the format has no quoting; `bridge_ports em1 em2` is meant
//            as words) but newline, CR and NUL are refused: they would start a new stanza.
//   text, json  written as is: no escaping at all (`=`, `'`, backquote stay as they are).
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

function refuseLineBreaks(text: string, format: TemplateFormat): void {
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

/** What `{{ expr }}` (raw: `{{{ expr }}}`) writes for `value` in a template of `format`. */
export function writeValue(value: unknown, format: TemplateFormat, raw = false): string {
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
      return text;
    case 'text':
    case 'json':
      return text;
  }
}
