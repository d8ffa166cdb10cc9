import assert from 'node:assert/strict';
import { editLines, splitKeepEnds, type LineEditArgs } from './lineinfile-edit.js';

interface Case {
  name: string;
  before: string;
  args: Omit<LineEditArgs, 'state'> & { state?: LineEditArgs['state'] };
  after: string;
  msg: string;
  /** Ansible's own caveat: a search_string the line lacks matches another line next time. */
  notIdempotent?: boolean;
}

// Behaviours taken from Ansible's lineinfile.py and its integration tests.
const CASES: Case[] = [
  { name: 'appends a missing line at the end', before: 'a\nb\n', args: { line: 'c' }, after: 'a\nb\nc\n', msg: 'line added' },
  { name: 'changes nothing when the exact line is there', before: 'a\nc\nb\n', args: { line: 'c' }, after: 'a\nc\nb\n', msg: '' },
  { name: 'adds a newline before appending to a file without one', before: 'a', args: { line: 'b' }, after: 'a\nb\n', msg: 'line added' },
  { name: 'writes the line into an empty file', before: '', args: { line: 'only' }, after: 'only\n', msg: 'line added' },
  { name: 'replaces the last line the regexp matches', before: 'x=1\ny\nx=2\n', args: { regexp: '^x=', line: 'x=3' }, after: 'x=1\ny\nx=3\n', msg: 'line replaced' },
  { name: 'replaces the first match with firstmatch', before: 'x=1\ny\nx=2\n', args: { regexp: '^x=', line: 'x=3', firstmatch: true }, after: 'x=3\ny\nx=2\n', msg: 'line replaced' },
  { name: 'reports no change when the matched line already is the line', before: 'x=3\n', args: { regexp: '^x=', line: 'x=3' }, after: 'x=3\n', msg: '' },
  { name: 'adds the missing final newline when replacing the last line', before: 'a\nx=3', args: { regexp: '^x=', line: 'x=3' }, after: 'a\nx=3\n', msg: 'line replaced' },
  { name: 'appends when the regexp matches nothing', before: 'a\n', args: { regexp: '^x=', line: 'x=1' }, after: 'a\nx=1\n', msg: 'line added' },
  { name: 'leaves the file alone when the regexp misses but the exact line exists', before: 'x=1\na\n', args: { regexp: '^nomatch', line: 'x=1' }, after: 'x=1\na\n', msg: '' },
  { name: 'matches $ at the end of a line, as Python does before the newline', before: 'port 22\n', args: { regexp: '^port 22$', line: 'port 2222' }, after: 'port 2222\n', msg: 'line replaced' },
  { name: 'inserts after the last insertafter match', before: 'a\nb\na\nc\n', args: { line: 'new', insertafter: '^a' }, after: 'a\nb\na\nnew\nc\n', msg: 'line added' },
  { name: 'inserts after the first insertafter match with firstmatch', before: 'a\nb\na\n', args: { line: 'new', insertafter: '^a', firstmatch: true }, after: 'a\nnew\nb\na\n', msg: 'line added' },
  { name: 'appends when insertafter matches the last line', before: 'a\nb\n', args: { line: 'new', insertafter: '^b' }, after: 'a\nb\nnew\n', msg: 'line added' },
  { name: 'appends when insertafter matches nothing', before: 'a\n', args: { line: 'new', insertafter: '^zzz' }, after: 'a\nnew\n', msg: 'line added' },
  { name: 'does not insert twice after the insertafter match', before: 'a\nnew\nb\n', args: { line: 'new', insertafter: '^a' }, after: 'a\nnew\nb\n', msg: '' },
  { name: 'inserts before the last insertbefore match', before: 'a\nb\nb\n', args: { line: 'new', insertbefore: '^b' }, after: 'a\nb\nnew\nb\n', msg: 'line added' },
  { name: 'inserts before the first insertbefore match with firstmatch', before: 'a\nb\nb\n', args: { line: 'new', insertbefore: '^b', firstmatch: true }, after: 'a\nnew\nb\nb\n', msg: 'line added' },
  { name: 'inserts at the top with insertbefore BOF', before: 'a\n', args: { line: '# top', insertbefore: 'BOF' }, after: '# top\na\n', msg: 'line added' },
  { name: 'inserts at the top with insertafter BOF', before: 'a\n', args: { line: '# top', insertafter: 'BOF' }, after: '# top\na\n', msg: 'line added' },
  { name: 'does not insert at the top when the line is already in the file', before: 'a\n# top\n', args: { line: '# top', insertbefore: 'BOF' }, after: 'a\n# top\n', msg: '' },
  { name: 'ignores insertafter when the regexp matches', before: 'a\nx=1\nb\n', args: { regexp: '^x=', line: 'x=2', insertafter: '^b' }, after: 'a\nx=2\nb\n', msg: 'line replaced' },
  { name: 'expands backrefs into the line', before: 'host=old\n', args: { regexp: '^(host=).*', line: '\\1new', backrefs: true }, after: 'host=new\n', msg: 'line replaced' },
  { name: 'expands Python named groups with \\g<name>', before: 'key = 1\n', args: { regexp: '^(?P<k>\\w+) = \\d+', line: '\\g<k> = 2', backrefs: true }, after: 'key = 2\n', msg: 'line replaced' },
  { name: 'changes nothing with backrefs when the regexp matches nothing', before: 'a\n', args: { regexp: '^(x)=', line: '\\1=1', backrefs: true }, after: 'a\n', msg: '' },
  { name: 'does not expand backrefs unless asked', before: 'x=1\n', args: { regexp: '^(x)=', line: '\\1=2' }, after: '\\1=2\n', msg: 'line replaced' },
  { name: 'replaces the last line containing search_string', before: 'a foo\nb\nc foo\n', args: { searchString: 'foo', line: 'bar' }, after: 'a foo\nb\nbar\n', msg: 'line replaced', notIdempotent: true },
  { name: 'removes every line equal to the line', before: 'a\nb\na\n', args: { state: 'absent', line: 'a' }, after: 'b\n', msg: '2 line(s) removed' },
  { name: 'removes every line the regexp matches', before: '#x\ny\n#z\n', args: { state: 'absent', regexp: '^#' }, after: 'y\n', msg: '2 line(s) removed' },
  { name: 'removes every line containing search_string', before: 'a foo\nb\n', args: { state: 'absent', searchString: 'foo' }, after: 'b\n', msg: '1 line(s) removed' },
  { name: 'removes nothing when nothing matches', before: 'a\n', args: { state: 'absent', line: 'z' }, after: 'a\n', msg: '' },
  { name: 'matches a regexp that takes the line\'s newline, as Python searches the whole line', before: 'a\nb\nc\n', args: { regexp: 'b\\n', line: 'B' }, after: 'a\nB\nc\n', msg: 'line replaced' },
  { name: 'matches \\Z only after the line\'s newline, as Python', before: 'a\nb\nc\n', args: { regexp: 'c\\Z', line: 'C' }, after: 'a\nb\nc\nC\n', msg: 'line added' },
  { name: 'captures the newline a group takes into the backrefs, as Python', before: 'a\nb\nc\n', args: { regexp: '^(b)(\\s*)', line: '\\1\\2X', backrefs: true }, after: 'a\nb\nX\nc\n', msg: 'line replaced', notIdempotent: true },
  { name: 'keeps shell metacharacters in the line literally', before: '', args: { line: `echo "$(id)"; rm -rf / & <x> 'q'` }, after: `echo "$(id)"; rm -rf / & <x> 'q'\n`, msg: 'line added' },
];

describe('lineinfile edit (Ansible semantics)', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const r = editLines(c.before, { state: 'present', ...c.args });
      assert.equal(r.content, c.after);
      assert.equal(r.msg, c.msg);
      assert.equal(r.changed, c.before !== c.after);
    });
  }

  it('splits lines keeping their newline, like Python readlines', () => {
    assert.deepEqual(splitKeepEnds(''), []);
    assert.deepEqual(splitKeepEnds('a\nb'), ['a\n', 'b']);
    assert.deepEqual(splitKeepEnds('a\n\n'), ['a\n', '\n']);
  });

  it('is idempotent: applying the result again changes nothing', () => {
    for (const c of CASES.filter((x) => x.args.state !== 'absent' && !x.notIdempotent)) {
      const again = editLines(c.after, { state: 'present', ...c.args });
      assert.equal(again.changed, false, c.name);
    }
  });

  it('throws on an invalid regexp', () => {
    assert.throws(() => editLines('a\n', { state: 'present', regexp: '(', line: 'x' }), /error parsing regexp: missing closing \)/);
  });

  it('matches a pattern that would backtrack for minutes in V8 in linear time', () => {
    const evil = `${'a'.repeat(50_000)}!`;
    const t0 = Date.now();
    const r = editLines(`${evil}\n`, { state: 'present', regexp: '^(a+)+$', line: 'x' });
    assert.ok(Date.now() - t0 < 2_000, `took ${Date.now() - t0} ms`);
    assert.equal(r.msg, 'line added');
  });

  it('refuses backreferences in the pattern (linear time has none)', () => {
    assert.throws(() => editLines('aa\n', { state: 'present', regexp: '(a)\\1', line: 'x' }), /backreferences and lookaround are not supported/);
  });
});
