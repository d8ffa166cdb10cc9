import assert from 'node:assert/strict';
import type { Node } from './ast.js';
import { ExprSyntaxError } from './errors.js';
import { parseExpr, unwrapBraces } from './parse.js';

/** A compact, fully parenthesised rendering that makes precedence visible. */
function show(n: Node): string {
  switch (n.kind) {
    case 'literal': return JSON.stringify(n.value);
    case 'list': return `[${n.items.map(show).join(' ')}]`;
    case 'name': return n.name;
    case 'attr': return `${show(n.object)}.${n.key}`;
    case 'index': return `${show(n.object)}[${show(n.index)}]`;
    case 'not': return `(not ${show(n.operand)})`;
    case 'negate': return `(${n.op} ${show(n.operand)})`;
    case 'logical': case 'arith': return `(${n.op} ${show(n.left)} ${show(n.right)})`;
    case 'compare': return `(${[show(n.first), ...n.rest.map((l) => `${l.op} ${show(l.operand)}`)].join(' ')})`;
    case 'filter': return `(| ${show(n.operand)} ${n.name}${n.args.map((a) => ` ${show(a)}`).join('')})`;
    case 'test': return `(is${n.negated ? ' not' : ''} ${show(n.operand)} ${n.name}${n.args.map((a) => ` ${show(a)}`).join('')})`;
    case 'conditional': return `(if ${show(n.cond)} ${show(n.then)}${n.otherwise ? ` ${show(n.otherwise)}` : ''})`;
    case 'dict': return `{${n.entries.map((e) => `${show(e.key)}: ${show(e.value)}`).join(' ')}}`;
    case 'slice': return `${show(n.object)}[${[n.start, n.stop, n.step].map((p) => (p ? show(p) : '')).join(':')}]`;
    case 'call': return n.callee.kind === 'function' ? `${n.callee.name}(${n.args.map(show).join(' ')})`
      : `${show(n.callee.object)}.${n.callee.name}(${n.args.map(show).join(' ')})`;
  }
}

describe('expression parser', () => {
  const precedence: Array<[string, string]> = [
    ["{'a': 1, k: [2]}", '{"a": 1 k: [2]}'],
    ['x[1:3]', 'x[1:3:]'],
    ['x[::-1]', 'x[::(- 1)]'],
    ['x[a:]', 'x[a::]'],
    ["s.split(',')[0]", 's.split(",")[0]'],
    ['range(3) | list', '(| range(3) list)'],
    ["d.get('k', 1) == 1", '(d.get("k" 1) == 1)'],
    ['a if b', '(if b a)'],
    ["'a' 'b'", '"ab"'],
    ['not a and b', '(and (not a) b)'],
    ['a or b and c', '(or a (and b c))'],
    ['a and b or c', '(or (and a b) c)'],
    ['a and (b or c)', '(and a (or b c))'],
    ['not r.rc == 0', '(not (r.rc == 0))'],
    ["not 'x' in r.stdout", '(not ("x" in r.stdout))'],
    ['x not in l', '(x not in l)'],
    ['x   not\tin l', '(x not in l)'],
    ['not x not in l', '(not (x not in l))'],
    ['not not a', '(not (not a))'],
    ['a < b <= c', '(a < b <= c)'],
    ['a + b * c', '(+ a (* b c))'],
    ['a - b - c', '(- (- a b) c)'],
    ["a ~ b + c", '(+ (~ a b) c)'],
    ['a + b | int', '(+ a (| b int))'],
    ['-x | abs', '(| (- x) abs)'],
    ['-2 ** 2', '(** (- 2) 2)'],
    ['x is defined and y', '(and (is x defined) y)'],
    ['x is not defined or y', '(or (is not x defined) y)'],
    ['not x is defined', '(not (is x defined))'],
    ['x | default(1) | int > 0', '((| (| x default 1) int) > 0)'],
    ['x is divisibleby 3', '(is x divisibleby 3)'],
    ['x is divisibleby(3)', '(is x divisibleby 3)'],
    ['r is ansible.builtin.failed', '(is r ansible.builtin.failed)'],
    ["a if b else c", '(if b a c)'],
    ["a if b else c if d else e", '(if b a (if d c e))'],
    ["hostvars['lab01'].x", 'hostvars["lab01"].x'],
    ['r.stdout_lines[-1]', 'r.stdout_lines[(- 1)]'],
    ['l.0.1', 'l.0.1'],
    ['facts.cpu.flags', 'facts.cpu.flags'],
    ["x in ('a', 'b')", '(x in ["a" "b"])'],
    ['x in (1,)', '(x in [1])'],
    ['(a)', 'a'],
    ['[1, 2,]', '[1 2]'],
    ['[]', '[]'],
    ['True and False or None', '(or (and true false) null)'],
    ['true and false or none or null', '(or (or (and true false) null) null)'],
    ['{{ r is changed }}', '(is r changed)'],
    ["'it\\'s' == \"it's\"", '("it\'s" == "it\'s")'],
    ['1_000 == 1e3', '(1000 == 1000)'],
  ];
  for (const [source, tree] of precedence) {
    it(`parses ${source} as ${tree}`, () => {
      assert.equal(show(parseExpr(source)), tree);
    });
  }

  const errors: Array<[string, number, RegExp]> = [
    ['', 1, /empty expression/],
    ['   ', 4, /empty expression/],
    ['a and', 6, /expected a value, found end of expression/],
    ['a b', 3, /unexpected 'b' after a complete expression/],
    ['(a', 3, /expected '\)' to close the '\(' at column 1/],
    ["x == 'abc", 6, /unterminated string/],
    ['x && y', 3, /use 'and' instead of '&&'/],
    ['x || y', 3, /use 'or' instead of '\|\|'/],
    ['!x', 1, /use 'not' instead of '!'/],
    ['x === 1', 3, /use '==' instead of '==='/],
    ['x = 1', 3, /use '==' to compare/],
    ['x | nosuch', 5, /unknown filter 'nosuch'/],
    ['x is nosuch', 6, /unknown test 'nosuch'/],
    ['x | constructor', 5, /unknown filter 'constructor'/],
    ['x is __proto__', 6, /unknown test '__proto__'/],
    ['x | length(1)', 5, /filter 'length' takes 0 arguments, got 1/],
    ['x is divisibleby', 6, /test 'divisibleby' takes 1 argument, got 0/],
    ['x | length(boolean=true)', 5, /filter 'length' takes no keyword argument 'boolean'/],
    ["x | default(a=1, a=2)", 18, /keyword argument 'a' given twice/],
    ["s.split(sep=',', 1)", 18, /positional argument after a keyword argument/],
    ['x.constructor(1)', 3, /unknown method 'constructor'/],
    ["d['get']('k')", 9, /calling functions is not allowed/],
    ['{1, 2}', 3, /expected ':' between a key and its value/],
    ['x[1:2:3:4]', 8, /expected '\]'/],
    ['f(x)', 1, /unknown function 'f'/],
    ['x.y()', 3, /unknown method 'y'/],
    ['(x | length)()', 13, /calling functions is not allowed/],
    ['l[]', 3, /expected an index/],
    ['x.', 3, /expected a name after '\.'/],
    ['x $ y', 3, /unexpected character '\$'/],
    ["{{ x }} and {{ y }}", 1, /'\{\{ \}\}' may only wrap the whole expression/],
    ['and', 1, /expected a value, found 'and'/],
    ['1x', 1, /malformed number/],
    ['x is', 5, /expected a test name/],
  ];
  for (const [source, column, message] of errors) {
    it(`rejects ${JSON.stringify(source)} at column ${column}`, () => {
      assert.throws(() => parseExpr(source), (err: unknown) => {
        assert.ok(err instanceof ExprSyntaxError);
        assert.match(err.detail, message);
        assert.equal(err.column, column);
        assert.equal(err.source, source);
        assert.match(err.message, new RegExp(`column ${column}:`));
        return true;
      });
    });
  }

  it('keeps columns of a {{ }}-wrapped expression pointing into the original source', () => {
    assert.equal(unwrapBraces('{{ x }}'), '   x   ');
    assert.throws(() => parseExpr('{{ x && y }}'), (err: ExprSyntaxError) => err.column === 6 && err.source === '{{ x && y }}');
  });

  it('leaves sources that are not wholly wrapped alone', () => {
    assert.equal(unwrapBraces('x == "{{"'), 'x == "{{"');
  });

  it('refuses absurdly deep nesting with a syntax error, not a stack overflow', () => {
    assert.throws(() => parseExpr(`${'('.repeat(200)}x${')'.repeat(200)}`), /nested more than 64 levels/);
    assert.throws(() => parseExpr(`${'not '.repeat(200)}x`), /nested more than 64 levels/);
    assert.throws(() => parseExpr(`${'- '.repeat(200)}x`), /nested more than 64 levels/);
  });

  it('refuses absurdly long expressions', () => {
    assert.throws(() => parseExpr(Array(3000).fill('x').join(' + ')), /longer than 4096 tokens/);
  });

  it('records spans that quote each sub-expression', () => {
    const source = "hostvars['lab01'].x > 3";
    const tree = parseExpr(source);
    assert.equal(tree.kind, 'compare');
    if (tree.kind === 'compare') {
      assert.equal(source.slice(tree.first.pos, tree.first.end), "hostvars['lab01'].x");
      assert.equal(tree.rest[0]!.at, 20);
    }
  });
});
