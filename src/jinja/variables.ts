// Static analysis: which top-level variables an expression reads, and whether an undefined
// one would be an error. A name is `guarded` when every read of it is tolerant of its
// absence: under `is defined`/`is undefined`/`| default`, or after a check that proves it
// defined, as in the common `x is defined and x == 'y'`. The playbook validator reports
// unguarded names it knows are never defined.
import type { Node } from './ast.js';
import { resolveBuiltin } from './builtin.js';
import { FILTERS } from './filters.js';
import { TESTS } from './jinja-tests.js';

export interface VariableRef {
  name: string;
  guarded: boolean;
  /** 0-based offset into the source of the first unguarded read (of the first read when guarded). */
  pos: number;
}

export type RecordRead = (name: string, guarded: boolean, pos: number) => void;

/** Accumulates reads into VariableRefs: a name is guarded only when every read of it is. */
export class ReadLog {
  readonly #refs = new Map<string, VariableRef>();
  record(name: string, guarded: boolean, pos: number): void {
    const seen = this.#refs.get(name);
    if (seen === undefined) this.#refs.set(name, { name, guarded, pos });
    else if (seen.guarded && !guarded) this.#refs.set(name, { name, guarded: false, pos });
  }
  refs(): VariableRef[] {
    return [...this.#refs.values()];
  }
}

type Names = ReadonlySet<string>;
const NONE: Names = new Set();

/** Variables read by `nodes`, taken as a conjunction (Ansible's `when: [a, b]`), in order of first use. */
export function collectVariables(nodes: readonly Node[]): VariableRef[] {
  const log = new ReadLog();
  const record: RecordRead = (name, ok, pos) => log.record(name, ok, pos);
  let known = NONE;
  for (const node of nodes) {
    walk(node, known, false, record);
    known = union(known, definedIf(node, true));
  }
  return log.refs();
}

/**
 * Variables read by one expression of a template, skipping `locals` (loop variables,
 * `set` targets, macro parameters); `known` are names proven defined on this path.
 */
export function walkExpression(node: Node, known: Names, record: RecordRead): void {
  walk(node, known, false, record);
}

/** Names a true (or false) `node` proves defined: `{% if x is defined %}`. */
export function namesDefinedIf(node: Node, outcome: boolean): Names {
  return definedIf(node, outcome);
}

/**
 * `known`: names proven defined on this path. `tolerant`: this node's value may be
 * undefined without error (the path operand of `is defined` or `| default`).
 */
function walk(node: Node, known: Names, tolerant: boolean, record: RecordRead): void {
  const sub = (n: Node, k: Names = known, t = false): void => walk(n, k, t, record);
  switch (node.kind) {
    case 'literal': return;
    case 'name': return record(node.name, tolerant || known.has(node.name), node.pos);
    case 'list': return node.items.forEach((n) => sub(n));
    case 'attr': return sub(node.object, known, tolerant);
    case 'index': sub(node.object, known, tolerant); return sub(node.index);
    case 'not': case 'negate': return sub(node.operand);
    case 'arith': sub(node.left); return sub(node.right);
    case 'compare': sub(node.first); return node.rest.forEach((l) => sub(l.operand));
    case 'logical':
      sub(node.left);
      // `a and b` evaluates b only when a is true; `a or b` only when a is false.
      return sub(node.right, union(known, definedIf(node.left, node.op === 'and')));
    case 'conditional':
      sub(node.cond);
      sub(node.then, union(known, definedIf(node.cond, true)), tolerant);
      if (node.otherwise !== null) sub(node.otherwise, union(known, definedIf(node.cond, false)), tolerant);
      return;
    case 'dict': return node.entries.forEach((e) => { sub(e.key); sub(e.value); });
    case 'slice': sub(node.object); return [node.start, node.stop, node.step].forEach((n) => n && sub(n));
    case 'call':
      if (node.callee.kind === 'method') sub(node.callee.object);
      node.args.forEach((a) => sub(a));
      return node.kwargs.forEach((k) => sub(k.value));
    case 'filter': case 'test': {
      const builtin = resolveBuiltin(node.kind === 'filter' ? FILTERS : TESTS, node.name);
      sub(node.operand, known, builtin?.lazy === true);
      node.kwargs.forEach((k) => sub(k.value));
      return node.args.forEach((a) => sub(a));
    }
  }
}

/** Names certainly defined when `node` evaluates to `outcome` (true or false). */
function definedIf(node: Node, outcome: boolean): Names {
  switch (node.kind) {
    case 'test': {
      const root = rootName(node.operand);
      if (root === null || (node.name !== 'defined' && node.name !== 'undefined')) return NONE;
      // `x.y is defined` being true proves x defined too.
      const provesDefined = (node.name === 'defined') !== node.negated;
      return provesDefined === outcome ? new Set([root]) : NONE;
    }
    case 'not': return definedIf(node.operand, !outcome);
    case 'logical': {
      const l = definedIf(node.left, outcome);
      const r = definedIf(node.right, outcome);
      // Both sides ran when `and` is true or `or` is false; otherwise either may decide.
      return (node.op === 'and') === outcome ? union(l, r) : new Set([...l].filter((n) => r.has(n)));
    }
    default: return NONE;
  }
}

function rootName(node: Node): string | null {
  if (node.kind === 'name') return node.name;
  if (node.kind === 'attr' || node.kind === 'index') return rootName(node.object);
  return null;
}

function union(a: Names, b: Names): Names {
  return b.size === 0 ? a : new Set([...a, ...b]);
}
