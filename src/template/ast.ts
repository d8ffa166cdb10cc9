// Narrowing and building Handlebars AST nodes. Handlebars' typings describe the
// nodes loosely (every statement is a `Node`), so the walkers narrow on `type` here.

export type Program = hbs.AST.Program;
export type Expression = hbs.AST.Expression;
export type PathExpression = hbs.AST.PathExpression;
export type SubExpression = hbs.AST.SubExpression;
export type MustacheStatement = hbs.AST.MustacheStatement;
export type BlockStatement = hbs.AST.BlockStatement;
export type Hash = hbs.AST.Hash;
export type SourceLocation = hbs.AST.SourceLocation;

export function isPath(node: hbs.AST.Node): node is PathExpression {
  return node.type === 'PathExpression';
}

export function isSubExpression(node: hbs.AST.Node): node is SubExpression {
  return node.type === 'SubExpression';
}

export function isMustache(node: hbs.AST.Node): node is MustacheStatement {
  return node.type === 'MustacheStatement';
}

export function isBlock(node: hbs.AST.Node): node is BlockStatement {
  return node.type === 'BlockStatement';
}

/** `this`, `./x`, `this.x`: explicitly the current context, never a helper or block param. */
export function isScoped(path: PathExpression): boolean {
  return /^(\.|this)(\/|\.|$)/.test(path.original);
}

/** A single plain name (`kib`), as Handlebars requires for a helper call. */
export function isSimpleName(path: PathExpression): boolean {
  return path.parts.length === 1 && !isScoped(path) && !path.data && path.depth === 0;
}

/** Does the statement call a helper (`{{kib x}}`) rather than print a path (`{{x}}`)? */
export function hasArguments(node: { params: Expression[]; hash?: Hash | undefined }): boolean {
  return node.params.length > 0 || (node.hash?.pairs.length ?? 0) > 0;
}

export function emptyHash(loc: SourceLocation): Hash {
  return { type: 'Hash', pairs: [], loc };
}

export function pathTo(name: string, loc: SourceLocation): PathExpression {
  return { type: 'PathExpression', data: false, depth: 0, parts: [name], original: name, loc };
}

export function numberLiteral(value: number, loc: SourceLocation): hbs.AST.NumberLiteral {
  return { type: 'NumberLiteral', value, original: value, loc };
}

/** `(helper params… hash)` */
export function subExpression(helper: string, params: Expression[], hash: Hash, loc: SourceLocation): SubExpression {
  return { type: 'SubExpression', path: pathTo(helper, loc), params, hash, loc };
}

/**
 * The source text of a node, e.g. `kib vm.memory` for `{{ kib vm.memory }}`, used
 * to name an expression in error messages.
 */
export function sourceText(lines: readonly string[], loc: SourceLocation): string {
  const { start, end } = loc;
  if (!start || !end) return '';
  let text: string;
  if (start.line === end.line) {
    text = (lines[start.line - 1] ?? '').slice(start.column, end.column);
  } else {
    const middle = lines.slice(start.line, end.line - 1);
    text = [(lines[start.line - 1] ?? '').slice(start.column), ...middle, (lines[end.line - 1] ?? '').slice(0, end.column)].join('\n');
  }
  return text.replace(/^\{+[~#&]?|~?\}+$/g, '').replace(/^\(|\)$/g, '').trim();
}
