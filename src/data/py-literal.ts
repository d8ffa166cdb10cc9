// Python's ast.literal_eval, as Ansible's INI plugin applies it to every value
// (lib/ansible/plugins/inventory/ini.py `_parse_value`): host-line values and
// [group:vars] values alike. A value that is not exactly one Python literal
// (a syntax error, a name like `yes`, an expression) stays the raw string.
import { tokenizePy, type PyToken } from './py-tokens.js';
import { pyJsonKey, setKey, type Vars } from './py-values.js';

type Parsed =
  | { kind: 'num'; value: number; float: boolean }
  | { kind: 'str'; value: string }
  | { kind: 'const'; value: boolean | null }
  | { kind: 'tuple' | 'list' | 'set'; value: unknown[] }
  | { kind: 'dict'; value: Vars };

class NotLiteral extends Error {}

/** `_parse_value(v)`: the Python literal v denotes, or v itself when it is none. */
export function parseIniValue(raw: string): unknown {
  const r = literalEval(raw);
  return r.ok ? r.value : raw;
}

/** ast.literal_eval(src) (Python 3.11): ok=false where Python raises ValueError/SyntaxError. */
export function literalEval(src: string): { ok: true; value: unknown } | { ok: false } {
  // literal_eval strips leading spaces and tabs before parsing (3.10+).
  const tokens = tokenizePy(src.replace(/^[ \t]+/, ''));
  if (!tokens) return { ok: false };
  try {
    const p = new Parser(tokens);
    const v = p.top();
    return { ok: true, value: v.value };
  } catch (e) {
    if (e instanceof NotLiteral) return { ok: false };
    throw e;
  }
}

class Parser {
  private i = 0;
  constructor(private readonly toks: PyToken[]) {}

  private peek(): PyToken {
    return this.toks[this.i] ?? { t: 'end' };
  }
  private isOp(v: string): boolean {
    const t = this.peek();
    return t.t === 'op' && t.v === v;
  }
  private take(v: string): boolean {
    if (!this.isOp(v)) return false;
    this.i++;
    return true;
  }
  private expect(v: string): void {
    if (!this.take(v)) throw new NotLiteral();
  }

  top(): Parsed {
    if (this.peek().t === 'end') throw new NotLiteral(); // empty source: SyntaxError
    const first = this.expr();
    let result = first;
    if (this.isOp(',')) {
      // A bare `1, 2` is a tuple, as in Python.
      const items = [first.value];
      while (this.take(',')) {
        if (this.peek().t === 'end') break;
        items.push(this.expr().value);
      }
      result = { kind: 'tuple', value: items };
    }
    if (this.peek().t !== 'end') throw new NotLiteral();
    return result;
  }

  /** One literal; `+`/`-` only directly on a number (literal_eval's _convert_signed_num). */
  private expr(): Parsed {
    let sign = 0;
    if (this.isOp('+') || this.isOp('-')) {
      sign = this.isOp('-') ? -1 : 1;
      this.i++;
    }
    const a = this.atom();
    if (sign !== 0) {
      if (a.kind !== 'num') throw new NotLiteral();
      return { kind: 'num', value: sign * a.value, float: a.float };
    }
    // `1+2j` (complex) is the only binary operation literal_eval takes; complex
    // numbers have no JSON form, so every binary operation is "not a literal" here.
    if (this.isOp('+') || this.isOp('-')) throw new NotLiteral();
    return a;
  }

  private atom(): Parsed {
    const t = this.peek();
    this.i++;
    switch (t.t) {
      case 'num':
        return { kind: 'num', value: t.v, float: t.float };
      case 'str': {
        // Adjacent literals concatenate; mixing bytes and str is a SyntaxError.
        let s = t.v;
        while (this.peek().t === 'str') {
          const n = this.peek() as Extract<PyToken, { t: 'str' }>;
          if (n.bytes !== t.bytes) throw new NotLiteral();
          s += n.v;
          this.i++;
        }
        return { kind: 'str', value: s };
      }
      case 'name':
        if (t.v === 'True') return { kind: 'const', value: true };
        if (t.v === 'False') return { kind: 'const', value: false };
        if (t.v === 'None') return { kind: 'const', value: null };
        throw new NotLiteral();
      case 'op':
        if (t.v === '(') return this.paren();
        if (t.v === '[') return { kind: 'list', value: this.items(']').map((p) => p.value) };
        if (t.v === '{') return this.brace();
        throw new NotLiteral();
      default:
        throw new NotLiteral();
    }
  }

  private items(close: string): Parsed[] {
    const out: Parsed[] = [];
    while (!this.take(close)) {
      out.push(this.expr());
      if (!this.take(',')) {
        this.expect(close);
        break;
      }
    }
    return out;
  }

  private paren(): Parsed {
    if (this.take(')')) return { kind: 'tuple', value: [] };
    const first = this.expr();
    if (this.take(')')) return first; // parentheses alone make no tuple: (1) is 1
    this.expect(',');
    const rest = this.items(')');
    return { kind: 'tuple', value: [first.value, ...rest.map((p) => p.value)] };
  }

  private brace(): Parsed {
    if (this.take('}')) return { kind: 'dict', value: {} };
    const first = this.expr();
    if (!this.take(':')) {
      // A set; Python has no JSON for sets, kvmplay keeps them as lists without duplicates.
      const elems = [first];
      if (this.take(',')) elems.push(...this.items('}'));
      else this.expect('}');
      const seen = new Set<string>();
      const out: unknown[] = [];
      for (const e of elems) {
        const k = hashKey(e);
        if (!seen.has(k)) {
          seen.add(k);
          out.push(e.value);
        }
      }
      return { kind: 'set', value: out };
    }
    // Keyed by Python's key identity (1 == True); the first spelling of a key stays.
    const entries = new Map<string, [string, unknown]>();
    let key = first;
    for (;;) {
      const value = this.expr();
      const id = hashKey(key);
      entries.set(id, [entries.get(id)?.[0] ?? jsonKeyOf(key), value.value]);
      if (!this.take(',')) {
        this.expect('}');
        break;
      }
      if (this.take('}')) break;
      key = this.expr();
      this.expect(':');
    }
    const dict: Vars = {};
    for (const [name, v] of entries.values()) setKey(dict, name, v);
    return { kind: 'dict', value: dict };
  }
}

/** Key under which json.dumps writes a Python dict key; unhashable or tuple keys fail. */
function jsonKeyOf(p: Parsed): string {
  if (p.kind === 'num') {
    const k = pyJsonKey(p.value, p.float);
    if (k !== undefined) return k;
  }
  if (p.kind === 'str' || p.kind === 'const') {
    const k = pyJsonKey(p.value);
    if (k !== undefined) return k;
  }
  throw new NotLiteral();
}

/** Equality as Python's set sees it: 1 == 1.0 == True. Unhashable elements fail. */
function hashKey(p: Parsed): string {
  switch (p.kind) {
    case 'num':
      return `n:${p.value}`;
    case 'const':
      return p.value === null ? 'none' : `n:${p.value ? 1 : 0}`;
    case 'str':
      return `s:${p.value}`;
    case 'tuple':
      return `t:${JSON.stringify(p.value)}`;
    default:
      throw new NotLiteral();
  }
}
