// Text-shaping filters: Jinja's truncate/wordwrap-free set (truncate, escape) and
// Ansible's comment, which wraps text in a comment block of a language's style.
import type { Builtin, CallContext } from './builtin.js';
import { intArg } from './filters-support.js';
import { isPlainObject, pyStr, truthy } from './values.js';

/** Jinja's do_truncate(s, length=255, killwords=False, end='...', leeway=5). */
function truncate(s: string, length: number, killwords: boolean, end: string, leeway: number, ctx: CallContext): string {
  const cps = [...s];
  if (length < [...end].length) ctx.fail(`expected length >= ${[...end].length}, got ${length}`);
  if (cps.length <= length + leeway) return s;
  const head = cps.slice(0, length - [...end].length).join('');
  if (killwords) return head + end;
  const cut = head.lastIndexOf(' ');
  return (cut === -1 ? head : head.slice(0, cut)) + end;
}

/** markupsafe.escape: & < > " ' as HTML entities. */
export const htmlEscape = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' })[c]!);

const COMMENT_STYLES: ReadonlyMap<string, Readonly<Record<string, string>>> = new Map<string, Readonly<Record<string, string>>>([
  ['plain', { decoration: '# ' }],
  ['erlang', { decoration: '% ' }],
  ['c', { decoration: '// ' }],
  ['cblock', { beginning: '/*', decoration: ' * ', end: ' */' }],
  ['xml', { beginning: '<!--', decoration: ' - ', end: '-->' }],
]);
const COMMENT_KEYS = ['newline', 'beginning', 'prefix', 'prefix_count', 'decoration', 'postfix', 'postfix_count', 'end'];

/** Ansible's comment filter (ansible/plugins/filter/core.py), parameter for parameter. */
function comment(text: string, style: string, kw: Readonly<Record<string, unknown>>, ctx: CallContext): string {
  const styleParams = COMMENT_STYLES.get(style) ?? ctx.fail(`comment: unknown style '${style}'`);
  const prepostfix = kw.decoration !== undefined ? pyStr(kw.decoration) : styleParams.decoration!;
  const p: Record<string, unknown> = {
    newline: '\n', beginning: '', prefix: prepostfix.trimEnd(), prefix_count: 1,
    decoration: '', postfix: prepostfix.trimEnd(), postfix_count: 1, end: '',
    ...styleParams, ...kw,
  };
  const nl = pyStr(p.newline);
  const deco = pyStr(p.decoration);
  const beginning = truthy(p.beginning) ? `${pyStr(p.beginning)}${nl}` : '';
  let prefix = '';
  if (truthy(p.prefix)) {
    const unit = pyStr(p.prefix) !== nl ? `${pyStr(p.prefix)}${nl}` : nl;
    prefix = unit.repeat(Math.max(0, intArg(p.prefix_count, 'prefix_count', ctx)));
  }
  const body = `${deco}${text.split(nl).join(`${nl}${deco}`)}`.split(`${deco}${nl}`).join(`${deco.trimEnd()}${nl}`);
  const postfix = ['', ...Array.from({ length: Math.max(0, intArg(p.postfix_count, 'postfix_count', ctx)) }, () => pyStr(p.postfix))].join(nl);
  const end = truthy(p.end) ? `${nl}${pyStr(p.end)}` : '';
  return `${beginning}${prefix}${body}${postfix}${end}`;
}

const escape: Builtin = { minArgs: 0, maxArgs: 0, apply: (v) => htmlEscape(pyStr(v)) };

export const TEXT_FILTERS: ReadonlyArray<[string, Builtin]> = [
  ['truncate', {
    minArgs: 0, maxArgs: 4, kwargs: ['length', 'killwords', 'end', 'leeway'],
    apply: (v, [length, killwords, end, leeway], ctx, kw) => truncate(pyStr(v), intArg(length ?? kw.length ?? 255, 'length', ctx),
      truthy(killwords ?? kw.killwords), pyStr(end ?? kw.end ?? '...'), intArg(leeway ?? kw.leeway ?? 5, 'leeway', ctx), ctx),
  }],
  ['escape', escape],
  ['e', escape],
  ['comment', {
    minArgs: 0, maxArgs: 1, kwargs: COMMENT_KEYS,
    apply: (v, [style], ctx, kw) => comment(pyStr(v), pyStr(style ?? 'plain'), isPlainObject(kw) ? kw : {}, ctx),
  }],
];
