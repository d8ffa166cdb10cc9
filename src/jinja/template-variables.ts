// Static analysis of a template: the top-level variables it reads. Loop variables,
// `set` targets (from the point they are set), macro parameters, `loop` and `caller`
// are the template's own; a read under `is defined`, `| default` or inside
// `{% if x is defined %}` is guarded, as for conditions (variables.ts).
import type { Node } from './ast.js';
import { FILTER_BODY, type Stmt } from './template-parse.js';
import { namesDefinedIf, ReadLog, type RecordRead, type VariableRef, walkExpression } from './variables.js';

type Names = ReadonlySet<string>;

export function templateVariables(body: readonly Stmt[]): VariableRef[] {
  const log = new ReadLog();
  const record = (locals: Names): RecordRead => (name, ok, pos) => {
    if (!locals.has(name)) log.record(name, ok, pos);
  };
  const expr = (node: Node, locals: Names, known: Names): void => walkExpression(node, known, record(locals));
  const block = (stmts: readonly Stmt[], outer: Names, known: Names): void => {
    const locals = new Set(outer);
    for (const s of stmts) {
      switch (s.kind) {
        case 'text': break;
        case 'output': expr(s.expr, locals, known); break;
        case 'if': {
          let k = known;
          for (const b of s.branches) {
            expr(b.cond, locals, k);
            block(b.body, locals, union(k, namesDefinedIf(b.cond, true)));
            k = union(k, namesDefinedIf(b.cond, false));
          }
          if (s.otherwise) block(s.otherwise, locals, k);
          break;
        }
        case 'for': {
          expr(s.iter, locals, known);
          const inner = union(locals, new Set([...targets(s.target), 'loop']));
          if (s.filter) expr(s.filter, inner, known);
          block(s.body, inner, known);
          if (s.otherwise) block(s.otherwise, locals, known);
          break;
        }
        case 'set':
          expr(s.value, locals, known);
          if (s.target.kind === 'attr') expr(s.target.object, locals, known);
          else targets(s.target).forEach((n) => locals.add(n));
          break;
        case 'setBlock':
          block(s.body, locals, known);
          locals.add(s.name);
          break;
        case 'macro': {
          locals.add(s.name);
          const inner = union(locals, new Set([...s.params.map((p) => p.name), 'caller']));
          s.params.forEach((p) => p.value && expr(p.value, inner, known));
          block(s.body, inner, known);
          break;
        }
        case 'callBlock':
          expr(s.call, locals, known);
          block(s.body, union(locals, new Set(s.params.map((p) => p.name))), known);
          break;
        case 'include': expr(s.template, locals, known); break;
        case 'import': expr(s.template, locals, known); locals.add(s.alias); break;
        case 'fromImport': expr(s.template, locals, known); s.names.forEach((n) => locals.add(n.alias)); break;
        case 'filterBlock':
          block(s.body, locals, known);
          expr(s.filter, union(locals, new Set([FILTER_BODY])), known);
          break;
        case 'with': {
          s.assignments.forEach((a) => expr(a.value, locals, known));
          block(s.body, union(locals, new Set(s.assignments.flatMap((a) => targets(a.target)))), known);
          break;
        }
      }
    }
  };
  block(body, new Set(), new Set());
  return log.refs();
}

function targets(node: Node): string[] {
  if (node.kind === 'name') return [node.name];
  if (node.kind === 'list') return node.items.flatMap(targets);
  return [];
}

function union(a: Names, b: Names): Names {
  return b.size === 0 ? a : new Set([...a, ...b]);
}
