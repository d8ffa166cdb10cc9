// How Ansible 2.14 turns a rendered template into a variable's value (ansible_eval_concat,
// used when jinja2_native is off): the text, except that text that looks like a list,
// dict or bool ('[…', '{…', 'True', 'False') is read back with Python's
// ast.literal_eval when it parses as a literal. So "{{ [1, 2] }}" is a list, "{{ 42 }}"
// the string "42", and "{{ none }}" the empty string (Ansible's finalize).
import type { Node } from './ast.js';
import { evaluateTree } from './evaluate.js';
import { parseExpr } from './parse.js';
import { isPlainObject, isTuple, pyStr } from './values.js';

/** Ansible's finalize: a printed None is the empty string. */
export function finalize(v: unknown): string {
  return v === null || v === undefined ? '' : pyStr(v);
}

/** The value of a template that is exactly one `{{ expr }}` whose value is `v`. */
export function singleValue(v: unknown): unknown {
  // A list or dict would print as its repr and read back equal: skip the round trip.
  // A tuple prints as '(1, 2)', which does not look like a literal to Ansible.
  if ((Array.isArray(v) && !isTuple(v)) || isPlainObject(v)) return v;
  return literalValue(finalize(v));
}

/** `text`, or the Python literal it spells when it looks like a list, dict or bool. */
export function literalValue(text: string): unknown {
  if (text === 'True') return true;
  if (text === 'False') return false;
  if (!text.startsWith('[') && !text.startsWith('{')) return text;
  try {
    const tree = parseExpr(text);
    return isLiteral(tree, text) ? evaluateTree(tree, text, {}) : text;
  } catch {
    return text; // not a literal after all: literal_eval's SyntaxError/ValueError
  }
}

/** What ast.literal_eval accepts: constants, lists, tuples, dicts, signed numbers. */
function isLiteral(node: Node, source: string): boolean {
  switch (node.kind) {
    case 'literal':
      if (typeof node.value === 'string' || typeof node.value === 'number') return true;
      return ['True', 'False', 'None'].includes(source.slice(node.pos, node.end)); // not true/none
    case 'list': return node.items.every((n) => isLiteral(n, source));
    case 'dict': return node.entries.every((e) => isLiteral(e.key, source) && isLiteral(e.value, source));
    case 'negate': return node.operand.kind === 'literal' && typeof node.operand.value === 'number';
    default: return false;
  }
}

// Ansible's STRING_TYPE_FILTERS: a template ending in one of them stays text.
const STRING_TYPE_FILTERS = ['string', 'to_json', 'to_nice_json', 'to_yaml', 'to_nice_yaml', 'ppretty', 'json'];
const NO_TYPE = new RegExp(`^[^]*?\\|\\s*(?:${STRING_TYPE_FILTERS.join('|')})(?:\\([^|]*\\))?\\s*\\)?\\s*\\}\\}`);
const SINGLE_VARIABLE = /^\{\{\s*(\w*)\s*\}\}$/;

/** Ansible keeps the text of a template whose value ends in `| string`, `| to_json`… */
export function keepsText(source: string): boolean {
  return NO_TYPE.test(source);
}

/**
 * Ansible's shortcut for a template that is one bare variable of type bool, number or
 * None: that value itself ("{{ port }}" is 8080, not '8080'). Undefined otherwise.
 * `finalNewline`: one trailing newline is allowed, as Python's `$` allows it.
 */
export function bareScalarVariable(source: string, vars: Record<string, unknown>, opts: { finalNewline?: boolean } = {}): { value: unknown } | undefined {
  // Python's `$` also matches before a final newline: the template lookup's shortcut takes "{{ port }}\n" too.
  const name = SINGLE_VARIABLE.exec(opts.finalNewline ? source.replace(/\n$/, '') : source)?.[1];
  if (name === undefined || !Object.hasOwn(vars, name)) return undefined;
  const v = vars[name];
  return typeof v === 'boolean' || typeof v === 'number' || v === null ? { value: v } : undefined;
}

/** Ansible's preserve_trailing_newlines: the output ends with at least as many newlines as the source. */
export function padTrailingNewlines(output: string, source: string): string {
  const count = (s: string): number => s.length - s.replace(/\n+$/, '').length;
  const missing = count(source) - count(output);
  return missing > 0 ? output + '\n'.repeat(missing) : output;
}
