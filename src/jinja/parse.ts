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
//   tuple        conditional (',' conditional)*   (statements and `{{ a, b }}` only)
//   conditional  or ('if' or ('else' conditional)?)?
//   or           and ('or' and)*
//   and          not ('and' not)*
//   not          'not' not | compare
//   compare      math1 (('==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'not' 'in') math1)*
//   math1        concat (('+' | '-') concat)*
//   concat       math2 ('~' math2)*
//   math2        pow (('*' | '/' | '//' | '%') pow)*
//   pow          unary ('**' unary)*
//   unary        ('-' | '+') unary-without-filters | primary postfix* filter-or-test*
//   postfix      '.' name | '.' integer | '[' subscript ']' | '(' args ')'
//   subscript    conditional | conditional? ':' conditional? (':' conditional?)?
//   filter       '|' name ('(' args ')')?
//   args         (conditional | name '=' conditional) (',' …)*
//   test         'is' 'not'? name ('(' args ')' | primary postfix*)?
//
// So, as in Jinja, filters and tests bind tighter than any operator: `not x is defined`
// is `not (x is defined)` and `a + b | int` is `a + (b | int)`. Calls are limited to
// whitelisted global functions, macros of the template and whitelisted methods
// (`x.split(',')`); the callee is a name, never a computed value.
import type { ArithOp, CompareOp, KeywordArg, Node } from './ast.js';
import { type Builtin, resolveBuiltin } from './builtin.js';
import { ExprSyntaxError } from './errors.js';
import { FILTERS } from './filters.js';
import { TESTS } from './jinja-tests.js';
import { type Token, tokenize, WORD_OPERATORS } from './lex.js';
import { GLOBAL_FUNCTIONS } from './template-globals.js';
import { LOOKUP_PLUGINS, lookupPluginName } from './lookups.js';
import { METHOD_NAMES } from './template-methods.js';

// Calls whose first argument names a lookup plugin, checked when it is a literal.
const LOOKUP_FUNCTIONS: ReadonlySet<string> = new Set(['lookup', 'query', 'q']);

export const LITERALS: ReadonlyMap<string, null | boolean> = new Map([
  ['true', true], ['True', true], ['false', false], ['False', false],
  ['none', null], ['None', null],
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
  if (p.peek().kind === 'eof') p.fail(p.peek(), 'empty expression');
  const node = p.conditional();
  p.expectEnd('after a complete expression');
  p.checkFunctionCalls(new Set());
  return node;
}

export function describe(t: Token): string {
  switch (t.kind) {
    case 'eof': return 'end of expression';
    case 'str': return 'string';
    case 'num': return `number ${t.value}`;
    default: return `'${t.value}'`;
  }
}

// Cursor state lives in an instance per parse: no module-level mutable state.
// The template parser drives one Parser per tag through its public methods.
export class Parser {
  private i = 0;
  private depth = 0;
  /** Calls of plain names, checked once the template's macros are known. */
  readonly functionCalls: Token[] = [];
  /** `m.name(…)` with a name that is not a whitelisted method: valid only on an `{% import … as m %}`. */
  readonly moduleCalls: Array<{ token: Token; module: string }> = [];
  constructor(private readonly source: string, private readonly tokens: Token[]) {
    if (tokens.length > MAX_TOKENS) this.fail(tokens[MAX_TOKENS]!, `expression longer than ${MAX_TOKENS} tokens`);
  }

  /** Fail unless every token was used. */
  expectEnd(context: string): void {
    const rest = this.peek();
    if (rest.kind !== 'eof') this.fail(rest, `unexpected ${describe(rest)} ${context}`);
  }

  /** Calls must name a global function or one of `callable` (macros, `caller`). */
  checkFunctionCalls(callable: ReadonlySet<string>, modules: ReadonlySet<string> = new Set()): void {
    for (const { token, module } of this.moduleCalls) {
      if (!modules.has(module)) this.fail(token, `unknown method '${token.value as string}'; only some str, list and dict methods can be called`);
    }
    for (const t of this.functionCalls) {
      const name = t.value as string;
      if (!GLOBAL_FUNCTIONS.has(name) && !callable.has(name)) this.fail(t, `unknown function '${name}'`);
    }
  }

  acceptWord(value: string): boolean {
    if (!this.isWord(value)) return false;
    this.next();
    return true;
  }

  acceptOp(value: string): boolean {
    if (!this.isOp(value)) return false;
    this.next();
    return true;
  }

  peek(ahead = 0): Token {
    return this.tokens[Math.min(this.i + ahead, this.tokens.length - 1)]!;
  }
  next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.i++;
    return t;
  }
  isOp(value: string, ahead = 0): boolean {
    const t = this.peek(ahead);
    return t.kind === 'op' && t.value === value;
  }
  isWord(value: string, ahead = 0): boolean {
    const t = this.peek(ahead);
    return t.kind === 'name' && t.value === value;
  }
  expectOp(value: string, context: string): Token {
    if (!this.isOp(value)) this.fail(this.peek(), `expected '${value}' ${context}, found ${describe(this.peek())}`);
    return this.next();
  }
  /** End offset of the last consumed token. */
  get end(): number {
    return this.tokens[this.i - 1]?.end ?? 0;
  }
  fail(t: Token, detail: string): never {
    throw new ExprSyntaxError(this.source, t.pos + 1, detail);
  }

  conditional(): Node {
    return this.nested(() => this.conditionalUnnested());
  }

  /** An expression without a trailing `if … else …`: the iterable of `for x in xs if c`. */
  conditionalNoIf(): Node {
    return this.nested(() => this.or());
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
    let node = this.or();
    while (this.isWord('if')) {
      this.next();
      const cond = this.or();
      const otherwise = this.acceptWord('else') ? this.conditional() : null;
      node = { kind: 'conditional', cond, then: node, otherwise, pos: node.pos, end: this.end };
    }
    return node;
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
      case 'num':
        return { kind: 'literal', value: t.value, pos: t.pos, end: t.end };
      case 'str': {
        // Adjacent strings concatenate, as in Python: "a" "b" is "ab".
        let value = t.value as string;
        while (this.peek().kind === 'str') value += this.next().value as string;
        return { kind: 'literal', value, pos: t.pos, end: this.end };
      }
      case 'name': {
        const literal = LITERALS.get(t.value);
        if (literal !== undefined) return { kind: 'literal', value: literal, pos: t.pos, end: t.end };
        if (WORD_OPERATORS.has(t.value)) this.fail(t, `expected a value, found '${t.value}'`);
        return { kind: 'name', name: t.value, pos: t.pos, end: t.end };
      }
      case 'op':
        if (t.value === '[') return this.sequence(t, ']');
        if (t.value === '(') return this.sequence(t, ')');
        if (t.value === '{') return this.dict(t);
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
    return { kind: 'list', items, tuple: close === ')', pos: open.pos, end: this.end };
  }

  private dict(open: Token): Node {
    const entries: Array<{ key: Node; value: Node }> = [];
    while (!this.isOp('}')) {
      const key = this.conditional();
      this.expectOp(':', 'between a key and its value');
      entries.push({ key, value: this.conditional() });
      if (!this.acceptOp(',')) break;
    }
    this.expectOp('}', `to close the '{' at column ${open.pos + 1}`);
    return { kind: 'dict', entries, pos: open.pos, end: this.end };
  }

  /** After `[`: an index or a slice `start:stop:step`, each part optional. */
  private subscript(node: Node, open: Token): Node {
    const part = (): Node | null => (this.isOp(':') || this.isOp(']') ? null : this.conditional());
    const start = part();
    if (!this.acceptOp(':')) {
      if (start === null) this.fail(this.peek(), `expected an index, found ${describe(this.peek())}`);
      this.expectOp(']', `to close the '[' at column ${open.pos + 1}`);
      return { kind: 'index', object: node, index: start!, pos: node.pos, end: this.end };
    }
    const stop = part();
    const step = this.acceptOp(':') ? part() : null;
    this.expectOp(']', `to close the '[' at column ${open.pos + 1}`);
    return { kind: 'slice', object: node, start, stop, step, pos: node.pos, end: this.end };
  }

  private call(node: Node): Node {
    const at = this.peek();
    let callee: Extract<Node, { kind: 'call' }>['callee'];
    if (node.kind === 'name') {
      this.functionCalls.push({ kind: 'name', value: node.name, pos: node.pos, end: node.end });
      callee = { kind: 'function', name: node.name };
    } else if (node.kind === 'attr' && typeof node.key === 'string') {
      const nameAt = { ...at, kind: 'name' as const, value: node.key, pos: node.end - node.key.length };
      if (!METHOD_NAMES.has(node.key)) {
        if (node.object.kind !== 'name') this.fail(nameAt, `unknown method '${node.key}'; only some str, list and dict methods can be called`);
        this.moduleCalls.push({ token: nameAt, module: node.object.name });
      }
      callee = { kind: 'method', object: node.object, name: node.key };
    } else {
      return this.fail(at, 'calling functions is not allowed; use a filter (x | length) or a test (x is defined)');
    }
    const { args, kwargs } = this.args();
    const plugin = args[0];
    if (callee.kind === 'function' && LOOKUP_FUNCTIONS.has(callee.name) && plugin?.kind === 'literal' && typeof plugin.value === 'string'
      && !LOOKUP_PLUGINS.has(lookupPluginName(plugin.value))) {
      this.fail({ ...at, pos: plugin.pos }, `unknown lookup plugin '${plugin.value}'; kvmplay has ${[...LOOKUP_PLUGINS].join(', ')}`);
    }
    // Errors point at the function's or method's name.
    const nameAt = node.kind === 'attr' ? node.end - String(node.key).length : node.pos;
    return { kind: 'call', callee, args, kwargs, at: nameAt, pos: node.pos, end: this.end };
  }

  private postfix(node: Node): Node {
    for (;;) {
      if (this.isOp('.')) {
        this.next();
        const key = this.next();
        if (key.kind !== 'name' && key.kind !== 'num') this.fail(key, `expected a name after '.', found ${describe(key)}`);
        node = { kind: 'attr', object: node, key: key.value as string | number, pos: node.pos, end: key.end };
      } else if (this.isOp('[')) {
        node = this.subscript(node, this.next());
      } else if (this.isOp('(')) {
        node = this.call(node);
      } else {
        return node;
      }
    }
  }

  /** `upper | replace('a', 'b')` applied to `operand`: the head of `{% filter %}`. */
  filterChain(operand: Node): Node {
    let node = operand;
    for (let first = true; first || this.acceptOp('|'); first = false) node = this.filter(node);
    return node;
  }

  private filter(node: Node): Node {
    const { name, token, builtin } = this.builtinName(FILTERS, 'filter');
    const { args, kwargs } = this.isOp('(') ? this.args() : { args: [], kwargs: [] };
    this.checkArity(token, `filter '${name}'`, builtin, args.length, kwargs);
    return { kind: 'filter', name, operand: node, args, kwargs, at: token.pos, pos: node.pos, end: this.end };
  }

  private filtersAndTests(node: Node): Node {
    for (;;) {
      if (this.isOp('|')) {
        this.next();
        node = this.filter(node);
      } else if (this.isWord('is')) {
        this.next();
        const negated = this.isWord('not');
        if (negated) this.next();
        const { name, token, builtin } = this.builtinName(TESTS, 'test');
        let args: Node[] = [];
        let kwargs: KeywordArg[] = [];
        if (this.isOp('(')) ({ args, kwargs } = this.args());
        else if (this.startsBareArgument()) args = [this.postfix(this.primary())];
        this.checkArity(token, `test '${name}'`, builtin, args.length, kwargs);
        node = { kind: 'test', name, negated, operand: node, args, kwargs, at: token.pos, pos: node.pos, end: this.end };
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
    // Jinja takes any name but else/or/and as the argument: `x is defined if c else d` does not parse there either.
    if (t.kind === 'name' && t.value === 'if') this.fail(t, "'if' cannot follow a test: Jinja would read it as the test's argument; add parentheses");
    if (t.kind === 'name') return !WORD_OPERATORS.has(t.value);
    return t.kind === 'str' || t.kind === 'num' || this.isOp('[') || this.isOp('{');
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

  /** `(a, b, key=c)`: keyword arguments come last, each name once. */
  args(): { args: Node[]; kwargs: KeywordArg[] } {
    const open = this.next();
    const args: Node[] = [];
    const kwargs: KeywordArg[] = [];
    while (!this.isOp(')')) {
      const t = this.peek();
      if (t.kind === 'name' && this.isOp('=', 1)) {
        this.next();
        this.next();
        if (kwargs.some((k) => k.name === t.value)) this.fail(t, `keyword argument '${t.value}' given twice`);
        kwargs.push({ name: t.value as string, value: this.conditional() });
      } else {
        if (kwargs.length > 0) this.fail(t, 'positional argument after a keyword argument');
        args.push(this.conditional());
      }
      if (!this.acceptOp(',')) break;
    }
    this.expectOp(')', `to close the '(' at column ${open.pos + 1}`);
    return { args, kwargs };
  }

  private checkArity(token: Token, what: string, b: Builtin, n: number, kwargs: readonly KeywordArg[] = []): void {
    for (const k of kwargs) {
      if (!b.kwargs?.includes(k.name)) this.fail(token, `${what} takes no keyword argument '${k.name}'`);
    }
    if (n >= b.minArgs && n <= b.maxArgs) return;
    const want = b.minArgs === b.maxArgs ? `${b.minArgs}` : `${b.minArgs} to ${b.maxArgs}`;
    this.fail(token, `${what} takes ${want} argument${b.maxArgs === 1 ? '' : 's'}, got ${n}`);
  }
}
