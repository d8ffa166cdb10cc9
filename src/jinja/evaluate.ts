// Tree-walking evaluator. It reads variables and applies the whitelisted filters and
// tests; there is no call node, no eval, no I/O. Undefined values travel as Missing
// until something needs them, which is how `x.y is defined` and `| default` work.
import type { ArithOp, CompareOp, Node } from './ast.js';
import { type Builtin, type CallContext, type Kwargs, resolveBuiltin } from './builtin.js';
import { ExprError } from './errors.js';
import { FILTERS } from './filters.js';
import { TESTS } from './jinja-tests.js';
import { getMember, lookupVariable, Missing } from './lookup.js';
import { compareValues, contains, deepEqual, pyStr, truthy, typeName } from './values.js';

interface Scope {
  source: string;
  vars: Record<string, unknown>;
}

/** The value of an expression; raises ExprError if it is undefined. */
export function evaluateTree(node: Node, source: string, vars: Record<string, unknown>): unknown {
  return value(node, { source, vars });
}

function fail(message: string, pos: number): never {
  throw new ExprError(message, pos + 1);
}

function value(node: Node, scope: Scope): unknown {
  const v = lazy(node, scope);
  if (v instanceof Missing) fail(v.reason, v.pos);
  return v;
}

const text = (node: Node, scope: Scope): string => scope.source.slice(node.pos, node.end);

/** Like value(), but an undefined result comes back as a Missing instead of an error. */
function lazy(node: Node, scope: Scope): unknown {
  switch (node.kind) {
    case 'literal': return node.value;
    case 'list': return node.items.map((n) => value(n, scope));
    case 'name': return lookupVariable(scope.vars, node.name, node.pos);
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
      return truthy(value(node.cond, scope)) ? lazy(node.then, scope) : lazy(node.otherwise, scope);
    case 'filter':
    case 'test': {
      const registry = node.kind === 'filter' ? FILTERS : TESTS;
      // The parser rejected unknown names; a hand-built tree gets the same answer.
      const builtin = resolveBuiltin(registry, node.name) ?? fail(`unknown ${node.kind} '${node.name}'`, node.at);
      const operand = builtin.lazy ? lazy(node.operand, scope) : value(node.operand, scope);
      const args = node.args.map((a) => value(a, scope));
      const ctx = callContext(node.at);
      const result = builtin.apply(operand, args, ctx, {});
      return node.kind === 'filter' ? result : truthy(result) !== node.negated;
    }
  }
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

function arithmetic(op: ArithOp, a: unknown, b: unknown, pos: number): unknown {
  if (op === '~') return pyStr(a) + pyStr(b);
  if (op === '+') {
    if (typeof a === 'string' && typeof b === 'string') return a + b;
    if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
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
