// The statement evaluator of templates: walks the tree of template-parse.ts, keeping
// Jinja's scoping (a `for` iteration and a macro call open a scope, `if` does not, so a
// `set` inside a loop does not leak out) and printing values as Python's str() does.
import type { Kwargs } from './builtin.js';
import type { Node } from './ast.js';
import { ExprError, ExprSyntaxError, locate } from './errors.js';
import { evaluateInFrame, type Frame, JinjaCallable } from './evaluate.js';
import { Missing } from './lookup.js';
import { isNamespace } from './template-globals.js';
import { FILTER_BODY, type Param, type Stmt } from './template-parse.js';
import { finalize } from './template-value.js';
import { isPlainObject, setOwn, truthy, typeName } from './values.js';

/** Macro calls and includes nest at most this deep: a recursive macro cannot overflow the stack. */
export const MAX_DEPTH = 100;

/** A template ready to run: its source (for error positions), tree and name. */
export interface TemplateUnit {
  source: string;
  body: Stmt[];
  name?: string | undefined;
}

export interface RenderEnv {
  /** Compile an included template; throws when it cannot be found. */
  include: ((name: string) => TemplateUnit) | undefined;
  depth: number;
}

export class Scope implements Frame {
  private readonly locals = new Map<string, unknown>();
  constructor(private readonly parent: Scope | null, private readonly root: Record<string, unknown>) {}
  lookup(name: string | symbol): unknown {
    if (typeof name === 'string' && this.locals.has(name)) return this.locals.get(name);
    if (this.parent !== null) return this.parent.lookup(name);
    return Object.hasOwn(this.root, name) ? (this.root as Record<string | symbol, unknown>)[name] : undefined;
  }
  set(name: string, value: unknown): void {
    this.locals.set(name, value);
  }
  child(): Scope {
    return new Scope(this, this.root);
  }
  /** A top-level scope for an imported template: these variables (with context), or none but the lookups. */
  imported(withContext: boolean): Scope {
    if (withContext) return new Scope(null, this.root);
    const globals: Record<string | symbol, unknown> = {};
    for (const key of Object.getOwnPropertySymbols(this.root)) globals[key] = (this.root as Record<symbol, unknown>)[key];
    return new Scope(null, globals as Record<string, unknown>);
  }
  /** What an import sees of a template that ran in this scope: its macros and sets, but `_private` names. */
  exported(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [name, value] of this.locals) if (!name.startsWith('_')) setOwn(out, name, value);
    return out;
  }
}

/** An ExprError located in `unit` by line and column, unless it already is (from an include). */
export function located(err: unknown, unit: TemplateUnit): unknown {
  if (!(err instanceof ExprError) || err.line !== null || err.column === null) return err;
  const { line, column } = locate(unit.source, err.column - 1);
  return new ExprError(err.detail, column, { cause: err.cause, at: { line, name: unit.name } });
}

export function renderUnit(unit: TemplateUnit, scope: Scope, env: RenderEnv): string {
  try {
    const out: string[] = [];
    new Renderer(unit, env).run(unit.body, scope, out);
    return out.join('');
  } catch (err) {
    throw located(err, unit);
  }
}

class Renderer {
  constructor(readonly unit: TemplateUnit, readonly env: RenderEnv) {}

  eval(node: Node, scope: Scope): unknown {
    return evaluateInFrame(node, this.unit.source, scope);
  }

  fail(message: string, pos: number): never {
    throw new ExprError(message, pos + 1);
  }

  /** Run `fn` one level deeper, refusing runaway recursion. */
  nest<T>(pos: number, fn: () => T): T {
    if (this.env.depth >= MAX_DEPTH) this.fail(`macro calls and includes nested more than ${MAX_DEPTH} deep`, pos);
    this.env.depth++;
    try {
      return fn();
    } finally {
      this.env.depth--;
    }
  }

  run(body: readonly Stmt[], scope: Scope, out: string[]): void {
    for (const stmt of body) this.stmt(stmt, scope, out);
  }

  private stmt(s: Stmt, scope: Scope, out: string[]): void {
    switch (s.kind) {
      case 'text': out.push(s.text); return;
      case 'output': out.push(finalize(this.eval(s.expr, scope))); return;
      case 'if': {
        const branch = s.branches.find((b) => truthy(this.eval(b.cond, scope)));
        const body = branch?.body ?? s.otherwise;
        if (body) this.run(body, scope, out);
        return;
      }
      case 'for': return this.loop(s, scope, out);
      case 'set': return this.assign(s.target, this.eval(s.value, scope), scope);
      case 'setBlock': {
        const inner: string[] = [];
        this.run(s.body, scope.child(), inner);
        return scope.set(s.name, inner.join(''));
      }
      case 'macro': return scope.set(s.name, new Macro(s.name, s.params, s.body, scope, this, s.pos));
      case 'callBlock': return this.callBlock(s, scope, out);
      case 'include': return this.include(s, scope, out);
      case 'import': return scope.set(s.alias, this.importTemplate(s, scope));
      case 'fromImport': {
        const exported = this.importTemplate(s, scope);
        for (const { name, alias } of s.names) {
          if (!Object.hasOwn(exported, name)) this.fail(`the imported template has no '${name}'`, s.pos);
          scope.set(alias, exported[name]);
        }
        return;
      }
      case 'filterBlock': {
        const inner = scope.child();
        const body: string[] = [];
        this.run(s.body, inner, body);
        inner.set(FILTER_BODY, body.join(''));
        out.push(finalize(this.eval(s.filter, inner)));
        return;
      }
      case 'with': {
        const inner = scope.child();
        // Jinja evaluates every value in the enclosing scope.
        const values = s.assignments.map((a) => this.eval(a.value, scope));
        s.assignments.forEach((a, i) => this.assign(a.target, values[i], inner));
        return this.run(s.body, inner, out);
      }
    }
  }

  private assign(target: Node, value: unknown, scope: Scope): void {
    if (target.kind === 'name') return scope.set(target.name, value);
    if (target.kind === 'attr') {
      const ns = this.eval(target.object, scope);
      if (!isNamespace(ns)) this.fail("only a namespace() can have attributes set: '{% set ns = namespace() %}'", target.pos);
      return setOwn(ns as Record<string, unknown>, String(target.key), value);
    }
    if (target.kind !== 'list') return this.fail('cannot assign to this', target.pos);
    const items = typeof value === 'string' ? [...value] : value;
    if (!Array.isArray(items)) return this.fail(`cannot unpack a ${typeName(value)} into ${target.items.length} names`, target.pos);
    if (items.length !== target.items.length) {
      this.fail(`cannot unpack ${items.length} values into ${target.items.length} names`, target.pos);
    }
    target.items.forEach((t, i) => this.assign(t, items[i], scope));
  }

  private loop(s: Extract<Stmt, { kind: 'for' }>, scope: Scope, out: string[]): void {
    const value = this.eval(s.iter, scope);
    let items: unknown[];
    if (Array.isArray(value)) items = value;
    else if (typeof value === 'string') items = [...value];
    else if (isPlainObject(value)) items = Object.keys(value);
    else return this.fail(`cannot loop over a ${typeName(value)}`, s.iter.pos);
    if (s.filter !== null) {
      const filter = s.filter;
      items = items.filter((item) => {
        const inner = scope.child();
        this.assign(s.target, item, inner);
        return truthy(this.eval(filter, inner));
      });
    }
    if (items.length === 0) {
      if (s.otherwise) this.run(s.otherwise, scope, out);
      return;
    }
    const length = items.length;
    items.forEach((item, i) => {
      const inner = scope.child();
      const loop: Record<string, unknown> = {
        index: i + 1, index0: i, revindex: length - i, revindex0: length - i - 1,
        first: i === 0, last: i === length - 1, length, depth: 1, depth0: 0, cycle: new Cycle(i),
      };
      if (i > 0) loop['previtem'] = items[i - 1];
      if (i < length - 1) loop['nextitem'] = items[i + 1];
      inner.set('loop', loop);
      this.assign(s.target, item, inner);
      this.run(s.body, inner, out);
    });
  }

  private callBlock(s: Extract<Stmt, { kind: 'callBlock' }>, scope: Scope, out: string[]): void {
    const call = s.call as Extract<Node, { kind: 'call' }>;
    if (call.callee.kind !== 'function') return this.fail("'{% call %}' needs a macro", s.call.pos);
    const macro = scope.lookup(call.callee.name);
    if (!(macro instanceof Macro)) return this.fail(`'${call.callee.name}' is not a macro`, s.call.pos);
    const args = call.args.map((a) => this.eval(a, scope));
    const kwargs: Record<string, unknown> = {};
    for (const k of call.kwargs) setOwn(kwargs, k.name, this.eval(k.value, scope));
    const caller = new Macro('caller', s.params, s.body, scope, this, s.pos);
    out.push(macro.call(args, kwargs, (m) => this.fail(m, call.at), caller));
  }

  /** Run an imported template in its own scope; its exported names, as Jinja's TemplateModule. */
  private importTemplate(s: Extract<Stmt, { kind: 'import' | 'fromImport' }>, scope: Scope): Record<string, unknown> {
    const name = this.eval(s.template, scope);
    if (typeof name !== 'string') return this.fail(`import needs a template name, not a ${typeName(name)}`, s.template.pos);
    if (this.env.include === undefined) return this.fail(`cannot import '${name}': no template loader was given`, s.pos);
    let unit: TemplateUnit;
    try {
      unit = this.env.include(name);
    } catch (err) {
      if (err instanceof ExprError || err instanceof ExprSyntaxError) throw err;
      return this.fail(`cannot import '${name}': ${err instanceof Error ? err.message : String(err)}`, s.pos);
    }
    const module = scope.imported(s.withContext);
    this.nest(s.pos, () => renderUnit(unit, module, this.env));
    return module.exported();
  }

  private include(s: Extract<Stmt, { kind: 'include' }>, scope: Scope, out: string[]): void {
    const name = this.eval(s.template, scope);
    if (typeof name !== 'string') return this.fail(`include needs a template name, not a ${typeName(name)}`, s.template.pos);
    if (this.env.include === undefined) return this.fail(`cannot include '${name}': no include loader was given`, s.pos);
    let unit: TemplateUnit;
    try {
      unit = this.env.include(name);
    } catch (err) {
      // A broken template is an error even with ignore missing; only a missing one is skipped.
      if (err instanceof ExprError || err instanceof ExprSyntaxError) throw err;
      if (s.ignoreMissing) return;
      return this.fail(`cannot include '${name}': ${err instanceof Error ? err.message : String(err)}`, s.pos);
    }
    out.push(this.nest(s.pos, () => renderUnit(unit, scope.child(), this.env)));
  }
}

/** `loop.cycle('odd', 'even')`. */
class Cycle extends JinjaCallable {
  constructor(private readonly index0: number) {
    super();
  }
  invoke(args: readonly unknown[], _kwargs: Kwargs, fail: (message: string) => never): unknown {
    if (args.length === 0) fail('loop.cycle() needs at least one value');
    return args[this.index0 % args.length];
  }
}

/** A `{% macro %}` (or the body of a `{% call %}` as `caller`): called, it renders its body. */
class Macro extends JinjaCallable {
  constructor(readonly name: string, private readonly params: readonly Param[], private readonly body: readonly Stmt[],
    private readonly scope: Scope, private readonly renderer: Renderer, private readonly pos: number) {
    super();
  }

  invoke(args: readonly unknown[], kwargs: Kwargs, fail: (message: string) => never): string {
    return this.call(args, kwargs, fail, null);
  }

  call(args: readonly unknown[], kwargs: Kwargs, fail: (message: string) => never, caller: Macro | null): string {
    if (args.length > this.params.length) fail(`macro '${this.name}' takes ${this.params.length} arguments, got ${args.length}`);
    for (const k of Object.keys(kwargs)) {
      const i = this.params.findIndex((p) => p.name === k);
      if (i < 0) fail(`macro '${this.name}' has no argument '${k}'`);
      if (i < args.length) fail(`macro '${this.name}' got argument '${k}' twice`);
    }
    const scope = this.scope.child();
    if (caller !== null) scope.set('caller', caller);
    this.params.forEach((p, i) => {
      if (i < args.length) scope.set(p.name, args[i]);
      else if (Object.hasOwn(kwargs, p.name)) scope.set(p.name, kwargs[p.name]);
      else if (p.value !== null) scope.set(p.name, this.renderer.eval(p.value, scope));
      else scope.set(p.name, new Missing(`argument '${p.name}' of macro '${this.name}' was not given`, this.pos));
    });
    const out: string[] = [];
    this.renderer.nest(this.pos, () => this.renderer.run(this.body, scope, out));
    return out.join('');
  }
}
