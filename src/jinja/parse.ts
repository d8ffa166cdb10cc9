// Parser for the condition language: the expression part of Jinja2, as Ansible's `when`,
// `changed_when`, `failed_when` and `until` use it.
//
// Why hand-written rather than jsep (the maintained JS expression parser): jsep binds
// every unary operator to the single token after it, so `not r.rc == 0` would parse as
// `(not r.rc) == 0` instead of Python's `not (r.rc == 0)`; its word operators must be
// spelled with exactly one space (`not in`, `is not`); its nodes carry no positions; and
// its operator tables are process-wide mutable state. Jinja's own grammar is small, so
// this recursive-descent parser follows jinja2/parser.py level by level (lowest first):
//
//   conditional  or ('if' or 'else' conditional)?
//   or           and ('or' and)*
//   and          not ('and' not)*
//   not          'not' not | compare
//   compare      math1 (('==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'not' 'in') math1)*
//   math1        concat (('+' | '-') concat)*
//   concat       math2 ('~' math2)*
//   math2        pow (('*' | '/' | '//' | '%') pow)*
//   pow          unary ('**' unary)*
//   unary        ('-' | '+') unary-without-filters | primary postfix* filter-or-test*
//   postfix      '.' name | '.' integer | '[' conditional ']'
//   filter       '|' name ('(' args ')')?
//   test         'is' 'not'? name ('(' args ')' | primary postfix*)?
//
// So, as in Jinja, filters and tests bind tighter than any operator: `not x is defined`
// is `not (x is defined)` and `a + b | int` is `a + (b | int)`. Function calls, slices,
// dict literals and assignments are not part of the language.
import type { ArithOp, CompareOp, Node } from './ast.js';
import { type Builtin, resolveBuiltin } from './builtin.js';
import { ExprSyntaxError } from './errors.js';
import { FILTERS } from './filters.js';
import { TESTS } from './jinja-tests.js';
import { type Token, tokenize, WORD_OPERATORS } from './lex.js';

const LITERALS: ReadonlyMap<string, null | boolean> = new Map([
  ['true', true], ['True', true], ['false', false], ['False', false],
  ['none', null], ['None', null], ['null', null],
]);
// Bounds that keep a hostile or runaway expression from overflowing the stack of the
// recursive parser and evaluator; real conditions are a few dozen tokens deep at most.
const MAX_TOKENS = 4096;
const MAX_NESTING = 64;
const COMPARE_OPS: ReadonlySet<string> = new Set(['==', '!=', '<', '<=', '>', '>=']);

/** Blank out a `{{ … }}` wrapping the whole source; blanking keeps columns valid. */
export function unwrapBraces(source: string): string {
  const m = /^(\s*)\{\{(.*)\}\}(\s*)$/s.exec(source);
  if (!m || m[2]!.includes('{{') || m[2]!.includes('}}')) return source;
  return `${m[1]}  ${m[2]}  ${m[3]}`;
}

export function parseExpr(source: string): Node {
  const tokens = tokenize(unwrapBraces(source), source);
  const p = new Parser(source, tokens);
  if (tokens.length > MAX_TOKENS) p.fail(tokens[MAX_TOKENS]!, `expression longer than ${MAX_TOKENS} tokens`);
  if (p.peek().kind === 'eof') p.fail(p.peek(), 'empty expression');
  const node = p.conditional();
  const rest = p.peek();
  if (rest.kind !== 'eof') p.fail(rest, `unexpected ${describe(rest)} after a complete expression`);
  return node;
}

function describe(t: Token): string {
  switch (t.kind) {
    case 'eof': return 'end of expression';
    case 'str': return 'string';
    case 'num': return `number ${t.value}`;
    default: return `'${t.value}'`;
  }
}

// Cursor state lives in an instance per parse: no module-level mutable state.
class Parser {
  private i = 0;
  private depth = 0;
  constructor(private readonly source: string, private readonly tokens: Token[]) {}

  peek(ahead = 0): Token {
    return this.tokens[Math.min(this.i + ahead, this.tokens.length - 1)]!;
  }
  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.i++;
    return t;
  }
  private isOp(value: string, ahead = 0): boolean {
    const t = this.peek(ahead);
    return t.kind === 'op' && t.value === value;
  }
  private isWord(value: string, ahead = 0): boolean {
    const t = this.peek(ahead);
    return t.kind === 'name' && t.value === value;
  }
  private expectOp(value: string, context: string): Token {
    if (!this.isOp(value)) this.fail(this.peek(), `expected '${value}' ${context}, found ${describe(this.peek())}`);
    return this.next();
  }
  /** End offset of the last consumed token. */
  private get end(): number {
    return this.tokens[this.i - 1]?.end ?? 0;
  }
  fail(t: Token, detail: string): never {
    throw new ExprSyntaxError(this.source, t.pos + 1, detail);
  }

  conditional(): Node {
    return this.nested(() => this.conditionalUnnested());
  }

  private nested<T>(parse: () => T): T {
    if (++this.depth > MAX_NESTING) this.fail(this.peek(), `expression nested more than ${MAX_NESTING} levels deep`);
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }

  private conditionalUnnested(): Node {
    const then = this.or();
    if (!this.isWord('if')) return then;
    this.next();
    const cond = this.or();
    if (!this.isWord('else')) this.fail(this.peek(), `expected 'else' in 'a if condition else b', found ${describe(this.peek())}`);
    this.next();
    const otherwise = this.conditional();
    return { kind: 'conditional', cond, then, otherwise, pos: then.pos, end: otherwise.end };
  }

  private or(): Node {
    let left = this.and();
    while (this.isWord('or')) {
      this.next();
      const right = this.and();
      left = { kind: 'logical', op: 'or', left, right, pos: left.pos, end: right.end };
    }
    return left;
  }

  private and(): Node {
    let left = this.not();
    while (this.isWord('and')) {
      this.next();
      const right = this.not();
      left = { kind: 'logical', op: 'and', left, right, pos: left.pos, end: right.end };
    }
    return left;
  }

  private not(): Node {
    if (!this.isWord('not')) return this.compare();
    const t = this.next();
    const operand = this.nested(() => this.not());
    return { kind: 'not', operand, pos: t.pos, end: operand.end };
  }

  private compare(): Node {
    const first = this.binary(0);
    const rest: Array<{ op: CompareOp; operand: Node; at: number }> = [];
    for (;;) {
      const t = this.peek();
      let op: CompareOp;
      if (t.kind === 'op' && COMPARE_OPS.has(t.value)) op = t.value as CompareOp;
      else if (this.isWord('in')) op = 'in';
      else if (this.isWord('not') && this.isWord('in', 1)) { this.next(); op = 'not in'; }
      else if (this.isOp('=')) this.fail(t, "use '==' to compare; '=' assigns, and expressions cannot");
      else break;
      this.next();
      rest.push({ op, operand: this.binary(0), at: t.pos });
    }
    if (rest.length === 0) return first;
    return { kind: 'compare', first, rest, pos: first.pos, end: rest.at(-1)!.operand.end };
  }

  // math1, concat, math2 and pow share one loop: each level's operators, lowest first.
  private static readonly LEVELS: ReadonlyArray<ReadonlySet<string>> = [
    new Set(['+', '-']), new Set(['~']), new Set(['*', '/', '//', '%']), new Set(['**']),
  ];

  private binary(level: number): Node {
    if (level === Parser.LEVELS.length) return this.unary(true);
    const ops = Parser.LEVELS[level]!;
    let left = this.binary(level + 1);
    for (let t = this.peek(); t.kind === 'op' && ops.has(t.value); t = this.peek()) {
      this.next();
      const right = this.binary(level + 1);
      left = { kind: 'arith', op: t.value as ArithOp, left, right, at: t.pos, pos: left.pos, end: right.end };
    }
    return left;
  }

  private unary(withFilters: boolean): Node {
    const t = this.peek();
    let node: Node;
    if (t.kind === 'op' && (t.value === '-' || t.value === '+')) {
      this.next();
      const operand = this.nested(() => this.unary(false));
      node = { kind: 'negate', op: t.value, operand, pos: t.pos, end: operand.end };
    } else {
      node = this.postfix(this.primary());
    }
    return withFilters ? this.filtersAndTests(node) : node;
  }

  private primary(): Node {
    const t = this.next();
    switch (t.kind) {
      case 'num': case 'str':
        return { kind: 'literal', value: t.value, pos: t.pos, end: t.end };
      case 'name': {
        const literal = LITERALS.get(t.value);
        if (literal !== undefined) return { kind: 'literal', value: literal, pos: t.pos, end: t.end };
        if (WORD_OPERATORS.has(t.value)) this.fail(t, `expected a value, found '${t.value}'`);
        return { kind: 'name', name: t.value, pos: t.pos, end: t.end };
      }
      case 'op':
        if (t.value === '[') return this.sequence(t, ']');
        if (t.value === '(') return this.sequence(t, ')');
        break;
      default:
        break;
    }
    return this.fail(t, `expected a value, found ${describe(t)}`);
  }

  /** `[a, b]`, `(a)`, `(a, b)`, `(a,)`, `()`: parentheses group unless a comma makes a tuple. */
  private sequence(open: Token, close: ']' | ')'): Node {
    const items: Node[] = [];
    let comma = false;
    while (!this.isOp(close)) {
      items.push(this.conditional());
      if (!this.isOp(',')) break;
      this.next();
      comma = true;
    }
    this.expectOp(close, `to close the '${open.value}' at column ${open.pos + 1}`);
    if (close === ')' && items.length === 1 && !comma) return items[0]!;
    return { kind: 'list', items, pos: open.pos, end: this.end };
  }

  private postfix(node: Node): Node {
    for (;;) {
      if (this.isOp('.')) {
        this.next();
        const key = this.next();
        if (key.kind !== 'name' && key.kind !== 'num') this.fail(key, `expected a name after '.', found ${describe(key)}`);
        node = { kind: 'attr', object: node, key: key.value as string | number, pos: node.pos, end: key.end };
      } else if (this.isOp('[')) {
        const open = this.next();
        if (this.isOp(':')) this.fail(this.peek(), 'slices are not supported');
        const index = this.conditional();
        if (this.isOp(':')) this.fail(this.peek(), 'slices are not supported');
        this.expectOp(']', `to close the '[' at column ${open.pos + 1}`);
        node = { kind: 'index', object: node, index, pos: node.pos, end: this.end };
      } else if (this.isOp('(')) {
        this.fail(this.peek(), 'calling functions is not allowed; use a filter (x | length) or a test (x is defined)');
      } else {
        return node;
      }
    }
  }

  private filtersAndTests(node: Node): Node {
    for (;;) {
      if (this.isOp('|')) {
        this.next();
        const { name, token, builtin } = this.builtinName(FILTERS, 'filter');
        const args = this.isOp('(') ? this.args() : [];
        this.checkArity(token, `filter '${name}'`, builtin, args.length);
        node = { kind: 'filter', name, operand: node, args, at: token.pos, pos: node.pos, end: this.end };
      } else if (this.isWord('is')) {
        this.next();
        const negated = this.isWord('not');
        if (negated) this.next();
        const { name, token, builtin } = this.builtinName(TESTS, 'test');
        let args: Node[] = [];
        if (this.isOp('(')) args = this.args();
        else if (this.startsBareArgument()) args = [this.postfix(this.primary())];
        this.checkArity(token, `test '${name}'`, builtin, args.length);
        node = { kind: 'test', name, negated, operand: node, args, at: token.pos, pos: node.pos, end: this.end };
      } else if (this.isOp('(')) {
        this.fail(this.peek(), 'calling functions is not allowed; use a filter (x | length) or a test (x is defined)');
      } else {
        return node;
      }
    }
  }

  /** Jinja's one-argument test form without parentheses: `x is divisibleby 3`. */
  private startsBareArgument(): boolean {
    const t = this.peek();
    if (t.kind === 'name') return !WORD_OPERATORS.has(t.value);
    return t.kind === 'str' || t.kind === 'num' || this.isOp('[');
  }

  private builtinName(registry: ReadonlyMap<string, Builtin>, what: string): { name: string; token: Token; builtin: Builtin } {
    const token = this.next();
    if (token.kind !== 'name') this.fail(token, `expected a ${what} name, found ${describe(token)}`);
    let name = token.value as string;
    while (this.isOp('.') && this.peek(1).kind === 'name') { // ansible.builtin.bool
      this.next();
      name += `.${this.next().value}`;
    }
    const builtin = resolveBuiltin(registry, name);
    if (!builtin) this.fail(token, `unknown ${what} '${name}'`);
    return { name, token, builtin: builtin! };
  }

  private args(): Node[] {
    const open = this.next();
    const args: Node[] = [];
    while (!this.isOp(')')) {
      if (this.peek().kind === 'name' && this.isOp('=', 1)) this.fail(this.peek(), 'keyword arguments are not supported');
      args.push(this.conditional());
      if (!this.isOp(',')) break;
      this.next();
    }
    this.expectOp(')', `to close the '(' at column ${open.pos + 1}`);
    return args;
  }

  private checkArity(token: Token, what: string, b: Builtin, n: number): void {
    if (n >= b.minArgs && n <= b.maxArgs) return;
    const want = b.minArgs === b.maxArgs ? `${b.minArgs}` : `${b.minArgs} to ${b.maxArgs}`;
    this.fail(token, `${what} takes ${want} argument${b.maxArgs === 1 ? '' : 's'}, got ${n}`);
  }
}
