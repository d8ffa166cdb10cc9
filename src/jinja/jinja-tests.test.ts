// The `x is name` tests, one by one, as Jinja2 3.x and ansible-core 2.14 answer them
// (the conformance corpus checks the same against Ansible itself; these pin the edges).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileExpr, ExprError } from './index.js';

const vars: Record<string, unknown> = {
  n: 5, f: 2.5, t: true, nul: null, s: 'Hello World', l: [3, 1, 2], d: { a: 1 },
  lines: 'line1\nline2',
};
const is = (expr: string, extra: Record<string, unknown> = {}): unknown => compileExpr(expr).evaluate({ ...vars, ...extra });
const fails = (expr: string, message: RegExp, extra: Record<string, unknown> = {}): void => {
  assert.throws(() => is(expr, extra), (e: unknown) => e instanceof ExprError && message.test(e.message));
};

describe('Jinja tests', () => {
  describe('types, as Python sees them', () => {
    for (const [expr, want] of [
      ['t is number', true], ['n is integer', true], ['f is integer', false], ['f is float', true],
      ['n is float', false], ['t is integer', false], ['s is sequence', true], ['d is sequence', true],
      ['n is iterable', false], ['nul is none', true], ['d is mapping', true], ['l is mapping', false],
      ['t is true', true], ['1 is true', false], ['5 is escaped', false],
    ] as const) {
      it(`answers ${expr} with ${want}`, () => assert.equal(is(expr), want));
    }
  });

  describe('numbers', () => {
    it('treats floats and booleans as Python does for odd, even and divisibleby', () => {
      assert.equal(is('4.0 is even'), true);
      assert.equal(is('2.5 is odd'), false);
      assert.equal(is('t is odd'), true);
      assert.equal(is('-3 is odd'), true);
      assert.equal(is('7.5 is divisibleby 2.5'), true);
    });
    it('refuses a string to even and a zero divisor to divisibleby', () => {
      fails("'a' is even", /'even' test needs a number, not a string/);
      fails('n is divisibleby 0', /division by zero/);
    });
  });

  describe('comparisons by name', () => {
    it('knows every Jinja spelling: eq, equalto, ne, lt, lessthan, le, gt, greaterthan, ge', () => {
      assert.deepEqual(
        ['eq 5', 'equalto 5', 'ne 5', 'lt 6', 'lessthan 5', 'le 5', 'gt 5', 'greaterthan 4', 'ge 5'].map((t) => is(`n is ${t}`)),
        [true, true, false, true, false, true, false, true, true],
      );
    });
    it('fails to order a number and a string, as Python does', () => fails("n is lt 'a'", /cannot compare a number with a string/));
    it('compares lists by content but sameas by identity', () => {
      assert.equal(is('[1, 2] is eq [1, 2]'), true);
      assert.equal(is('l is sameas l'), true);
      assert.equal(is('[1] is sameas [1]'), false);
      assert.equal(is('nul is sameas none'), true);
    });
    it('looks for an item with in, and fails where Python would', () => {
      assert.equal(is("'a' is in d"), true);
      assert.equal(is("2 is in l"), true);
      fails("1 is in 'abc'", /cannot look for a number in a string/);
    });
  });

  describe('letter case', () => {
    it('needs a cased letter: 123 is neither lower nor upper, abc1 is lower', () => {
      assert.deepEqual(["'123' is lower", "'123' is upper", "'abc1' is lower", "'ABC' is upper", "'aBc' is lower"].map((e) => is(e)),
        [false, false, true, true, false]);
    });
  });

  describe('regular expressions', () => {
    it('anchors match at the start, search anywhere, and regex takes match_type', () => {
      assert.equal(is("s is match('World')"), false);
      assert.equal(is("s is search('World')"), true);
      assert.equal(is("s is regex('^Hello', match_type='match')"), true);
      assert.equal(is("s is regex('Hello', match_type='fullmatch')"), false);
      assert.equal(is("s is regex('Hello W.*', match_type='fullmatch')"), true);
    });
    it('takes ignorecase and multiline by name or by position', () => {
      assert.equal(is("s is match('hello', ignorecase=true)"), true);
      assert.equal(is("s is match('hello', true)"), true);
      assert.equal(is("lines is search('^line2$')"), false);
      assert.equal(is("lines is search('^line2$', multiline=true)"), true);
      assert.equal(is("s is search(pattern='o W')"), true);
    });
    it('searches the text of a number, as to_text does', () => assert.equal(is("n is match('5')"), true));
    it('refuses an unknown match_type, and a backreference (RE2 never backtracks)', () => {
      fails("s is regex('x', match_type='findall')", /unknown match_type/);
      fails("s is search('(a)\\\\1')", /backreferences and lookaround are not supported/);
    });
    it('does not let fullmatch make an unbalanced pattern valid', () => fails("s is regex('a)(b', match_type='fullmatch')", /invalid regular expression/));
  });

  describe('version', () => {
    it('compares loose versions part by part, with every operator spelling', () => {
      assert.deepEqual(
        ["'2.14.3' is version('2.14', '>=')", "'1.10' is version('1.9', '>')", "'2.14.3' is version('2.14.3')",
          "'2.14' is version('2.14.0', '<>')", "'2.14.3' is version_compare('3.0', 'lt')", "'1.0.0-rc1' is version('1.0.0', 'lt')"].map((e) => is(e)),
        [true, true, true, true, true, false],
      );
    });
    it('fails, as Ansible does, where a loose version puts a number against a word', () => {
      fails("'1.0.rc1' is version('1.0.1', '<')", /Version comparison failed/);
    });
    it('reads strict versions (N.N[.N][a|bN]) and refuses anything else', () => {
      assert.equal(is("'1.0a1' is version('1.0', '<', strict=true)"), true);
      assert.equal(is("'1.0b2' is version('1.0a3', '>', version_type='strict')"), true);
      fails("'1.0.x' is version('1.0', strict=true)", /invalid version number/);
    });
    it('orders semantic versions with their prereleases and ignores build metadata', () => {
      for (const e of ["'1.0.0-rc1' is version('1.0.0', 'lt', version_type='semver')",
        "'1.0.0-alpha.beta' is version('1.0.0-alpha.1', '>', version_type='semver')",
        "'1.0.0-2' is version('1.0.0-10', '<', version_type='semver')",
        "'1.0.0+b1' is version('1.0.0+b2', '==', version_type='semantic')"]) assert.equal(is(e), true, e);
      fails("'1.0' is version('1.0', version_type='semver')", /invalid semantic version/);
    });
    it('refuses empty versions, unknown operators and types, and strict with version_type', () => {
      fails("'' is version('1.0')", /cannot be empty/);
      fails("'1' is version('1.0', 'bogus')", /Invalid operator type/);
      fails("'1' is version('1.0', version_type='pep')", /Invalid version type/);
      fails("'1' is version('1', strict=true, version_type='loose')", /Cannot specify both/);
    });
  });

  describe('sets and truthiness', () => {
    it('compares sets of items, of characters, of keys', () => {
      assert.deepEqual(["[1, 2] is subset([1, 2, 3])", "[1, 4] is subset([1, 2, 3])", "[1, 2, 3] is superset([2])",
        "'ab' is subset('abc')", "d is superset(['a'])", 'l is contains(2)', 'l is contains(9)'].map((e) => is(e)),
      [true, false, true, true, true, true, false]);
      fails('[[1]] is subset([[1]])', /unhashable/);
    });
    it('converts boolean-like strings and numbers only when convert_bool is given', () => {
      assert.deepEqual(["'no' is falsy", "'no' is falsy(convert_bool=true)", "' YES ' is truthy(convert_bool=true)",
        '2 is falsy(convert_bool=true)', "'off' is truthy(true)"].map((e) => is(e)), [false, true, true, false, false]);
    });
    it('answers any and all over a list', () => assert.deepEqual([is('[1, 0] is any'), is('[1, 0] is all')], [true, false]));
  });

  describe('registered results', () => {
    it('reads failed, succeeded, changed, skipped, unreachable from the dict', () => {
      const r = { failed: false, changed: true, skipped: false };
      assert.deepEqual(['r is failed', 'r is succeeded', 'r is success', 'r is changed', 'r is skip', 'r is reachable']
        .map((e) => is(e, { r })), [false, true, true, true, false, true]);
      assert.equal(is('{} is changed'), false);
    });
    it("says a loop changed when any iteration did", () => {
      assert.equal(is('r is changed', { r: { results: [{ changed: false }, { changed: true }] } }), true);
    });
    it('refuses anything but a dict', () => fails("'x' is failed", /needs a registered result \(a dict\), not a string/));
  });

  describe('paths on the control machine', () => {
    let dir = '';
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'kvmplay-jinja-tests-'));
      writeFileSync(join(dir, 'file'), 'x');
      symlinkSync(join(dir, 'file'), join(dir, 'link'));
      symlinkSync(join(dir, 'nowhere'), join(dir, 'dangling'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('tells files, directories, links and dangling links apart', () => {
      const p = (name: string): string => join(dir, name);
      const answers = (path: string): unknown[] => ['file', 'directory', 'link', 'exists', 'link_exists'].map((t) => is(`p is ${t}`, { p: path }));
      assert.deepEqual(answers(p('file')), [true, false, false, true, true]);
      assert.deepEqual(answers(dir), [false, true, false, true, true]);
      assert.deepEqual(answers(p('link')), [true, false, true, true, true]);
      assert.deepEqual(answers(p('dangling')), [false, false, true, false, true]);
      assert.deepEqual(answers(p('missing/deeper')), [false, false, false, false, false]);
    });
    it('knows absolute paths and mount points', () => {
      assert.deepEqual([is("'/etc' is abs"), is("'etc' is abs"), is("'/' is mount"), is('p is mount', { p: dir })], [true, false, true, false]);
      fails('5 is abs', /needs a path \(a string\), not a number/);
    });
  });
});
