// Static analysis for validation time (pure, no variables needed): which variables
// a template reads. Used by the playbook loader to report an undefined variable
// before the first SSH connection, where that is knowable.
import {
  hasArguments, isBlock, isMustache, isPath, isScoped, isSubExpression,
  type Expression, type Hash, type PathExpression, type Program,
} from './ast.js';
import { BLOCK_HELPERS, HELPERS, argumentOptional } from './helpers/registry.js';
import { parseTemplate, positionOf } from './parse.js';

export interface TemplateReference {
  /** The top-level variable, e.g. `vm` for `vm.memory`, `vms` for `@root.vms`. */
  name: string;
  /** The path as written. */
  path: string;
  line: number | undefined;
  col: number | undefined;
  /**
   * True where an undefined value is not always an error: an argument of `default`,
   * `eq`… `not`, `#if`/`#unless`, or anything inside an `#if`/`#unless` block. A
   * loader should report only references with `optional: false`.
   */
  optional: boolean;
}

interface Scope {
  /** Block params visible here (`as |vm i|`). */
  blockParams: ReadonlySet<string>;
  /** How many `#each`/`#with` blocks changed the context since the root. */
  contextDepth: number;
  /** Inside a conditional block. */
  conditional: boolean;
}

class Collector {
  readonly found: TemplateReference[] = [];

  program(program: Program | undefined, scope: Scope): void {
    for (const node of program?.body ?? []) {
      if (isMustache(node)) {
        if (isPath(node.path) && hasArguments(node)) this.call(node.path.original, node.params, node.hash, scope);
        else this.expression(node.path, scope, false);
      } else if (isBlock(node)) {
        this.block(node, scope);
      }
    }
  }

  private block(node: hbs.AST.BlockStatement, scope: Scope): void {
    const name = node.path.original;
    const builtin = BLOCK_HELPERS.get(name);
    for (const param of node.params) this.expression(param, scope, builtin?.optional ?? false);
    this.hash(node.hash, scope);
    const conditional = scope.conditional || name === 'if' || name === 'unless';
    const changesContext = name === 'each' || name === 'with';
    const inner: Scope = {
      blockParams: new Set([...scope.blockParams, ...(node.program?.blockParams ?? [])]),
      contextDepth: scope.contextDepth + (changesContext ? 1 : 0),
      conditional,
    };
    this.program(node.program, inner);
    // {{else}} runs in the outer context, without the block params.
    this.program(node.inverse, { ...scope, conditional });
  }

  private call(helper: string, params: Expression[], hash: Hash | undefined, scope: Scope): void {
    const spec = HELPERS.get(helper);
    params.forEach((param, i) => this.expression(param, scope, spec ? argumentOptional(spec, i) : false));
    this.hash(hash, scope);
  }

  private hash(hash: Hash | undefined, scope: Scope): void {
    for (const pair of hash?.pairs ?? []) this.expression(pair.value, scope, false);
  }

  private expression(node: Expression, scope: Scope, optional: boolean): void {
    if (isSubExpression(node)) this.call(node.path.original, node.params, node.hash, scope);
    else if (isPath(node)) this.path(node, scope, optional || scope.conditional);
  }

  private path(path: PathExpression, scope: Scope, optional: boolean): void {
    const [first, second] = path.parts;
    let name: string | undefined;
    if (path.data) {
      name = first === 'root' ? second : undefined; // @root.x is the variable x; @index is not a variable
    } else if (path.depth === 0 && !isScoped(path) && first !== undefined && scope.blockParams.has(first)) {
      name = undefined; // a block param
    } else if (path.depth >= scope.contextDepth) {
      name = first; // the root context (`this` alone has no name)
    }
    if (name !== undefined) this.found.push({ name, path: path.original, ...positionOf(path.loc), optional });
  }
}

/** Every variable reference of a template, in source order. Syntax errors are TemplateErrors. */
export function templateReferences(source: string, template = '<template>'): TemplateReference[] {
  return referencesOf(parseTemplate(source, template));
}

/** templateReferences of an already parsed template (the AST is only read). */
export function referencesOf(program: Program): TemplateReference[] {
  const collector = new Collector();
  collector.program(program, { blockParams: new Set(), contextDepth: 0, conditional: false });
  return collector.found;
}

/** The top-level variable names a template reads, sorted, each once. */
export function templateVariables(source: string, template = '<template>'): string[] {
  return [...new Set(templateReferences(source, template).map((r) => r.name))].sort();
}
