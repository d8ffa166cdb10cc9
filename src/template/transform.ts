// The pass that makes templates strict (SPEC 5). Handlebars' own `strict: true` is
// not used: in 4.7 it lets helper arguments and block-param paths (`{{vm.nmae}}`
// inside `{{#each vms as |vm|}}`) render as empty strings, and it throws a bare
// TypeError for `{{#if vm.cdrom.path}}` when `vm.cdrom` is absent. Instead every
// place a value is taken from the variables is rewritten to go through a checking
// helper, and every output through a writer that escapes for the file's format:
//
//   {{ vm.name }}           → {{__kv_write (__kv_value vm.name 0) 1}}
//   {{ kib vm.memory }}     → {{__kv_write (__kv_call 2 (__kv_value vm.memory 3)) 4}}
//   {{#each vms as |vm|}}   → {{#each (__kv_value vms 5) as |vm|}}
//   {{#if vm.cdrom}}        → unchanged: an absent optional value is false
//   {{default vm.mac 'x'}}  → the first argument of `default` may be absent
//
// The numbers index `refs`, which hold what an error message needs: the variable
// or expression as written and its line and column. The template is compiled with
// Handlebars' lookups in their lenient (null-safe) form; the checks above decide.
import {
  emptyHash, hasArguments, isBlock, isMustache, isPath, isScoped, isSimpleName, isSubExpression, numberLiteral,
  pathTo, sourceText, subExpression,
  type BlockStatement, type Expression, type Hash, type MustacheStatement, type PathExpression, type Program,
  type SourceLocation, type SubExpression,
} from './ast.js';
import { BLOCK_HELPERS, HELPERS, argumentOptional } from './helpers/registry.js';
import { positionOf } from './parse.js';
import { TemplateError } from './template-error.js';

/** Names of the internal helpers the rewritten template calls (runtime.ts). */
export const INTERNAL = {
  value: '__kv_value',
  write: '__kv_write',
  call: '__kv_call',
  capture: '__kv_capture',
  iterable: '__kv_iterable',
} as const;

/** What an error about one rewritten node needs to say. */
export interface Ref {
  /** The variable path or expression as written (`vm.memory`, `kib vm.memory`). */
  text: string;
  line: number | undefined;
  col: number | undefined;
  /** The variable path, when the node is a plain path. */
  variable?: string;
  /** The helper name, for `call`. */
  helper?: string;
  /** `{{{ }}}`: written without escaping. */
  raw?: boolean;
  /**
   * A plain name looked up in the current context (not a block param, `this.`,
   * `../` or `@data`): inside #each/#with it cannot see top-level variables.
   */
  contextual?: boolean;
}

export interface Transformed {
  program: Program;
  refs: Ref[];
}

/** `write`: output for a file; `capture`: a lone `{{ expr }}` whose typed value is kept. */
export type TransformMode = 'write' | 'capture';

class Rewriter {
  readonly refs: Ref[] = [];
  private readonly lines: string[];

  constructor(source: string, private readonly template: string, private readonly mode: TransformMode) {
    this.lines = source.split('\n');
  }

  private fail(loc: SourceLocation | undefined, detail: string): never {
    throw new TemplateError({ template: this.template, ...positionOf(loc) }, detail);
  }

  private ref(loc: SourceLocation, extra: Partial<Ref> = {}): hbs.AST.NumberLiteral {
    const text = extra.variable ?? sourceText(this.lines, loc);
    this.refs.push({ text, ...positionOf(loc), ...extra });
    return numberLiteral(this.refs.length - 1, loc);
  }

  /** Block params in scope (`as |vm i|`), innermost last. */
  private blockParams: ReadonlySet<string> = new Set();

  program(program: Program): Program {
    const outer = this.blockParams;
    this.blockParams = new Set([...outer, ...(program.blockParams ?? [])]);
    try {
      return { ...program, body: program.body.map((statement) => this.statement(statement)) };
    } finally {
      this.blockParams = outer;
    }
  }

  private statement(node: hbs.AST.Statement): hbs.AST.Statement {
    if (node.type === 'ContentStatement' || node.type === 'CommentStatement') return node;
    if (node.type === 'Decorator' || node.type === 'DecoratorBlock') this.fail(node.loc, 'decorators are not supported');
    if (node.type === 'PartialStatement' || node.type === 'PartialBlockStatement') {
      this.fail(node.loc, 'partials ({{> name}}) are not supported; each template is one file');
    }
    if (isMustache(node)) return this.mustache(node);
    if (isBlock(node)) return this.block(node);
    return this.fail(node.loc, `unsupported template construct ${node.type}`);
  }

  private mustache(node: MustacheStatement): MustacheStatement {
    const value = this.outputValue(node);
    const helper = this.mode === 'capture' ? INTERNAL.capture : INTERNAL.write;
    const ref = this.ref(node.loc, { raw: !node.escaped, ...(isPath(node.path) && !hasArguments(node) ? { variable: node.path.original } : {}) });
    // escaped: false — the writer has escaped for the format; HTML escaping never runs.
    return { ...node, path: pathTo(helper, node.loc), params: [value, ref], hash: emptyHash(node.loc), escaped: false };
  }

  /** The expression a `{{ }}` prints: a value, or a helper call. */
  private outputValue(node: MustacheStatement): Expression {
    const head = node.path;
    if (!isPath(head)) {
      // Handlebars would take {{"name" x}} as a call of a helper named "name".
      if (hasArguments(node)) this.fail(node.loc, 'a helper name must be a plain name, not a literal');
      return head; // a literal: {{ "text" }}, {{ 2 }}
    }
    if (!hasArguments(node)) return this.argument(head, false);
    return this.call(head, node.params, node.hash, node.loc);
  }

  private block(node: BlockStatement): BlockStatement {
    const name = isPath(node.path) && isSimpleName(node.path) ? node.path.original : undefined;
    const kind = name === undefined ? undefined : BLOCK_HELPERS.get(name);
    if (name === undefined || kind === undefined) {
      const shown = isPath(node.path) ? node.path.original : '?';
      this.fail(node.loc, `unknown block helper "#${shown}" (use #if, #unless, #each or #with)`);
    }
    if (node.params.length !== 1) this.fail(node.loc, `#${name} takes exactly one argument`);
    const pairs = (node.hash?.pairs ?? []).map((pair) => {
      if (!kind.hashKeys.includes(pair.key)) this.fail(pair.loc, `#${name} has no named argument "${pair.key}"`);
      return { ...pair, value: this.argument(pair.value, false) };
    });
    const params = node.params.map((p) => this.argument(p, kind.optional));
    return {
      ...node,
      hash: { type: 'Hash', pairs, loc: node.hash?.loc ?? node.loc },
      // #each over a string or a number would silently render nothing.
      params: name === 'each' ? params.map((p) => subExpression(INTERNAL.iterable, [p, this.ref(p.loc)], emptyHash(p.loc), p.loc)) : params,
      program: node.program ? this.program(node.program) : node.program,
      inverse: node.inverse ? this.program(node.inverse) : node.inverse,
    };
  }

  /** A helper call, `kib vm.memory` or `(kib vm.memory)`, checked against the registry. */
  private call(head: PathExpression, params: Expression[], hash: Hash | undefined, loc: SourceLocation): SubExpression {
    const name = head.original;
    const spec = isSimpleName(head) ? HELPERS.get(name) : undefined;
    if (!spec) {
      const known = [...HELPERS.keys()].join(', ');
      this.fail(head.loc, `unknown helper "${name}" (helpers: ${known})`);
    }
    if (params.length < spec.minArgs || params.length > spec.maxArgs) {
      const range = spec.maxArgs === Number.POSITIVE_INFINITY ? `at least ${spec.minArgs}` : spec.minArgs === spec.maxArgs ? `${spec.minArgs}` : `${spec.minArgs} to ${spec.maxArgs}`;
      this.fail(loc, `${name} takes ${range} argument${range === '1' ? '' : 's'}, got ${params.length}`);
    }
    const pairs = (hash?.pairs ?? []).map((pair) => {
      if (!spec.hashKeys.includes(pair.key)) this.fail(pair.loc, `${name} has no named argument "${pair.key}"`);
      return { ...pair, value: this.argument(pair.value, false) };
    });
    const ref = this.ref(loc, { helper: name });
    const args = params.map((p, i) => this.argument(p, argumentOptional(spec, i)));
    return subExpression(INTERNAL.call, [ref, ...args], { type: 'Hash', pairs, loc: hash?.loc ?? loc }, loc);
  }

  /** An argument: a checked variable, a nested call, or a literal. */
  private argument(node: Expression, optional: boolean): Expression {
    if (isSubExpression(node)) return this.call(node.path, node.params, node.hash, node.loc);
    if (!isPath(node) || optional) return node;
    const first = node.parts[0];
    const contextual = !node.data && node.depth === 0 && !isScoped(node) && first !== undefined && !this.blockParams.has(first);
    const ref = this.ref(node.loc, { variable: node.original, contextual });
    return subExpression(INTERNAL.value, [node, ref], emptyHash(node.loc), node.loc);
  }
}

/** Rewrite a parsed template so that undefined values and unsafe output are errors. */
export function transformTemplate(program: Program, source: string, template: string, mode: TransformMode): Transformed {
  const rewriter = new Rewriter(source, template, mode);
  return { program: rewriter.program(program), refs: rewriter.refs };
}
