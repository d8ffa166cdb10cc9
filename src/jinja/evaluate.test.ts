import assert from 'node:assert/strict';
import { compileExpr, evaluateCondition, ExprError } from './index.js';

// A host's variables as the runner would pass them: inventory vars, facts, registered results.
const vars: Record<string, unknown> = {
  inventory_hostname: 'lab01',
  group_names: ['hypervisors', 'lab'],
  mode: 'a',
  name: 'b',
  n: 5,
  zero: 0,
  empty: '',
  nothing: null,
  flag: true,
  off: false,
  vms: ['web', 'db'],
  nolist: [],
  nodict: {},
  conf: { bridge: 'br0', mtu: 1500 },
  facts: { cpu: { flags: ['vmx', 'sse4_2'], count: 8 }, kernel: '6.1.0-18-amd64', libvirt_version: '9.0.0' },
  hostvars: { lab01: { x: 1 }, lab02: { x: 2 } },
  ok: { rc: 0, changed: false, failed: false, stdout: 'domain web is running', stdout_lines: ['line1', 'line2', 'last'] },
  bad: { rc: 1, changed: true, failed: true, stderr: 'error: failed to get domain' },
  skip: { changed: false, skipped: true },
  looped: { results: [{ changed: false }, { changed: true }] },
};

describe('expression evaluation', () => {
  const cases: Array<[string, unknown]> = [
    // comparisons
    ["mode == 'a'", true],
    ['mode != "b"', true],
    ['n > 3', true],
    ['n < 3', false],
    ['n <= 5', true],
    ['n >= 6', false],
    ['1 < n < 10', true],
    ['1 < n > 10', false],
    ["'abc' < 'abd'", true],
    ['[1, 2] < [1, 3]', true],
    ['[1, 2] < [1, 2, 0]', true],
    // membership
    ["'db' in vms", true],
    ["'mail' in vms", false],
    ["'mail' not in vms", true],
    ["'running' in ok.stdout", true],
    ["'bridge' in conf", true],
    ["'vlan' in conf", false],
    ["'vmx' in facts.cpu.flags", true],
    ["inventory_hostname in ('lab01', 'lab02')", true],
    ["'lab' in group_names", true],
    ['[1] in [[1], [2]]', true],
    // registered results
    ['ok.rc == 0', true],
    ['bad.rc != 0', true],
    ['not ok.changed', true],
    ['ok is succeeded', true],
    ['ok is success', true],
    ['ok is failed', false],
    ['bad is failed', true],
    ['bad is not failed', false],
    ['bad is changed', true],
    ['skip is skipped', true],
    ['ok is skipped', false],
    ['looped is changed', true],
    ["'failed to get' in bad.stderr", true],
    // logic returns the deciding operand, as Python's does
    ['flag and (off or n)', 5],
    ["empty or 'fallback'", 'fallback'],
    ['zero and n', 0],
    ['not zero', true],
    // definedness
    ['mode is defined', true],
    ['missing is defined', false],
    ['missing is not defined', true],
    ['missing is undefined', true],
    ['missing.deep.path is defined', false],
    ['conf.vlan is defined', false],
    ['conf.mtu is defined', true],
    ['nothing.x is defined', false],
    ['nothing is none', true],
    ['nothing is defined', true],
    ['missing is defined and missing.x', false],
    ['flag is true', true],
    ['off is false', true],
    ['1 is true', false],
    // paths and subscripts
    ["hostvars['lab02'].x", 2],
    ['hostvars[inventory_hostname].x', 1],
    ['vms[0]', 'web'],
    ['vms.1', 'db'],
    ['ok.stdout_lines[-1]', 'last'],
    ["conf['mtu'] == 1500", true],
    ["'abc'[1]", 'b'],
    // literals
    ['[1, "two", none, True, false]', [1, 'two', null, true, false]],
    ['None == none', true],
    ["'tab\\tnewline\\n'", 'tab\tnewline\n'],
    ["'\\d+'", '\\d+'],
    ['0.5 + 1e1', 10.5],
    // arithmetic and concatenation
    ['n * 2 - 1', 9],
    ['7 / 2', 3.5],
    ['7 // 2', 3],
    ['-7 // 2', -4],
    ['-7 % 3', 2],
    ['2 ** 10', 1024],
    ["'br' + '0'", 'br0'],
    ['vms + [1]', ['web', 'db', 1]],
    ["'vm-' ~ n ~ '-' ~ flag ~ nothing", 'vm-5-TrueNone'],
    // conditional expression
    ["'big' if n > 3 else 'small'", 'big'],
    ["(missing if false else 'x') is defined", true],
    // filters
    ['vms | length', 2],
    ["'héllo' | length", 5],
    ['conf | length', 2],
    ['vms | count == 2', true],
    ["'42' | int + 1", 43],
    ["'3.7' | int", 3],
    ["'abc' | int", 0],
    ["'abc' | int(-1)", -1],
    ['true | int', 1],
    ["'2.5' | float", 2.5],
    ["'yes' | bool", true],
    ["'Off' | bool", false],
    ['1 | bool', true],
    ["'FOO' | lower", 'foo'],
    ['mode | upper', 'A'],
    ["'  x ' | trim", 'x'],
    ['n | string', '5'],
    ['missing | default(3)', 3],
    ['missing | d(3)', 3],
    ['missing.deep | default("x")', 'x'],
    ["empty | default('x')", ''],
    ["empty | default('x', true)", 'x'],
    ['missing | default', ''],
    ['missing | default(none)', null],
    ['missing | default(none) is none', true],
    ['missing | default(default_value=none)', null],
    ['vms | first', 'web'],
    ['vms | last', 'db'],
    ['nolist | first | default("none")', 'none'],
    ["vms | join(',')", 'web,db'],
    ['-3 | abs', 3],
    ['[3, 1, 2] | min', 1],
    ["['b', 'c', 'a'] | max", 'c'],
    ["'ab' | list", ['a', 'b']],
    ['conf | list', ['bridge', 'mtu']],
    ['facts.kernel | ansible.builtin.lower', '6.1.0-18-amd64'],
    // tests with arguments
    ["ok.stdout is search('web is run')", true],
    ["ok.stdout is match('web')", false],
    ["ok.stdout is match('DOMAIN', true)", true],
    ["facts.kernel is regex('^6\\\\.')", true],
    ['n is divisibleby 5', true],
    ['n is odd', true],
    ['-3 is odd', true],
    ['n is even', false],
    ['n is number', true],
    ['n is integer', true],
    ['mode is string', true],
    ['conf is mapping', true],
    ['vms is sequence', true],
    ["'db' is in vms", true],
    ['n is eq 5', true],
    ['vms is equalto ["web", "db"]', true],
    ['n is ne(5)', false],
    ["facts.libvirt_version is version('8.0', '>=')", true],
    ["facts.libvirt_version is version('10.0.0', 'lt')", true],
    ["'9.0.0' is version('9.0', '==')", false],
  ];
  for (const [source, expected] of cases) {
    it(`evaluates ${source} to ${JSON.stringify(expected)}`, () => {
      assert.deepEqual(compileExpr(source).evaluate(vars), expected);
    });
  }

  it("fails a loose version comparison of a word against a number, as Ansible does ('1.0.rc1' < '1.0.1')", () => {
    assert.throws(() => compileExpr("'1.0.rc1' is version('1.0.1', '<')").evaluate(vars), /Version comparison failed/);
  });

  describe('truthiness follows Python', () => {
    const truthiness: Array<[unknown, boolean]> = [
      ['', false], ['x', true], ['0', true], ['False', true],
      [0, false], [1, true], [-1, true], [0.0, false], [NaN, true],
      [[], false], [[0], true], [{}, false], [{ a: null }, true],
      [null, false], [true, true], [false, false],
    ];
    for (const [v, expected] of truthiness) {
      it(`treats ${JSON.stringify(v)} as ${expected}`, () => {
        assert.equal(evaluateCondition('v', { v }), expected);
      });
    }
  });

  describe('equality is deep for containers and Python-like for scalars', () => {
    const equality: Array<[string, boolean]> = [
      ["1 == '1'", false],
      ['1 == 1.0', true],
      ['true == 1', true],
      ['false == 0', true],
      ['true == 2', false],
      ["'' == none", false],
      ['none == none', true],
      ['[1, [2, 3]] == [1, [2, 3]]', true],
      ['[1, 2] == [2, 1]', false],
      ['[] == []', true],
      ['conf == conf', true],
      ['a == b', true],
      ['a == c', false],
      ['a == d', false],
    ];
    const dicts = { a: { x: 1, y: [1, 2] }, b: { y: [1, 2], x: 1 }, c: { x: 1, y: [1] }, d: { x: 1 }, conf: vars.conf };
    for (const [source, expected] of equality) {
      it(`evaluates ${source} to ${expected}`, () => {
        assert.equal(compileExpr(source).evaluate(dicts), expected);
      });
    }
  });

  describe('errors name the problem and its column', () => {
    const errors: Array<[string, RegExp, number]> = [
      ['missing', /^undefined variable 'missing'$/, 1],
      ["mode == 'a' and missing", /^undefined variable 'missing'$/, 17],
      ['missing.deep.path', /^undefined variable 'missing'$/, 1],
      ['conf.vlan.id == 1', /^'conf\.vlan' is undefined: 'conf' has no key 'vlan'$/, 1],
      ['nothing.x', /^'nothing\.x' is undefined: 'nothing' is null$/, 1],
      ['n.x', /^'n\.x' is undefined: 'n' is a number, which has no keys$/, 1],
      ['vms[5]', /^'vms\[5\]' is undefined: index 5 is out of range for 'vms' \(length 2\)$/, 1],
      ["vms['x']", /'vms' is a list, indexed by integers, not 'x'/, 1],
      ["hostvars['lab03'].x", /^'hostvars\['lab03'\]' is undefined: 'hostvars' has no key 'lab03'$/, 1],
      ["n < 'a'", /^'<' cannot compare a number with a string$/, 3],
      ['vms > 1', /'>' cannot compare a list with a number/, 5],
      ['nothing < 1', /'<' cannot compare a null with a number/, 9],
      ['1 in n', /'in' cannot look for a number in a number/, 3],
      ["1 in 'abc'", /'in' cannot look for a number in a string/, 3],
      ["n + 'a'", /'\+' cannot combine a number with a string/, 3],
      ['true + 1', /'\+' cannot combine a boolean with a number/, 6],
      ['n / 0', /division by zero/, 3],
      ["-'a'", /unary '-' needs a number/, 1],
      ['missing is divisibleby(2)', /undefined variable 'missing'/, 1],
      ['mode is failed', /the 'failed' test needs a registered result \(a dict\), not a string/, 9],
      ['n | length', /'length' needs a string, list or dict, not a number/, 5],
      ["'x' is match('(')", /invalid regular expression/, 8],
      ['[missing]', /undefined variable 'missing'/, 2],
      ['nolist | first', /'first' of an empty list/, 10],
      ['[] | max', /'max' of an empty list/, 6],
      ["[1, 'a'] | max", /'max' cannot order a string against a number/, 12],
    ];
    for (const [source, message, column] of errors) {
      it(`fails on ${source} at column ${column}`, () => {
        assert.throws(() => compileExpr(source).evaluate(vars), (err: unknown) => {
          assert.ok(err instanceof ExprError, String(err));
          assert.match(err.message, message);
          assert.equal(err.column, column);
          return true;
        });
      });
    }
  });
});
