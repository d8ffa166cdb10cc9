// The parts of a `{% … %}` tag around its expressions: statement names, assignment
// targets (`k, v`, `ns.attr`), bare tuples (`{% set a, b = 1, 2 %}`) and macro parameters.
// An extension of the expression parser, driven by template-parse.ts.
import type { Node } from './ast.js';
import { type Token, WORD_OPERATORS } from './lex.js';
import { describe, LITERALS, Parser } from './parse.js';

export interface Param {
  name: string;
  value: Node | null;
}

export class TagParser extends Parser {
  /** `a`, or a tuple `a, b` without parentheses, as `for`, `set` and `{{ }}` allow. */
  tuple(): Node {
    const first = this.conditional();
    if (!this.isOp(',')) return first;
    const items = [first];
    while (this.acceptOp(',')) {
      if (this.peek().kind === 'eof' || this.isWord('in') || this.isOp('=')) break;
      items.push(this.conditional());
    }
    return { kind: 'list', items, tuple: true, pos: first.pos, end: this.end };
  }

  /** Assignment targets: `x` or `k, v` (for `for` and `set`); `ns.attr` when `attr` allowed. */
  target(attr: boolean): Node {
    const names: Node[] = [];
    for (;;) {
      const t = this.next();
      if (t.kind !== 'name' || WORD_OPERATORS.has(t.value) || LITERALS.has(t.value)) this.fail(t, `expected a variable name, found ${describe(t)}`);
      const node: Node = { kind: 'name', name: t.value as string, pos: t.pos, end: t.end };
      if (attr && names.length === 0 && this.acceptOp('.')) {
        const key = this.next();
        if (key.kind !== 'name') this.fail(key, `expected an attribute name, found ${describe(key)}`);
        return { kind: 'attr', object: node, key: key.value as string, pos: t.pos, end: key.end };
      }
      names.push(node);
      if (!this.acceptOp(',')) break;
    }
    if (names.length === 1) return names[0]!;
    return { kind: 'list', items: names, tuple: true, pos: names[0]!.pos, end: this.end };
  }

  /** The keyword token of a statement: `for`, `endif`; null when the tag has none. */
  word(): Token | null {
    return this.peek().kind === 'name' ? this.next() : null;
  }

  expectWord(value: string, context: string): void {
    if (!this.acceptWord(value)) this.fail(this.peek(), `expected '${value}' ${context}, found ${describe(this.peek())}`);
  }

  /** `(a, b=1)`: a macro's parameters, each with an optional default. */
  parameters(): Param[] {
    const params: Param[] = [];
    if (!this.isOp('(')) return params;
    const open = this.next();
    while (!this.isOp(')')) {
      const t = this.next();
      if (t.kind !== 'name' || WORD_OPERATORS.has(t.value)) this.fail(t, `expected a parameter name, found ${describe(t)}`);
      params.push({ name: t.value as string, value: this.acceptOp('=') ? this.conditional() : null });
      if (!this.acceptOp(',')) break;
    }
    this.expectOp(')', `to close the '(' at column ${open.pos + 1}`);
    return params;
  }
}
