// Syntax tree of the expression language. Every node spans source[pos, end) (0-based),
// so evaluation errors can quote the sub-expression and point at its column; operators,
// filters and tests also keep the offset of their own token (`at`).

export type Scalar = null | boolean | number | string;

export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'not in';
export type ArithOp = '+' | '-' | '*' | '/' | '//' | '%' | '**' | '~';

interface Span {
  pos: number;
  end: number;
}

export type Node = Span & (
  | { kind: 'literal'; value: Scalar }
  /** `[a, b]`, and tuples `(a, b)`, which Ansible users write for `x in ('a', 'b')`. */
  | { kind: 'list'; items: Node[]; tuple?: boolean }
  | { kind: 'name'; name: string }
  /** `x.y`, `x.0`: Jinja's getattr, which falls back to a subscript. */
  | { kind: 'attr'; object: Node; key: string | number }
  /** `x[expr]` */
  | { kind: 'index'; object: Node; index: Node }
  | { kind: 'not'; operand: Node }
  | { kind: 'negate'; op: '-' | '+'; operand: Node }
  | { kind: 'logical'; op: 'and' | 'or'; left: Node; right: Node }
  /** Python-style chain: `a < b <= c` is `a < b and b <= c`, each operand evaluated once. */
  | { kind: 'compare'; first: Node; rest: CompareLink[] }
  | { kind: 'arith'; op: ArithOp; left: Node; right: Node; at: number }
  | { kind: 'filter'; name: string; operand: Node; args: Node[]; kwargs: KeywordArg[]; at: number }
  | { kind: 'test'; name: string; negated: boolean; operand: Node; args: Node[]; kwargs: KeywordArg[]; at: number }
  /** `a if cond else b`; without `else` the value is undefined when cond is false. */
  | { kind: 'conditional'; cond: Node; then: Node; otherwise: Node | null }
  /** `{'a': 1, key: value}` */
  | { kind: 'dict'; entries: Array<{ key: Node; value: Node }> }
  /** `x[start:stop:step]`, each part optional. */
  | { kind: 'slice'; object: Node; start: Node | null; stop: Node | null; step: Node | null }
  /**
   * `name(args)`: a global function (range) or a macro of the template;
   * `x.method(args)`: a whitelisted str/list/dict method. Nothing else can be called.
   */
  | { kind: 'call'; callee: { kind: 'function'; name: string } | { kind: 'method'; object: Node; name: string };
    args: Node[]; kwargs: KeywordArg[]; at: number }
);

export interface KeywordArg {
  name: string;
  value: Node;
}

export interface CompareLink {
  op: CompareOp;
  operand: Node;
  at: number;
}
