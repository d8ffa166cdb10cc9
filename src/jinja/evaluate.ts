// Tree-walking evaluator. It reads variables and applies the whitelisted filters, tests,
// global functions, methods and the template's own macros; there is no eval, no I/O.
// Undefined values travel as Missing until something needs them, which is how
// `x.y is defined` and `| default` work.
import type { ArithOp, CompareOp, KeywordArg, Node } from './ast.js';
import { type Builtin, type CallContext, type Kwargs, resolveBuiltin } from './builtin.js';
import { ExprError } from './errors.js';
import { FILTERS } from './filters.js';
import { TESTS } from './jinja-tests.js';
import { getMember, Missing } from './lookup.js';
import { LOOKUP_PROVIDER, type LookupProvider } from './lookups.js';
import { GLOBAL_FUNCTIONS } from './template-globals.js';
import { callMethod, NO_SUCH_METHOD } from './template-methods.js';
import { percentFormat } from './filters-strings.js';
import { compareValues, contains, deepEqual, isTuple, pyStr, setOwn, sliceOf, truthy, tuple, typeName } from './values.js';

/** Where names resolve: the variables, or a template's nested scopes over them. */
export interface Frame {
  /** The variable's value; undefined when it has none. */
  lookup(name: string | symbol): unknown;
}

/**
 * A value a template can call: a macro, `caller`, `loop.cycle`. An opaque class
 * instance, so member lookup finds nothing on it and printing shows no internals.
 */
export abstract class JinjaCallable {
  abstract invoke(args: readonly unknown[], kwargs: Kwargs, fail: (message: string) => never): unknown;
}

interface Scope {
  source: string;
  frame: Frame;
}

/** The value of an expression; raises ExprError if it is undefined. */
export function evaluateTree(node: Node, source: string, vars: Record<string, unknown>): unknown {
  return value(node, { source, frame: { lookup: (name) => (Object.hasOwn(vars, name) ? (vars as Record<string | symbol, unknown>)[name] : undefined) } });
}

/** evaluateTree() with names resolved through `frame`; `source` is the whole template. */
export function evaluateInFrame(node: Node, source: string, frame: Frame): unknown {
  return value(node, { source, frame });
}

function fail(message: string, pos: number): never {
  throw new ExprError(message, pos + 1);
}

function value(node: Node, scope: Scope): unknown {
  const v = lazy(node, scope);
  if (v instanceof Missing) return v.lenient ? '' : fail(v.reason, v.pos);
  return v;
}

const text = (node: Node, scope: Scope): string => scope.source.slice(node.pos, node.end);

/** Like value(), but an undefined result comes back as a Missing instead of an error. */
function lazy(node: Node, scope: Scope): unknown {
  switch (node.kind) {
    case 'literal': return node.value;
    case 'list': {
      const items = node.items.map((n) => value(n, scope));
      return node.tuple === true ? tuple(items) : items;
    }
    case 'dict': {
      const d: Record<string, unknown> = {};
      for (const e of node.entries) {
        const k = value(e.key, scope);
        if (typeof k !== 'string' && typeof k !== 'number') fail(`a dict key must be a string or a number, not a ${typeName(k)}`, e.key.pos);
        setOwn(d, String(k), value(e.value, scope));
      }
      return d;
    }
    case 'name': {
      const v = scope.frame.lookup(node.name);
      // A macro argument that was not given: undefined where it is used.
      if (v instanceof Missing) return new Missing(v.reason, node.pos, v.lenient);
      return v === undefined ? new Missing(`undefined variable '${node.name}'`, node.pos) : v;
    }
    case 'slice': {
      const base = value(node.object, scope);
      const part = (n: Node | null): number | null => {
        if (n === null) return null;
        const v = value(n, scope);
        if (v === null) return null;
        if (typeof v !== 'number' || !Number.isInteger(v)) fail(`slice indices must be integers or None, not a ${typeName(v)}`, n.pos);
        return v as number;
      };
      const start = part(node.start);
      const stop = part(node.stop);
      const step = part(node.step);
      if (step === 0) fail('slice step cannot be zero', node.pos);
      if (typeof base !== 'string' && !Array.isArray(base)) fail(`'${text(node.object, scope)}' is a ${typeName(base)}, which cannot be sliced`, node.pos);
      return sliceOf(base as string | unknown[], start, stop, step ?? 1);
    }
    case 'call': return call(node, scope);
    case 'attr':
      return getMember(lazy(node.object, scope), node.key, text(node.object, scope), text(node, scope), node.pos);
    case 'index': {
      const base = lazy(node.object, scope);
      const key = value(node.index, scope);
      return getMember(base, key, text(node.object, scope), text(node, scope), node.pos);
    }
    case 'not': return !truthy(value(node.operand, scope));
    case 'negate': {
      const v = value(node.operand, scope);
      if (typeof v !== 'number') fail(`unary '${node.op}' needs a number, not a ${typeName(v)}`, node.pos);
      return node.op === '-' ? -v : v;
    }
    case 'logical': {
      // Python returns the deciding operand itself: `x or 'fallback'`.
      const left = value(node.left, scope);
      if (node.op === 'and' ? !truthy(left) : truthy(left)) return left;
      return value(node.right, scope);
    }
    case 'compare': {
      let left = value(node.first, scope);
      for (const link of node.rest) {
        const right = value(link.operand, scope);
        if (!compare(link.op, left, right, link.at)) return false;
        left = right;
      }
      return true;
    }
    case 'arith':
      return arithmetic(node.op, value(node.left, scope), value(node.right, scope), node.at);
    case 'conditional':
      if (truthy(value(node.cond, scope))) return lazy(node.then, scope);
      return node.otherwise === null
        ? new Missing(`'${text(node, scope)}' is undefined: the condition is false and there is no 'else'`, node.pos, true)
        : lazy(node.otherwise, scope);
    case 'filter':
    case 'test': {
      const registry = node.kind === 'filter' ? FILTERS : TESTS;
      // The parser rejected unknown names; a hand-built tree gets the same answer.
      const builtin = resolveBuiltin(registry, node.name) ?? fail(`unknown ${node.kind} '${node.name}'`, node.at);
      const operand = builtin.lazy ? lazy(node.operand, scope) : value(node.operand, scope);
      const args = node.args.map((a) => (builtin.lazyArgs ? lazy(a, scope) : value(a, scope)));
      const kwargs = keywordArgs(node.kwargs, scope, builtin.lazyArgs);
      const ctx = callContext(node.at);
      const result = builtin.apply(operand, args, ctx, kwargs);
      // As Jinja: `is` passes the test's own value on (Ansible's `{failed: 'yes'} is failed` is 'yes'); `is not` gives a bool.
      if (node.kind === 'filter') return result;
      return node.negated ? !truthy(result) : result;
    }
  }
}

function keywordArgs(kwargs: readonly KeywordArg[], scope: Scope, keepMissing = false): Kwargs {
  const out: Record<string, unknown> = {};
  for (const k of kwargs) setOwn(out, k.name, keepMissing ? lazy(k.value, scope) : value(k.value, scope));
  return out;
}

function call(node: Extract<Node, { kind: 'call' }>, scope: Scope): unknown {
  const args = node.args.map((a) => value(a, scope));
  const kwargs = keywordArgs(node.kwargs, scope);
  const failHere = (message: string): never => fail(message, node.at);
  const { callee } = node;
  if (callee.kind === 'function') {
    const local = scope.frame.lookup(callee.name);
    if (local instanceof JinjaCallable) return local.invoke(args, kwargs, failHere);
    const global = GLOBAL_FUNCTIONS.get(callee.name) ?? failHere(`'${callee.name}' is not a function`);
    if (args.length < global.minArgs || args.length > global.maxArgs) {
      failHere(`${callee.name}() takes ${global.minArgs === global.maxArgs ? global.minArgs : `${global.minArgs} to ${global.maxArgs}`} arguments, not ${args.length}`);
    }
    for (const k of Object.keys(kwargs)) {
      if (global.kwargs !== 'any' && !global.kwargs?.includes(k)) failHere(`${callee.name}() takes no keyword argument '${k}'`);
    }
    return global.apply(args, kwargs, failHere, scope.frame.lookup(LOOKUP_PROVIDER) as LookupProvider | undefined);
  }
  const self = value(callee.object, scope);
  const result = callMethod(self, callee.name, args, kwargs, failHere);
  if (result !== NO_SUCH_METHOD) return result;
  const member = getMember(self, callee.name, '', '', node.pos);
  if (member instanceof JinjaCallable) return member.invoke(args, kwargs, failHere);
  return failHere(`'${text(callee.object, scope)}' is a ${typeName(self)}, which has no method '${callee.name}'`);
}

function compare(op: CompareOp, a: unknown, b: unknown, pos: number): boolean {
  switch (op) {
    case '==': return deepEqual(a, b);
    case '!=': return !deepEqual(a, b);
    case 'in':
    case 'not in': {
      const found = contains(a, b);
      if (found === null) fail(`'${op}' cannot look for a ${typeName(a)} in a ${typeName(b)}`, pos);
      return found !== (op === 'not in');
    }
    default: {
      const c = compareValues(a, b);
      if (c === null) fail(`'${op}' cannot compare a ${typeName(a)} with a ${typeName(b)}`, pos);
      return op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
    }
  }
}

/** Bound on `'x' * n` and `[x] * n`, so a template cannot exhaust memory in one step. */
const MAX_REPEAT = 10_000_000;

function arithmetic(op: ArithOp, a: unknown, b: unknown, pos: number): unknown {
  if (op === '~') return pyStr(a) + pyStr(b);
  if (op === '+') {
    if (typeof a === 'string' && typeof b === 'string') return a + b;
    if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
  }
  // Python's printf-style `'%-8s|%5d' % (name, size)`: a tuple gives the arguments, anything else is one.
  if (op === '%' && typeof a === 'string') return percentFormat(a, isTuple(b) ? (b as unknown[]) : [b], callContext(pos));
  if (op === '*') {
    // Python repeats a string or list by an integer: '-' * 20.
    const [seq, n] = typeof b === 'number' ? [a, b] : [b, a];
    if ((typeof seq === 'string' || Array.isArray(seq)) && typeof n === 'number' && Number.isInteger(n)) {
      if (seq.length * Math.max(n, 0) > MAX_REPEAT) fail(`'*' would build more than ${MAX_REPEAT} items`, pos);
      return typeof seq === 'string' ? seq.repeat(Math.max(n, 0)) : Array.from({ length: Math.max(n, 0) }, () => seq).flat();
    }
  }
  if (typeof a !== 'number' || typeof b !== 'number') {
    return fail(`'${op}' cannot combine a ${typeName(a)} with a ${typeName(b)}`, pos);
  }
  if (b === 0 && (op === '/' || op === '//' || op === '%')) fail('division by zero', pos);
  switch (op) {
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    case '/': return a / b;
    case '//': return Math.floor(a / b);
    case '%': return ((a % b) + b) % b; // Python: the result takes the divisor's sign
    case '**': return a ** b;
  }
}

/** What a filter or test may do besides computing: fail at its column, call another by name. */
function callContext(at: number): CallContext {
  const call = (registry: ReadonlyMap<string, Builtin>, kind: string, name: string, v: unknown, args: readonly unknown[], kwargs: Kwargs): unknown => {
    const builtin = resolveBuiltin(registry, name) ?? fail(`unknown ${kind} '${name}'`, at);
    if (args.length < builtin.minArgs || args.length > builtin.maxArgs) fail(`${kind} '${name}' takes ${builtin.minArgs}–${builtin.maxArgs} arguments, not ${args.length}`, at);
    return builtin.apply(v, args, ctx, kwargs);
  };
  const ctx: CallContext = {
    fail: (message) => fail(message, at),
    missing: (reason) => new Missing(reason, at),
    filter: (name, v, args = [], kwargs = {}) => call(FILTERS, 'filter', name, v, args, kwargs),
    test: (name, v, args = [], kwargs = {}) => truthy(call(TESTS, 'test', name, v, args, kwargs)),
  };
  return ctx;
}
