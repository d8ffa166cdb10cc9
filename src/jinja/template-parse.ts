// Template parser: turns the lexer's segments into a tree of statements (if, for, set,
// macro, call, include) whose expressions are parsed by the expression parser. Every
// statement keeps the 0-based offset of its tag, so errors can name line and column.
import type { Node } from './ast.js';
import { ExprSyntaxError } from './errors.js';
import type { Token } from './lex.js';
import { describe } from './parse.js';
import { type Param, TagParser } from './template-tag-parser.js';
import type { Segment } from './template-lex.js';

export type { Param } from './template-tag-parser.js';


export type Stmt = { pos: number } & (
  | { kind: 'text'; text: string }
  | { kind: 'output'; expr: Node }
  | { kind: 'if'; branches: Array<{ cond: Node; body: Stmt[] }>; otherwise: Stmt[] | null }
  | { kind: 'for'; target: Node; iter: Node; filter: Node | null; body: Stmt[]; otherwise: Stmt[] | null }
  /** `{% set x = v %}`, `{% set a, b = v %}`, `{% set ns.attr = v %}` */
  | { kind: 'set'; target: Node; value: Node }
  /** `{% set x %}…{% endset %}`: the rendered body. */
  | { kind: 'setBlock'; name: string; body: Stmt[] }
  | { kind: 'macro'; name: string; params: Param[]; body: Stmt[] }
  /** `{% call(params) m(args) %}body{% endcall %}`: m's `caller()` renders body. */
  | { kind: 'callBlock'; call: Node; params: Param[]; body: Stmt[] }
  | { kind: 'include'; template: Node; ignoreMissing: boolean }
  /** `{% import 'm.j2' as m %}`: the template's macros and top-level sets as `m.name`. */
  | { kind: 'import'; template: Node; alias: string; withContext: boolean }
  /** `{% from 'm.j2' import a, b as c %}` */
  | { kind: 'fromImport'; template: Node; names: Array<{ name: string; alias: string }>; withContext: boolean }
  /** `{% filter upper %}body{% endfilter %}`: `filter` applies to the name BODY. */
  | { kind: 'filterBlock'; filter: Node; body: Stmt[] }
  /** `{% with a = 1, b = x %}body{% endwith %}`: a scope with those variables. */
  | { kind: 'with'; assignments: Array<{ target: Node; value: Node }>; body: Stmt[] }
);

/** The variable a `{% filter %}` block's rendered body is bound to: no template can name it. */
export const FILTER_BODY = ' filter body';

export interface ParsedTemplate {
  body: Stmt[];
}

type Block = Exclude<Segment, { kind: 'text' }>;

const END_OF: ReadonlyMap<string, string> = new Map([
  ['if', 'endif'], ['for', 'endfor'], ['macro', 'endmacro'], ['call', 'endcall'], ['set', 'endset'],
  ['filter', 'endfilter'], ['with', 'endwith'],
]);

export function parseTemplate(source: string, segments: readonly Segment[]): ParsedTemplate {
  return new TemplateParser(source, segments).parse();
}

/** Deeper nesting is refused: parsing recurses per level, and no real template comes near. */
export const MAX_BLOCK_DEPTH = 100;

class TemplateParser {
  private i = 0;
  private depth = 0;
  private readonly parsers: TagParser[] = [];
  private readonly macros = new Set<string>(['caller']);
  private readonly modules = new Set<string>();
  constructor(private readonly source: string, private readonly segments: readonly Segment[]) {}

  parse(): ParsedTemplate {
    const { body, end } = this.body([]);
    if (end !== null) this.failAt(end.tag.tokens[0]!, `unexpected '${end.word}'`);
    for (const p of this.parsers) p.checkFunctionCalls(this.macros, this.modules);
    return { body };
  }

  private failAt(t: Token, detail: string): never {
    throw new ExprSyntaxError(this.source, t.pos + 1, detail);
  }

  private parser(tokens: Token[]): TagParser {
    const p = new TagParser(this.source, tokens);
    this.parsers.push(p);
    return p;
  }

  /** Statements up to one of `ends` (`endif`, `else`…); returns that tag, or null at the end. */
  private body(ends: readonly string[]): { body: Stmt[]; end: { word: string; tag: Block; parser: TagParser } | null } {
    const body: Stmt[] = [];
    while (this.i < this.segments.length) {
      const seg = this.segments[this.i++]!;
      if (seg.kind === 'text') {
        body.push({ kind: 'text', text: seg.text, pos: seg.pos });
        continue;
      }
      const p = this.parser(seg.tokens);
      if (seg.kind === 'output') {
        if (p.peek().kind === 'eof') p.fail(p.peek(), "empty expression in '{{ }}'");
        const expr = p.tuple();
        p.expectEnd("before '}}'");
        body.push({ kind: 'output', expr, pos: seg.pos });
        continue;
      }
      const word = p.word();
      if (word === null) return p.fail(p.peek(), `expected a statement name after '{%', found ${describe(p.peek())}`);
      const name = word.value as string;
      if (ends.includes(name)) return { body, end: { word: name, tag: seg, parser: p } };
      body.push(this.statement(name, word, p, seg));
    }
    return { body, end: null };
  }

  private name(p: TagParser, what: string): string {
    const t = p.next();
    if (t.kind !== 'name') p.fail(t, `expected ${what}, found ${describe(t)}`);
    return t.value as string;
  }

  /** `with context` / `without context` after an import; Jinja's default is without. */
  private context(p: TagParser): boolean {
    if (p.acceptWord('with')) return (p.expectWord('context', "after 'with'"), true);
    if (p.acceptWord('without')) p.expectWord('context', "after 'without'");
    return false;
  }

  /** The body of a block statement and its closing tag, which must be `end`. */
  private block(opener: Token, end: string, also: readonly string[] = []): { body: Stmt[]; word: string; parser: TagParser } {
    if (++this.depth > MAX_BLOCK_DEPTH) this.failAt(opener, `template blocks nested more than ${MAX_BLOCK_DEPTH} levels deep`);
    const { body, end: close } = this.body([end, ...also]);
    this.depth--;
    if (close === null) this.failAt(opener, `'${opener.value}' is never closed: missing '{% ${end} %}'`);
    if (close!.word === end) close!.parser.expectEnd(`after '${end}'`);
    return { body, word: close!.word, parser: close!.parser };
  }

  private statement(name: string, word: Token, p: TagParser, seg: Block): Stmt {
    const pos = seg.pos;
    switch (name) {
      case 'if': {
        const branches: Array<{ cond: Node; body: Stmt[] }> = [];
        let cond = p.tuple();
        p.expectEnd('after the condition');
        for (;;) {
          const part = this.block(word, 'endif', ['elif', 'else']);
          branches.push({ cond, body: part.body });
          if (part.word === 'endif') return { kind: 'if', branches, otherwise: null, pos };
          if (part.word === 'else') {
            part.parser.expectEnd("after 'else'");
            const last = this.block(word, 'endif');
            return { kind: 'if', branches, otherwise: last.body, pos };
          }
          cond = part.parser.tuple();
          part.parser.expectEnd('after the condition');
        }
      }
      case 'for': {
        const target = p.target(false);
        p.expectWord('in', 'after the loop variable');
        const iter = p.conditionalNoIf();
        const filter = p.acceptWord('if') ? p.conditional() : null;
        if (p.isWord('recursive')) p.fail(p.peek(), 'recursive loops are not supported');
        p.expectEnd('after the loop');
        const part = this.block(word, 'endfor', ['else']);
        if (part.word === 'endfor') return { kind: 'for', target, iter, filter, body: part.body, otherwise: null, pos };
        part.parser.expectEnd("after 'else'");
        return { kind: 'for', target, iter, filter, body: part.body, otherwise: this.block(word, 'endfor').body, pos };
      }
      case 'set': {
        const target = p.target(true);
        if (!p.acceptOp('=')) {
          p.expectEnd("after the variable name: '{% set x = value %}' or a block '{% set x %}…{% endset %}'");
          if (target.kind !== 'name') p.fail(p.peek(), 'a block set assigns one variable');
          return { kind: 'setBlock', name: (target as { name: string }).name, body: this.block(word, 'endset').body, pos };
        }
        const value = p.tuple();
        p.expectEnd('after the value');
        return { kind: 'set', target, value, pos };
      }
      case 'macro': {
        const t = p.next();
        if (t.kind !== 'name') p.fail(t, `expected the macro's name, found ${describe(t)}`);
        const params = p.parameters();
        p.expectEnd('after the macro parameters');
        this.macros.add(t.value as string);
        return { kind: 'macro', name: t.value as string, params, body: this.block(word, 'endmacro').body, pos };
      }
      case 'call': {
        const params = p.isOp('(') ? p.parameters() : [];
        const call = p.conditional();
        if (call.kind !== 'call') p.fail(p.peek(), "'{% call %}' needs a macro call: '{% call m(args) %}'");
        p.expectEnd('after the call');
        return { kind: 'callBlock', call, params, body: this.block(word, 'endcall').body, pos };
      }
      case 'include': {
        const template = p.conditional();
        const ignoreMissing = p.acceptWord('ignore') ? (p.expectWord('missing', "after 'ignore'"), true) : false;
        if (p.acceptWord('with') || p.acceptWord('without')) p.expectWord('context', "after 'with'/'without'");
        p.expectEnd('after the included name');
        return { kind: 'include', template, ignoreMissing, pos };
      }
      case 'import': {
        const template = p.conditional();
        p.expectWord('as', "after the imported template's name");
        const alias = this.name(p, 'the name to import as');
        const withContext = this.context(p);
        p.expectEnd('after the import');
        this.modules.add(alias);
        return { kind: 'import', template, alias, withContext, pos };
      }
      case 'from': {
        const template = p.conditional();
        p.expectWord('import', "after the template's name");
        const names: Array<{ name: string; alias: string }> = [];
        do {
          const name = this.name(p, 'a name to import');
          const alias = p.acceptWord('as') ? this.name(p, 'the name to import as') : name;
          names.push({ name, alias });
          this.macros.add(alias);
        } while (p.acceptOp(','));
        const withContext = this.context(p);
        p.expectEnd('after the imported names');
        return { kind: 'fromImport', template, names, withContext, pos };
      }
      case 'filter': {
        const filter = p.filterChain({ kind: 'name', name: FILTER_BODY, pos: word.pos, end: word.end });
        p.expectEnd('after the filter');
        return { kind: 'filterBlock', filter, body: this.block(word, 'endfilter').body, pos };
      }
      case 'with': {
        const assignments: Array<{ target: Node; value: Node }> = [];
        while (p.peek().kind !== 'eof') {
          const target = p.target(false);
          p.expectOp('=', 'after the variable name');
          assignments.push({ target, value: p.conditional() });
          if (!p.acceptOp(',')) break;
        }
        p.expectEnd('after the assignments');
        return { kind: 'with', assignments, body: this.block(word, 'endwith').body, pos };
      }
      default: {
        const closes = [...END_OF.values()].includes(name) || name === 'else' || name === 'elif';
        return p.fail(word, closes ? `unexpected '${name}': no open block it closes` : `unknown statement '${name}'`);
      }
    }
  }
}
